#!/bin/sh
# Runs inside the IPVS VM: a virtual server with ha_suspend checks its real servers only while
# the VRRP instance carrying its address is MASTER. While that instance is in FAULT the checkers
# are suspended: a real server failing meanwhile stays in the pool (as keepalived, the IPVS
# service itself stays); back to MASTER, checking resumes and the failure is seen.
. /root/guest_lib.sh
rs1='-a -t 192.0.2.10:80 -r 198.51.100.1:80 -m -w 1'

ip link add dummy0 type dummy && ip link add dummy1 type dummy || fail "no dummy links"
ip addr add 203.0.113.1/24 dev dummy0
ip link set dummy0 up && ip link set dummy1 up
vigild -c /etc/vigil/lb_suspend.toml --runtime-dir /run/vigil > /tmp/vigild.log 2>&1 &
pid=$!
wait_for "the service was not programmed" has "$rs1"
# BACKUP at first: suspended; the check that would fail does not run.
wait_for "the virtual server was not suspended before MASTER" logged 'checkers suspended'
wait_for "VI_1 did not become MASTER" logged '-> MASTER'
wait_for "checks did not resume at MASTER" logged 'checkers resumed'
wait_for "a failing server was not taken out while MASTER" lacks '198.51.100.1'
touch /tmp/rs_ok
wait_for "the server did not come back while MASTER" has "$rs1"

ip link set dummy1 down
wait_for "VI_1 did not go to FAULT" logged '-> FAULT'
wait_for "checks were not suspended in FAULT" sh -c "[ \$(grep -c 'checkers suspended' /tmp/vigild.log) -ge 2 ]"
rm /tmp/rs_ok
sleep 3     # six delay_loops: a running checker would have failed it by now
has "$rs1" || fail "a suspended checker took its server out"
has '-A -t 192.0.2.10:80' || fail "the service went away while suspended"

ip link set dummy1 up
wait_for "VI_1 did not return to MASTER" sh -c "[ \$(grep -c -- '-> MASTER' /tmp/vigild.log) -ge 2 ]"
wait_for "the failure was not seen after resuming" lacks '198.51.100.1'

kill -TERM $pid
wait $pid; rc=$?
[ $rc = 0 ] || fail "vigild exited with $rc"
cat /tmp/vigild.log
echo "lb suspend: ok"
