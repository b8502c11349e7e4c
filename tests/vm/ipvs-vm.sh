#!/usr/bin/env bash
# ipvs-vm.sh: run a command inside a throw-away QEMU VM that boots Debian's own kernel (ip_vs as
# modules), because the host kernel may have no IPVS. The VM has no network device (-nic none):
# nothing it does can leave the machine. The exit status is the guest command's.
#
#   tests/vm/ipvs-vm.sh [-C CACHE] [-x BIN]... [-f SRC:DEST]... [-t SECS] [-q] -c 'CMD'
#
#   -C CACHE   downloaded .debs, unpacked packages, boot kernel (default /var/cache/vigil-ipvsvm)
#   -x BIN     copy host executable BIN and its shared libraries to /extra/bin in the guest
#   -f SRC:DEST copy a host file into the guest at DEST
#   -c CMD     shell command run in the guest as root (sh -c); its exit status is ours
#   -t SECS    VM wall-clock timeout (default 180)
#   -q         print only the guest's console
# Exit: the guest's status; 77 (SKIP) when qemu or the Debian packages cannot be had; 124 on a VM
# timeout; 125 when the guest never reported (e.g. a kernel panic; the console log is kept).
#
# How (measured in ../shared/reference/ipvs-vm, which this follows): packages come from the
# host's apt sources with `apt-get download` into the cache and are unpacked with `dpkg -x`;
# the bzImage's payload is extracted once to an ELF vmlinux that QEMU boots through the PVH entry
# (no BIOS, no in-guest decompression: ~2.5 s faster under TCG); modules are resolved from their
# .modinfo on the host; /init is dash (busybox's shell would prefer its own cut-down `ip`).
set -euo pipefail

CACHE=/var/cache/vigil-ipvsvm; XBINS=(); XFILES=(); GCMD="true"; TMO=180; QUIET=0
while getopts "C:x:f:c:t:qh" o; do
  case $o in
    C) CACHE=$OPTARG;; x) XBINS+=("$OPTARG");; f) XFILES+=("$OPTARG");; c) GCMD=$OPTARG;;
    t) TMO=$OPTARG;; q) QUIET=1;; h) sed -n '2,20p' "$0"; exit 0;; *) exit 2;;
  esac
done
mkdir -p "$CACHE"; CACHE=$(cd "$CACHE" && pwd)

now() { date +%s.%N; }
T0=$(now)
say() { [ "$QUIET" = 1 ] || echo "[ipvs-vm] $*" >&2; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }
skip() { echo "SKIP: $*"; exit 77; }

# ---------------------------------------------------------------- host tools
if ! command -v qemu-system-x86_64 >/dev/null; then
  skip "qemu-system-x86_64 is not installed (tools/install-deps.sh installs qemu-system-x86)"
fi
for t in apt-get dpkg dpkg-deb ldd awk find flock; do command -v $t >/dev/null || skip "needs $t"; done

# ---------------------------------------------------------------- packages
DEBS=$CACHE/debs; ROOT=$CACHE/root; mkdir -p "$DEBS" "$ROOT"
exec 9>"$CACHE/.lock"; flock 9   # one download/unpack at a time per cache (parallel ctest runs)
download() {
  say "apt-get download $*"
  (cd "$DEBS" && apt-get download "$@" 2>&1 | grep -v -e '^Get:' -e 'unsandboxed' -e '^Fetched' >&2 || true)
  local p; for p in "$@"; do compgen -G "$DEBS/${p}_*.deb" >/dev/null || skip "cannot download Debian package $p (offline? run apt-get update)"; done
}
unpack() {
  local deb stamp
  deb=$(ls "$DEBS"/"$1"_*.deb | sort -V | tail -1); stamp=$ROOT/.unpacked.$(basename "$deb")
  [ -e "$stamp" ] || { dpkg -x "$deb" "$ROOT"; touch "$stamp"; }
}
# The kernel is pinned in the cache after the first run, so later runs need no apt at all.
PIN=$CACHE/kernel
if [ -s "$PIN" ]; then KPKG=$(cat "$PIN"); else
  KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  [ -n "$KPKG" ] || skip "cannot find Debian's kernel package (run apt-get update)"
  echo "$KPKG" > "$PIN"
fi
compgen -G "$DEBS/${KPKG}_*.deb" >/dev/null || download "$KPKG"
unpack "$KPKG"
KVER=${KPKG#linux-image-}
KDEB=$(ls "$DEBS"/"${KPKG}"_*.deb | sort -V | tail -1)
# Newer Debian kernels split the image into linux-binary-X + linux-modules-X.
if [ ! -f "$ROOT/boot/vmlinuz-$KVER" ] && [ ! -f "$ROOT/usr/lib/modules/$KVER/vmlinuz" ]; then
  for p in $(dpkg-deb -f "$KDEB" Depends | tr ',|' '\n\n' | awk '{print $1}' | grep -E '^linux-(binary|modules)-'); do
    compgen -G "$DEBS/${p}_*.deb" >/dev/null || download "$p"
    unpack "$p"
  done
fi
# Guest userland (ipvsadm for cross-checks, iproute2, busybox for the rest) from the host's sources.
PKGS=(ipvsadm libnl-3-200 libnl-genl-3-200 libpopt0 busybox-static iproute2 libmnl0 libbsd0 libmd0 libcap2 libbpf1 libelf1 zlib1g)
missing=(); for p in "${PKGS[@]}"; do compgen -G "$DEBS/${p}_*.deb" >/dev/null || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] || download "${missing[@]}"
for p in "${PKGS[@]}"; do unpack "$p"; done
MODDIR=$ROOT/lib/modules/$KVER; [ -d "$MODDIR" ] || MODDIR=$ROOT/usr/lib/modules/$KVER
VMLINUZ=$ROOT/boot/vmlinuz-$KVER; [ -f "$VMLINUZ" ] || VMLINUZ=$MODDIR/vmlinuz
[ -f "$VMLINUZ" ] && [ -d "$MODDIR" ] || skip "kernel $KVER did not unpack into $ROOT"
BUSYBOX=$ROOT/bin/busybox

# The ELF vmlinux inside the bzImage (xz with BCJ on 6.1, zstd on 6.12+), extracted once.
VMLINUX=$ROOT/boot/vmlinux-$KVER; mkdir -p "$ROOT/boot"
if [ ! -s "$VMLINUX" ]; then
  off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00|\x28\xb5\x2f\xfd' "$VMLINUZ" | head -1 | cut -d: -f1 || true)
  if [ -n "$off" ]; then
    if [ "$(head -c $((off + 2)) "$VMLINUZ" | tail -c 2 | od -An -tx1 | tr -d ' ')" = fd37 ]; then
      if command -v xz >/dev/null; then
        tail -c +$((off + 1)) "$VMLINUZ" | xz -dc --single-stream > "$VMLINUX.tmp" 2>/dev/null || true
      else
        python3 -c 'import lzma,sys; d=open(sys.argv[1],"rb").read()[int(sys.argv[2]):]; sys.stdout.buffer.write(lzma.LZMADecompressor().decompress(d))' "$VMLINUZ" "$off" > "$VMLINUX.tmp" 2>/dev/null || true
      fi
    elif command -v zstd >/dev/null; then
      tail -c +$((off + 1)) "$VMLINUZ" | zstd -dcq > "$VMLINUX.tmp" 2>/dev/null || true
    fi
  fi
  if [ "$(head -c4 "$VMLINUX.tmp" 2>/dev/null | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then mv "$VMLINUX.tmp" "$VMLINUX"
  else rm -f "$VMLINUX.tmp"; say "could not extract vmlinux: booting the bzImage (slower)"; fi
fi
BOOTKERNEL=$VMLINUZ; [ -s "$VMLINUX" ] && BOOTKERNEL=$VMLINUX
say "kernel $KVER ready after $(since "$T0")s"

# ---------------------------------------------------------------- modules
declare -A MODPATH
while IFS= read -r f; do b=${f##*/}; b=${b%%.ko*}; MODPATH[${b//-/_}]=$f; done < <(find "$MODDIR/kernel" -name '*.ko*')
modcat() { case $1 in *.xz) xz -dc "$1";; *.zst) zstd -dcq "$1";; *.gz) gzip -dc "$1";; *) cat "$1";; esac; }
moddeps() { modcat "$1" | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '; }
declare -A SEEN; ORDER=()
resolve() {   # dependencies first
  local m=${1//-/_} p d
  [ -n "${SEEN[$m]:-}" ] && return 0
  SEEN[$m]=1; p=${MODPATH[$m]:-}; [ -n "$p" ] || return 0   # built in (or gone in this kernel)
  for d in $(moddeps "$p"); do resolve "$d"; done
  ORDER+=("$m")
}
# libcrc32c has only a softdep on a crc32c driver: load crc32c_generic first. dummy/veth: test topologies.
for m in crc32c_generic ip_vs ip_vs_rr dummy veth; do resolve "$m"; done
LOAD_ORDER=("${ORDER[@]}")
# Every scheduler ships (not loaded): the kernel's request_module() autoloads them through busybox modprobe.
for f in "$MODDIR"/kernel/net/netfilter/ipvs/*.ko*; do b=${f##*/}; resolve "${b%%.ko*}"; done
flock -u 9

# ---------------------------------------------------------------- initramfs
B=$(mktemp -d "$CACHE/run.XXXXXX"); IR=$B/initramfs
mkdir -p "$IR"/{bin,sbin,usr/bin,usr/sbin,usr/local/sbin,extra/bin,proc,sys,dev,tmp,run,etc/vigilvm,lib/modules/$KVER,root}
cp "$BUSYBOX" "$IR/bin/busybox"
for m in "${ORDER[@]}"; do
  src=${MODPATH[$m]}; rel=${src#"$MODDIR"/}; rel=${rel%.xz}; rel=${rel%.zst}; rel=${rel%.gz}
  mkdir -p "$IR/lib/modules/$KVER/$(dirname "$rel")"; modcat "$src" > "$IR/lib/modules/$KVER/$rel"
done
cp "$MODDIR"/modules.builtin* "$MODDIR"/modules.order "$IR/lib/modules/$KVER/" 2>/dev/null || true
"$BUSYBOX" depmod -b "$IR" "$KVER"
for m in "${LOAD_ORDER[@]}"; do
  rel=${MODPATH[$m]#"$MODDIR"/}; echo "${rel%.ko*}.ko$([ "$m" = dummy ] && echo ' numdummies=0')"
done > "$IR/etc/vigilvm/modules.load"
LIBPATH=$ROOT/lib/x86_64-linux-gnu:$ROOT/usr/lib/x86_64-linux-gnu
copy_libs() {
  local lib dst
  LD_LIBRARY_PATH=$LIBPATH ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' |
  while read -r lib; do
    dst=${lib#"$ROOT"}
    case $dst in /lib64/*|/lib/*|/usr/*) ;; *) dst=/lib/x86_64-linux-gnu/${lib##*/};; esac
    [ -e "$IR$dst" ] || { mkdir -p "$IR$(dirname "$dst")"; cp -L "$lib" "$IR$dst"; }
  done
}
copy_bin() {  # debug info stays on the host: a smaller initramfs boots faster
  cp -L "$1" "$2/"; chmod +x "$2/${1##*/}"; command -v strip >/dev/null && strip --strip-debug "$2/${1##*/}" 2>/dev/null
  copy_libs "$1"
}
copy_bin /bin/dash "$IR/bin"; ln -s dash "$IR/bin/sh"
for b in sbin/ipvsadm sbin/ipvsadm-restore sbin/ipvsadm-save bin/ip; do
  src=$ROOT/$b; [ -e "$src" ] || src=$ROOT/usr/$b; [ -e "$src" ] || continue
  if head -c2 "$src" | grep -q '#!'; then cp "$src" "$IR/usr/local/sbin/"; else copy_bin "$src" "$IR/usr/local/sbin"; fi
done
for x in "${XBINS[@]}"; do copy_bin "$x" "$IR/extra/bin"; done
for fs in "${XFILES[@]}"; do mkdir -p "$IR$(dirname "${fs#*:}")"; cp -L "${fs%%:*}" "$IR${fs#*:}"; done
printf '%s\n' "$GCMD" > "$IR/etc/vigilvm/cmd"
echo "root:x:0:0:root:/root:/bin/sh" > "$IR/etc/passwd"; echo "root:x:0:" > "$IR/etc/group"
cat > "$IR/init" <<'INIT'
#!/bin/dash
/bin/busybox --install -s 2>/dev/null
export PATH=/usr/local/sbin:/extra/bin:/sbin:/bin:/usr/sbin:/usr/bin HOME=/root
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /run/vigil; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /tmp
echo "== guest: $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime)s"
while read -r ko args; do insmod "/lib/modules/$(uname -r)/$ko" $args || echo "insmod $ko FAILED"; done < /etc/vigilvm/modules.load
ip link set lo up
echo "== guest command: $(cat /etc/vigilvm/cmd)"
cd /root; sh /etc/vigilvm/cmd; rc=$?
echo "== guest done at uptime $(cut -d' ' -f1 /proc/uptime)s"
echo "VIGILVM_RC=$rc"
sync; poweroff -f
INIT
chmod +x "$IR/init"
(cd "$IR" && find . -print0 | sort -z | "$BUSYBOX" cpio -0 -o -H newc -R 0:0 --renumber-inodes --ignore-devno 2>/dev/null) > "$B/initrd.cpio"
say "initramfs $(du -h "$B/initrd.cpio" | cut -f1) after $(since "$T0")s"

# ---------------------------------------------------------------- boot
# TCG: this project's CI VM has a nested "PVM" KVM that emulates a stock kernel far slower than
# TCG (see the reference README); real hardware KVM is used when the CPU offers vmx/svm.
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
  ACC=(-accel kvm -cpu host)
else
  ACC=(-accel tcg -cpu max)
fi
LOG=$B/console.log
TB=$(now)
set +e
timeout -k 5 "$TMO" qemu-system-x86_64 "${ACC[@]}" -m "${MEM:-512}" -smp 1 -nodefaults -no-user-config \
  -display none -serial stdio -nic none -no-reboot \
  -kernel "$BOOTKERNEL" -initrd "$B/initrd.cpio" -append "console=ttyS0 quiet panic=-1" \
  </dev/null 2>&1 | tr -d '\r' | tee "$LOG"
qrc=${PIPESTATUS[0]}
set -e
say "VM ran $(since "$TB")s (qemu rc $qrc); total $(since "$T0")s"
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then echo "VM timed out after ${TMO}s (kept $B)" >&2; exit 124; fi
grc=$(sed -n 's/^VIGILVM_RC=\([0-9]*\).*/\1/p' "$LOG" | tail -1)
[ -n "$grc" ] || { echo "guest never reported VIGILVM_RC (kept $LOG)" >&2; exit 125; }
[ "$grc" != 0 ] || rm -rf "$B"
exit "$grc"
