#!/bin/sh
# Runs inside the IPVS VM: vigild is SIGHUPed with a changed config (lb_reload_next.toml) and then
# with a broken one. The diff must reach the kernel as edits, adds and deletes of exactly what
# changed: a weight or scheduler change is an edit (never a delete and add), the unchanged
# virtual server is not touched, a failed real server and a new one wait for their checks, a
# removed virtual server goes; the broken file changes nothing. Removed real servers that were up
# run notify_down (and the removed virtual server quorum_down), and their lvs_notify_fifo lines
# reach the lvs_notify_fifo_script vigild started, which sees end of file at stop.
. /root/guest_lib.sh

cat > /tmp/fifo_reader.sh <<'SCRIPT'
#!/bin/sh
echo "$1" > /tmp/fifo_reader_arg
while read -r line; do echo "$line" >> /tmp/fifo_lines; done < "$1"
echo eof > /tmp/fifo_reader_done
SCRIPT
chmod +x /tmp/fifo_reader.sh

ipvsadm -A -t 192.0.2.50:80 -s rr   # not Vigil's: no reload may touch it
cp /etc/vigil/lb_reload.toml /etc/vigil/vigil.toml
touch /tmp/rs2_ok
vigild -c /etc/vigil/vigil.toml --runtime-dir /run/vigil --log-level debug > /tmp/vigild.log 2>&1 &
pid=$!
wait_for "vigild did not program IPVS" has '-a -u 192.0.2.12:53 -r 198.51.100.6:53 -m -w 1'
wait_for "198.51.100.2 did not come up" has '-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 1'
# 198.51.100.2 fails before the reload: out of the pool.
rm /tmp/rs2_ok
wait_for "198.51.100.2 did not go down" lacks '198.51.100.2'
before=$(ipvsadm -Sn); echo "before the reload:"; echo "$before"
lines_before=$(wc -l < /tmp/vigild.log)

cp /etc/vigil/lb_reload_next.toml /etc/vigil/vigil.toml
kill -HUP $pid
wait_for "the reload was not applied" grep -q 'reload: .* virtual servers' /tmp/vigild.log
wait_for "the added virtual server did not come up" has '-a -t 192.0.2.13:80 -r 198.51.100.7:80 -m -w 1'
after=$(ipvsadm -Sn); echo "after the reload:"; echo "$after"
reload_log=$(tail -n +"$((lines_before + 1))" /tmp/vigild.log)
echo "$reload_log" | grep -E 'reload|IPVS'
echo "$after" | grep -qF -- '-a -t 192.0.2.10:80 -r 198.51.100.1:80 -m -w 5' || fail "the weight edit is missing"
echo "$after" | grep -qF -- '-A -t 192.0.2.10:80 -s wlc' || fail "the scheduler edit is missing"
echo "$reload_log" | grep -q 'edit service TCP 192.0.2.10:80' || fail "the scheduler change was not an edit"
echo "$after" | grep -qF -- '-A -t 192.0.2.50:80 -s rr' || fail "the reload removed a service that is not Vigil's"
echo "$reload_log" | grep -q 'edit destination 198.51.100.1:80 (masq, weight 5) of TCP 192.0.2.10:80' ||
  fail "the weight change was not an edit"
echo "$reload_log" | grep -qE 'delete service TCP 192.0.2.10:80|delete destination 198.51.100.1:80' &&
  fail "the edited service or destination was deleted"
echo "$after" | grep -q 198.51.100.3 && fail "the removed real server is still there"
echo "$after" | grep -q 198.51.100.2 && fail "the failed real server was put back by the reload"
echo "$after" | grep -q 198.51.100.4 && fail "the new real server went in before its check passed"
echo "$after" | grep -q 192.0.2.12 && fail "the removed virtual server is still there"
[ "$(echo "$before" | grep -F 192.0.2.11)" = "$(echo "$after" | grep -F 192.0.2.11)" ] ||
  fail "the unchanged virtual server changed"
echo "$reload_log" | grep -q 'IPVS: .*192.0.2.11' && fail "the unchanged virtual server was touched"
echo "$reload_log" | grep -q '1 unchanged, 1 changed in place, 1 added, 1 removed virtual servers' ||
  fail "the reload summary is not the expected one"
# The removed real servers that were up report DOWN, as keepalived's do on a reload.
wait_for "notify_down of the removed real servers" grep -q rs6 /tmp/notify_down
grep -q rs3 /tmp/notify_down || fail "no notify_down for the removed 198.51.100.3"
wait_for "quorum_down of the removed virtual server" grep -q vs12 /tmp/quorum_down
echo "$reload_log" | grep -qF 'virtual server [192.0.2.10]:tcp:80: real server [198.51.100.3]:tcp:80 is DOWN (removed from the configuration)' ||
  fail "the removal of 198.51.100.3 is not logged with keepalived's names"
[ "$(cat /tmp/fifo_reader_arg)" = /run/vigil/lvs.fifo ] || fail "the FIFO script did not get the FIFO's path"
for line in 'RS [198.51.100.3]:tcp:80 [192.0.2.10]:tcp:80 DOWN' 'RS [198.51.100.6]:udp:53 [192.0.2.12]:udp:53 DOWN' \
    'VS [192.0.2.12]:udp:53 DOWN'; do
  wait_for "the FIFO script did not read '$line'" grep -qF -- "$line" /tmp/fifo_lines
done

# Their checks pass: in they go.
touch /tmp/rs2_ok /tmp/rs4_ok
wait_for "198.51.100.2 did not come back" has '-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 1'
wait_for "198.51.100.4 did not come in" has '-a -t 192.0.2.10:80 -r 198.51.100.4:80 -m -w 1'

# A broken file: refused, nothing changes.
settled=$(ipvsadm -Sn)
echo 'weight = "heavy"' >> /etc/vigil/vigil.toml
kill -HUP $pid
wait_for "the broken file was not refused" grep -q 'reload failed' /tmp/vigild.log
sleep 0.5
[ "$(ipvsadm -Sn)" = "$settled" ] || fail "a refused reload changed IPVS"

kill -TERM $pid
wait $pid; rc=$?
[ $rc = 0 ] || fail "vigild exited with $rc"
[ "$(ipvsadm -Sn)" = "-A -t 192.0.2.50:80 -s rr" ] || fail "vigild left its services behind, or took a foreign one"
[ "$(cat /tmp/fifo_reader_done 2>/dev/null)" = eof ] || fail "the FIFO script did not see end of file at stop"
grep -qF 'RS [198.51.100.5]:tcp:80 [192.0.2.11]:tcp:80 DOWN' /tmp/fifo_lines &&
  grep -qF 'VS [192.0.2.11]:tcp:80 DOWN' /tmp/fifo_lines || fail "omega's FIFO lines at stop did not reach the FIFO script"
echo "lb reload: ok"
