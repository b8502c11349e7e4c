#!/bin/sh
# Runs inside the IPVS VM: vigild reconciles the kernel with lb.toml at start (adds, edits in
# place, removes a stale destination, leaves a foreign service alone) and removes its own
# services at SIGTERM, after omega's notify_down and quorum_down have run.
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
echo "lb daemon: ok"
