#!/bin/sh
# install_tree.sh BUILD PREFIX BINDIR SYSCONFDIR DOCDIR UNITDIR: `cmake --install` into a DESTDIR
# and check the tree: binaries, the unit (naming the installed vigild), the example config, docs.
set -u
build=$1 prefix=$2 bindir=$3 sysconfdir=$4 docdir=$5 unitdir=$6
case $unitdir in /*) ;; *) unitdir=$prefix/$unitdir ;; esac
dest=$(mktemp -d) || exit 1
trap 'rm -rf "$dest"' EXIT
if ! DESTDIR=$dest cmake --install "$build" >"$dest.log" 2>&1; then
  cat "$dest.log"; rm -f "$dest.log"; echo "FAIL: cmake --install"; exit 1
fi
rm -f "$dest.log"
fail=0
need() { [ -e "$dest$1" ] || { echo "FAIL: $1 not installed"; fail=1; }; }
for program in vigild vigilctl kconf2toml; do
  need "$bindir/$program"
  [ -x "$dest$bindir/$program" ] || { echo "FAIL: $bindir/$program is not executable"; fail=1; }
done
need "$unitdir/vigild.service"
need "$sysconfdir/vigil/vigil.example.toml"
need "$docdir/README.md"
need "$docdir/config.md"
need "$docdir/vigil.schema.json"
need "$docdir/examples/walkthrough/master.toml"
if [ -e "$dest$unitdir/vigild.service" ]; then
  grep -q "^ExecStart=$bindir/vigild --config $sysconfdir/vigil/vigil.toml" "$dest$unitdir/vigild.service" ||
    { echo "FAIL: the installed unit does not start $bindir/vigild with $sysconfdir/vigil/vigil.toml"; fail=1; }
  grep -q "^ExecReload=$bindir/vigilctl " "$dest$unitdir/vigild.service" ||
    { echo "FAIL: the installed unit does not reload through $bindir/vigilctl"; fail=1; }
fi
# The example is a valid config.
"$dest$bindir/vigild" --check --config "$dest$sysconfdir/vigil/vigil.example.toml" >/dev/null 2>&1 ||
  { echo "FAIL: the installed example config does not pass vigild --check"; fail=1; }
[ $fail -eq 0 ] && echo "PASS: $(cd "$dest" && find . -type f | wc -l) files installed"
exit $fail
