#!/usr/bin/env bash
# The README's demo command. Installs packages, builds vigild and kconf2toml into build/demo, checks
# every example config with `vigild --check`, then shows a failover: the keepalived walkthrough's two
# nodes (config-examples/walkthrough) in network namespaces, the master SIGKILLed, and the time until
# the VIP is on the backup.
#
# Everything it creates is named vigil-demo-* (namespaces, bridge) or lives in one mktemp directory;
# an EXIT trap removes it all, also after Ctrl-C or an error, so the demo can run again and again.
# Processes are ended by the PIDs the demo started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ "$(id -u)" -ne 0 ]; then
  echo "demo: run as root (it installs packages and creates network namespaces)" >&2
  exit 1
fi
tools/install-deps.sh
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_DIR=${CCACHE_DIR:-/var/cache/vigil-ccache}
echo "== building vigild and kconf2toml in build/demo"
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_BUILD_TESTS=OFF \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build build/demo -j "$(nproc)" --target vigild kconf2toml
vigild=$root/build/demo/src/daemon/vigild

count=0
for f in config-examples/*/*.toml config-examples/*/*.yaml; do
  if ! out=$("$vigild" --check --config "$f" 2>&1); then
    printf '%s\n' "$out" >&2
    echo "demo: vigild --check $f failed" >&2
    exit 1
  fi
  count=$((count + 1))
done
echo "== vigild --check: all $count example configs are valid"

# --- the failover ------------------------------------------------------------------------------
# One demo at a time: the names are fixed. The lock is this script itself (nothing left behind).
exec 9<"$root/tools/demo.sh"
if ! flock -n 9; then
  echo "demo: another tools/demo.sh is running" >&2
  exit 1
fi

prefix=vigil-demo-
sw=${prefix}sw           # the switch: the bridge lives in its own namespace, so the host's
bridge=${prefix}br       # interfaces and firewall are never touched
nodes=(master backup)
declare -A address=([master]=192.0.2.7/24 [backup]=192.0.2.9/24)  # the walkthrough's .7 and .9
declare -A pid=()
vip=192.0.2.100
tmp=

remove_namespace() {  # kill what still runs inside (by PID), then delete it
  local ns=$1 p
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
}

cleanup() {
  local status=$? node p
  trap - EXIT INT TERM HUP
  for node in "${!pid[@]}"; do
    p=${pid[$node]}
    kill -TERM "$p" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  for node in "${nodes[@]}"; do remove_namespace "$prefix$node"; done
  remove_namespace "$sw"
  [ -n "$tmp" ] && rm -rf "$tmp"
  if [ "$status" -eq 0 ]; then echo "== cleaned up: namespaces deleted, daemons stopped"; else
    echo "== cleaned up after an error or interruption (exit $status)" >&2; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

wait_until() {  # wait_until SECONDS WHAT COMMAND...: poll every 10 ms
  local limit=$1 what=$2 deadline
  shift 2
  deadline=$(($(date +%s%N) + limit * 1000000000))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s%N)" -gt "$deadline" ]; then
      echo "demo: timed out after ${limit} s waiting for $what" >&2
      return 1
    fi
    sleep 0.01
  done
}
has_vip() { ip -n "$prefix$1" -4 -o addr show dev eth0 | grep -q " $vip/"; }
show_addr() { echo "  $1# ip -br -4 addr show eth0"; ip -n "$prefix$1" -br -4 addr show dev eth0 | sed 's/^/  /'; }

# A run that was SIGKILLed could not clean up: remove what it left (the lock says none is running).
for ns in "$sw" "${nodes[@]/#/$prefix}"; do remove_namespace "$ns"; done
rm -rf /tmp/vigil-demo.??????

echo "== two namespaces on one bridge: $prefix{master,backup}, 192.0.2.0/24"
ip netns add "$sw"
ip -n "$sw" link add "$bridge" type bridge stp_state 0 forward_delay 0 mcast_snooping 0
ip -n "$sw" link set "$bridge" up
for node in "${nodes[@]}"; do
  ns=$prefix$node
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$sw" link add "$prefix${node:0:1}" type veth peer name eth0 netns "$ns"
  ip -n "$sw" link set "$prefix${node:0:1}" master "$bridge" up
  ip -n "$ns" addr add "${address[$node]}" dev eth0
  ip -n "$ns" link set eth0 up
done

# The walkthrough's files as shipped, with /etc/vigil/ (down file, notify.sh) moved into a
# directory per node: both namespaces share this machine's filesystem.
tmp=$(mktemp -d /tmp/vigil-demo.XXXXXX)
for node in "${nodes[@]}"; do
  mkdir "$tmp/$node"
  cp config-examples/walkthrough/notify.sh "$tmp/$node/"
  sed "s#/etc/vigil/#$tmp/$node/#g" "config-examples/walkthrough/$node.toml" >"$tmp/$node/vigil.toml"
done

start() {
  ip netns exec "$prefix$1" "$vigild" --config "$tmp/$1/vigil.toml" --runtime-dir "$tmp/$1/run" \
    >"$tmp/$1/vigild.log" 2>&1 9<&- &  # 9<&-: a daemon outliving a killed demo must not hold the lock
  pid[$1]=$!  # ip netns exec execs vigild: this is vigild's PID
}

echo "== starting vigild on the master (priority 100), then on the backup (priority 99)"
start master
wait_until 20 "the VIP on the master" has_vip master
start backup
wait_until 10 "the backup in BACKUP state" grep -q -- "-> BACKUP" "$tmp/backup/vigild.log"
sleep 2  # a couple of adverts: the backup follows the master
has_vip backup && { echo "demo: the backup holds the VIP too" >&2; exit 1; }
show_addr master
show_addr backup

echo "== kill -KILL ${pid[master]} (the master's vigild): no goodbye advert, the backup must notice"
start_ns=$(date +%s%N)
kill -KILL "${pid[master]}"
wait "${pid[master]}" 2>/dev/null || true
unset 'pid[master]'
wait_until 20 "the VIP on the backup" has_vip backup
took_ms=$((($(date +%s%N) - start_ns) / 1000000))
show_addr backup
echo "== the VIP moved to the backup ${took_ms} ms after the kill"
echo "   (master-down interval: 3 missed adverts + (256-99)/256 s skew = 3.6 s after the last advert)"
wait_until 10 "notify.sh master on the backup" grep -q " master$" "$tmp/backup/notify.log"
echo "   the backup's notify.sh log:"
sed 's/^/     /' "$tmp/backup/notify.log"
