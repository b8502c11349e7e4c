# Sourced by the guest scripts of the vigild-in-the-VM tests (vigild logs to /tmp/vigild.log).
fail() { echo "FAIL: $*"; echo "--- ipvsadm -Sn"; ipvsadm -Sn; echo "--- vigild log"; cat /tmp/vigild.log; exit 1; }
# wait_for DESCRIPTION COMMAND...: polls COMMAND for up to 10 s, then fails with DESCRIPTION.
wait_for() {
  what=$1; shift; i=0
  until "$@"; do i=$((i + 1)); [ $i -lt 100 ] || fail "$what (10 s)"; sleep 0.1; done
}
has() { ipvsadm -Sn | grep -qF -- "$1"; }
lacks() { ! ipvsadm -Sn | grep -qF -- "$1"; }
logged() { grep -q -- "$1" /tmp/vigild.log; }
