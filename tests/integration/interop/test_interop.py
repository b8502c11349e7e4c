#!/usr/bin/env python3
"""Interop between Vigil and the real keepalived in network namespaces. `test_interop.py SCENARIO`.

A scenario is a wire setup (VRRP version, address family, multicast or unicast, authentication)
and a direction: `SETUP.ka_master` or `SETUP.vigil_master` (`SETUP` alone runs both). Node a runs
the implementation named first, node b the other one. Each run goes through four phases:

1. a (priority 200) becomes MASTER alone and takes the VIP; b (priority 100) starts and stays
   BACKUP. b's receive side must accept every advert of a: Vigil's status dump shows adverts
   accepted and no rejection, or keepalived's statistics show adverts received and no packet or
   authentication error, and its log no complaint (checksum, TTL, version, auth, interval, VIP
   list, "lower priority"...).
2. a is SIGKILLed (keepalived: its VRRP child). b takes over after master-down and the VIP appears
   on b's node.
3. a's implementation is started again on a with priority 50: it stays BACKUP, removes the VIP
   its killed predecessor left in the kernel, and its receive side must accept b's adverts as in 1.
4. b stops in order (SIGTERM): it sends priority 0 and a takes the VIP back, counting the
   priority-0 advert as received.

Throughout, a tcpdump on the bridge records every advert: those of both implementations must have
the same shape (version, VRID, address count and list, interval, auth type and data, TTL or hop
limit, IP length, TOS or traffic class) and a checksum tshark finds good."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from interop_support import (Keepalived, assert_equal, assert_true, keepalived_config,  # noqa: E402
                             keepalived_instance, require_keepalived, KEEPALIVED_ERROR_COUNTERS)
from vrrp_support import Vigil, instance, require_vigild  # noqa: E402
import vigil_lab  # noqa: E402

HIGH, LOW, RESTART = 200, 100, 50
AUTH_PASS = "vig1l-ka"  # 8 characters: the whole v2 auth field


@dataclasses.dataclass(frozen=True)
class Setup:
    """One wire configuration, spelled identically for both implementations."""
    version: int
    family: int  # 4 or 6
    unicast: bool = False
    auth: bool = False
    checksum_as_v2: bool = False

    @property
    def addresses(self) -> tuple[str, str]:
        return ("192.0.2.1", "192.0.2.2") if self.family == 4 else ("2001:db8::1", "2001:db8::2")

    @property
    def prefix(self) -> int:
        return 24 if self.family == 4 else 64

    @property
    def vip(self) -> str:
        return "192.0.2.100" if self.family == 4 else "2001:db8::100"

    @property
    def advert_int(self) -> float:
        # v2 counts whole seconds; v3 runs at 100 ms so that master-down is ~0.35 s.
        return 1.0 if self.version == 2 else 0.1

    @property
    def observe(self) -> float:
        """How long to let adverts flow before reading counters: several intervals."""
        return 3.5 if self.version == 2 else 1.0

    @property
    def failover_bound(self) -> float:
        """A generous bound on master-down (3 intervals + skew): a hang, not a measurement."""
        return 10.0 if self.version == 2 else 4.0


SETUPS = {
    "v2_ipv4_multicast": Setup(version=2, family=4, auth=True),
    "v3_ipv4_multicast": Setup(version=3, family=4),
    "v3_ipv6_multicast": Setup(version=3, family=6),
    "v2_ipv4_unicast": Setup(version=2, family=4, unicast=True),
    "v3_ipv4_unicast": Setup(version=3, family=4, unicast=True),
    "v3_ipv6_unicast": Setup(version=3, family=6, unicast=True),
}
DIRECTIONS = ("ka_master", "vigil_master")


def advert_source(side: "Side") -> str:
    """The source address of a side's adverts: IPv6 multicast adverts leave from the link-local
    address, all others from the configured (unicast_src_ip) or primary address."""
    if side.setup.family == 6 and not side.setup.unicast:
        return side.node.link_local()
    return side.me


# --------------------------------------------------------------------------------------------
# One daemon of either implementation, behind one interface


class Side:
    """Vigil or keepalived on one node, with what the scenario asks of either."""

    def __init__(self, kind: str, node: vigil_lab.Node, setup: Setup, me: str, peer: str, priority: int,
                 name: str):
        self.kind = kind
        self.node = node
        self.setup = setup
        self.me = me  # this node's address
        self.peer = peer
        self.priority = priority
        self.daemon: Vigil | Keepalived
        unicast = {"unicast_src_ip": me, "unicast_peer": [peer]} if setup.unicast else {}
        vip = f"{setup.vip}/{setup.prefix}"
        if kind == "vigil":
            values: dict = {"priority": priority, "version": setup.version, "virtual_ipaddress": [vip],
                            "advert_int": f"{int(setup.advert_int * 1000)}ms", **unicast}
            if setup.auth:
                values["authentication"] = {"auth_type": "PASS", "auth_pass": AUTH_PASS}
            if setup.checksum_as_v2:
                values["v3_checksum_as_v2"] = True
            self.daemon = Vigil(node, instance(**values), name=name)
        else:
            block = keepalived_instance(
                priority=priority, version=setup.version, advert_int=f"{setup.advert_int:g}", vips=[vip],
                auth_pass=AUTH_PASS if setup.auth else None, unicast_src_ip=unicast.get("unicast_src_ip"),
                unicast_peers=unicast.get("unicast_peer", ()),
                extra=["v3_checksum_as_v2"] if setup.checksum_as_v2 else ())
            self.daemon = Keepalived(node, keepalived_config(f"{node.name}-{name}", block), name=name)

    def __str__(self) -> str:
        return f"{self.kind} on {self.node.name} (priority {self.priority})"

    def start(self) -> "Side":
        self.daemon.start()
        return self

    def wait_state(self, state: str, timeout: float = 30) -> None:
        self.daemon.wait_state(state, timeout=timeout)

    def states(self) -> list[str]:
        if isinstance(self.daemon, Vigil):
            return [move[2] for move in self.daemon.transitions("VI_1")]
        return [move[1] for move in self.daemon.transitions("VI_1")]

    def kill(self) -> None:
        """SIGKILL: no priority 0, no VIP removal."""
        self.daemon.kill()

    def stop(self) -> None:
        self.daemon.stop()

    def check_received(self, sender: "Side", priority_zero: bool = False) -> str:
        """Asserts that this (backup) side accepted the sender's adverts without any complaint;
        returns a one-line summary of the counters for the log."""
        if isinstance(self.daemon, Vigil):
            status = self.daemon.instance_status("VI_1")
            receive, stats = status["receive"], status["stats"]
            rejected = {reason: count for reason, count in receive["rejected"].items() if count}
            assert_equal(rejected, {}, f"{self}: Vigil's rejections of {sender.kind}'s adverts")
            assert_true(receive["accepted"] >= 2, f"{self}: Vigil accepted {sender.kind}'s adverts: {receive}")
            assert_equal((receive["address_list_mismatch"], receive["interval_differs"]), (0, 0),
                         f"{self}: (address_list_mismatch, interval_differs) for {sender.kind}'s adverts")
            if not priority_zero:
                assert_equal(status["master_address"], advert_source(sender),
                             f"{self}: master address in the status dump")
            else:
                assert_true(stats["priority_zero_received"] >= 1,
                            f"{self}: the priority-0 advert of {sender.kind} counted: {stats}")
            return f"vigil accepted={receive['accepted']} stats={stats}"
        daemon: Keepalived = self.daemon
        assert_equal(daemon.complaints(), [], f"{self}: keepalived's complaints about {sender.kind}'s adverts")
        counters = daemon.stats()["VI_1"]
        errors = {name: counters.get(name) for name in KEEPALIVED_ERROR_COUNTERS if counters.get(name) != 0}
        assert_equal(errors, {}, f"{self}: keepalived's error counters for {sender.kind}'s adverts")
        assert_true(counters["Advertisements/Received"] >= 2,
                    f"{self}: keepalived received {sender.kind}'s adverts: {counters}")
        if priority_zero:
            assert_true(counters["Priority Zero/Received"] >= 1,
                        f"{self}: the priority-0 advert of {sender.kind} counted: {counters}")
        return f"keepalived {counters}"


# --------------------------------------------------------------------------------------------
# The wire


def advert_rows(capture: vigil_lab.Capture, setup: Setup, checksum_as_v2: bool | None = None) -> list[dict[str, str]]:
    """Every VRRP advert on the bridge with the fields both implementations must agree on.
    tshark verifies VRRPv3/IPv4 checksums with the pseudo-header unless checksum_as_v2 (default:
    the setup's)."""
    if checksum_as_v2 is None:
        checksum_as_v2 = setup.checksum_as_v2
    ip = "ip" if setup.family == 4 else "ipv6"
    fields = [f"{ip}.src", f"{ip}.dst", "vrrp.prio", "vrrp.checksum.status", "vrrp.version", "vrrp.type",
              "vrrp.virt_rtr_id", "vrrp.addr_count", "vrrp.auth_type", "vrrp.adver_int", "vrrp.short_adver_int",
              "vrrp.ip_addr", "vrrp.ipv6_addr", "vrrp.auth_string"]
    fields += ["ip.ttl", "ip.len", "ip.dsfield", "ip.flags", "ip.id"] if setup.family == 4 else \
        ["ipv6.hlim", "ipv6.plen", "ipv6.tclass"]
    argv = ["tshark", "-n", "-r", str(capture.pcap), "-o", f"vrrp.v3_checksum_as_in_v2:"
            f"{'TRUE' if checksum_as_v2 else 'FALSE'}", "-Y", "vrrp && !icmp && !icmpv6",
            "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for field in fields:
        argv += ["-e", field]
    result = subprocess.run(argv, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    rows = []
    for line in result.stdout.splitlines():
        values = line.split("\t")
        values += [""] * (len(fields) - len(values))
        row = dict(zip(fields, values))
        row["src"], row["dst"] = row.pop(f"{ip}.src"), row.pop(f"{ip}.dst")
        rows.append(row)
    return rows


def check_wire(capture: vigil_lab.Capture, setup: Setup, a: Side, b: Side) -> None:
    """Both implementations' adverts have one shape, good checksums and the right destination."""
    capture.stop()
    rows = advert_rows(capture, setup)
    varying = {"src", "dst", "vrrp.prio", "vrrp.checksum.status", "ip.id"}
    if setup.unicast and setup.family == 6:
        # keepalived 2.2.7 leaves the hop limit of IPv6 unicast adverts to the kernel (64) unless
        # unicast_ttl is set; Vigil sends 255 as RFC 5798 5.1.2.3 asks. Receivers do not check it
        # for unicast (keepalived only with a peer's min_ttl/max_ttl), so both are fine.
        varying.add("ipv6.hlim")
    shapes: dict[str, set] = {}
    for side in (a, b):
        source = advert_source(side)
        mine = [row for row in rows if row["src"] == source]
        assert_true(len(mine) >= 2, f"adverts of {side} from {source} on the wire: {rows[:4]}")
        bad = [row for row in mine if row["vrrp.checksum.status"] != "1"]
        assert_equal(bad[:3], [], f"adverts of {side} with a checksum tshark does not find good")
        expected_dst = side.peer if setup.unicast else ("224.0.0.18" if setup.family == 4 else "ff02::12")
        assert_equal({row["dst"] for row in mine}, {expected_dst}, f"destination of the adverts of {side}")
        if not setup.unicast:
            hop = "ip.ttl" if setup.family == 4 else "ipv6.hlim"
            assert_equal({row[hop] for row in mine}, {"255"}, f"TTL/hop limit of the multicast adverts of {side}")
        shapes[side.kind] = {tuple(sorted((k, v) for k, v in row.items() if k not in varying)) for row in mine}
        print(f"  wire: {len(mine)} adverts of {side.kind}, priorities {sorted({int(r['vrrp.prio']) for r in mine})}")
    assert_equal(shapes["vigil"], shapes["keepalived"], "advert shape: Vigil's vs keepalived's")
    assert_equal(len(shapes["vigil"]), 1, "one advert shape")


# --------------------------------------------------------------------------------------------
# The scenario


def run_direction(setup: Setup, first: str) -> None:
    """The four phases of the module docstring with `first` ("keepalived" or "vigil") on node a."""
    second = "vigil" if first == "keepalived" else "keepalived"
    address_a, address_b = setup.addresses
    tag = f"interop-{first}-first"
    with vigil_lab.Lab(tag) as lab:
        a = lab.add_node("a", addresses=[f"{address_a}/{setup.prefix}"])
        b = lab.add_node("b", addresses=[f"{address_b}/{setup.prefix}"])
        capture = lab.capture()
        started = time.monotonic()

        # 1. a is MASTER, b BACKUP, b accepts a's adverts.
        side_a = Side(first, a, setup, address_a, address_b, HIGH, name=first).start()
        side_a.wait_state("MASTER")
        a.wait_for_address(setup.vip)
        side_b = Side(second, b, setup, address_b, address_a, LOW, name=second).start()
        side_b.wait_state("BACKUP")
        time.sleep(setup.observe)
        assert_equal((side_a.states(), side_b.states()), (["BACKUP", "MASTER"], ["BACKUP"]),
                     "states of a and b: no flapping")
        assert_true(not b.has_address(setup.vip), "the backup must not hold the VIP")
        print(f"  1. {side_b} as backup of {side_a}: {side_b.check_received(side_a)}")

        # 2. SIGKILL of a: b takes the VIP after master-down.
        killed = time.monotonic()
        side_a.kill()
        side_b.wait_state("MASTER", timeout=setup.failover_bound)
        b.wait_for_address(setup.vip, timeout=5)
        took = time.monotonic() - killed
        print(f"  2. {side_b} took over {took:.2f} s after the SIGKILL of {side_a}")
        assert_true(a.has_address(setup.vip), "a SIGKILLed daemon leaves its VIP behind")

        # 3. a's implementation again, lower priority: BACKUP, stale VIP removed, accepts b's adverts.
        side_a2 = Side(first, a, setup, address_a, address_b, RESTART, name=f"{first}2").start()
        side_a2.wait_state("BACKUP")
        a.wait_for_address(setup.vip, present=False, timeout=10)
        time.sleep(setup.observe)
        assert_equal(side_b.states()[-1], "MASTER", f"{side_b} stays MASTER")
        assert_true(b.has_address(setup.vip) and not a.has_address(setup.vip), "only b holds the VIP")
        print(f"  3. {side_a2} as backup of {side_b}: {side_a2.check_received(side_b)}")

        # 4. b stops in order: priority 0, a takes the VIP back.
        side_b.stop()
        side_a2.wait_state("MASTER", timeout=setup.failover_bound)
        a.wait_for_address(setup.vip, timeout=5)
        assert_true(not b.has_address(setup.vip), "the stopped master removed its VIP")
        print(f"  4. {side_a2} took over after the orderly stop of {side_b}: "
              f"{side_a2.check_received(side_b, priority_zero=True)}")

        check_wire(capture, setup, side_a2, side_b)
        print(f"  ran {time.monotonic() - started:.1f} s")


def keepalived_knows(keyword: str) -> bool:
    """Whether this keepalived's parser knows an instance keyword (2.2.7 lacks v3_checksum_as_v2)."""
    config = Path(tempfile.mkdtemp(prefix="vigil-interop-")) / "probe.conf"
    try:
        config.write_text(keepalived_config("probe", keepalived_instance(
            priority=100, version=3, advert_int="1", vips=["192.0.2.100/24"], extra=[keyword])))
        result = subprocess.run([require_keepalived(), "--config-test", f"--use-file={config}"], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        return f"Unknown keyword '{keyword}'" not in result.stdout + result.stderr
    finally:
        shutil.rmtree(config.parent, ignore_errors=True)


def v3_ipv4_checksum_as_v2() -> None:
    """Vigil's `v3_checksum_as_v2` (RFC 9568: no IPv4 pseudo-header in the VRRPv3 checksum).

    With a keepalived that knows the keyword, both sides set it and the usual two directions must
    pass. keepalived 2.2.7 (Debian 12) does not know it, so the mismatch is checked instead: Vigil
    with the option, keepalived with its default. Neither may accept the other's adverts: keepalived
    logs "Invalid VRRPv3 checksum" for Vigil's and nothing else, Vigil counts only bad-checksum
    rejections for keepalived's, both end up MASTER. tshark finds Vigil's checksums good when told
    to leave the pseudo-header out and bad otherwise, and keepalived's the reverse: so the option
    changes exactly the checksum, and computes it right."""
    setup = Setup(version=3, family=4, checksum_as_v2=True)
    if keepalived_knows("v3_checksum_as_v2"):
        for direction in DIRECTIONS:
            print(f"v3_ipv4_checksum_as_v2.{direction} (keepalived knows v3_checksum_as_v2):", flush=True)
            run_direction(setup, "keepalived" if direction == "ka_master" else "vigil")
        return
    print("keepalived does not know v3_checksum_as_v2: checking that the mismatch is detected", flush=True)
    address_a, address_b = setup.addresses
    with vigil_lab.Lab("interop-checksum-as-v2") as lab:
        a = lab.add_node("a", addresses=[f"{address_a}/{setup.prefix}"])
        b = lab.add_node("b", addresses=[f"{address_b}/{setup.prefix}"])
        capture = lab.capture()
        ka = Side("keepalived", a, Setup(version=3, family=4), address_a, address_b, HIGH, name="keepalived").start()
        ka.wait_state("MASTER")
        # Vigil's down timer must not be reset by adverts it rejects: it takes over although a
        # higher priority advertises. (keepalived 2.2.7, as MASTER, then mostly stops sending:
        # each rejected advert seems to push its own advert timer back.)
        vigil = Side("vigil", b, setup, address_b, address_a, LOW, name="vigil").start()
        vigil.wait_state("MASTER", timeout=setup.failover_bound)
        time.sleep(setup.observe)
        assert_true(a.has_address(setup.vip) and b.has_address(setup.vip), "both hold the VIP (neither accepts)")
        complaints = ka.daemon.complaints()
        others = [line for line in complaints if "Invalid VRRPv3 checksum" not in line]
        assert_true(complaints and not others,
                    f"keepalived complains about Vigil's checksums and nothing else: {complaints[:3]} {others[:3]}")
        receive = vigil.daemon.instance_status("VI_1")["receive"]
        rejected = {reason: count for reason, count in receive["rejected"].items() if count}
        assert_true(set(rejected) == {"bad-checksum"} and receive["accepted"] == 0,
                    f"Vigil rejects keepalived's adverts for their checksum only: {receive}")
        print(f"  keepalived: {len(complaints)} x Invalid VRRPv3 checksum; vigil: {receive}")
        capture.stop()
        for as_v2 in (True, False):
            rows = advert_rows(capture, setup, checksum_as_v2=as_v2)
            for side in (ka, vigil):
                statuses = {row["vrrp.checksum.status"] for row in rows if row["src"] == side.me}
                good = (side is vigil) == as_v2
                assert_equal(statuses, {"1" if good else "0"},
                             f"tshark's checksum status of {side.kind}'s adverts with v3_checksum_as_in_v2={as_v2}")


def main() -> None:
    scenarios = {f"{name}.{direction}" for name in SETUPS for direction in DIRECTIONS} | set(SETUPS)
    scenarios.add("v3_ipv4_checksum_as_v2")
    if len(sys.argv) != 2 or sys.argv[1] not in scenarios:
        print(f"usage: {sys.argv[0]} {{{','.join(sorted(scenarios))}}}", file=sys.stderr)
        sys.exit(2)
    vigil_lab.require_lab("tcpdump", "tshark")
    require_vigild()
    require_keepalived()
    if sys.argv[1] == "v3_ipv4_checksum_as_v2":
        v3_ipv4_checksum_as_v2()
        print(f"PASS: {sys.argv[1]}")
        return
    name, _, direction = sys.argv[1].partition(".")
    for one in [direction] if direction else DIRECTIONS:
        print(f"{name}.{one}:", flush=True)
        run_direction(SETUPS[name], "keepalived" if one == "ka_master" else "vigil")
    print(f"PASS: {sys.argv[1]}")


if __name__ == "__main__":
    main()
