#!/bin/sh
# systemd_container_init.sh SCRATCH STAGE UNIT: becomes PID 1 of a container and execs systemd.
#
# Run by test_systemd.py as `unshare --pid --fork --mount --uts --ipc --net --cgroup` after the
# launcher moved itself into a cgroup of its own, so this shell is PID 1 of fresh namespaces. The
# container's root is an overlay: STAGE (a `cmake --install` DESTDIR) over the host's / (read
# only), with the writable layer on a tmpfs at SCRATCH; the host's files are never written. /proc/sys
# is read only except /proc/sys/net (the container's own), /sys is read only, /dev holds a few
# device nodes, and the cgroup2 mount shows only the test's cgroup. systemd boots UNIT, not the
# host's default target, so no host service starts in here.
set -eu
scratch=$1 stage=$2 unit=$3
root=$scratch/root

mount -t tmpfs -o mode=0755 vigil-systemd-scratch "$scratch"
mkdir -p "$root" "$scratch/upper" "$scratch/work"
# On the tmpfs: overlayfs refuses (ELOOP) a lower layer that lies inside another one, here "/".
cp -a "$stage" "$scratch/stage"
mount -t overlay -o "lowerdir=$scratch/stage:/,upperdir=$scratch/upper,workdir=$scratch/work" vigil-systemd-root "$root"

mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount --bind "$root/proc/sys" "$root/proc/sys"
mount --bind "$root/proc/sys/net" "$root/proc/sys/net"
mount -o remount,bind,ro "$root/proc/sys"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup"

mount -t tmpfs -o mode=0755,nosuid dev "$root/dev"
for node in null zero full random urandom tty; do
  touch "$root/dev/$node"
  mount --bind "/dev/$node" "$root/dev/$node"
done
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
for link in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 stderr:/proc/self/fd/2; do
  ln -s "${link#*:}" "$root/dev/${link%%:*}"
done
mount -t tmpfs -o mode=0755,nosuid,nodev run "$root/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$root/tmp"

# A fresh machine id: the host's would make the container's journal look like the host's.
: >"$root/etc/machine-id"

hostname vigil-systemd-test
cd "$root"
mkdir -p .old-root
pivot_root . .old-root
umount -l /.old-root
rmdir /.old-root
export container=vigil-test
# Starting vigild pulls in sysinit.target, whose units load kernel modules, set the clock and so on:
# the capabilities that reach beyond the container's namespaces are dropped, as systemd-nspawn does.
# CAP_IPC_LOCK stays: the unit grants it to vigild (vrrp_no_swap).
exec setpriv --bounding-set=-sys_module,-sys_time,-wake_alarm,-sys_rawio,-syslog,-sys_pacct,-mac_admin,-mac_override,-block_suspend \
  /lib/systemd/systemd --unit="$unit" --log-target=console --show-status=no
