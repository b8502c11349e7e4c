#!/usr/bin/env bash
# kconf2toml's command-line contract: exit codes 0/1/2, -o, --format, --strict, stdin, --help.
set -uo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() {  # check NAME EXPECTED_STATUS ACTUAL_STATUS
  if [ "$2" != "$3" ]; then echo "FAIL $1: exit $3, expected $2"; fail=1; else echo "ok   $1"; fi
}

cat > "$work/good.conf" <<'CONF'
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.1/24
    }
}
CONF
cat > "$work/warn.conf" <<'CONF'
global_defs {
    enable_snmp_vrrp
}
CONF
printf 'vrrp_instance VI_1 {\n    state MASTER\n' > "$work/broken.conf"

"$bin" "$work/good.conf" > "$work/out.toml"; check "converts" 0 $?
grep -q '^priority = 255$' "$work/out.toml" || { echo "FAIL: state MASTER should give priority 255"; fail=1; }
"$bin" -o "$work/o.toml" "$work/good.conf"; check "-o writes a file" 0 $?
cmp -s "$work/o.toml" "$work/out.toml" || { echo "FAIL: -o output differs from stdout output"; fail=1; }
"$bin" --format yaml "$work/good.conf" > "$work/out.yaml"; check "--format yaml" 0 $?
grep -q '^vrrp_instance:$' "$work/out.yaml" || { echo "FAIL: YAML output"; fail=1; }
"$bin" - < "$work/good.conf" > /dev/null; check "reads standard input" 0 $?
"$bin" "$work/warn.conf" > /dev/null 2> "$work/err"; check "warnings alone still convert" 0 $?
grep -q 'warn.conf:2: warning: .enable_snmp_vrrp. is not supported' "$work/err" || {
  echo "FAIL: the warning names file:line and keyword"; cat "$work/err"; fail=1; }
"$bin" --strict "$work/warn.conf" > /dev/null 2>&1; check "--strict turns warnings into errors" 1 $?
"$bin" --strict "$work/good.conf" > /dev/null 2>&1; check "--strict without warnings" 0 $?
"$bin" "$work/broken.conf" > "$work/none" 2> "$work/err"; check "unparsable input" 2 $?
[ -s "$work/none" ] && { echo "FAIL: nothing may be written for unparsable input"; fail=1; }
grep -q 'broken.conf:1: error' "$work/err" || { echo "FAIL: the error names the line"; fail=1; }
"$bin" "$work/absent.conf" > /dev/null 2>&1; check "unreadable input" 2 $?
"$bin" --help > "$work/help"; check "--help" 0 $?
grep -q 'Examples:' "$work/help" || { echo "FAIL: --help shows examples"; fail=1; }
"$bin" --format xml "$work/good.conf" > /dev/null 2>&1; check "usage error" 2 $?
exit $fail
