#!/usr/bin/env bash
# Conversion time of the two largest corpus files (~7 000 lines) and of generated configs of
# 0.25, 0.5 and 1 MB (to show linear growth): median of RUNS runs, wall clock, output to /dev/null.
#   tools/kconf2toml/bench.sh [path/to/kconf2toml] [runs]
# Target: < 50 ms for the 7 000-line files.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$(ls -t "$root"/build/*/tools/kconf2toml/kconf2toml 2>/dev/null | head -1)}
runs=${2:-9}
corpus="$root/../shared/corpus/keepalived"
[ -x "$bin" ] || { echo "bench: build kconf2toml first (no binary at '$bin')" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A config of about $1 bytes: VRRP instances with trackers and notify scripts, and virtual servers
# with HTTP and TCP checks, in the proportions of the corpus.
generate_to() {
  local bytes=$1 out=$2
  : > "$out.tmp"
  local i=0
  {
    printf 'global_defs {\n  router_id bench\n  vrrp_version 3\n}\n'
    printf 'vrrp_script chk {\n  script "/usr/bin/pidof haproxy"\n  interval 2\n  weight -20\n}\n'
  } >> "$out.tmp"
  while [ "$(stat -c %s "$out.tmp")" -lt "$bytes" ]; do
    local block=""
    for _ in $(seq 1 50); do
      i=$((i + 1))
      local a=$((i / 256 % 256)) b=$((i % 256))
      block+="vrrp_instance VI_$i {
  state BACKUP
  interface eth$((i % 8))
  virtual_router_id $((i % 255 + 1))
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.$a.$b.1/24
  }
  track_script {
    chk
  }
  notify_master \"/etc/keepalived/master.sh $i\"
}
virtual_server 10.$a.$b.1 80 {
  delay_loop 6
  lb_algo wrr
  lb_kind DR
  protocol TCP
  real_server 192.168.$a.$b 80 {
    weight 1
    HTTP_GET {
      url {
        path /health
        status_code 200
      }
      connect_timeout 3
      nb_get_retry 3
      delay_before_retry 3
    }
  }
  real_server 192.169.$a.$b 80 {
    weight 1
    TCP_CHECK {
      connect_timeout 3
    }
  }
}
"
    done
    printf '%s' "$block" >> "$out.tmp"
  done
  mv "$out.tmp" "$out"
}

# Median wall-clock ms and, where perf exists, median CPU ms (task-clock): on a shared, loaded
# machine the CPU time is the number that measures the converter.
median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'; }

measure() {
  local file=$1 walls=() cpus=()
  for _ in $(seq 1 "$runs"); do
    local start end
    start=$(date +%s%N)
    "$bin" --config-id bench "$file" > /dev/null 2>&1 || true
    end=$(date +%s%N)
    walls+=("$(awk -v ns=$((end - start)) 'BEGIN {printf "%.3f", ns / 1e6}')")
    if command -v perf > /dev/null; then
      cpus+=("$(perf stat -x, -e task-clock "$bin" --config-id bench "$file" 2>&1 > /dev/null | awk -F, '/task-clock/ {print $1}' | tail -1)")
    fi
  done
  local wall cpu="-"
  wall=$(printf '%s\n' "${walls[@]}" | median)
  [ ${#cpus[@]} -gt 0 ] && cpu=$(printf '%s\n' "${cpus[@]}" | median)
  printf '%8s ms wall %8s ms cpu' "$wall" "$cpu"
}

report() {
  local label=$1 file=$2
  printf '%-40s %6s lines %8s bytes %s\n' "$label" "$(wc -l < "$file")" "$(wc -c < "$file")" "$(measure "$file")"
}

echo "kconf2toml: $bin; median of $runs runs"
for f in 012-issue1773-huge-ipvs.conf 013-issue1333-512-vmac-instances.conf; do
  if [ -f "$corpus/$f" ]; then report "$f" "$corpus/$f"; else echo "corpus file $f absent: skipped"; fi
done
for size in 262144 524288 1048576; do
  generate_to "$size" "$work/gen-$size.conf"
  report "generated $((size / 1024)) KiB" "$work/gen-$size.conf"
done
