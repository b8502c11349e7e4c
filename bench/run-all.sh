#!/usr/bin/env bash
# Runs the benchmarks with their default settings (about 35 minutes on a 2-CPU machine):
# Markdown results on stdout, progress on stderr. `bench/run-all.sh results.md` also writes the
# results to a file. Needs root (network namespaces), tcpdump and keepalived; vigild is
# build/lead/src/daemon/vigild unless VIGILD names another binary. Exits non-zero when a
# benchmark failed (the others still run).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-}"
status=0

run() {
  echo
  echo "<!-- $(date '+%F %T'): $*; load average $(cut -d' ' -f1-3 /proc/loadavg) -->"
  python3 "$@" || { echo "**$* failed (exit $?)**"; status=1; }
}

main() {
  echo "# Vigil vs keepalived benchmarks"
  echo
  echo "Run by bench/run-all.sh on $(hostname) at $(date '+%F %T %Z'); $(nproc) CPUs; $(uptime | sed 's/^ *//')."
  run "$here/failover.py"
  run "$here/footprint.py"
  run "$here/adverts_under_load.py"
  run "$here/reload.py"
  run "$here/checkers.py"
  echo
  echo "<!-- finished $(date '+%F %T'); load average $(cut -d' ' -f1-3 /proc/loadavg) -->"
}

if [[ -n "$out" ]]; then
  exec > >(tee "$out")
fi
main
exit "$status"
