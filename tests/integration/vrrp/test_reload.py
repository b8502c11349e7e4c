#!/usr/bin/env python3
"""SIGHUP reload as a per-object diff, on three Vigil nodes in namespaces. Node a is master of
every instance (priority 150; b 100, c 50). Each scenario reloads a with a new config and
proves from the wire (tcpdump), the daemons' transition lines, a's notify log and `ip -j addr`
sampled on a during the reload that unchanged instances did not move, re-GARP, notify or lose
a VIP. `test_reload.py SCENARIO`."""

from __future__ import annotations

import signal
import threading
import time

from vrrp_support import Vigil, assert_equal, assert_true, run_scenarios, toml_table

INTERVAL = 0.1  # v3, 100 ms adverts: master-down ~0.35 s
PRIORITIES = {"a": 150, "b": 100, "c": 50}
BASE = {
    "VI_1": {"virtual_router_id": 51, "virtual_ipaddress": ["192.0.2.100/24"]},
    "VI_2": {"virtual_router_id": 52, "virtual_ipaddress": ["192.0.2.101/24", "192.0.2.111/24"]},
    "VI_3": {"virtual_router_id": 53, "virtual_ipaddress": ["192.0.2.102/24"]},
}


def render(node: str, instances: dict, notify_log=None, priority_overrides=None) -> str:
    text = toml_table("global", {"vrrp_rt_priority": 0, "vrrp_no_swap": False})
    for name, values in instances.items():
        settings = {"interface": "eth0", "version": 3, "advert_int": "100ms", "garp_master_delay": 0,
                    "priority": (priority_overrides or {}).get(name, PRIORITIES[node])}
        settings.update(values)
        if notify_log:
            settings["notify"] = ["/bin/sh", "-c", f'echo "$*" >> {notify_log}', "notify"]
        text += toml_table(f"vrrp_instance.{name}", settings)
    return text


class Cluster:
    def __init__(self, lab):
        self.lab = lab
        self.nodes = {n: lab.add_node(n, addresses=[f"192.0.2.{i + 1}/24"]) for i, n in enumerate("abc")}
        self.notify_log = lab.unique_path("a-notify", ".log")
        self.notify_log.write_text("")
        self.capture = lab.capture()
        self.vigils = {}
        for name, node in self.nodes.items():
            config = render(name, BASE, self.notify_log if name == "a" else None)
            self.vigils[name] = Vigil(node, config).start(log_level="info")
        for name in BASE:
            self.vigils["a"].wait_state("MASTER", name)
            self.vigils["b"].wait_state("BACKUP", name)
            self.vigils["c"].wait_state("BACKUP", name)
        for vip in ("192.0.2.100", "192.0.2.101", "192.0.2.111", "192.0.2.102"):
            self.nodes["a"].wait_for_address(vip)
        time.sleep(0.5)  # the first GARP burst is over

    def reload(self, node: str, config: str, watch_vips=(), expect_failure: bool = False) -> float:
        """Writes the node's config, sends SIGHUP, and waits for the daemon's verdict, sampling
        node a's addresses all the while: every address in watch_vips must be there each time."""
        vigil = self.vigils[node]
        word = "reload failed" if expect_failure else "reloaded "
        before = vigil.log().count(word)
        vigil.config_path.write_text(config)
        missing = []
        done = threading.Event()

        def sample():
            while not done.is_set():
                present = set(a.split("/")[0] for a in self.nodes["a"].addresses())
                missing.extend(v for v in watch_vips if v not in present)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.time()
        vigil.process.send_signal(signal.SIGHUP)
        try:
            self.lab.wait_for(lambda: vigil.log().count(word) > before, timeout=10,
                              what=f"'{word}' in the log of {node}:\n{vigil.log()[-2000:]}")
            time.sleep(0.5)  # and a little after, at the adverts' pace
        finally:
            done.set()
            sampler.join()
        assert_equal(missing, [], f"VIPs missing on a during the reload of {node}")
        return started

    def transitions_since(self, counts: dict) -> dict:
        return {n: v.transitions()[counts[n]:] for n, v in self.vigils.items()}

    def counts(self) -> dict:
        return {n: len(v.transitions()) for n, v in self.vigils.items()}

    def garps_from_a(self, since: float) -> list[str]:
        rows = self.capture.fields(["frame.time_epoch", "arp.src.proto_ipv4", "arp.dst.proto_ipv4"],
                                   display_filter="arp && eth.src == " + self.nodes["a"].mac())
        return [r["arp.src.proto_ipv4"] for r in rows
                if float(r["frame.time_epoch"]) >= since and r["arp.src.proto_ipv4"] == r["arp.dst.proto_ipv4"]]

    def advert_gaps(self, since: float, until: float) -> dict:
        """Largest gap between two adverts of a, per VRID, from `since` to `until`, and their priorities."""
        rows = self.capture.fields(["frame.time_epoch", "vrrp.virt_rtr_id", "vrrp.prio"],
                                   display_filter="vrrp && ip.src == 192.0.2.1")
        out = {}
        for vrid in {r["vrrp.virt_rtr_id"] for r in rows}:
            times = [float(r["frame.time_epoch"]) for r in rows
                     if r["vrrp.virt_rtr_id"] == vrid and since - 1 <= float(r["frame.time_epoch"]) <= until]
            gaps = [b - a for a, b in zip(times, times[1:])]
            prios = {r["vrrp.prio"] for r in rows
                     if r["vrrp.virt_rtr_id"] == vrid and since <= float(r["frame.time_epoch"]) <= until}
            out[vrid] = (max(gaps) if gaps else None, prios)
        return out

    def notify_lines(self) -> list[str]:
        return [line for line in self.notify_log.read_text().splitlines() if line]


def assert_untouched(cluster: Cluster, since: float, counts: dict, notify_before: int, names, vips, vrids) -> None:
    """Instances `names` (VIPs `vips`, VRIDs `vrids`) did not move, notify or re-GARP since `since`,
    and a advertised them without a gap that would let a backup take over."""
    time.sleep(0.3)  # tcpdump writes with -U; let the last frames land
    moved = {n: [t for t in ts if t[0] in names] for n, ts in cluster.transitions_since(counts).items()}
    assert_equal(moved, {n: [] for n in moved}, "transitions of unchanged instances")
    notified = [line for line in cluster.notify_lines()[notify_before:] if line.split()[1] in names]
    assert_equal(notified, [], "notify lines of unchanged instances")
    garps = [ip for ip in cluster.garps_from_a(since) if ip in vips]
    assert_equal(garps, [], "gratuitous ARPs from a for unchanged VIPs after the reload")
    gaps = cluster.advert_gaps(since, time.time() - 0.3)
    for vrid in vrids:
        gap, prios = gaps.get(str(vrid), (None, set()))
        assert_true(gap is not None and gap < 3 * INTERVAL,
                    f"vrid {vrid}: largest advert gap around the reload {gap} (master-down is ~{3.5 * INTERVAL} s)")
        assert_equal(prios, {"150"}, f"vrid {vrid}: advertised priority after the reload")


def reload_unchanged(lab):
    """The same config (reordered, another comment) and a broken file change nothing at all; a
    backup's reload leaves it backup."""
    cluster = Cluster(lab)
    counts, notified = cluster.counts(), len(cluster.notify_lines())
    reordered = "# reloaded unchanged\n" + render("a", dict(reversed(list(BASE.items()))), cluster.notify_log)
    since = cluster.reload("a", reordered, watch_vips=["192.0.2.100", "192.0.2.101", "192.0.2.111", "192.0.2.102"])
    assert_true("reconfiguring" not in cluster.vigils["a"].log(), "an unchanged config reconfigures nothing")
    assert_untouched(cluster, since, counts, notified, set(BASE), {"192.0.2.100", "192.0.2.101", "192.0.2.111",
                                                                   "192.0.2.102"}, (51, 52, 53))

    since = cluster.reload("b", render("b", BASE))
    assert_untouched(cluster, since, counts, notified, set(BASE), set(), (51, 52, 53))

    # A broken file: every error logged with file:line:col, the running config stays.
    broken = render("a", BASE, cluster.notify_log) + "[vrrp_instance.VI_9]\nvirtual_router_id = 999\n"
    since = cluster.reload("a", broken, expect_failure=True,
                           watch_vips=["192.0.2.100", "192.0.2.101", "192.0.2.111", "192.0.2.102"])
    log = cluster.vigils["a"].log()
    assert_true(str(cluster.vigils["a"].config_path) + ":" in log, f"the error names the file:\n{log[-1500:]}")
    assert_untouched(cluster, since, counts, notified, set(BASE), {"192.0.2.100", "192.0.2.101", "192.0.2.111",
                                                                   "192.0.2.102"}, (51, 52, 53))
    assert_true(cluster.vigils["a"].process.alive(), "vigild survives a broken config")


def reload_changes(lab):
    """One instance's priority drops below b's (b takes it, the others stay); a VIP moves from
    VI_2 to VI_3 (never lost); VI_2 is renamed, VI_3 removed (hand-off to b), VI_4 added."""
    cluster = Cluster(lab)
    a, vb = cluster.vigils["a"], cluster.vigils["b"]

    # 1. Priority of VI_1 on a: 150 -> 80, below b's 100: b preempts, VI_2/VI_3 do not move.
    counts, notified = cluster.counts(), len(cluster.notify_lines())
    config = render("a", BASE, cluster.notify_log, priority_overrides={"VI_1": 80})
    since = cluster.reload("a", config, watch_vips=["192.0.2.101", "192.0.2.111", "192.0.2.102"])
    vb.wait_state("MASTER", "VI_1", timeout=5)
    a.wait_state("BACKUP", "VI_1", timeout=5)
    cluster.nodes["b"].wait_for_address("192.0.2.100")
    cluster.nodes["a"].wait_for_address("192.0.2.100", present=False)
    assert_untouched(cluster, since, counts, notified, {"VI_2", "VI_3"},
                     {"192.0.2.101", "192.0.2.111", "192.0.2.102"}, (52, 53))

    # 2. 192.0.2.111 moves from VI_2 to VI_3 on every node: on a (master of both) it is removed
    #    by VI_2 before VI_3 adds it, so it ends up present; the other VIPs never leave.
    moved = {
        "VI_1": BASE["VI_1"],
        "VI_2": {"virtual_router_id": 52, "virtual_ipaddress": ["192.0.2.101/24"]},
        "VI_3": {"virtual_router_id": 53, "virtual_ipaddress": ["192.0.2.102/24", "192.0.2.111/24"]},
    }
    counts, notified = cluster.counts(), len(cluster.notify_lines())
    for node in ("b", "c"):
        cluster.reload(node, render(node, moved))
    since = cluster.reload("a", render("a", moved, cluster.notify_log, priority_overrides={"VI_1": 80}),
                           watch_vips=["192.0.2.101", "192.0.2.102"])
    cluster.nodes["a"].wait_for_address("192.0.2.111", timeout=2)
    time.sleep(0.5)
    assert_true(cluster.nodes["a"].has_address("192.0.2.111"), "the moved VIP stays on a")
    moved_garps = cluster.garps_from_a(since)
    assert_true("192.0.2.111" in moved_garps, f"VI_3 announces the address it gained: {moved_garps}")
    assert_untouched(cluster, since, counts, notified, {"VI_2", "VI_3"}, {"192.0.2.101", "192.0.2.102"}, (52, 53))

    # 3. VI_2 renamed to web (no event at all), VI_3 removed (priority 0: b takes over at
    #    once), VI_4 added (starts as at boot and becomes master, nobody else has it).
    changed = {"VI_1": moved["VI_1"], "web": moved["VI_2"],
               "VI_4": {"virtual_router_id": 54, "virtual_ipaddress": ["192.0.2.103/24"]}}
    counts, notified = cluster.counts(), len(cluster.notify_lines())
    since = cluster.reload("a", render("a", changed, cluster.notify_log, priority_overrides={"VI_1": 80}),
                           watch_vips=["192.0.2.101"])
    vb.wait_state("MASTER", "VI_3", timeout=5)
    cluster.nodes["b"].wait_for_address("192.0.2.111")
    a.wait_state("MASTER", "VI_4", timeout=5)
    cluster.nodes["a"].wait_for_address("192.0.2.103")
    assert_true(not cluster.nodes["a"].has_address("192.0.2.102"), "the removed instance's VIPs leave a")
    assert_untouched(cluster, since, counts, notified, {"VI_2", "web"}, {"192.0.2.101"}, (52,))
    assert_equal([t for t in a.transitions()[counts["a"]:] if t[0] == "VI_3"][-1][-1], "STOP",
                 "the removed instance's last state")
    stop_lines = [line for line in cluster.notify_lines()[notified:] if line.startswith("INSTANCE VI_3")]
    assert_equal(stop_lines, ["INSTANCE VI_3 STOP 150"], "notify of the removed instance")
    log = a.log()
    for expected in ("reload: reconfiguring vrrp_instance web: renamed from VI_2",
                     "reload: removing vrrp_instance VI_3", "reload: adding vrrp_instance VI_4"):
        assert_true(expected in log, f"'{expected}' in a's log")


if __name__ == "__main__":
    run_scenarios({"reload_unchanged": reload_unchanged, "reload_changes": reload_changes})
