#!/usr/bin/python3
"""Issue 5 benchmark, checker half: N TCP checks at delay_loop 1 s against a server in a namespace.

vigil-checkrun (the same CheckerSet vigild runs) probes N real servers (192.0.2.2, connect_port 80)
from node "lb"; node "srv" accepts and closes with a few Python threads. After a warm-up, CPU of
vigil-checkrun (utime+stime over the window, % of one core) and its RSS are read from /proc.

  bench/checkers.py [--counts 1000,10000] [--seconds 20] [--checkrun build/lead/src/checker/vigil-checkrun]
Prints a Markdown table. Needs root; exits 77 otherwise.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests/integration/lib"))
import vigil_lab  # noqa: E402

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


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


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
    args = parser.parse_args()
    vigil_lab.require_lab()
    rows = []
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
            hz = os.sysconf("SC_CLK_TCK")
            ticks0, t0 = cpu_ticks(run.pid), time.monotonic()
            time.sleep(args.seconds)
            ticks1, t1 = cpu_ticks(run.pid), time.monotonic()
            cpu = 100.0 * (ticks1 - ticks0) / hz / (t1 - t0)
            rss = rss_kib(run.pid)
            downs = run.output().count('"up":false')
            run.stop()
            rows.append((count, cpu, rss, downs))
    print(f"| TCP checks at delay_loop 1 s | CPU, % of one core ({args.seconds:.0f} s window) | RSS | DOWN verdicts |")
    print("|---|---|---|---|")
    for count, cpu, rss, downs in rows:
        print(f"| {count} | {cpu:.1f} % | {rss / 1024:.1f} MiB | {downs - count} |")


main()
