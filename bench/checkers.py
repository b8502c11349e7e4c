#!/usr/bin/python3
"""Issue 5 benchmark, checker half: N TCP checks at delay_loop 1 s against a server in a namespace.

vigil-checkrun (the same CheckerSet vigild runs) probes N real servers (192.0.2.2, connect_port 80)
from node "lb"; node "srv" accepts and closes with a few Python threads. After a warm-up, over a
window: the CPU of vigil-checkrun (on-CPU ns of all its threads from /proc/PID/task/*/schedstat,
and utime / stime from /proc/PID/stat to split user from kernel time), the TCP connections it
opened (TcpActiveOpens of node lb's namespace, so CPU per check needs no assumption about the
rate), and its RSS at the end.

  bench/checkers.py [--counts 1000,10000] [--seconds 20] [--checkrun PATH (default: beside $VIGILD)]
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

# The platform's floor: the same connect-then-close (FIN) to the same server at the same rate from a
# bare loop, so the kernel's share (socket, handshake and FIN, and the veth/bridge/server work that
# the lab runs in the sender's context) can be told apart from the checker's own cost. Only its
# system time counts (its user time is Python's). Run again closing with RST, to show what
# SO_LINGER {1, 0} would save (Vigil closes with a FIN, as keepalived does).
FLOOR = r"""
import os, socket, struct, sys, time
rate, seconds, reset = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "rst"
done, start, before = 0, time.monotonic(), os.times()
while (elapsed := time.monotonic() - start) < seconds:
    while done < int(elapsed * rate):
        s = socket.socket()
        try:
            s.connect(("192.0.2.2", 80))
        except OSError:
            pass
        if reset:  # SO_LINGER {1, 0}: close() sends one RST instead of the FIN exchange
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        done += 1
    time.sleep(0.002)
after = os.times()
print(done, after.user - before.user, after.system - before.system)
"""

# --threaded-napi: GRO on the switch-side veth of node lb gives it a NAPI instance, and threaded NAPI
# runs that in a kernel thread. Then what follows the checker's transmit (the bridge, the server's
# TCP stack, the replies coming back) no longer runs in the checker's own softirq, as on a real
# network where the server is another machine. The kernel thread's CPU is reported beside it.
ETHTOOL_SET = r"""
import ctypes, fcntl, socket, struct, sys
device, command, data = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3])
value = (ctypes.c_uint32 * 2)(command, data)
fcntl.ioctl(socket.socket(), 0x8946, struct.pack("16sP", device.encode(), ctypes.addressof(value)))  # SIOCETHTOOL
"""
ETHTOOL_SGRO, ETHTOOL_STSO = "0x2c", "0x1f"


def napi_threads(port: str) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip().startswith(f"napi/{port}-"):
                    found.add(int(entry.name))
            except OSError:
                pass
    return found


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
    # The build $VIGILD comes from (build/X/src/daemon/vigild -> build/X/src/checker/vigil-checkrun).
    vigild = os.environ.get("VIGILD")
    default_checkrun = (Path(vigild).resolve().parents[1] / "checker/vigil-checkrun" if vigild
                        else ROOT / "build/lead/src/checker/vigil-checkrun")
    parser.add_argument("--checkrun", default=str(default_checkrun),
                        help="vigil-checkrun binary (default: beside $VIGILD, else build/lead)")
    parser.add_argument("--perf-record", help="perf record -g the window of the largest count into this file")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare connect/close loop")
    parser.add_argument("--threaded-napi", action="store_true",
                        help="process the lab's side of node lb's veth in a kernel thread, not in the checker's softirq")
    args = parser.parse_args()
    vigil_lab.require_lab()
    rows = []
    floors = []
    load_before = os.getloadavg()
    with vigil_lab.Lab("checkers-bench") as lab:
        lb = lab.add_node("lb", addresses=["192.0.2.1/24"])
        srv = lab.add_node("srv", addresses=["192.0.2.2/24"])
        srv.sysctl("net.core.somaxconn", 4096)
        acceptor = srv.spawn(["/usr/bin/python3", "-c", ACCEPTOR], name="acceptor")
        lab.wait_for(lambda: "ready" in acceptor.output(), timeout=20, what="acceptor")
        lb.run(["sysctl", "-qw", "net.ipv4.ip_local_port_range=1024 65000"])
        lb.run(["sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1"])
        kthreads: set[int] = set()
        if args.threaded_napi:
            before = napi_threads(lb.port)
            # veth hands a TCP packet to the peer's NAPI only when the sender does no TSO.
            lb.run(["/usr/bin/python3", "-c", ETHTOOL_SET, "eth0", ETHTOOL_STSO, "0"])
            lab.switch.run(["/usr/bin/python3", "-c", ETHTOOL_SET, lb.port, ETHTOOL_SGRO, "1"])
            lab.switch.run(["sh", "-c", f"echo 1 > /sys/class/net/{lb.port}/threaded"])
            kthreads = napi_threads(lb.port) - before
            if not kthreads:
                raise SystemExit(f"no NAPI kernel thread appeared for {lb.port}")
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
            napi0 = sum(runtime_seconds(pid) for pid in kthreads)
            time.sleep(args.seconds)
            user1, system1 = user_system_seconds(run.pid)
            cpu1, opens1, t1 = runtime_seconds(run.pid), active_opens(lb), time.monotonic()
            napi1 = sum(runtime_seconds(pid) for pid in kthreads)
            if perf:
                perf.wait()
            rss = rss_kib(run.pid)
            downs = run.output().count('"up":false')
            run.stop()
            rows.append(dict(count=count, wall=t1 - t0, cpu=cpu1 - cpu0, user=user1 - user0, system=system1 - system0,
                             checks=opens1 - opens0, rss=rss, downs=downs - count, napi=napi1 - napi0))
            if not args.no_floor:
                rate = (opens1 - opens0) / (t1 - t0)
                for close in ("fin", "rst"):
                    out = lb.run(["/usr/bin/python3", "-c", FLOOR, str(rate), str(args.seconds), close],
                                 timeout=args.seconds + 60).stdout.split()
                    floors.append(dict(count=count, close=close, rate=rate, done=int(out[0]), system=float(out[2])))
    napi = " (threaded NAPI on lb's switch port)" if args.threaded_napi else ""
    print(f"load average before / after: {load_before} / {os.getloadavg()}; {os.cpu_count()} CPUs; "
          f"{args.checkrun}{napi}\n")
    napi_header = " NAPI thread CPU µs per check |" if args.threaded_napi else ""
    print(f"| TCP checks at delay_loop 1 s | CPU, % of one core ({args.seconds:.0f} s window) | user / system s "
          f"| checks done | CPU µs per check (user + system) | CPU s per 10 000 checks | RSS | DOWN verdicts |{napi_header}")
    print("|---|---|---|---|---|---|---|---|" + ("---|" if args.threaded_napi else ""))
    for r in rows:
        per_check = 1e6 * r["cpu"] / max(r["checks"], 1)
        ticks = r["user"] + r["system"]
        user_share = r["user"] / ticks if ticks else 0.0
        napi_cell = f" {1e6 * r['napi'] / max(r['checks'], 1):.1f} |" if args.threaded_napi else ""
        print(f"| {r['count']} | {100.0 * r['cpu'] / r['wall']:.1f} % | {r['user']:.2f} / {r['system']:.2f} "
              f"| {r['checks']} | {per_check:.1f} ({per_check * user_share:.1f} + {per_check * (1 - user_share):.1f}) "
              f"| {per_check / 100:.2f} | {r['rss'] / 1024:.1f} MiB | {r['downs']} |{napi_cell}")
    if floors:
        print("\nFloor: a bare Python loop in the same namespace doing connect + close to the same server, aiming at "
              "the rate the checker reached; its system time per connection is what the kernel charges any checker "
              "here (FIN: a plain close, as Vigil and keepalived; RST: SO_LINGER {1, 0}).\n")
        print("| for the run of | close | connections/s aimed at | connections | system CPU µs per connection "
              "| % of one core at the checker's rate |")
        print("|---|---|---|---|---|---|")
        for f in floors:
            per = 1e6 * f["system"] / max(f["done"], 1)
            print(f"| {f['count']} | {f['close'].upper()} | {f['rate']:.0f} | {f['done']} | {per:.1f} "
                  f"| {per * f['rate'] / 1e4:.1f} % |")

main()
