#!/usr/bin/python3
"""Proves vigil_lab works and never leaves anything behind.

1. A working lab: two nodes on the bridge ping each other over IPv4 and IPv6, the bridge capture
   shows the pings through tshark (fields and JSON), an nftables drop in one node stops them.
2. A test body that raises inside `with Lab()`: namespaces and processes are gone afterwards.
3. A separate test process that raises without any `with` (atexit must clean up).
4. A separate test process killed with SIGTERM while its lab runs (the signal handler cleans up).
5. A separate test process killed with SIGKILL: nothing can run in it, so the next lab sweeps the
   namespaces it left and kills what ran inside them.
Exit 0 on success, 1 on failure, 77 (SKIP) without root or tools.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

LIB = Path(__file__).resolve().parents[1] / "lib"
sys.path.insert(0, str(LIB))
import vigil_lab  # noqa: E402

failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


def namespaces_with(prefix):
    return [name for name in vigil_lab._netns_list() if name.startswith(prefix)]


def alive(pid):
    return vigil_lab._pid_alive(pid) and not _zombie(pid)


def _zombie(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return False


def test_working_lab():
    with vigil_lab.Lab("works") as lab:
        a = lab.add_node("a", addresses=["192.0.2.1/24", "2001:db8::1/64"])
        b = lab.add_node("b", addresses=["192.0.2.2/24", "2001:db8::2/64"])
        check(a.has_address("192.0.2.1", "eth0") and b.has_address("2001:db8::2"), "addresses are on eth0")
        check(a.mac() != b.mac(), "each node has its own MAC")
        cap = lab.capture(bpf="icmp or icmp6")
        a.run(["ping", "-c", "2", "-i", "0.2", "-W", "5", "192.0.2.2"])
        a.run(["ping", "-6", "-c", "1", "-W", "5", "2001:db8::2"])
        rows = lab.wait_for(lambda: [r for r in cap.fields(["ip.src", "ip.dst", "icmp.type"], "icmp")
                                     if r["icmp.type"] == "8"] or None,
                            timeout=20, what="echo requests in the capture")
        check(len(rows) == 2 and rows[0]["ip.src"] == "192.0.2.1" and rows[0]["ip.dst"] == "192.0.2.2",
              "tshark -T fields reads the IPv4 echo requests off the bridge")
        packets = lab.wait_for(lambda: cap.json("icmpv6.type == 128"), timeout=20, what="ICMPv6 echo")
        check(packets[0]["_source"]["layers"]["ipv6"]["ipv6.src"] == "2001:db8::1", "tshark -T json works")
        b.drop("ip protocol icmp")
        blocked = a.run(["ping", "-c", "1", "-W", "1", "192.0.2.2"], check=False)
        check(blocked.returncode != 0, "an nftables drop in b stops the ping")
        b.clear_drops()
        a.run(["ping", "-c", "1", "-W", "5", "192.0.2.2"])
        check(True, "clearing the drop lets it through again")
        a.unplug()
        lab.wait_for(lambda: a.ip_json("link", "show", "dev", "eth0")[0]["operstate"] != "UP", timeout=20,
                     what="carrier loss on a")
        a.plug()
        lab.wait_for(lambda: a.ip_json("link", "show", "dev", "eth0")[0]["operstate"] == "UP", timeout=20,
                     what="carrier back on a")
        check(True, "unplug/plug toggles the node's carrier")
        lab.add_bridge("br1")
        port = lab.connect(a, bridge="br1", dev="eth1", addresses=["198.51.100.1/24"])
        c = lab.add_node("c", bridge="br1", dev="eth1", addresses=["198.51.100.3/24"])
        c.run(["ping", "-c", "1", "-W", "5", "198.51.100.1"])
        check(port.startswith("p") and not b.has_address("198.51.100.1"), "a second LAN joins a and c only")
        c.rename_link("eth1", "lan1")
        check(c.has_address("198.51.100.3", "lan1"), "rename_link keeps the addresses")
        sleeper = b.spawn(["sleep", "1000"], name="sleeper")
        lab.wait_for(lambda: sleeper.pid in vigil_lab._netns_pids(b.netns), timeout=10,
                     what="the spawned PID inside b")
        check(True, "spawn runs the process itself inside the namespace (PID matches)")
        prefix = lab.prefix
        workdir = lab.workdir
    check(not namespaces_with(prefix), "namespaces are deleted after a clean exit")
    check(not alive(sleeper.pid), "the spawned process is gone after a clean exit")
    check(not workdir.exists(), "the work directory is removed after success")


def test_raise_inside_with():
    sleeper = None
    prefix = None
    try:
        with vigil_lab.Lab("raises") as lab:
            prefix = lab.prefix
            node = lab.add_node("a", addresses=["192.0.2.1/24"])
            sleeper = node.spawn(["sleep", "1000"], name="sleeper")
            lab.capture()
            raise RuntimeError("the test body failed")
    except RuntimeError:
        pass
    check(not namespaces_with(prefix), "namespaces are deleted when the body raises")
    check(sleeper is not None and not alive(sleeper.pid), "processes are killed when the body raises")
    check(lab.workdir.exists(), "the work directory is kept for a failed test")
    shutil.rmtree(lab.workdir, ignore_errors=True)


CHILD = textwrap.dedent("""
    import json, sys, time
    sys.path.insert(0, {lib!r})
    import vigil_lab
    lab = vigil_lab.Lab("child")
    node = lab.add_node("a", addresses=["192.0.2.1/24"])
    sleeper = node.spawn(["sleep", "1000"], name="sleeper")
    # A grandchild the lab did not start itself: only the namespace sweep can find it.
    stray = node.run("sleep 1000 >/dev/null 2>&1 & echo $!").stdout.strip()
    print(json.dumps({{"prefix": lab.prefix, "pids": [sleeper.pid, int(stray)], "workdir": str(lab.workdir)}}),
          flush=True)
    if {mode!r} == "raise":
        raise RuntimeError("child failed without a with-block")
    time.sleep(1000)
""")


def run_child(mode):
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(lib=str(LIB), mode=mode)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    info = json.loads(child.stdout.readline())
    return child, info


def test_child_raises():
    child, info = run_child("raise")
    child.wait(timeout=60)
    check(child.returncode != 0, "the raising child exits non-zero")
    check(not namespaces_with(info["prefix"]), "atexit deleted the namespaces of a child that raised")
    check(not any(alive(pid) for pid in info["pids"]), "atexit killed every process of a child that raised")
    check(Path(info["workdir"]).exists(), "the failed child's logs are kept")
    shutil.rmtree(info["workdir"], ignore_errors=True)


def test_child_sigterm():
    child, info = run_child("sleep")
    child.send_signal(signal.SIGTERM)
    child.wait(timeout=60)
    check(child.returncode == 128 + signal.SIGTERM, f"SIGTERM exits 143 (got {child.returncode})")
    check(not namespaces_with(info["prefix"]), "the SIGTERM handler deleted the namespaces")
    check(not any(alive(pid) for pid in info["pids"]), "the SIGTERM handler killed every process")
    check(not Path(info["workdir"]).exists(), "the SIGTERM handler removed the work directory")


def test_child_sigkill_then_sweep():
    child, info = run_child("sleep")
    child.kill()
    child.wait(timeout=60)
    check(bool(namespaces_with(info["prefix"])), "after SIGKILL the namespaces are still there")
    swept = vigil_lab.sweep_stale_namespaces()
    check(any(name.startswith(info["prefix"]) for name in swept), "the sweep deletes them")
    check(not namespaces_with(info["prefix"]), "nothing of the killed child is left")
    vigil_lab.wait_for(lambda: not any(alive(pid) for pid in info["pids"]), timeout=10,
                       what="processes of the killed child to die")
    check(True, "the sweep killed the processes inside the namespaces")
    check(not Path(info["workdir"]).exists(), "the sweep removed the killed child's work directory")


def main():
    vigil_lab.require_lab("tcpdump", "tshark", "nft", "ping")
    for test in (test_working_lab, test_raise_inside_with, test_child_raises, test_child_sigterm,
                 test_child_sigkill_then_sweep):
        print(f"--- {test.__name__}", flush=True)
        try:
            test()
        except Exception as error:  # report and go on with the next test
            check(False, f"{test.__name__} raised {type(error).__name__}: {error}")
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all lab checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
