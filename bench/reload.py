#!/usr/bin/env python3
"""SIGHUP reload of a 1000-instance config with one change, Vigil vs keepalived (issue 6).

Node a runs one daemon with 1000 VRRPv3 instances, all masters (there is no peer): 250 per
interface on four interfaces, each on its own bridge (eth0 IPv4 VIPs in 192.0.2.0/24, eth1 in
198.51.100.0/24, eth2 in 203.0.113.0/24, eth3 IPv6 VIPs in 2001:db8::/32), advert 1 s. After the
instances settled, the config is rewritten with one change (the priority of one instance,
150 -> 140) and the daemon gets SIGHUP. Measured, per run:

* apply time: SIGHUP -> the daemon's "reload done" log line, seen by polling its log file every
  0.5 ms (vigild: "reloaded <file>", keepalived: "Reload complete"). For Vigil also SIGHUP ->
  READY=1 on its NOTIFY_SOCKET (a datagram socket the benchmark listens on; keepalived sends
  nothing there unless systemd started it), and its phases from its log ("reload: FILE read and
  validated in N us", "reload: VRRP planned in N us, applied in M us").
* advert gaps of the 999 unchanged instances that end within 3.5 s after the SIGHUP, from
  tcpdump on the four bridges (kernel timestamps): the largest gap minus the 1 s interval
  ("lateness"), and how many gaps exceeded interval + 5 ms; and, for comparison, the largest
  gap of the 2.5 s before the SIGHUP (what 1000 adverts in one burst per second do anyway).
* whether any unchanged instance left MASTER, and whether the changed one advertises 140.
* two references that tell the daemon's lateness from the platform's: Vigil's own advert send
  lateness histogram (vigil_advert_send_lateness_seconds, read with SIGUSR1 before and after each
  reload window: how many sends left more than 5 ms after their slot), and the platform floor,
  cyclictest at the VRRP thread's scheduling (SCHED_RR 1, 5 ms sleeps) running through all the
  reloads of one daemon (see bench/adverts_under_load.py).

Targets (issue 6): apply <= 50 ms, no advert of an unchanged instance later than interval + 5 ms.
Prints Markdown tables (ms).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as B  # noqa: E402

ADVERT = 1.0
PRIO, CHANGED_PRIO = 150, 140
PER_INTERFACE = 250
NETWORKS = [("eth0", "192.0.2.{}/24", "192.0.2.1/24"), ("eth1", "198.51.100.{}/24", "198.51.100.1/24"),
            ("eth2", "203.0.113.{}/24", "203.0.113.1/24"), ("eth3", "2001:db8::{:x}/64", None)]


def instances(count: int, changed: str | None = None) -> list[B.Inst]:
    out = []
    for n in range(count):
        dev, vip, _ = NETWORKS[n // PER_INTERFACE]
        j = n % PER_INTERFACE
        name = f"VI_{n + 1}"
        out.append(B.Inst(name, dev, j + 1, CHANGED_PRIO if name == changed else PRIO, 3, ADVERT,
                          [vip.format(j + 2)]))
    return out


class NotifyListener:
    """A NOTIFY_SOCKET: records (CLOCK_REALTIME, message) of every datagram."""

    def __init__(self, path: Path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.messages: list[tuple[float, str]] = []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.running:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            self.messages.append((time.time(), data.decode(errors="replace")))

    def first_after(self, since: float, word: str) -> float | None:
        for ts, message in list(self.messages):
            if ts >= since and word in message.split("\n"):
                return ts
        return None

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.sock.close()


def bridge_capture(lab, bridge: str) -> B.vigil_lab.Capture:
    """benchlib.capture() on another bridge (short snapshot, large buffer)."""
    pcap = lab.unique_path(f"capture-{bridge}", ".pcap")
    argv = ["tcpdump", "-i", bridge, "-n", "-U", "--immediate-mode", "-s", "256", "-B", "65536", "-w", str(pcap),
            "ip proto 112 or ip6 proto 112"]
    process = lab.switch.spawn(argv, name=f"tcpdump-{bridge}")
    result = B.vigil_lab.Capture(process, pcap)
    lab.captures.append(result)
    B.vigil_lab.wait_for(lambda: "listening on" in process.output() or not process.alive(), timeout=30,
                         what=f"tcpdump listening on {bridge}")
    return result


DONE_LINE = {"vigil": "reloaded ", "keepalived": "Reload complete"}


def wait_log_line(process, word: str, count_before: int, timeout: float = 60) -> float:
    """CLOCK_REALTIME when the log file first holds more than `count_before` lines with `word`."""
    deadline = time.time() + timeout
    with open(process.log, "rb") as f:
        text = b""
        needle = word.encode()
        while time.time() < deadline:
            chunk = f.read()
            if chunk:
                text += chunk
                if text.count(needle) > count_before:
                    return time.time()
            else:
                time.sleep(0.0005)
    raise B.vigil_lab.LabTimeout(f"no '{word}' in {process.log} after {timeout} s")


def start_daemon(daemon: B.Daemon, notify_socket: Path) -> None:
    """Daemon.start() with NOTIFY_SOCKET in the environment."""
    env = dict(os.environ, NOTIFY_SOCKET=str(notify_socket))
    if daemon.impl == "vigil":
        vigil = daemon._vigil
        argv = [B.vrrp_support.VIGILD, "--config", str(vigil.config_path), "--runtime-dir", str(vigil.runtime_dir),
                "--log-level", "info"]
        vigil.process = daemon.node.spawn(argv, name=daemon.name, env=env)
        daemon.process = vigil.process
    else:
        argv = ["keepalived", "--dont-fork", "--log-console", "--no-syslog", "--vrrp",
                f"--use-file={daemon.config_path}", f"--pid={daemon.run_dir}/ka.pid",
                f"--vrrp_pid={daemon.run_dir}/ka-vrrp.pid"]
        daemon.process = daemon.node.spawn(argv, name=daemon.name, env=env)


def run_impl(impl: str, args) -> dict:
    with B.vigil_lab.Lab(f"reload-{impl}") as lab:
        a = lab.add_node("a", addresses=[NETWORKS[0][2]])
        readers = []
        for k, (dev, _, address) in enumerate(NETWORKS):
            bridge = "br0" if k == 0 else lab.add_bridge(f"br{k}")
            if k > 0:
                lab.connect(a, bridge=bridge, dev=dev, addresses=[address] if address else [])
            readers.append(B.PcapReader(bridge_capture(lab, bridge).pcap))
        notify_path = lab.unique_path(f"notify-{impl}", ".sock")
        listener = NotifyListener(notify_path)
        daemon = B.Daemon(impl, a, instances(args.instances), name=impl)
        start_daemon(daemon, notify_path)
        started = time.monotonic()
        daemon.wait_all("MASTER", timeout=120)
        B.log(f"{impl}: {args.instances} masters after {time.monotonic() - started:.1f} s; load {B.loadavg()}")
        changed = f"VI_{args.instances // 2}"
        results = []
        floor = B.start_cyclictest(args.settle + args.runs * (args.after + args.settle + 1.5))
        time.sleep(args.settle)
        for run in range(args.runs):
            masters_before = daemon.transitions_to("MASTER")
            # Alternate between the two configs: every run is one change.
            new = instances(args.instances, changed if run % 2 == 0 else None)
            if impl == "vigil":
                daemon.config_path.write_text(B.vigil_config(new))
            else:
                daemon.config_path.write_text(B.keepalived_config("a", new))
            for reader in readers:
                reader.read_new()
            done_before = daemon.log().count(DONE_LINE[impl])
            status_before = daemon.status() if impl == "vigil" else None
            t_hup = time.time()
            os.kill(daemon.pid, signal.SIGHUP)
            done = wait_log_line(daemon.process, DONE_LINE[impl], done_before)
            ready = None
            if impl == "vigil":
                B.vigil_lab.wait_for(lambda: listener.first_after(t_hup, "READY=1") is not None, timeout=60,
                                     interval=0.01, what=f"{impl}: READY=1 after SIGHUP")
                ready = listener.first_after(t_hup, "READY=1")
            time.sleep(args.after)
            sends_over_5ms = None
            if status_before is not None:
                sends_over_5ms = B.sends_later_than(status_before, daemon.status(), 0.005)
            late, baseline, over, worst, changed_prio = [], [], 0, 0.0, set()
            window = (t_hup - 2.5, t_hup + args.after - 0.5)
            for k, reader in enumerate(readers):
                reader.read_new()
                per: dict[tuple[str, int], list[float]] = {}
                for p in reader.packets:
                    if p.kind != "vrrp" or not (window[0] <= p.ts <= window[1]):
                        continue
                    n = k * PER_INTERFACE + p.vrid - 1
                    if f"VI_{n + 1}" == changed:
                        if p.ts > done:
                            changed_prio.add(p.prio)
                        continue
                    per.setdefault((p.src_ip, p.vrid), []).append(p.ts)
                for times in per.values():
                    for x, y in zip(times, times[1:]):
                        gap = y - x
                        if y < t_hup:  # before the SIGHUP: what the adverts do anyway
                            baseline.append(gap - ADVERT)
                            continue
                        late.append(gap - ADVERT)
                        worst = max(worst, gap)
                        if gap > ADVERT + 0.005:
                            over += 1
                reader.packets.clear()
            vrrp_applied = vrrp_planned = validated = validated_cpu = None
            if impl == "vigil":
                loads = re.findall(r"reload: \S+ read and validated in (\d+) us(?: \((\d+) us CPU\))?",
                                   daemon.log())
                if loads:
                    validated = int(loads[-1][0]) / 1000.0
                    validated_cpu = int(loads[-1][1]) / 1000.0 if loads[-1][1] else None
                found = re.findall(r"reload: VRRP planned in (\d+) us, applied in (\d+) us", daemon.log())
                if found:
                    vrrp_planned = int(found[-1][0]) / 1000.0
                    vrrp_applied = int(found[-1][1]) / 1000.0
            sample = {"apply_ms": (done - t_hup) * 1000,
                      "ready_ms": (ready - t_hup) * 1000 if ready is not None else None, "load_ms": validated,
                      "load_cpu_ms": validated_cpu,
                      "vrrp_plan_ms": vrrp_planned,
                      "vrrp_ms": vrrp_applied,
                      "baseline_max_ms": max(baseline) * 1000 if baseline else None,
                      "lateness_max_ms": max(late) * 1000 if late else None,
                      "lateness_p99_ms": B.percentile(late, 99) * 1000 if late else None,
                      "gaps": len(late), "over_5ms": over, "sends_over_5ms": sends_over_5ms,
                      "new_masters": daemon.transitions_to("MASTER") - masters_before,
                      "changed_prio": sorted(changed_prio)}
            B.log(f"{impl} run {run + 1}/{args.runs}: " + ", ".join(f"{k}={v}" for k, v in sample.items()))
            results.append(sample)
            time.sleep(args.settle)
        alive = daemon.alive()
        daemon.stop()
        listener.close()
        return {"runs": results, "alive": alive, "platform": B.cyclictest_result(floor)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=1000, help="instances (max 1000), default 1000")
    parser.add_argument("--runs", type=int, default=5, help="reloads per implementation (5)")
    parser.add_argument("--impl", default=",".join(B.IMPLEMENTATIONS), help="vigil,keepalived")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds between reloads (3)")
    parser.add_argument("--after", type=float, default=4.0, help="seconds of adverts looked at after SIGHUP (4)")
    args = parser.parse_args()
    if not 2 <= args.instances <= 4 * PER_INTERFACE:
        parser.error("--instances must be 2..1000")
    impls = [i for i in args.impl.split(",") if i]
    B.require_bench(impls)
    load_before = B.loadavg()
    results = {impl: run_impl(impl, args) for impl in impls}
    load_after = B.loadavg()
    print(B.machine_header("Reload (bench/reload.py)",
                           f"{args.instances} VRRPv3 instances, advert 1 s, all masters, 4 interfaces; "
                           f"{args.runs} SIGHUP reloads each changing one instance's priority; "
                           f"vigild with its defaults (fast path, SCHED_RR 1, mlockall); keepalived defaults"))
    print(f"* load average (1/5/15 min) before: {load_before}; after: {load_after}\n")
    rows = []
    for impl in impls:
        runs = results[impl]["runs"]
        for key, label in (("apply_ms", "SIGHUP → reload-done log line"), ("ready_ms", "SIGHUP → READY=1"),
                           ("load_ms", "config read and validated, main thread (Vigil's log)"),
                           ("load_cpu_ms", "the same, CPU time of the main thread (Vigil's log)"),
                           ("vrrp_plan_ms", "VRRP diff planned, main thread (Vigil's log)"),
                           ("vrrp_ms", "VRRP plan applied, VRRP thread (Vigil's log)"),
                           ("baseline_max_ms", "largest advert gap − 1 s, 2.5 s before SIGHUP"),
                           ("lateness_max_ms", "largest advert gap − 1 s, unchanged instances, after SIGHUP"),
                           ("lateness_p99_ms", "p99 advert gap − 1 s, unchanged instances, after SIGHUP")):
            values = [r[key] for r in runs if r[key] is not None]
            if not values:
                continue
            rows.append([impl, label, len(values), B.fmt(min(values) if values else None),
                         B.fmt(B.median(values)), B.fmt(max(values) if values else None)])
    print(B.markdown_table(["implementation", "metric (ms)", "n", "min", "median", "max"], rows))
    for impl in impls:
        runs = results[impl]["runs"]
        over = sum(r["over_5ms"] for r in runs)
        gaps = sum(r["gaps"] for r in runs)
        masters = sum(r["new_masters"] for r in runs)
        prios = sorted({p for r in runs for p in r["changed_prio"]})
        print(f"* {impl}: {over} of {gaps} advert gaps of unchanged instances over interval + 5 ms; "
              f"{masters} MASTER transitions during the reloads; changed instance advertised {prios} after "
              f"the reload; daemon {'alive' if results[impl]['alive'] else 'DEAD'} at the end")
        late_sends = [r["sends_over_5ms"] for r in runs if r.get("sends_over_5ms") is not None]
        if late_sends:
            print(f"  {impl}'s own send lateness histogram: {sum(late_sends)} sends more than 5 ms after their slot "
                  f"in the reload windows (all instances, the changed one included)")
        floor = results[impl]["platform"]
        if floor:
            print(f"  platform floor while {impl} ran (cyclictest SCHED_RR 1, 5 ms sleeps, n={floor['n']}): "
                  f"wake-up latency median / p99 / p99.9 / max {B.fmt(floor['median'], 3)} / "
                  f"{B.fmt(floor['p99'], 3)} / {B.fmt(floor['p999'], 3)} / {B.fmt(floor['max'], 3)} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
