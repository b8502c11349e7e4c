#!/usr/bin/python3
"""src/net/wire on a real bridge, seen by tshark and by keepalived.

Nodes a, b and c share a bridge (vigil_lab). wire_probe (argv[1]) runs the drivers inside them.
1. a sends codec-built adverts (v2/IPv4, v3/IPv4, v3/IPv6) through VrrpSocket; b receives them
   through VrrpSocket: source, group and TTL/hop limit 255 reported, the codec decodes them.
2. a sends a gratuitous ARP and an unsolicited NA through GratuitousSender.
3. tshark reads the bridge capture: every advert has a good checksum, TTL/hop limit 255, TOS/traffic
   class 0xc0, no DF; the ARP is gratuitous; the NA has a good checksum, the O flag, hop limit 255;
   tshark raises no expert warning on any of them.
4. keepalived in c (v2/IPv4 and v3/IPv6 masters): b's VrrpSocket receives and decodes its adverts.
Exit 0 on success, 1 on failure, 77 (SKIP) without root or tools.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import vigil_lab  # noqa: E402

failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


def start_receiver(node, probe, version, family, count):
    process = node.spawn([probe, "receive", "eth0", version, family, str(count)], name=f"rx-{version}-{family}")
    vigil_lab.wait_for(lambda: '"listening"' in process.output() or not process.alive(), timeout=30,
                       what=f"{version}/{family} receiver ready")
    return process


def received(process, timeout=30):
    process.wait(timeout=timeout)
    lines = [json.loads(line) for line in process.output().splitlines() if line.startswith("{")]
    return [line for line in lines if "listening" not in line], process.returncode


KEEPALIVED_CONF = """
global_defs {{
    router_id lab_c
}}
vrrp_instance V4 {{
    state MASTER
    interface eth0
    virtual_router_id 61
    priority 100
    advert_int 1
    virtual_ipaddress {{
        192.0.2.60/24
    }}
}}
vrrp_instance V6 {{
    state MASTER
    version 3
    interface eth0
    virtual_router_id 62
    priority 100
    advert_int 1
    virtual_ipaddress {{
        2001:db8::60/64
    }}
}}
"""


def main():
    if len(sys.argv) != 2:
        print("usage: wire_test.py WIRE_PROBE", file=sys.stderr)
        return 2
    probe = sys.argv[1]
    vigil_lab.require_lab("tcpdump", "tshark", "keepalived")
    with vigil_lab.Lab("wire") as lab:
        a = lab.add_node("a", addresses=["192.0.2.1/24", "2001:db8::1/64", "2001:db8::50/64"])
        b = lab.add_node("b", addresses=["192.0.2.2/24", "2001:db8::2/64"])
        cap = lab.capture(bpf="ip proto 112 or ip6 proto 112 or arp or icmp6")
        a_link_local = lab.wait_for(lambda: a.link_local(), what="a's link-local")

        # 1. adverts, each kind received by b
        for version, family, vip, source, group in (
                ("v2", "ipv4", "192.0.2.50", "192.0.2.1", "224.0.0.18"),
                ("v3", "ipv4", "192.0.2.50", "192.0.2.1", "224.0.0.18"),
                ("v3", "ipv6", "2001:db8::50", a_link_local, "ff02::12")):
            receiver = start_receiver(b, probe, version, family, 3)
            a.run([probe, "advert", "eth0", version, family, vip, "3"])
            adverts, status = received(receiver)
            check(status == 0 and len(adverts) == 3, f"{version}/{family}: b received 3 adverts ({adverts})")
            check(all(x["source"] == source and x["destination"] == group and x["hop_limit"] == 255
                      for x in adverts), f"{version}/{family}: from {source} to {group}, TTL/hop limit 255")
            check(all(x["decoded"] and x["vrid"] == 51 and x["priority"] == 100 for x in adverts),
                  f"{version}/{family}: the codec decodes them (checksum included)")

        # 2. announcements
        a.run([probe, "garp", "eth0", "192.0.2.50"])
        a.run([probe, "na", "eth0", "2001:db8::50"])

        # 3. what tshark thinks of all of it
        lab.wait_for(lambda: cap.count("vrrp") >= 9 and cap.count("arp.isgratuitous == 1") >= 1
                     and cap.count("icmpv6.type == 136") >= 1, timeout=30, what="everything in the capture")
        fields = ["vrrp.version", "vrrp.checksum.status", "ip.ttl", "ipv6.hlim", "ip.dsfield", "ipv6.tclass",
                  "ip.flags.df", "ip.src", "ipv6.src"]
        rows = cap.fields(fields, "vrrp")
        check(len(rows) == 9, f"tshark sees 9 adverts ({len(rows)})")
        check(all(row["vrrp.checksum.status"] == "1" for row in rows), "tshark: every advert checksum is good")
        check(all((row["ip.ttl"] or row["ipv6.hlim"]) == "255" for row in rows), "tshark: TTL/hop limit 255")
        check(all(row["ip.dsfield"] in ("", "0xc0") and row["ipv6.tclass"] in ("", "0x000000c0", "0xc0")
                  for row in rows), "tshark: TOS / traffic class 0xc0 as keepalived")
        check(all(row["ip.flags.df"] in ("", "0", "False") for row in rows), "tshark: no DF bit")
        check(sorted({row["vrrp.version"] for row in rows}) == ["2", "3"], "tshark: both versions present")
        garp = cap.fields(["arp.src.proto_ipv4", "arp.dst.proto_ipv4", "arp.opcode", "eth.dst"],
                          "arp.isgratuitous == 1")
        check(garp and garp[0]["arp.src.proto_ipv4"] == "192.0.2.50" and garp[0]["arp.opcode"] == "1"
              and garp[0]["eth.dst"] == "ff:ff:ff:ff:ff:ff", f"tshark: gratuitous ARP request for the VIP ({garp})")
        na = cap.fields(["icmpv6.checksum.status", "icmpv6.nd.na.flag.o", "icmpv6.nd.na.flag.s", "ipv6.hlim",
                         "ipv6.dst", "icmpv6.nd.na.target_address"], "icmpv6.type == 136")
        check(na and na[0]["icmpv6.checksum.status"] == "1" and na[0]["ipv6.hlim"] == "255"
              and na[0]["ipv6.dst"] == "ff02::1" and na[0]["icmpv6.nd.na.target_address"] == "2001:db8::50"
              and na[0]["icmpv6.nd.na.flag.o"] in ("1", "True") and na[0]["icmpv6.nd.na.flag.s"] in ("0", "False"),
              f"tshark: unsolicited NA, good checksum, O set, S clear, hop limit 255 ({na})")
        warnings = cap.expert_warnings("vrrp or arp or icmpv6.type == 136")
        check(not [w for w in warnings if "checksum" in w.lower() or "malformed" in w.lower()],
              f"tshark: no checksum or malformed warnings ({warnings})")

        # 4. keepalived's adverts through VrrpSocket + codec
        c = lab.add_node("c", addresses=["192.0.2.3/24", "2001:db8::3/64"])
        conf = lab.unique_path("keepalived", ".conf")
        conf.write_text(KEEPALIVED_CONF.format())
        rx4 = start_receiver(b, probe, "v2", "ipv4", 2)
        rx6 = start_receiver(b, probe, "v3", "ipv6", 2)
        run_dir = lab.workdir
        c.spawn(["keepalived", "--dont-fork", "--log-console", "--vrrp", "--use-file", str(conf),
                 "--pid", str(run_dir / "k.pid"), "--vrrp_pid", str(run_dir / "k-vrrp.pid")], name="keepalived")
        c_link_local = c.link_local()
        from4, status4 = received(rx4, timeout=60)
        from6, status6 = received(rx6, timeout=60)
        check(status4 == 0 and len(from4) == 2 and all(x["source"] == "192.0.2.3" and x["decoded"]
                                                       and x["vrid"] == 61 and x["hop_limit"] == 255 for x in from4),
              f"keepalived v2/IPv4 adverts arrive and decode ({from4})")
        check(status6 == 0 and len(from6) == 2 and all(x["source"] == c_link_local and x["decoded"]
                                                       and x["vrid"] == 62 and x["hop_limit"] == 255 for x in from6),
              f"keepalived v3/IPv6 adverts arrive and decode ({from6})")
        if failures:
            lab.failed = True
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all wire checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
