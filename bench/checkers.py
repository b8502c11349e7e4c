#!/usr/bin/python3
"""Issue 5 benchmark, checker half: N TCP checks at delay_loop 1 s against a server in a namespace.

vigil-checkrun (the same CheckerSet vigild runs) probes N real servers (192.0.2.2, connect_port 80)
from node "lb"; node "srv" accepts and closes with a few Python threads. After a warm-up, over a
window: the CPU of vigil-checkrun (on-CPU ns of all its threads from /proc/PID/task/*/schedstat,
and utime / stime from /proc/PID/stat to split user from kernel time), the TCP connections it
opened (TcpActiveOpens of node lb's namespace, so CPU per check needs no assumption about the
rate), and its RSS at the end.

  bench/checkers.py [--counts 1000,10000] [--seconds 20] [--checkrun build/lead/src/checker/vigil-checkrun]
                    [--perf-record FILE]   # also `perf record -g` the largest count's window
Prints a Markdown table. Needs root; exits 77 otherwise.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests/integration/lib"))
import vigil_lab  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")

ACCEPTOR = r"""
import socket, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(4096)
def loop():
    while True:
        c, _ = s.accept(); c.close()
for _ in range(4): threading.Thread(target=loop, daemon=True).start()
print("ready", flush=True)
while True: time.sleep(3600)
"""


def config(count: int) -> str:
    parts = ['[[virtual_server]]\nip = "192.0.2.100"\nport = 80\ndelay_loop = "1s"\nconnect_timeout = "2s"\n'
             'alpha = true\n']
    for i in range(count):
        parts.append(f'[[virtual_server.real_server]]\nip = "192.0.2.2"\nport = {10000 + i}\n'
                     '[[virtual_server.real_server.tcp_check]]\nconnect_port = 80\n')
    return "\n".join(parts)


def user_system_seconds(pid: int) -> tuple[float, float]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / HZ, int(fields[12]) / HZ


def runtime_seconds(pid: int) -> float:
    """On-CPU time of every thread (ns resolution; utime+stime are this, scaled into ticks)."""
    tasks = Path(f"/proc/{pid}/task")
    return sum(int((task / "schedstat").read_text().split()[0]) for task in tasks.iterdir()) / 1e9


def active_opens(node) -> int:
    lines = [line.split() for line in node.run(["cat", "/proc/net/snmp"]).stdout.splitlines() if line.startswith("Tcp:")]
    return int(lines[1][lines[0].index("ActiveOpens")])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="1000,10000")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--checkrun", default=str(ROOT / "build/lead/src/checker/vigil-checkrun"))
    parser.add_argument("--perf-record", help="perf record -g the window of the largest count into this file")
    args = parser.parse_args()
    vigil_lab.require_lab()
    rows = []
    load_before = os.getloadavg()
    with vigil_lab.Lab("checkers-bench") as lab:
        lb = lab.add_node("lb", addresses=["192.0.2.1/24"])
        srv = lab.add_node("srv", addresses=["192.0.2.2/24"])
        srv.sysctl("net.core.somaxconn", 4096)
        acceptor = srv.spawn(["/usr/bin/python3", "-c", ACCEPTOR], name="acceptor")
        lab.wait_for(lambda: "ready" in acceptor.output(), timeout=20, what="acceptor")
        lb.run(["sysctl", "-qw", "net.ipv4.ip_local_port_range=1024 65000"])
        lb.run(["sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1"])
        for count in [int(c) for c in args.counts.split(",")]:
            path = lab.workdir / f"bench-{count}.toml"
            path.write_text(config(count))
            run = lb.spawn([args.checkrun, "--config", str(path)], name=f"checkrun-{count}")
            # Warm-up: every server reported UP once (alpha: starts DOWN).
            lab.wait_for(lambda: run.output().count('"up":true') >= count, timeout=120,
                         what=f"{count} checkers UP")
            time.sleep(2)
            perf = None
            if args.perf_record and count == max(int(c) for c in args.counts.split(",")):
                perf = subprocess.Popen(["perf", "record", "-q", "-g", "-o", args.perf_record, "-p", str(run.pid),
                                         "--", "sleep", str(args.seconds)], stdout=subprocess.DEVNULL)
            user0, system0 = user_system_seconds(run.pid)
            cpu0, opens0, t0 = runtime_seconds(run.pid), active_opens(lb), time.monotonic()
            time.sleep(args.seconds)
            user1, system1 = user_system_seconds(run.pid)
            cpu1, opens1, t1 = runtime_seconds(run.pid), active_opens(lb), time.monotonic()
            if perf:
                perf.wait()
            rss = rss_kib(run.pid)
            downs = run.output().count('"up":false')
            run.stop()
            rows.append(dict(count=count, wall=t1 - t0, cpu=cpu1 - cpu0, user=user1 - user0, system=system1 - system0,
                             checks=opens1 - opens0, rss=rss, downs=downs - count))
    print(f"load average before / after: {load_before} / {os.getloadavg()}; {os.cpu_count()} CPUs; "
          f"{args.checkrun}\n")
    print(f"| TCP checks at delay_loop 1 s | CPU, % of one core ({args.seconds:.0f} s window) | user / system s "
          "| checks done | CPU µs per check (user + system) | CPU s per 10 000 checks | RSS | DOWN verdicts |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        per_check = 1e6 * r["cpu"] / max(r["checks"], 1)
        ticks = r["user"] + r["system"]
        user_share = r["user"] / ticks if ticks else 0.0
        print(f"| {r['count']} | {100.0 * r['cpu'] / r['wall']:.1f} % | {r['user']:.2f} / {r['system']:.2f} "
              f"| {r['checks']} | {per_check:.1f} ({per_check * user_share:.1f} + {per_check * (1 - user_share):.1f}) "
              f"| {per_check / 100:.2f} | {r['rss'] / 1024:.1f} MiB | {r['downs']} |")

main()
