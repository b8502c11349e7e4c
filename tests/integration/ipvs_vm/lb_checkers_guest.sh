#!/bin/sh
# Runs inside the IPVS VM (tests/vm/ipvs-vm.sh): vigild with live health checkers (lb_checkers.toml)
# against real servers in the network namespace "srv", judged by what the kernel's IPVS table holds.
# Servers: busybox httpd (TCP_CHECK, HTTP_GET with digest, IPv6), openssl s_server (SSL_GET, when the
# harness copied openssl in), a MISC_CHECK whose exit status /tmp/misc_rc sets, and a busybox nc SMTP
# sink that keeps the alerts vigild mails. Phases, each a bounded poll of `ipvsadm -Sn`:
#   1. converge: a wrong HTTP answer leaves, inhibit_on_failure keeps weight 0, alpha waits for a pass;
#   2. servers stop, a body's digest changes, a misc_dynamic weight changes, B loses two of four;
#   3. they come back, B falls below quorum - hysteresis: the sorry server alone, quorum_down runs;
#   4. B at live weight 3 stays on the sorry server (hysteresis); 5. at 4 it gets its servers back;
#   6. SIGTERM: exit 0, services removed, notify/mail seen, no warning, error or sanitizer report logged.
LOG=/tmp/vigild.log
CONFIG=/etc/vigil/lb_checkers.toml
fail() {
  echo "FAIL: $*"
  echo "--- ipvsadm -Sn"; ipvsadm -Sn
  echo "--- vigild log"; cat $LOG
  exit 1
}
uptime_s() { cut -d' ' -f1 /proc/uptime; }
elapsed() { awk -v t0="$1" '{ printf "%.1f", $1 - t0 }' /proc/uptime; }

# ------------------------------------------------------------------ network: lb0 <-> srv0 in "srv"
T_SETUP=$(uptime_s)
[ -e /var/run ] || { mkdir -p /var; ln -s /run /var/run; }   # ip netns keeps its handles in /var/run/netns
# One ip process per namespace: each start of ip costs about 0.4 s in the emulated guest.
ip netns add srv || fail "ip netns add"
ip -batch - << 'IP' || fail "ip: the lb side"
link add lb0 type veth peer name srv0 netns srv
addr add 198.51.100.254/24 dev lb0
addr add 2001:db8::fe/64 dev lb0 nodad
link set lb0 up
IP
{
  echo "link set lo up"
  echo "link set srv0 up"
  for a in 1 2 3 4 6 11 12 13 14 21 22 25; do echo "addr add 198.51.100.$a/24 dev srv0"; done
  echo "addr add 2001:db8::1/64 dev srv0 nodad"
} | ip -n srv -batch - || fail "ip: the server side"

# ------------------------------------------------------------------ servers
mkdir -p /www/ok /www/rs2 /www/empty
echo healthy > /www/ok/health
echo healthy > /www/rs2/health
# serve NAME ADDRESS:PORT DIR: a busybox httpd in the namespace (ip netns exec execs it: $! is its PID).
serve() { ip netns exec srv httpd -f -p "$2" -h "$3" & echo $! > "/tmp/pid.$1"; }
unserve() { kill "$(cat "/tmp/pid.$1")"; }
serve rs1 198.51.100.1:80 /www/ok
serve rs2 198.51.100.2:80 /www/rs2
serve rs3 198.51.100.3:80 /www/empty
for n in 11 12 13 14; do serve b$n 198.51.100.$n:8080 /www/ok; done
serve c22 198.51.100.22:80 /www/ok
serve v6 '[2001:db8::1]:80' /www/ok
echo 0 > /tmp/misc_rc
SSL=
if command -v openssl > /dev/null; then
  # In the background (the key and certificate take about 2 s here): the checker waits for it.
  printf '[req]\ndistinguished_name = dn\n[dn]\n' > /tmp/req.cnf
  (openssl req -config /tmp/req.cnf -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj /CN=rs6.example.test -days 2 -keyout /tmp/rs6.key -out /tmp/rs6.pem 2> /dev/null || echo "FAIL: openssl req"
  exec ip netns exec srv openssl s_server -quiet -www -accept 198.51.100.6:443 -cert /tmp/rs6.pem -key /tmp/rs6.key \
    < /dev/null > /dev/null 2>&1) &
  SSL="192.0.2.10:80 198.51.100.6:443 1"
else
  echo "note: no openssl in the guest: the ssl_get server stays down"
fi
# SMTP sink: one conversation per connection (nc -ll forks), each mail body into /tmp/mail/PID.eml.
mkdir -p /tmp/mail
cat > /tmp/smtp_sink.sh << 'SINK'
cr=$(printf '\r')
printf '220 sink ESMTP\r\n'
while IFS= read -r line; do
  case ${line%"$cr"} in
    [Dd][Aa][Tt][Aa]*)
      printf '354 go on\r\n'
      while IFS= read -r l; do l=${l%"$cr"}; [ "$l" = . ] && break; printf '%s\n' "$l"; done > /tmp/mail/$$.tmp
      mv /tmp/mail/$$.tmp /tmp/mail/$$.eml
      printf '250 kept\r\n' ;;
    [Qq][Uu][Ii][Tt]*) printf '221 bye\r\n'; exit 0 ;;
    *) printf '250 ok\r\n' ;;
  esac
done
SINK
ip netns exec srv nc -ll -p 25 -e /bin/sh /tmp/smtp_sink.sh &

# ------------------------------------------------------------------ helpers
# The kernel's destinations, one "SERVICE DESTINATION WEIGHT" line each, sorted.
table() { ipvsadm -Sn | awk '$1 == "-a" { print $3, $5, $NF }' | sort; }
# expect WHAT SECONDS LINE...: poll until the table is exactly LINE... (empty LINEs are dropped).
expect() {
  what=$1; limit=$2; shift 2
  want=$(for l in "$@"; do [ -n "$l" ] && echo "$l"; done | sort)
  t0=$(uptime_s)
  while :; do
    kill -0 $pid 2> /dev/null || fail "$what: vigild exited"
    [ "$(table)" = "$want" ] && break
    if awk -v t="$(elapsed "$t0")" -v l="$limit" 'BEGIN { exit !(t > l) }'; then
      echo "--- want"; echo "$want"; echo "--- have"; table
      fail "$what: the table did not converge in ${limit}s"
    fi
    sleep 0.1
  done
  echo "ok   $what ($(elapsed "$t0")s)"
}
# wait_for SECONDS WHAT COMMAND...: poll until COMMAND succeeds (vigild must stay up meanwhile).
wait_for() {
  limit=$1; what=$2; shift 2
  t0=$(uptime_s)
  until "$@"; do
    kill -0 $pid 2> /dev/null || fail "vigild exited while waiting for: $what"
    awk -v t="$(elapsed "$t0")" -v l="$limit" 'BEGIN { exit !(t > l) }' && fail "not within ${limit}s: $what"
    sleep 0.1
  done
}
logged() { wait_for 30 "'$1' in the log" grep -Eq "$1" $LOG; }
holds() { [ "$(tr '\n' ' ' < "$1" 2> /dev/null)" = "$2" ]; }

# ------------------------------------------------------------------ 1. converge
echo "ok   namespace and servers set up in $(elapsed "$T_SETUP")s"
T0=$(uptime_s)
vigild -c $CONFIG --runtime-dir /run/vigil > $LOG 2>&1 &
pid=$!
programmed() { ipvsadm -Sn | grep -q -- '-A -t \[2001:db8::10\]:80'; }
wait_for 60 "vigild programs IPVS" programmed
# Reconciled before any check ran: every server that does not start with alpha is in.
first=$(table)
echo "$first" | grep -q '198.51.100.3:80 1$' || fail "the 404 server (not alpha) was not in the first programming"
echo "$first" | grep -q '198.51.100.21:80' && fail "alpha: .21 was programmed before any check passed"
[ "$(ipvsadm -Sn | grep -c '^-A')" = 4 ] || fail "expected 4 services"
A_UP="192.0.2.10:80 198.51.100.1:80 1
192.0.2.10:80 198.51.100.2:80 1
192.0.2.10:80 198.51.100.4:80 0"
B_ALL="192.0.2.20:8080 198.51.100.11:8080 1
192.0.2.20:8080 198.51.100.12:8080 1
192.0.2.20:8080 198.51.100.13:8080 1
192.0.2.20:8080 198.51.100.14:8080 1
192.0.2.20:8080 198.51.100.9:8080 0"
V6="[2001:db8::10]:80 [2001:db8::1]:80 1"
expect "converged to the healthy set" 60 "$A_UP" "192.0.2.10:80 198.51.100.5:80 2" "$SSL" "$B_ALL" \
  "192.0.2.30:80 198.51.100.22:80 1" "$V6"
logged 'virtual server \[192.0.2.30\]:tcp:80: real server \[198.51.100.22\]:tcp:80 is UP'   # alpha: it started DOWN
grep -q 'real server \[198.51.100.1\]:tcp:80 is' $LOG && fail "a server that starts up reported a transition"

# ------------------------------------------------------------------ 2. down, digest, weight
unserve rs1
unserve v6
echo sick > /www/rs2/health
echo 5 > /tmp/misc_rc
unserve b11
unserve b12
serve c21 198.51.100.21:80 /www/ok
expect "servers down, a wrong digest, weight 3, B on hysteresis, alpha server up" 60 \
  "192.0.2.10:80 198.51.100.4:80 0" "192.0.2.10:80 198.51.100.5:80 3" "$SSL" \
  "192.0.2.20:8080 198.51.100.13:8080 1" "192.0.2.20:8080 198.51.100.14:8080 1" "192.0.2.20:8080 198.51.100.9:8080 0" \
  "192.0.2.30:80 198.51.100.21:80 1" "192.0.2.30:80 198.51.100.22:80 1"
[ -e /tmp/quorum_b ] && fail "quorum_down ran at a live weight of 2 (quorum 3, hysteresis 1)"

# ------------------------------------------------------------------ 3. back; B loses quorum
serve rs1 198.51.100.1:80 /www/ok
serve v6 '[2001:db8::1]:80' /www/ok
echo healthy > /www/rs2/health
echo 1 > /tmp/misc_rc
unserve b13
C_BOTH="192.0.2.30:80 198.51.100.21:80 1
192.0.2.30:80 198.51.100.22:80 1"
expect "servers back, misc down, B on the sorry server" 60 "$A_UP" "$SSL" "192.0.2.20:8080 198.51.100.9:8080 1" \
  "$C_BOTH" "$V6"
wait_for 30 "quorum_down runs once" holds /tmp/quorum_b "down "

# ------------------------------------------------------------------ 4. B at 3 < quorum + hysteresis
serve b11 198.51.100.11:8080 /www/ok
serve b12 198.51.100.12:8080 /www/ok
for n in 11 12; do logged "real server \\[198.51.100.$n\\]:tcp:8080 is UP"; done
sleep 0.3   # a wrong quorum_up would have changed the table by now (the pool changes with the verdict)
[ "$(table | grep 192.0.2.20)" = "192.0.2.20:8080 198.51.100.9:8080 1" ] || fail "B left the sorry server at live weight 3"
holds /tmp/quorum_b "down " || fail "quorum_up ran at live weight 3: $(cat /tmp/quorum_b)"
grep -q 'virtual server \[192.0.2.20\]:tcp:8080: quorum gained' $LOG && fail "B gained quorum at live weight 3"
echo "ok   B stays on the sorry server at live weight 3"

# ------------------------------------------------------------------ 5. B at 4; misc back to its own weight
serve b13 198.51.100.13:8080 /www/ok
echo 0 > /tmp/misc_rc
expect "B regains quorum, misc exit 0 restores weight 2" 60 "$A_UP" "192.0.2.10:80 198.51.100.5:80 2" "$SSL" \
  "$B_ALL" "$C_BOTH" "$V6"
wait_for 30 "quorum_up runs after quorum_down" holds /tmp/quorum_b "down up "
wait_for 30 "rs1's notify_down, then notify_up" holds /tmp/rs1_notify "down up "

# The alerts for rs1, the only server with smtp_alert.
mailed() { grep -qF "Realserver [198.51.100.1]:tcp:80 of [192.0.2.10]:tcp:80 - $1" /tmp/mail/*.eml 2> /dev/null; }
wait_for 30 "the mail of rs1 going UP" mailed UP
mailed DOWN || fail "no DOWN mail for rs1"
[ "$(find /tmp/mail -name "*.eml" | wc -l)" = 2 ] || fail "expected 2 mails, got $(ls /tmp/mail)"
echo "ok   rs1's notify scripts and mails"

# ------------------------------------------------------------------ 6. stop
kill -TERM $pid
wait $pid
rc=$?
echo "--- vigild log"; cat $LOG
[ $rc = 0 ] || fail "vigild exited with $rc"
[ "$(ipvsadm -Sn | grep -c '^-A')" = 0 ] || fail "vigild left its services behind"
grep -E ' (warning|error|critical|alert|emergency): |Sanitizer|runtime error' $LOG && fail "warnings or errors in the vigild log"
echo "lb checkers: ok in $(elapsed "$T0")s"
