#!/usr/bin/env python3
"""Adverts on time under load, Vigil vs keepalived (issue 8).

Node a runs one daemon with 200 VRRPv3 instances (VRIDs 1..200 on eth0, one IPv4 VIP each,
advert 100 ms, priority 100); node b runs the same implementation with the same instances at
priority 90, so b is a real backup whose master-down interval is 3 x 0.1 + (256-90) x 0.1/256 =
364.8 ms. A tcpdump on the bridge records a's adverts (kernel timestamps) during a window
(--seconds, default 30), in three cases:

  none          no track scripts
  scripts       1000 vrrp_scripts on a (interval 1 s, weight 0: a failure would put the instance
                in FAULT, so they are really tracked), 5 per instance via track_script. All are
                /bin/true except --stamp-scripts (10) that run `stamp.sh FILE` (date +%s.%N >> FILE)
                so that script start times can be seen; both daemons exec the argv directly.
  scripts+hog   the same plus --hogs (default: one per CPU) `yes > /dev/null` busy loops started in
                the lab just before the window and killed by PID after it.

Per implementation and case: advert lateness = inter-advert gap of each instance minus 100 ms
(median/p99/p99.9/max over all gaps of all instances), gaps longer than b's master-down interval,
whether b ever became master (adverts from b on the wire, or a MASTER line in b's log), script
start lateness (consecutive stamps of one script minus 1 s; includes fork/exec of sh and date),
and the CPU (all threads of the daemon's process tree; "children" = reaped children, i.e. the
scripts) and RSS/PSS of the master. Each case starts both daemons afresh and waits past the
second GARP burst before the window.

The platform's own floor is measured in the same window: when `cyclictest` (Debian package
rt-tests) is installed, one cyclictest thread at the VRRP thread's scheduling (SCHED_RR 1, memory
locked) sleeps 5 ms at a time, Vigil's advert grid, and its wake-up latency is printed beside the
daemons' lateness. No daemon can be more punctual than this VM wakes a real-time thread.
--cpu-latency-us N holds a PM QoS request (/dev/cpu_dma_latency) during each window, to show
what the CPU idle states (on this VM: HLT, which hands the vCPU back to the host) cost.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as B  # noqa: E402

A_IP, B_IP = "192.0.2.1", "192.0.2.2"
ADVERT = 0.1
PRIO_A, PRIO_B = 100, 90
CASES = ("none", "scripts", "scripts+hog")


def instances(count: int, priority: int, scripts_per_instance: dict[int, list[str]]) -> list[B.Inst]:
    return [B.Inst(f"VI_{j + 1}", "eth0", j + 1, priority, 3, ADVERT, [f"192.0.2.{3 + j}/24"],
                   track_scripts=scripts_per_instance.get(j, [])) for j in range(count)]


def make_scripts(lab, case_dir: Path, count: int, stamps: int, weight: int, n_instances: int):
    stamp = case_dir / "stamp.sh"
    stamp.write_text('#!/bin/sh\ndate +%s.%N >> "$1"\n')
    stamp.chmod(0o755)
    scripts, per_instance, stamp_files = [], {}, []
    for s in range(count):
        if s < stamps:
            out = case_dir / f"stamp-{s}.txt"
            stamp_files.append(out)
            argv = [str(stamp), str(out)]
        else:
            argv = ["/bin/true"]
        scripts.append(B.Script(f"chk_{s}", argv, interval=1.0, weight=weight))
        per_instance.setdefault(s % n_instances, []).append(f"chk_{s}")
    return scripts, per_instance, stamp_files


def own_sends_text(late: list | None) -> str:
    """vigild's own count of sends that left more than 1 ms / 5 ms after their slot; – for keepalived."""
    if not late or any(count is None for count in late):
        return "–"
    return " / ".join(str(count) for count in late)


def histogram_text(histogram: dict | None) -> list[str]:
    """[runs, share within 1 ms, within 5 ms, the bucket bound p99 falls under, mean] for the table."""
    if not histogram or not histogram["count"]:
        return ["–"] * 5
    total, bounds, counts = histogram["count"], histogram["bounds"], histogram["counts"]

    def within(limit: float) -> str:
        inside = sum(c for b, c in zip(bounds, counts) if b <= limit + 1e-12)
        return f"{100 * inside / total:.1f} %"

    cumulative, p99 = 0, "> " + B.fmt(bounds[-1] * 1000, 0)
    for bound, count in zip(bounds, counts):
        cumulative += count
        if cumulative >= 0.99 * total:
            p99 = "≤ " + B.fmt(bound * 1000, 0)
            break
    return [str(total), within(0.001), within(0.005), p99, B.fmt(histogram["sum"] / total * 1000, 2)]


def stats_ms(values: list[float]) -> dict:
    return {"n": len(values), "median": B.median(values), "p99": B.percentile(values, 99),
            "p999": B.percentile(values, 99.9), "max": max(values) if values else float("nan")}


def burst_analysis(times: list[float], instances: int, window: float) -> dict | None:
    """When the master sends the adverts of one tick back to back (clusters separated by more than
    30 ms of silence, each holding every instance), how late each cluster starts (gap between
    cluster starts − 100 ms), how long it lasts, and the longest pause inside one. None when the
    adverts are not clustered that way, one cluster per tick (keepalived runs a timer per
    instance: its adverts drift apart, or merge into longer clusters)."""
    if not times:
        return None
    clusters, current = [], [times[0]]
    for t in times[1:]:
        if t - current[-1] > 0.03:
            clusters.append(current)
            current = [t]
        else:
            current.append(t)
    clusters.append(current)
    full = [c for c in clusters if len(c) == instances]
    if len(full) < 0.9 * len(clusters) or len(clusters) < max(3.0, 0.9 * window / ADVERT):
        return None
    starts = [c[0] for c in clusters]
    start_late = [(later - earlier - ADVERT) * 1000 for earlier, later in zip(starts, starts[1:])]
    durations = [(c[-1] - c[0]) * 1000 for c in clusters]
    pauses = [(v - u) * 1000 for c in clusters for u, v in zip(c, c[1:])]
    return {"count": len(clusters), "start_late": stats_ms(start_late), "duration": stats_ms(durations),
            "pause": stats_ms(pauses)}


class CpuLatencyRequest:
    """A PM QoS CPU latency request, held while the file stays open (see the kernel's
    Documentation/power/pm_qos_interface.rst)."""

    def __init__(self, microseconds: int | None):
        self.file = None
        if microseconds is not None:
            self.file = open("/dev/cpu_dma_latency", "wb", buffering=0)  # noqa: SIM115 - held for the window
            self.file.write(struct.pack("i", microseconds))

    def release(self) -> None:
        if self.file:
            self.file.close()
            self.file = None


def run_case(lab, impl, case, args, a, b) -> dict:
    case_dir = lab.workdir / f"{impl}-{case.replace('+', '-')}"
    case_dir.mkdir()
    with_scripts = case != "none"
    scripts, per_instance, stamp_files = (make_scripts(lab, case_dir, args.scripts, args.stamp_scripts, args.weight,
                                                       args.instances) if with_scripts else ([], {}, []))
    # keepalived's default RLIMIT_RTTIME for a real-time VRRP process is 10 ms: starting 200
    # instances exceeds it and the kernel SIGKILLs the child ("has rlimit_rttime been exceeded?").
    kglobal = ([f"vrrp_rt_priority {args.keepalived_rt}", "vrrp_rlimit_rtime 1000000"] if args.keepalived_rt
               else [])
    da = B.Daemon(impl, a, instances(args.instances, PRIO_A, per_instance), scripts, name=f"{impl}-{case}-master",
                  keepalived_global=kglobal)
    db = B.Daemon(impl, b, instances(args.instances, PRIO_B, {}), name=f"{impl}-{case}-backup",
                  keepalived_global=kglobal)
    started = time.monotonic()
    da.start()
    a_masters = da.wait_all("MASTER", timeout=args.start_timeout, must=False)
    a_ready = time.monotonic() - started
    if a_masters < args.instances:
        B.log(f"{impl} {case}: only {a_masters}/{args.instances} instances MASTER on a after {a_ready:.0f} s; "
              f"measuring anyway")
    masters_at = time.monotonic()
    db.start()
    db.wait_all("BACKUP", timeout=60, must=False)
    time.sleep(max(0.0, 6.0 - (time.monotonic() - masters_at)) + 2.0)
    a_masters_at_window = da.count("MASTER")
    b_masters_before = db.transitions_to("MASTER")
    a_changes_before = da.transitions_to("BACKUP") + da.transitions_to("FAULT")
    hogs = B.spawn_hogs(a, args.hogs) if case.endswith("hog") else []
    capture = B.capture(lab, "ip proto 112", name=f"capture-{impl}-{case}")
    load = B.loadavg()
    latency_request = CpuLatencyRequest(args.cpu_latency_us)
    cyclictest = B.start_cyclictest(args.seconds + 1)
    # Starting the instruments delays vigild's sends by up to a few ms at times (tcpdump's start
    # alone made 28 of 200 sends more than 1 ms late in one probe); the window, and vigild's own
    # count of late sends, begin after they have settled and end before any of them stops.
    time.sleep(0.5)
    status_before = da.status()
    u0 = da.usage()
    t0 = time.time()
    time.sleep(args.seconds)
    t1 = time.time()
    u1 = da.usage()
    status_after = da.status()
    platform = B.cyclictest_result(cyclictest)
    latency_request.release()
    capture.stop()
    B.stop_all(hogs)
    result = {"load": load, "window": t1 - t0, "usage": u1.minus(u0), "drops": B.tcpdump_drops(capture),
              "b_master_log": db.transitions_to("MASTER") - b_masters_before,
              "a_state_changes": da.transitions_to("BACKUP") + da.transitions_to("FAULT") - a_changes_before,
              "alive": da.alive() and db.alive(), "a_masters_start": a_masters, "a_ready": a_ready,
              "a_masters_window": a_masters_at_window, "a_masters_end": da.count("MASTER"),
              "platform": platform}
    packets = [p for p in B.PcapReader(capture.pcap).read_new() if p.kind == "vrrp" and t0 <= p.ts <= t1]
    per_vrid: dict[int, list[float]] = {}
    for p in packets:
        if p.src_ip == A_IP:
            per_vrid.setdefault(p.vrid, []).append(p.ts)
    lateness, long_gaps = [], 0
    _, mdi = B.vrrp_timing(3, ADVERT, PRIO_B)
    for times in per_vrid.values():
        times.sort()
        for earlier, later in zip(times, times[1:]):
            gap = later - earlier
            lateness.append((gap - ADVERT) * 1000)
            long_gaps += gap > mdi
    result["advert_lateness"] = stats_ms(lateness)
    result["bursts"] = burst_analysis(sorted(p.ts for p in packets if p.src_ip == A_IP), args.instances,
                                       t1 - t0)
    result["long_gaps"] = long_gaps
    result["a_adverts"] = sum(len(t) for t in per_vrid.values())
    result["a_vrids"] = len(per_vrid)
    result["expected_adverts"] = args.instances * (t1 - t0) / ADVERT
    result["b_adverts"] = sum(1 for p in packets if p.src_ip == B_IP)
    result["a_prio0"] = sum(1 for p in packets if p.src_ip == A_IP and p.prio == 0)
    script_lateness, stamps = [], 0
    for path in stamp_files:
        try:
            values = sorted(float(line) for line in path.read_text().split() if line.strip())
        except (OSError, ValueError):
            values = []
        values = [v for v in values if t0 <= v <= t1]
        stamps += len(values)
        script_lateness += [(later - earlier - 1.0) * 1000 for earlier, later in zip(values, values[1:])]
    result["script_lateness"] = stats_ms(script_lateness) if stamp_files else None
    result["own_script_lateness"] = (B.histogram_delta(status_before, status_after, "script_start_lateness")
                                     if with_scripts else None)
    # vigild's own view of its sends: late here means late leaving the daemon, not on the way out.
    result["own_sends_late"] = [B.sends_later_than(status_before, status_after, limit) for limit in (0.001, 0.005)]
    result["stamps"] = stamps
    result["stamp_files"] = len(stamp_files)
    B.log(f"{impl} {case}: adverts {result['a_adverts']}/{result['expected_adverts']:.0f}, lateness "
          f"{ {k: round(v, 2) for k, v in result['advert_lateness'].items()} }, long gaps {long_gaps}, "
          f"b adverts {result['b_adverts']}, cpu {result['usage']}, load {load}")
    da.stop()
    db.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="capture window per case (30 s)")
    parser.add_argument("--impl", default=",".join(B.IMPLEMENTATIONS), help="vigil,keepalived")
    parser.add_argument("--cases", default=",".join(CASES), help=",".join(CASES))
    parser.add_argument("--instances", type=int, default=200, help="VRRP instances (200, at most 250)")
    parser.add_argument("--scripts", type=int, default=1000, help="vrrp_scripts in the script cases (1000)")
    parser.add_argument("--stamp-scripts", type=int, default=10,
                        help="how many of them record their start time instead of running /bin/true (10)")
    parser.add_argument("--weight", type=int, default=0, help="weight of the scripts (0: failure = FAULT)")
    parser.add_argument("--hogs", type=int, default=os.cpu_count() or 1,
                        help="busy loops in the hog case (default: one per CPU)")
    parser.add_argument("--start-timeout", type=float, default=60,
                        help="seconds to wait for every instance of the master to be MASTER before measuring anyway")
    parser.add_argument("--keepalived-rt", type=int, default=0,
                        help="give keepalived `vrrp_rt_priority N` and `vrrp_rlimit_rtime 1000000` "
                             "(default 0: keepalived's default, no real-time priority)")
    parser.add_argument("--cpu-latency-us", type=int, default=None,
                        help="hold a PM QoS CPU latency request of N µs during each window (default: none)")
    args = parser.parse_args()
    impls = [i for i in args.impl.split(",") if i]
    cases = [c for c in args.cases.split(",") if c]
    for case in cases:
        if case not in CASES:
            parser.error(f"unknown case {case}")
    if not 1 <= args.instances <= 250:
        parser.error("--instances must be 1..250 (one interface, VIPs in 192.0.2.0/24)")
    B.require_bench(impls)
    load_before = B.loadavg()
    results = {}
    for impl in impls:
        with B.vigil_lab.Lab(f"adverts-{impl}") as lab:
            a = lab.add_node("a", addresses=[f"{A_IP}/24"])
            b = lab.add_node("b", addresses=[f"{B_IP}/24"])
            for case in cases:
                B.log(f"{impl} {case}: load {B.loadavg()}")
                results[(impl, case)] = run_case(lab, impl, case, args, a, b)
    load_after = B.loadavg()

    _, mdi = B.vrrp_timing(3, ADVERT, PRIO_B)
    keepalived_setting = (f"keepalived with vrrp_rt_priority {args.keepalived_rt}, vrrp_rlimit_rtime 1 s"
                          if args.keepalived_rt
                          else "keepalived defaults")
    print(B.machine_header(
        "Adverts under load (bench/adverts_under_load.py)",
        f"{args.instances} VRRPv3 instances, advert 100 ms, master priority {PRIO_A}, backup {PRIO_B} "
        f"(master-down {mdi * 1000:.1f} ms); scripts: {args.scripts} x interval 1 s, weight {args.weight}, "
        f"{args.stamp_scripts} of them stamping; hog: {args.hogs} x `yes > /dev/null`; window {args.seconds:g} s; "
        f"vigild defaults (fast path, SCHED_RR 1, mlockall); {keepalived_setting}"))
    print(f"* load average (1/5/15 min) before: {load_before}; after: {load_after}\n")
    rows = []
    for impl in impls:
        for case in cases:
            r = results[(impl, case)]
            lat = r["advert_lateness"]
            took_over = "yes" if (r["b_adverts"] or r["b_master_log"]) else "no"
            ready = (f"{r['a_masters_start']} in {r['a_ready']:.1f} s; {r['a_masters_window']} / {r['a_masters_end']}")
            floor = r["platform"]
            floor_text = (f"{B.fmt(floor['p99'], 3)} / {B.fmt(floor['p999'], 3)} / {B.fmt(floor['max'], 3)}"
                          if floor else "–")
            rows.append([impl, case, ready, f"{r['a_adverts']}/{r['expected_adverts']:.0f}", B.fmt(lat["median"], 3),
                         B.fmt(lat["p99"], 3), B.fmt(lat["p999"], 3), B.fmt(lat["max"], 3), r["long_gaps"],
                         took_over, floor_text, own_sends_text(r.get("own_sends_late")), r["load"]])
    print("Advert lateness = gap between two adverts of one instance − 100 ms, over all instances (ms); platform "
          "floor = cyclictest's wake-up latency p99 / p99.9 / max (ms) in the same window, SCHED_RR 1, 5 ms sleeps; "
          "own sends = vigild's advert send lateness histogram over the window (sends that left the daemon more "
          "than 1 / 5 ms after their slot)"
          + (f"; PM QoS CPU latency request {args.cpu_latency_us} µs held in the windows" if
             args.cpu_latency_us is not None else "") + ":\n")
    print(B.markdown_table(["implementation", "case", "MASTER on a: at start; window start / end",
                            "adverts seen/expected", "median", "p99", "p99.9", "max",
                            f"gaps > {mdi * 1000:.1f} ms", "backup became master", "platform floor",
                            "own sends > 1 / > 5 ms late", "load at window"], rows))
    rows = []
    for impl in impls:
        for case in cases:
            r = results[(impl, case)]
            s = r["script_lateness"]
            u = r["usage"]
            window = r["window"]
            rows.append([impl, case,
                         f"{r['stamps']}" if s else "–",
                         B.fmt(s["median"], 1) if s else "–", B.fmt(s["p99"], 1) if s else "–",
                         B.fmt(s["max"], 1) if s else "–", *histogram_text(r["own_script_lateness"]),
                         B.fmt(100 * u.cpu / window, 1), B.fmt(100 * u.children_cpu / window, 1),
                         B.fmt(u.rss_kb / 1024, 1), B.fmt(u.pss_kb / 1024, 1), f"{u.processes}/{u.threads}"])
    print("Script start lateness = gap between two starts of one stamping script − 1 s (ms); the daemon's own "
          "view where it has one (vigild's vigil_script_start_lateness_seconds over the window, every script: "
          "time the child had exec'ed − time the run was scheduled; the bucket p99 falls in, and the mean, ms); "
          "CPU of the master in % of one core: the daemon's process tree (all threads) and its reaped children "
          "(the scripts):\n")
    print(B.markdown_table(["implementation", "case", "stamps", "script lateness median", "p99", "max",
                            "daemon: runs", "≤ 1 ms", "≤ 5 ms", "p99 (ms)", "mean (ms)",
                            "daemon CPU %", "children CPU %", "RSS MiB", "PSS MiB", "processes/threads"], rows))
    rows = []
    for impl in impls:
        for case in cases:
            bursts = results[(impl, case)]["bursts"]
            if bursts:
                rows.append([impl, case, bursts["count"], B.fmt(bursts["start_late"]["median"], 3),
                             B.fmt(bursts["start_late"]["p99"], 3), B.fmt(bursts["start_late"]["max"], 3),
                             B.fmt(bursts["duration"]["median"], 2), B.fmt(bursts["duration"]["max"], 2),
                             B.fmt(bursts["pause"]["p999"], 3), B.fmt(bursts["pause"]["max"], 3)])
    if rows:
        print("Send bursts: where the master sends all instances of a tick back to back (clusters of adverts "
              "separated by > 30 ms), the lateness of each burst's start (ms), its duration (ms) and the pauses "
              "between two adverts inside it (ms). An instance's lateness is its burst's lateness plus the change "
              "of its place in the burst:\n")
        print(B.markdown_table(["implementation", "case", "bursts", "start lateness median", "p99", "max",
                                "duration median", "max", "pause p99.9", "max"], rows))
    notes = []
    for (impl, case), r in results.items():
        if r["drops"]:
            notes.append(f"{impl} {case}: tcpdump dropped {r['drops']} packets")
        if r["a_state_changes"] or r["a_prio0"] or not r["alive"]:
            notes.append(f"{impl} {case}: master state changes {r['a_state_changes']}, priority-0 adverts "
                         f"{r['a_prio0']}, alive {r['alive']}")
        if r["a_vrids"] != args.instances:
            notes.append(f"{impl} {case}: adverts seen for {r['a_vrids']} of {args.instances} VRIDs")
    if notes:
        print("Notes: " + "; ".join(notes) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
