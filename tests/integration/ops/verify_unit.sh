#!/bin/sh
# verify_unit.sh UNIT VIGILD VIGILCTL: `systemd-analyze verify` on systemd/vigild.service, with the
# built programs in place of /usr/bin/vigild and /usr/bin/vigilctl (verify checks that the
# executables exist). Any complaint
# about the unit fails the test; exit 77 when systemd-analyze cannot run here.
set -u
unit=$1 vigild=$2 vigilctl=$3
command -v systemd-analyze >/dev/null 2>&1 || { echo "SKIP: systemd-analyze is not installed"; exit 77; }
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
sed -e "s|/usr/bin/vigilctl|$vigilctl|g" -e "s|/usr/bin/vigild|$vigild|g" "$unit" >"$work/vigild.service"
# A trivial unit first: if even that fails, systemd-analyze cannot run in this environment.
printf '[Service]\nExecStart=/bin/true\n' >"$work/probe.service"
if ! systemd-analyze verify "$work/probe.service" >"$work/probe.log" 2>&1; then
  echo "SKIP: systemd-analyze verify cannot run here: $(head -c 300 "$work/probe.log")"
  exit 77
fi
systemd-analyze verify "$work/vigild.service" >"$work/out.log" 2>&1
status=$?
cat "$work/out.log"
if [ $status -ne 0 ] || grep -q "vigild.service" "$work/out.log"; then
  echo "FAIL: systemd-analyze verify complained about vigild.service (exit $status)"
  exit 1
fi
for key in "Type=notify" "ExecReload=/usr/bin/vigilctl --runtime-dir \${RUNTIME_DIRECTORY} reload" "WatchdogSec=" "Restart=on-failure" \
  "After=network-online.target" "ProtectSystem=strict" "NoNewPrivileges=yes" \
  "RestrictAddressFamilies=AF_NETLINK AF_INET AF_INET6 AF_PACKET AF_UNIX"; do
  grep -qF "$key" "$unit" || { echo "FAIL: the unit lacks $key"; exit 1; }
done
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
for cap in $caps; do
  case $cap in
    CAP_NET_ADMIN|CAP_NET_RAW|CAP_KILL|CAP_SETUID|CAP_SETGID|CAP_SYS_NICE|CAP_IPC_LOCK) ;;
    *) echo "FAIL: unexpected capability $cap"; exit 1 ;;
  esac
done
echo "PASS: $(systemd-analyze security --offline=true "$work/vigild.service" 2>/dev/null | grep 'Overall exposure' || true)"
