#!/usr/bin/env python3
"""Failover time, Vigil vs keepalived, in one namespace lab (issue 3).

Two nodes a (priority 100, the master) and b (priority 90) on one bridge run a pair of the same
implementation with one instance and one IPv4 VIP. A tcpdump on the bridge sees every frame with
kernel timestamps (CLOCK_REALTIME), and the benchmark takes CLOCK_REALTIME just before it signals
the master, so both are on one clock.

* crash: SIGKILL of the master (keepalived: parent stopped, then VRRP child and parent killed, so
  nothing respawns or says goodbye). Measured: kill -> b's first gratuitous ARP for the VIP, and
  the overshoot = that time minus the predicted master-down interval (3 x advert + skew, skew
  v2 = (256-p)/256 s, v3 = (256-p) x advert/256, p = 90). Because b's down timer restarts at
  every advert, kill -> GARP also depends on where in the advert cycle the kill fell (up to one
  interval early); the phase-free overshoot is GARP - (last advert of a on the wire + MDI).
* hand-off: SIGTERM of the master (it sends priority 0, b waits the skew time). Measured:
  kill -> GARP, and GARP - (priority-0 advert on the wire + skew).

After each run the master is restarted (its VIP removed first after a crash, as after a reboot),
it preempts, and the next run starts after a settle time plus a random part of one interval.
Modes: VRRPv2 advert 1 s and VRRPv3 advert 100 ms. Prints Markdown tables (ms). With
--idle-before S the pair first runs S seconds, and the first SIGKILL run is also reported alone:
a backup's first takeover long after its start, when code that never ran may have to be paged in.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as B  # noqa: E402

A_IP, B_IP = "192.0.2.1", "192.0.2.2"
VIP = "192.0.2.100"
MODES = {"v2": (2, 1.0, 51), "v3": (3, 0.1, 52)}  # version, advert interval, VRID
PRIO_A, PRIO_B = 100, 90


def first(packets, predicate):
    for packet in packets:
        if predicate(packet):
            return packet
    return None


def one_mode(lab, impl, mode, runs, settle, kinds, a, b, reader, b_mac, idle_before=0.0):
    version, advert, vrid = MODES[mode]
    skew, mdi = B.vrrp_timing(version, advert, PRIO_B)

    def daemon(node, priority, name):
        inst = B.Inst("VI_1", "eth0", vrid, priority, version, advert, [f"{VIP}/24"])
        return B.Daemon(impl, node, [inst], name=name)

    da = daemon(a, PRIO_A, f"{impl}-{mode}-a0").start()
    da.wait_all("MASTER", timeout=30)
    db = daemon(b, PRIO_B, f"{impl}-{mode}-b").start()
    db.wait_all("BACKUP", timeout=30)
    # A backup's first takeover can come long after its start: code that never ran may have to be
    # paged in (and vigild drops its start-up pages 15 s after the start).
    time.sleep(idle_before)
    samples = {kind: [] for kind in kinds}
    windows = []  # (t_kill, t_kill + generous bound): b's GARPs belong in one of these
    started = 1
    for kind in kinds:
        for run in range(runs):
            time.sleep(settle + random.uniform(0, advert))
            db.wait_all("BACKUP", timeout=30)
            reader.read_new()
            t_kill = da.crash() if kind == "crash" else da.terminate()
            windows.append((t_kill, t_kill + mdi + 3))

            def garp():
                reader.read_new()
                return first(reader.packets, lambda p: p.kind == "arp" and p.src_mac == b_mac and
                             p.target == VIP and p.ts > t_kill)

            g = B.vigil_lab.wait_for(garp, timeout=mdi + 15, interval=0.05,
                                     what=f"{impl} {mode} {kind} run {run}: GARP from b")
            time.sleep(0.05)
            reader.read_new()
            after = [p for p in reader.packets if p.ts > t_kill - 5 * advert]
            b_advert = first(after, lambda p: p.kind == "vrrp" and p.src_ip == B_IP and p.vrid == vrid
                             and p.ts > t_kill)
            sample = {"kill_to_garp": g.ts - t_kill}
            if kind == "crash":
                last_a = [p.ts for p in after if p.kind == "vrrp" and p.src_ip == A_IP and p.vrid == vrid
                          and p.prio > 0 and p.ts < g.ts]
                sample["kill_to_garp_minus_mdi"] = g.ts - t_kill - mdi
                if last_a:
                    sample["garp_after_last_advert_minus_mdi"] = g.ts - (max(last_a) + mdi)
                    if b_advert:
                        sample["advert_after_last_advert_minus_mdi"] = b_advert.ts - (max(last_a) + mdi)
            else:
                zero = first(after, lambda p: p.kind == "vrrp" and p.src_ip == A_IP and p.vrid == vrid
                             and p.prio == 0 and p.ts > t_kill)
                if zero:
                    sample["kill_to_prio0"] = zero.ts - t_kill
                    sample["garp_after_prio0_minus_skew"] = g.ts - (zero.ts + skew)
                    if b_advert:
                        sample["advert_after_prio0_minus_skew"] = b_advert.ts - (zero.ts + skew)
                da.process.wait(timeout=20)
            if idle_before > 0 and run == 0 and kind == kinds[0] and "garp_after_last_advert_minus_mdi" in sample:
                sample["first_takeover"] = sample["garp_after_last_advert_minus_mdi"]
            samples[kind].append(sample)
            B.log(f"{impl} {mode} {kind} {run + 1}/{runs}: " +
                  ", ".join(f"{k}={v * 1000:.2f}ms" for k, v in sample.items()))
            # Back to the start: the master comes back (without the VIP a crash left) and preempts.
            a.ip("addr", "del", f"{VIP}/24", "dev", "eth0", check=False)
            da = daemon(a, PRIO_A, f"{impl}-{mode}-a{started}").start()
            started += 1
            da.wait_all("MASTER", timeout=mdi * 3 + 30)
    # GARPs from b outside every takeover window would mean a bogus "first GARP".
    reader.read_new()
    first_window = windows[0][0] if windows else 0
    stray = [p.ts for p in reader.packets if p.kind == "arp" and p.src_mac == b_mac and p.target == VIP
             and p.ts > first_window and not any(lo <= p.ts <= hi for lo, hi in windows)]
    b_masters = db.transitions_to("MASTER")
    da.stop()
    db.stop()
    return samples, {"skew": skew, "mdi": mdi, "stray_garps": len(stray), "b_master_transitions": b_masters}


METRICS = {
    "crash": [("kill_to_garp", "kill → first GARP of b"),
              ("kill_to_garp_minus_mdi", "overshoot: kill → GARP − MDI"),
              ("garp_after_last_advert_minus_mdi", "overshoot: GARP − (last advert of a + MDI)"),
              ("advert_after_last_advert_minus_mdi", "b's first advert − (last advert of a + MDI)"),
              ("first_takeover", "the first run alone (after --idle-before): GARP − (last advert + MDI)")],
    "handoff": [("kill_to_garp", "SIGTERM → first GARP of b"),
                ("kill_to_prio0", "SIGTERM → priority-0 advert of a"),
                ("garp_after_prio0_minus_skew", "overshoot: GARP − (priority-0 advert + skew)"),
                ("advert_after_prio0_minus_skew", "b's first advert − (priority-0 advert + skew)")],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="runs per implementation, mode and event (20)")
    parser.add_argument("--impl", default=",".join(B.IMPLEMENTATIONS), help="vigil,keepalived")
    parser.add_argument("--modes", default="v2,v3", help="v2 (advert 1 s), v3 (advert 100 ms)")
    parser.add_argument("--events", default="crash,handoff", help="crash (SIGKILL), handoff (SIGTERM)")
    parser.add_argument("--idle-before", type=float, default=0.0,
                        help="seconds the pair runs before the first kill of each mode (a backup's first takeover "
                             "long after its start; reported on a row of its own)")
    parser.add_argument("--settle", type=float, default=1.5,
                        help="seconds with a master and a backup before the next kill (plus 0..1 interval)")
    args = parser.parse_args()
    impls = [i for i in args.impl.split(",") if i]
    modes = [m for m in args.modes.split(",") if m]
    kinds = [k for k in args.events.split(",") if k]
    for name in impls:
        if name not in B.IMPLEMENTATIONS:
            parser.error(f"unknown implementation {name}")
    for mode in modes:
        if mode not in MODES:
            parser.error(f"unknown mode {mode}")
    for kind in kinds:
        if kind not in METRICS:
            parser.error(f"unknown event {kind}")
    B.require_bench(impls)
    load_before = B.loadavg()
    results = {}
    for impl in impls:
        with B.vigil_lab.Lab(f"failover-{impl}") as lab:
            a = lab.add_node("a", addresses=[f"{A_IP}/24"])
            b = lab.add_node("b", addresses=[f"{B_IP}/24"])
            capture = B.capture(lab, "ip proto 112 or arp")
            reader = B.PcapReader(capture.pcap)
            for mode in modes:
                B.log(f"{impl} {mode}: load {B.loadavg()}")
                results[(impl, mode)] = one_mode(lab, impl, mode, args.runs, args.settle, kinds, a, b, reader,
                                                 b.mac(), args.idle_before)
            capture.stop()
            drops = B.tcpdump_drops(capture)
            if drops:
                B.log(f"WARNING: tcpdump reports {drops} packets dropped by the kernel ({impl})")
    load_after = B.loadavg()

    print(B.machine_header("Failover (bench/failover.py)",
                           f"{args.runs} runs per row; master priority {PRIO_A}, backup {PRIO_B}; one IPv4 VIP; "
                           f"vigild with its defaults (fast path, SCHED_RR 1, mlockall); keepalived defaults"))
    print(f"* load average (1/5/15 min) before: {load_before}; after: {load_after}\n")
    for mode in modes:
        version, advert, _ = MODES[mode]
        skew, mdi = B.vrrp_timing(version, advert, PRIO_B)
        print(f"### VRRPv{version}, advert {advert * 1000:.0f} ms: master-down interval {mdi * 1000:.1f} ms, "
              f"skew {skew * 1000:.1f} ms\n")
        rows = []
        for impl in impls:
            samples, info = results[(impl, mode)]
            for kind in kinds:
                for key, label in METRICS[kind]:
                    values = [s[key] * 1000 for s in samples[kind] if key in s]
                    if not values and key == "first_takeover":
                        continue  # no --idle-before
                    rows.append([impl, label, len(values), B.fmt(min(values) if values else None, 2),
                                 B.fmt(B.median(values), 2), B.fmt(B.percentile(values, 99), 2),
                                 B.fmt(max(values) if values else None, 2)])
        print(B.markdown_table(["implementation", "metric (ms)", "n", "min", "median", "p99", "max"], rows))
        notes = []
        for impl in impls:
            _, info = results[(impl, mode)]
            if info["stray_garps"]:
                notes.append(f"{impl}: {info['stray_garps']} GARP(s) from b outside the takeover windows")
        if notes:
            print("Notes: " + "; ".join(notes) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
