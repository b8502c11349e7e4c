#!/usr/bin/env python3
"""Hostile input: a master's instance drops defective adverts and counts each under its reason.

Node `a` runs vigild as the MASTER (priority 100) of VRID 51. An attacker node `c` on the same
bridge writes adverts byte by byte (vrrp_craft.py, raw sockets in c's namespace) that claim
priority 254 for VRID 51, each with one defect: wrong TTL / hop limit, bad checksum, wrong
version, truncated, an address count larger than the message, wrong password or auth type,
wrong interval, wrong type, wrong destination, a source that is not a unicast peer. A single such
advert, if accepted, would demote `a` at once (254 > 100 and preemption is on), so every one must
be dropped: `a` stays MASTER (no transition in its log, VIP still on a, state MASTER in the status
dump) and `receive.rejected.<reason>` rises by exactly the number sent while `receive.accepted`
and every other reason stay put. Each scenario ends with a control: the same crafting path with
the defect removed, sent as a stream at the advert interval, makes `a` BACKUP (so the drops above
are Vigil's doing, not lost packets), and `a` takes over again once the stream stops.

`test_hostile.py SCENARIO` with VIGILD set; exit 0 pass, 1 fail, 77 skip."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "vrrp"))
from vrrp_support import Vigil, assert_equal, assert_true, instance, run_scenarios  # noqa: E402

import vrrp_craft as craft  # noqa: E402

CRAFT = HERE / "vrrp_craft.py"
V4_VIP = "192.0.2.100"
V6_VIP = "2001:db8::100"
V4_GROUP = "224.0.0.18"
V6_GROUP = "ff02::12"
A4, C4 = "192.0.2.1", "192.0.2.3"
FAST = {"version": 3, "advert_int": "100ms"}  # master-down ~0.35 s once a has a master
SETTLE = 0.25  # after the counter reached its target: time for a late duplicate or a transition to show


class Attacker:
    """Runs vrrp_craft.py inside the attacker's namespace."""

    def __init__(self, node, src: str):
        self.node = node
        self.src = src

    def argv(self, messages, dst: str, ttl: int, count: int, interval: float, src: str | None) -> list[str]:
        return [sys.executable, str(CRAFT), "--dev", "eth0", "--src", src or self.src, "--dst", dst,
                "--ttl", str(ttl), "--count", str(count), "--interval", str(interval)] + [m.hex() for m in messages]

    def send(self, messages, dst: str, ttl: int = 255, count: int = 1, interval: float = 0.0,
             src: str | None = None) -> int:
        result = self.node.run(self.argv(messages, dst, ttl, count, interval, src), timeout=30)
        sent = int(result.stdout.split()[-1])
        assert_equal(sent, len(messages) * count, "adverts the attacker sent")
        return sent

    def stream(self, message: bytes, dst: str, interval: float, ttl: int = 255, src: str | None = None):
        """Sends `message` every `interval` seconds until the returned process is stopped."""
        return self.node.spawn(self.argv([message], dst, ttl, 0, interval, src), name="craft-stream")


class Target:
    """The vigild under attack and what it looked like before the attack."""

    def __init__(self, vigil: Vigil, vip: str):
        self.vigil = vigil
        self.vip = vip
        self.transitions = vigil.transitions("VI_1")
        # Wrong counters are collected, so one run reports every variant; a state change stops at once.
        self.miscounted: list[str] = []

    def receive(self) -> tuple[dict, str]:
        """(receive counters plus "stats", state) of VI_1 from a fresh status dump. As Vigil.status(), but
        polling every 10 ms: the scenarios take dozens of dumps."""
        path = Path(self.vigil.runtime_dir) / "vrrp-status.json"
        # Removed first, not compared by mtime: two dumps within one kernel clock tick share an mtime.
        path.unlink(missing_ok=True)
        os.kill(self.vigil.process.pid, signal.SIGUSR1)
        self.vigil.node.lab.wait_for(path.exists, timeout=10, interval=0.01, what=f"{path} after SIGUSR1")
        found = [i for i in json.loads(path.read_text())["vrrp_instances"] if i["name"] == "VI_1"]
        assert_true(found, "VI_1 in the status dump")
        return dict(found[0]["receive"], stats=found[0]["stats"]), found[0]["state"]

    def assert_untouched(self, what: str) -> None:
        assert_equal(self.vigil.transitions("VI_1"), self.transitions, f"{what}: state transitions of a")
        assert_true(self.vigil.node.has_address(self.vip), f"{what}: the VIP {self.vip} must stay on a")

    def expect_dropped(self, attacker: Attacker, what: str, reason: str | None, messages, dst: str,
                       ttl: int = 255, count: int = 2, src: str | None = None) -> None:
        """Sends each message `count` times and checks that all of them were rejected for `reason`
        (None: not counted by the instance at all) and that nothing else moved."""
        before, _ = self.receive()
        log_before = len(self.vigil.log())
        sent = attacker.send(messages, dst, ttl=ttl, count=count, src=src)
        if reason is not None:
            def counted():
                receive, _ = self.receive()
                return receive["rejected"][reason] - before["rejected"][reason] >= sent
            try:
                self.vigil.node.lab.wait_for(counted, timeout=3, interval=0.02, what=f"{what}: rejected.{reason}")
            except Exception:
                pass  # the exact comparison below says what was counted instead
        time.sleep(SETTLE)
        after, state = self.receive()
        deltas = {name: after["rejected"][name] - before["rejected"][name] for name in after["rejected"]}
        deltas["accepted"] = after["accepted"] - before["accepted"]
        expected = {name: 0 for name in deltas}
        if reason is not None:
            expected[reason] = sent
        moved = {name: value for name, value in deltas.items() if value}
        wanted = {name: value for name, value in expected.items() if value}
        assert_equal(state, "MASTER", f"{what}: state of a in the status dump")
        self.assert_untouched(what)
        stats = {k: (before["stats"][k], v) for k, v in after["stats"].items()
                 if k != "adverts_sent" and v != before["stats"][k]}
        assert_equal(stats, {}, f"{what}: instance stats other than adverts_sent (before, after)")
        if moved != wanted:
            drops = [line for line in self.vigil.log()[log_before:].splitlines() if "dropped" in line]
            self.miscounted.append(f"{what}: sent {sent} x {[m.hex() for m in messages]} to {dst} TTL {ttl}: "
                                   f"counter changes expected {wanted}, got {moved}; "
                                   f"vigild 'dropped' log lines: {len(drops)} {drops[:2]}")

    def finish(self) -> None:
        """Fails with every wrong counter seen (call last)."""
        if self.miscounted:
            raise AssertionError("defective adverts dropped but not counted as expected:\n  " +
                                 "\n  ".join(self.miscounted))

    def control(self, attacker: Attacker, message: bytes, dst: str, interval: float, ttl: int = 255,
                src: str | None = None, hold: float = 1.5, master_down: float = 10) -> None:
        """The well-formed advert as a stream: a becomes BACKUP and gives the VIP up, stays so while
        the stream lasts, and takes over again after master-down once it stops."""
        before, _ = self.receive()
        stream = attacker.stream(message, dst, interval, ttl=ttl, src=src)
        try:
            self.vigil.wait_state("BACKUP", timeout=10)
            self.vigil.node.wait_for_address(self.vip, present=False, timeout=10)
            time.sleep(hold)
            assert_equal(self.vigil.state(), "BACKUP", "a while the attacker's stream lasts")
            after, state = self.receive()
            assert_equal(state, "BACKUP", "state of a in the status dump during the stream")
            assert_true(after["accepted"] > before["accepted"], f"the stream was accepted: {after}")
            rejected = {k: v - before["rejected"][k] for k, v in after["rejected"].items()
                        if v != before["rejected"][k]}
            assert_equal(rejected, {}, "rejections during the well-formed stream")
        finally:
            stream.stop()
        self.vigil.wait_state("MASTER", timeout=master_down)
        self.vigil.node.wait_for_address(self.vip, timeout=10)
        self.finish()


def start_master(lab, config: str, a_addresses, c_addresses, vip: str) -> tuple[Target, object]:
    a = lab.add_node("a", addresses=a_addresses)
    c = lab.add_node("c", addresses=c_addresses)
    vigil = Vigil(a, config).start()
    vigil.wait_state("MASTER")
    a.wait_for_address(vip)
    time.sleep(0.3)  # any startup noise reaches the counters before the baseline is taken
    target = Target(vigil, vip)
    receive, _ = target.receive()
    assert_equal(receive["accepted"], 0, "adverts accepted before the attack (a is alone)")
    return target, c


def v3_ipv4(lab):
    """VRRPv3 over IPv4, multicast: TTL, checksum, version, truncation, address count, type and
    destination defects are each dropped and counted under their reason."""
    target, c = start_master(lab, instance(priority=100, **FAST), [f"{A4}/24"], [f"{C4}/24"], V4_VIP)
    attacker = Attacker(c, C4)
    good = craft.v3(src=C4, dst=V4_GROUP)
    target.expect_dropped(attacker, "TTL 254", "bad-ttl", [good], V4_GROUP, ttl=254)
    target.expect_dropped(attacker, "TTL 1", "bad-ttl", [good], V4_GROUP, ttl=1, count=1)
    target.expect_dropped(attacker, "TTL 64", "bad-ttl", [good], V4_GROUP, ttl=64, count=1)
    target.expect_dropped(attacker, "bad checksum", "bad-checksum",
                          [craft.v3(src=C4, dst=V4_GROUP, checksum_xor=0x5A5A),
                           craft.v3(src=C4, dst=V4_GROUP, checksum=0)], V4_GROUP)
    # v3 over IPv4 includes the pseudo-header (RFC 5798 §5.2.8): a message-only (v2-style) sum is wrong.
    message_only = craft.with_checksum(good, craft.internet_checksum(craft.with_checksum(good, 0)))
    target.expect_dropped(attacker, "message-only checksum", "bad-checksum", [message_only], V4_GROUP)
    target.expect_dropped(attacker, "checksum for another destination", "bad-checksum",
                          [craft.v3(src=C4, dst="224.0.0.19")], V4_GROUP)
    target.expect_dropped(attacker, "version 2 (well-formed v2 advert)", "version-mismatch",
                          [craft.v2(interval_s=1)], V4_GROUP)
    target.expect_dropped(attacker, "version 1 and 4 (v3 layout)", "version-mismatch",
                          [craft.v3(src=C4, dst=V4_GROUP, version=1), craft.v3(src=C4, dst=V4_GROUP, version=4)],
                          V4_GROUP)
    target.expect_dropped(attacker, "header only, count 1", "address-count-too-large",
                          [craft.v3(src=C4, dst=V4_GROUP, addresses=[], count=1)], V4_GROUP)
    target.expect_dropped(attacker, "count 200 with one address", "address-count-too-large",
                          [craft.v3(src=C4, dst=V4_GROUP, count=200)], V4_GROUP)
    target.expect_dropped(attacker, "count 2 with one address", "address-count-too-large",
                          [craft.v3(src=C4, dst=V4_GROUP, count=2)], V4_GROUP)
    target.expect_dropped(attacker, "type 2", "not-advertisement", [craft.v3(src=C4, dst=V4_GROUP, type_=2)],
                          V4_GROUP)
    target.expect_dropped(attacker, "unicast to a multicast instance", "wrong-destination",
                          [craft.v3(src=C4, dst=A4)], A4)
    target.control(attacker, good, V4_GROUP, interval=0.1)


def truncated(lab):
    """Messages shorter than the 8-byte VRRP header (6 bytes of a v3 header, 1 byte, none at all)
    must be dropped and counted as too-short."""
    target, c = start_master(lab, instance(priority=100, **FAST), [f"{A4}/24"], [f"{C4}/24"], V4_VIP)
    attacker = Attacker(c, C4)
    # Seen on a's own interface: a count that stays put is Vigil's doing, not a lost frame.
    capture = lab.capture(where=target.vigil.node, dev="eth0", bpf=f"ip proto 112 and src host {C4}")
    good = craft.v3(src=C4, dst=V4_GROUP)
    target.expect_dropped(attacker, "6 bytes of header", "too-short", [good[:6]], V4_GROUP)
    target.expect_dropped(attacker, "7 bytes, 1 byte, 0 bytes", "too-short", [good[:7], good[:1], b""], V4_GROUP,
                          count=1)
    time.sleep(0.2)
    capture.stop()
    lengths = sorted(int(row["ip.len"]) for row in capture.fields(["ip.len"], display_filter="ip.proto == 112"))
    assert_equal(lengths, [20, 21, 26, 26, 27], "IP total lengths of the truncated adverts on a's eth0")
    target.control(attacker, good, V4_GROUP, interval=0.1)


def v2_auth(lab):
    """VRRPv2 with PASS authentication: wrong password, auth type and interval are dropped."""
    auth = {"auth_type": "PASS", "auth_pass": "s3cret"}
    target, c = start_master(lab, instance(priority=100, authentication=auth), [f"{A4}/24"], [f"{C4}/24"], V4_VIP)
    attacker = Attacker(c, C4)
    good = craft.v2(auth_type=craft.AUTH_PASS, auth_data=b"s3cret")
    target.expect_dropped(attacker, "wrong password", "auth-failure",
                          [craft.v2(auth_type=craft.AUTH_PASS, auth_data=b"s3cre7"),
                           craft.v2(auth_type=craft.AUTH_PASS, auth_data=b"s3cret\0x"),
                           craft.v2(auth_type=craft.AUTH_PASS, auth_data=b"")], V4_GROUP)
    target.expect_dropped(attacker, "no authentication", "auth-type-mismatch", [craft.v2()], V4_GROUP)
    target.expect_dropped(attacker, "AH authentication", "auth-type-mismatch",
                          [craft.v2(auth_type=craft.AUTH_AH, auth_data=b"s3cret")], V4_GROUP)
    target.expect_dropped(attacker, "auth type 3", "unknown-auth-type",
                          [craft.v2(auth_type=3, auth_data=b"s3cret")], V4_GROUP)
    target.expect_dropped(attacker, "interval 2 s (ours 1 s)", "interval-mismatch",
                          [craft.v2(auth_type=craft.AUTH_PASS, auth_data=b"s3cret", interval_s=2)], V4_GROUP)
    target.expect_dropped(attacker, "bad checksum", "bad-checksum",
                          [craft.v2(auth_type=craft.AUTH_PASS, auth_data=b"s3cret", checksum_xor=0x0101)], V4_GROUP)
    target.expect_dropped(attacker, "TTL 254", "bad-ttl", [good], V4_GROUP, ttl=254)
    target.expect_dropped(attacker, "version 3", "version-mismatch", [craft.v3(src=C4, dst=V4_GROUP)], V4_GROUP)
    target.control(attacker, good, V4_GROUP, interval=1.0, hold=1.5, master_down=10)


def unicast(lab):
    """Unicast mode with peer 192.0.2.2: the attacker (192.0.2.3, not a peer) is dropped as an
    unknown unicast source, a multicast advert as a wrong destination; the same advert with the
    peer's address as source is accepted."""
    peer = "192.0.2.2"
    config = instance(priority=100, unicast_src_ip=A4, unicast_peer=[peer], **FAST)
    target, c = start_master(lab, config, [f"{A4}/24"], [f"{C4}/24"], V4_VIP)
    attacker = Attacker(c, C4)
    target.expect_dropped(attacker, "non-peer source", "unknown-unicast-source",
                          [craft.v3(src=C4, dst=A4)], A4, count=3)
    target.expect_dropped(attacker, "non-peer source, TTL 64", "unknown-unicast-source",
                          [craft.v3(src=C4, dst=A4)], A4, ttl=64, count=1)
    # 224.0.0.1 (all hosts) is always joined, so it reaches the raw socket of a unicast instance.
    target.expect_dropped(attacker, "multicast (all hosts) from the peer's address", "wrong-destination",
                          [craft.v3(src=peer, dst="224.0.0.1")], "224.0.0.1", src=peer)
    target.expect_dropped(attacker, "peer's address, bad checksum", "bad-checksum",
                          [craft.v3(src=peer, dst=A4, checksum_xor=0x00FF)], A4, src=peer)
    target.control(attacker, craft.v3(src=peer, dst=A4), A4, interval=0.1, src=peer)


def ipv6(lab):
    """VRRPv3 over IPv6: hop limit, checksum (the kernel does not check it for Vigil), truncation
    and address count are dropped and counted."""
    a6, c6 = "2001:db8::1", "2001:db8::3"
    config = instance(priority=100, virtual_ipaddress=[f"{V6_VIP}/64"], **FAST)
    target, c = start_master(lab, config, [f"{a6}/64"], [f"{c6}/64"], V6_VIP)
    lab.wait_for(lambda: c.link_local(), what="link-local address on c")
    src = c.link_local()
    attacker = Attacker(c, src)
    good = craft.v3(src=src, dst=V6_GROUP, addresses=[V6_VIP])
    target.expect_dropped(attacker, "hop limit 254", "bad-ttl", [good], V6_GROUP, ttl=254)
    target.expect_dropped(attacker, "hop limit 1", "bad-ttl", [good], V6_GROUP, ttl=1, count=1)
    target.expect_dropped(attacker, "bad checksum", "bad-checksum",
                          [craft.v3(src=src, dst=V6_GROUP, addresses=[V6_VIP], checksum_xor=0x1234)], V6_GROUP)
    target.expect_dropped(attacker, "checksum without pseudo-header", "bad-checksum",
                          [craft.with_checksum(good, craft.internet_checksum(craft.with_checksum(good, 0)))], V6_GROUP)
    target.expect_dropped(attacker, "count 200 with one address", "address-count-too-large",
                          [craft.v3(src=src, dst=V6_GROUP, addresses=[V6_VIP], count=200)], V6_GROUP)
    target.expect_dropped(attacker, "IPv4-sized address", "address-count-too-large",
                          [craft.v3(src=src, dst=V6_GROUP, addresses=[V4_VIP])], V6_GROUP)
    target.control(attacker, good, V6_GROUP, interval=0.1)


if __name__ == "__main__":
    run_scenarios({f.__name__: f for f in (v3_ipv4, truncated, v2_auth, unicast, ipv6)})
