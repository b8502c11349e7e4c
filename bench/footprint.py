#!/usr/bin/env python3
"""Footprint, Vigil vs keepalived: CPU and memory with 1, 100 and 1000 VRRP instances (issue 3).

Two nodes a (priority 100: every instance MASTER) and b (priority 90: every instance BACKUP, so it
receives all of a's adverts) run a pair of the same implementation. All instances are VRRPv3 with
a 1 s advert interval (keepalived's default interval) and one VIP each. VRIDs are 1..255 per
interface, so instances are spread 250 per interface over eth0..eth3, each interface on its own
bridge (one VRID space per LAN):

    eth0  br0  IPv4, VIPs 192.0.2.3-252        eth2  br2  IPv4, VIPs 203.0.113.3-252
    eth1  br1  IPv4, VIPs 198.51.100.3-252     eth3  br3  IPv6, VIPs 2001:db8:3::1:0-f9

(the documentation ranges hold fewer than 1000 IPv4 addresses, so the 4th block is IPv6).

Once all instances are in place and the second GARP burst (5 s) is over, the benchmark reads
/proc for each daemon's whole process tree (keepalived: parent + VRRP child; all threads) at the
start and end of a window (--seconds, default 30): CPU = on-CPU time of all threads from
/proc/PID/task/*/schedstat (ns resolution; utime+stime from /proc/PID/stat are printed too but
count 10 ms ticks) plus cutime+cstime of reaped children (none expected here), RSS = sum of VmRSS, PSS = sum of Pss (shared pages of keepalived's
parent and child counted once). Also printed: CPU spent from start to all-MASTER / all-BACKUP.

The floor (--impl ...,floor, on by default): the same lab with tools/advert_floor instead of the
daemons, a sender on a and a receiver on b, the same adverts (codec-built, the daemon's socket
settings) at the same rate. What it costs is what the kernel charges for the traffic alone, since
the tool does nothing else. Variants (--floor-variants): "spread" sends as vigild spreads its
units (one wake-up per 5 ms slot, one sendmsg per advert) and receives as an event loop does
(poll, then recvmsg per packet); "batch" sends one sendmmsg per socket and slot and receives by
waking every 5 ms and draining with recvmmsg; "each" wakes once per advert (one timer per
instance); "burst" sends all adverts of an interval in one wake-up, as keepalived's instances that
start together do. The binary is $ADVERT_FLOOR, else tools/advert_floor/advert_floor of
$VIGILD's build tree.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as B  # noqa: E402

PER_INTERFACE = 250
BLOCKS = [  # (node a address, node b address, vip(j)) per interface
    ("192.0.2.1/24", "192.0.2.2/24", lambda j: f"192.0.2.{3 + j}/24"),
    ("198.51.100.1/24", "198.51.100.2/24", lambda j: f"198.51.100.{3 + j}/24"),
    ("203.0.113.1/24", "203.0.113.2/24", lambda j: f"203.0.113.{3 + j}/24"),
    ("2001:db8:3::1/64", "2001:db8:3::2/64", lambda j: f"2001:db8:3::1:{j:x}/64"),
]


def build_instances(count: int, priority: int, advert: float) -> list[B.Inst]:
    instances = []
    for index in range(count):
        block, j = divmod(index, PER_INTERFACE)
        instances.append(B.Inst(f"VI_{block}_{j + 1}", f"eth{block}", j + 1, priority, 3, advert,
                                [BLOCKS[block][2](j)]))
    return instances


FLOOR_VARIANTS = {  # name: (sender arguments, receiver arguments)
    "spread": (["--grid-ms", "5"], []),
    "batch": (["--grid-ms", "5", "--batch"], ["--grid-ms", "5"]),
    "each": (["--grid-ms", "0"], []),
    # Every advert of an interval in one wake-up (a grid as long as the interval): how keepalived's
    # instances that start together send, one burst per tick.
    "burst": (["--grid-ms", "{interval_ms}"], []),
}


def advert_floor_binary() -> Path:
    if os.environ.get("ADVERT_FLOOR"):
        return Path(os.environ["ADVERT_FLOOR"])
    return Path(os.environ["VIGILD"]).resolve().parents[2] / "tools" / "advert_floor" / "advert_floor"


def add_nodes(lab, count: int):
    """Nodes a and b with one interface per block of PER_INTERFACE instances, each on its own bridge."""
    interfaces = math.ceil(count / PER_INTERFACE)
    if interfaces > len(BLOCKS):
        raise SystemExit(f"at most {PER_INTERFACE * len(BLOCKS)} instances")
    a = lab.add_node("a", addresses=[BLOCKS[0][0]])
    b = lab.add_node("b", addresses=[BLOCKS[0][1]])
    for k in range(1, interfaces):
        lab.add_bridge(f"br{k}")
        lab.connect(a, bridge=f"br{k}", dev=f"eth{k}", addresses=[BLOCKS[k][0]])
        lab.connect(b, bridge=f"br{k}", dev=f"eth{k}", addresses=[BLOCKS[k][1]])
    return a, b, interfaces


def measure_floor(variant: str, count: int, seconds: float, advert: float) -> dict:
    """tools/advert_floor as master (sender) and backup (receiver) in the same lab."""
    binary = advert_floor_binary()
    with B.vigil_lab.Lab(f"footprint-floor-{variant}-{count}") as lab:
        a, b, interfaces = add_nodes(lab, count)
        spec = ",".join(f"eth{k}:{6 if ':' in BLOCKS[k][0] else 4}" for k in range(interfaces))
        if interfaces == len(BLOCKS):
            # The IPv6 link-locals must be past DAD before a socket can send from them.
            for node in (a, b):
                B.vigil_lab.wait_for(lambda node=node: node.link_local(f"eth{interfaces - 1}"), timeout=10)
            time.sleep(2.5)
        send_args, receive_args = ([a.format(interval_ms=round(advert * 1000)) for a in args]
                                   for args in FLOOR_VARIANTS[variant])
        rx = b.spawn([str(binary), "receive", "--interfaces", spec, *receive_args], name="floor-receive")
        tx = a.spawn([str(binary), "send", "--interfaces", spec, "--count", str(count), "--per-interface",
                      str(PER_INTERFACE), "--interval-ms", str(round(advert * 1000)), *send_args], name="floor-send")
        time.sleep(2.0)
        if not (tx.alive() and rx.alive()):
            raise SystemExit(f"advert_floor failed: {tx.output()} {rx.output()}")
        load = B.loadavg()
        a0, b0 = B.tree_usage(tx.pid), B.tree_usage(rx.pid)
        t0 = time.monotonic()
        time.sleep(seconds)
        a1, b1 = B.tree_usage(tx.pid), B.tree_usage(rx.pid)
        window = time.monotonic() - t0
        tx.stop()
        rx.stop()
        result = dict(master=a1.minus(a0), backup=b1.minus(b0), window=window, load=load, master_start_cpu=0.0,
                      backup_start_cpu=0.0, master_ready_s=0.0, backup_ready_s=0.0, backup_takeovers=0,
                      master_backups=0, alive=True, floor_out=(tx.output().strip(), rx.output().strip()))
        B.log(f"floor {variant} {count}: sender {result['master']}, receiver {result['backup']}; {result['floor_out']}")
        return result


def measure(impl: str, count: int, seconds: float, advert: float) -> dict:
    with B.vigil_lab.Lab(f"footprint-{impl}-{count}") as lab:
        a, b, _ = add_nodes(lab, count)
        result = {}
        started = time.monotonic()
        da = B.Daemon(impl, a, build_instances(count, 100, advert), name=f"{impl}-master").start()
        da.wait_all("MASTER", timeout=120 + count * 0.2)
        result["master_ready_s"] = time.monotonic() - started
        result["master_start_cpu"] = da.usage().cpu
        masters_at = time.monotonic()
        started = time.monotonic()
        db = B.Daemon(impl, b, build_instances(count, 90, advert), name=f"{impl}-backup").start()
        db.wait_all("BACKUP", timeout=120 + count * 0.2)
        result["backup_ready_s"] = time.monotonic() - started
        result["backup_start_cpu"] = db.usage().cpu
        # The second GARP burst comes 5 s after MASTER; let it pass, then a little more.
        time.sleep(max(0.0, 6.0 - (time.monotonic() - masters_at)) + 2.0)
        load = B.loadavg()
        a0, b0 = da.usage(), db.usage()
        changes0 = (db.transitions_to("MASTER"), da.transitions_to("BACKUP"))
        t0 = time.monotonic()
        time.sleep(seconds)
        a1, b1 = da.usage(), db.usage()
        window = time.monotonic() - t0
        result.update(master=a1.minus(a0), backup=b1.minus(b0), window=window, load=load,
                      backup_takeovers=db.transitions_to("MASTER") - changes0[0],
                      master_backups=da.transitions_to("BACKUP") - changes0[1],
                      alive=da.alive() and db.alive())
        B.log(f"{impl} {count}: master {result['master']}, backup {result['backup']} over {window:.1f} s, load {load}")
        da.stop()
        db.stop()
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="measurement window (30 s)")
    parser.add_argument("--counts", default="1,100,1000", help="numbers of instances (1,100,1000)")
    parser.add_argument("--impl", default=",".join(B.IMPLEMENTATIONS) + ",floor", help="vigil,keepalived,floor")
    parser.add_argument("--floor-variants", default="spread,batch", help=f"of {','.join(FLOOR_VARIANTS)} (spread,batch)")
    parser.add_argument("--advert", type=float, default=1.0, help="VRRPv3 advert interval in s (1)")
    args = parser.parse_args()
    impls = [i for i in args.impl.split(",") if i]
    floors = [f"floor-{v}" for v in args.floor_variants.split(",") if v] if "floor" in impls else []
    impls = [i for i in impls if i != "floor"]
    counts = [int(c) for c in args.counts.split(",") if c]
    B.require_bench(impls)
    if floors and not advert_floor_binary().exists():
        # The daemons' rows still mean something without it (run-all.sh runs this with defaults).
        B.log(f"no floor rows: {advert_floor_binary()} is not built (cmake --build ... --target advert_floor); "
              f"set ADVERT_FLOOR")
        floors = []
    load_before = B.loadavg()
    results = {}
    for count in counts:
        for impl in impls:
            B.log(f"{impl}, {count} instance(s): load {B.loadavg()}")
            results[(impl, count)] = measure(impl, count, args.seconds, args.advert)
        for floor in floors:
            results[(floor, count)] = measure_floor(floor.removeprefix("floor-"), count, args.seconds, args.advert)
    impls += floors
    load_after = B.loadavg()

    print(B.machine_header("Footprint (bench/footprint.py)",
                           f"VRRPv3, advert {args.advert:g} s, one VIP per instance, master priority 100 / backup 90, "
                           f"window {args.seconds:g} s; vigild defaults (fast path, SCHED_RR 1, mlockall); "
                           f"keepalived defaults"))
    print(f"* load average (1/5/15 min) before: {load_before}; after: {load_after}\n")
    rows = []
    for count in counts:
        for impl in impls:
            r = results[(impl, count)]
            for role in ("master", "backup"):
                u = r[role]
                rows.append([impl, count, role, B.fmt(u.cpu * 1000, 1), B.fmt(u.cpu_ticks, 2),
                             B.fmt(100 * u.cpu / r["window"], 3), B.fmt(u.children_cpu, 2), B.fmt(u.rss_kb / 1024, 1), B.fmt(u.pss_kb / 1024, 1),
                             f"{u.processes}/{u.threads}", B.fmt(r[f"{role}_start_cpu"], 2),
                             B.fmt(r[f"{role}_ready_s"], 1), r["load"]])
    print(B.markdown_table(["implementation", "instances", "role", f"CPU ms in {args.seconds:g} s",
                            "utime+stime s", "% of a core",
                            "children CPU s", "RSS MiB", "PSS MiB", "processes/threads", "CPU s to start",
                            "s to all up", "load at window"], rows))
    if floors:
        print("floor-*: tools/advert_floor sending (master row) and receiving (backup row) the same adverts in the "
              "same lab with no daemon logic; see the script's docstring for the variants. Its CPU is what the kernel "
              "charges for the traffic itself (plus a few µs of the tool's own loop).\n")
    problems = []
    for (impl, count), r in results.items():
        if r["backup_takeovers"] or r["master_backups"] or not r["alive"]:
            problems.append(f"{impl} {count}: in the window, backup -> MASTER transitions {r['backup_takeovers']}, "
                            f"master -> BACKUP transitions {r['master_backups']}, both alive {r['alive']}")
    print("CPU: on-CPU time of every thread of every process of the daemon's tree in the window, from "
          "/proc/PID/task/*/schedstat (ns; the runtime utime+stime are scaled to); utime+stime: the same from "
          "/proc/PID/stat in 10 ms ticks; children CPU: cutime+cstime of reaped children. RSS: sum of VmRSS over "
          "the tree at the end of the window (Vigil locks its memory, vrrp_no_swap); PSS: sum of Pss. \"s to all up\": from spawn to every instance MASTER (master, "
          "includes one master-down interval) or BACKUP (backup).\n")
    if problems:
        print("Problems: " + "; ".join(problems) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
