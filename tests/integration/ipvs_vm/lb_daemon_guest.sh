#!/bin/sh
# Runs inside the IPVS VM: vigild reconciles the kernel with lb.toml at start (adds, edits in
# place, removes a stale destination, leaves a foreign service alone) and removes its own
# services at SIGTERM, after omega's notify_down and quorum_down have run, leaving no misc_check
# script (nor its background child) running. Meanwhile vigilctl
# status (text and JSON), /metrics and the lvs_notify_fifo report the real servers and checkers.
fail() { echo "FAIL: $*"; ipvsadm -Sn; exit 1; }
ipvsadm -A -t 192.0.2.50:80 -s rr                      # not ours: must survive start and stop
ipvsadm -A -t 192.0.2.10:80 -s rr                      # ours, wrong scheduler: edited in place
ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.9:80 -m      # stale destination: removed
ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.1:80 -m -w 1 # wrong weight: edited
vigild -c /etc/vigil/lb.toml --runtime-dir /run/vigil > /tmp/vigild.log 2>&1 &
pid=$!
i=0
until ipvsadm -Sn | grep -q -- '-A -u \[2001:db8::10\]:53'; do
  i=$((i + 1)); [ $i -lt 100 ] || { cat /tmp/vigild.log; fail "vigild did not program IPVS in 10 s"; }
  sleep 0.1
done
sleep 0.2
saved=$(ipvsadm -Sn)
echo "$saved"
for line in '-A -t 192.0.2.50:80 -s rr' '-A -t 192.0.2.10:80 -s wrr' \
    '-a -t 192.0.2.10:80 -r 198.51.100.1:80 -m -w 3' '-a -t 192.0.2.10:80 -r 198.51.100.2:8080 -g -w 1' \
    '-A -f 7 -s rr -p 60' '-a -f 7 -r 198.51.100.3:0 -i -w 1' '-a -u [2001:db8::10]:53 -r [2001:db8::1]:53 -m -w 1'; do
  echo "$saved" | grep -qF -- "$line" || { cat /tmp/vigild.log; fail "missing: $line"; }
done
echo "$saved" | grep -q 198.51.100.9 && fail "stale destination 198.51.100.9 still there"
ipvsadm -L --timeout | grep -q '900 60 200' || fail "lvs_timeouts not applied"

# 198.51.100.6's checker fails (misc_check retry 0): it leaves the pool and the status says why.
ctl() { vigilctl --runtime-dir /run/vigil "$@"; }
i=0
until ctl status > /tmp/status.txt 2>&1 && grep -q 'misc_check\[0\] DOWN (1 failed' /tmp/status.txt; do
  i=$((i + 1)); [ $i -lt 100 ] || { cat /tmp/status.txt /tmp/vigild.log; fail "vigilctl status never showed the failed checker"; }
  sleep 0.1
done
cat /tmp/status.txt
for text in 'VIRTUAL SERVER' '192.0.2.10:80/TCP' 'fwmark 7' '[2001:db8::10]:53/UDP' '198.51.100.1:80' \
    '198.51.100.5:80' 'misc_check[0] ok'; do
  grep -qF -- "$text" /tmp/status.txt || fail "vigilctl status lacks: $text"
done
grep -E '^ +198\.51\.100\.6:80 +1/- +DOWN' /tmp/status.txt >/dev/null || fail "198.51.100.6 not DOWN and out of the pool"
ipvsadm -Sn | grep -q 198.51.100.6 && fail "198.51.100.6 still in IPVS after its checker failed"
ctl status --json > /tmp/status.json || fail "vigilctl status --json"
grep -q '"state": "in use"' /tmp/status.json || fail "status --json: IPVS state"
grep -q '"current_weight": 2' /tmp/status.json || fail "status --json: current weight of 198.51.100.5"
ctl dump | grep -q '"real_servers"' || fail "vigilctl dump lacks the real servers"
wget -q -O /tmp/metrics http://127.0.0.1:9650/metrics || fail "GET /metrics"
for sample in 'vigil_real_server_up{virtual_server="192.0.2.20:80/TCP",real_server="198.51.100.6:80"} 0' \
    'vigil_real_server_up{virtual_server="192.0.2.20:80/TCP",real_server="198.51.100.5:80"} 1' \
    'vigil_real_server_weight{virtual_server="192.0.2.20:80/TCP",real_server="198.51.100.5:80",kind="current"} 2' \
    'vigil_virtual_server_quorum_up{virtual_server="192.0.2.20:80/TCP"} 1'; do
  grep -qF -- "$sample" /tmp/metrics || { grep vigil_real /tmp/metrics; fail "metrics lack: $sample"; }
done
grep -q 'vigil_checker_checks_total{virtual_server="192.0.2.20:80/TCP",real_server="198.51.100.6:80",checker="misc_check\[0\]",result="failure"} [1-9]' \
  /tmp/metrics || fail "metrics: the failed probes are not counted"
# The kernel's traffic counters (keepalived_lvs_*), read at the scrape: a local client's SYNs to
# 192.0.2.20:80 are scheduled by IPVS (its local-out hook) to 198.51.100.5, which the dummy link
# swallows; the service and the real server count the connection.
ip link add vigil0 type dummy && ip link set vigil0 up && ip addr add 192.0.2.1/24 dev vigil0 &&
  ip addr add 198.51.100.254/24 dev vigil0 || fail "dummy link"
nc -w 5 192.0.2.20 80 < /dev/null > /dev/null 2>&1 &
# The emulated guest is slow to start nc (more so beside an ASan vigild): scrape until it counts.
i=0
until wget -q -O /tmp/metrics http://127.0.0.1:9650/metrics &&
    grep -q '^keepalived_lvs_vip_conn{addr="192.0.2.20:80",proto="6"} [1-9]' /tmp/metrics; do
  i=$((i + 1)); [ $i -lt 100 ] || break
  sleep 0.1
done
grep keepalived_lvs_ /tmp/metrics | grep -v '^#'
for sample in 'keepalived_lvs_vip_conn{addr="192.0.2.20:80",proto="6"} [1-9]' \
    'keepalived_lvs_vip_in_packets{addr="192.0.2.20:80",proto="6"} [1-9]' \
    'keepalived_lvs_rs_conn{addr="198.51.100.5:80",proto="6",service="192.0.2.20:80"} [1-9]' \
    'keepalived_lvs_vip_conn{addr="fwmark 7",proto="0"} 0' \
    'keepalived_lvs_rs_in_bytes{addr="\[2001:db8::1\]:53",proto="17",service="\[2001:db8::10\]:53"} 0'; do
  grep -q -- "^$sample" /tmp/metrics || fail "metrics lack: $sample"
done
grep -q 192.0.2.50 /tmp/metrics && fail "metrics: counters of a service that is not Vigil's"
line=$(head -n 1 /run/vigil/lvs.fifo)
[ "$line" = 'RS [198.51.100.6]:tcp:80 [192.0.2.20]:tcp:80 DOWN' ] || fail "lvs_notify_fifo line: '$line'"
echo "status, metrics and lvs_notify_fifo: ok"
i=0
until [ "$(wc -l < /tmp/misc_pids 2>/dev/null)" = 2 ]; do
  i=$((i + 1)); [ $i -lt 100 ] || fail "the long misc_check script did not start"
  sleep 0.1
done
kill -TERM $pid
wait $pid; rc=$?
cat /tmp/vigild.log
[ $rc = 0 ] || fail "vigild exited with $rc"
after=$(ipvsadm -Sn)
echo "after stop:"; echo "$after"
echo "$after" | grep -q -- '-A -t 192.0.2.50:80' || fail "the foreign service was removed"
[ "$(echo "$after" | grep -c -- '^-A')" = 1 ] || fail "vigild left its services behind"
[ -e /tmp/rs1_down ] || fail "omega: notify_down did not run at stop"
[ "$(cat /tmp/quorum_down 2>/dev/null)" = lost ] || fail "omega: quorum_down did not run at stop"
# The script vigild reaped is gone; its background child, killed with the group, is init's to reap.
for p in $(cat /tmp/misc_pids); do
  state=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
  case "$state" in '' | Z | X) ;; *) fail "misc_check process $p still running after vigild stopped (state $state)" ;; esac
done
echo "no misc_check script left behind: ok"
echo "lb daemon: ok"
