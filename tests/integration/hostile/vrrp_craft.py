#!/usr/bin/env python3
"""vrrp_craft: build VRRP adverts byte by byte (right or deliberately wrong) and send them from a raw
socket, so that every field a receiver checks is under the test's control (python3 stdlib only).

As a module (the test process): the builders below return the VRRP message as bytes.

    v3(vrid=51, priority=254, addresses=["192.0.2.100"], interval_cs=100, src=..., dst=...)
    v2(vrid=51, priority=254, addresses=["192.0.2.100"], auth_type=1, auth_data=b"secret")

As a script (inside the attacker's namespace, e.g. `ip netns exec NS python3 vrrp_craft.py ...`):

    vrrp_craft.py --dev eth0 --src 192.0.2.3 --dst 224.0.0.18 --ttl 255 --count 3 HEX [HEX...]

sends each hex message `count` times (count 0: until SIGTERM), `--interval` seconds apart. IPv4 goes
out of an IPPROTO_RAW socket (IP_HDRINCL): the script writes the IP header itself, so TTL and
source are whatever it is told (the kernel only fills total length, ID and header checksum).
IPv6 goes out of a protocol-112 raw socket with the hop limit set through IPV6_UNICAST_HOPS /
IPV6_MULTICAST_HOPS; IPV6_CHECKSUM is never set, so the checksum in the message is sent as built.
It prints "sent N" when done, and exits 0.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import socket
import struct
import sys
import time

VRRP_PROTOCOL = 112
TYPE_ADVERTISEMENT = 1
AUTH_NONE, AUTH_PASS, AUTH_AH = 0, 1, 2


def internet_checksum(data: bytes, initial: int = 0) -> int:
    if len(data) % 2:
        data += b"\0"
    total = initial + sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def pseudo_header_sum(src: str, dst: str, length: int) -> int:
    """Sum of the IPv4 (RFC 768 layout) or IPv6 (RFC 8200 §8.1) pseudo-header words for VRRP."""
    source, destination = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if source.version == 4:
        pseudo = source.packed + destination.packed + struct.pack("!BBH", 0, VRRP_PROTOCOL, length)
    else:
        pseudo = source.packed + destination.packed + struct.pack("!I3xB", length, VRRP_PROTOCOL)
    return sum(struct.unpack(f"!{len(pseudo) // 2}H", pseudo))


def with_checksum(message: bytes, checksum: int) -> bytes:
    return message[:6] + struct.pack("!H", checksum) + message[8:]


def v3(vrid: int = 51, priority: int = 254, addresses=("192.0.2.100",), interval_cs: int = 10,
       src: str = "192.0.2.3", dst: str = "224.0.0.18", version: int = 3, type_: int = TYPE_ADVERTISEMENT,
       count: int | None = None, checksum: int | None = None, checksum_xor: int = 0) -> bytes:
    """A VRRPv3 message (RFC 5798 §5.2), by default with a 100 ms interval (the tests' FAST). The
    checksum covers the pseudo-header of src -> dst; count overrides the address count byte;
    checksum (a fixed value) or checksum_xor spoils the checksum."""
    packed = b"".join(ipaddress.ip_address(a).packed for a in addresses)
    message = struct.pack("!BBBBHH", (version << 4) | type_, vrid, priority,
                          len(addresses) if count is None else count, interval_cs & 0x0FFF, 0) + packed
    if checksum is None:
        checksum = internet_checksum(message, pseudo_header_sum(src, dst, len(message))) ^ checksum_xor
    return with_checksum(message, checksum)


def v2(vrid: int = 51, priority: int = 254, addresses=("192.0.2.100",), interval_s: int = 1,
       auth_type: int = AUTH_NONE, auth_data: bytes = b"", version: int = 2, type_: int = TYPE_ADVERTISEMENT,
       count: int | None = None, checksum: int | None = None, checksum_xor: int = 0) -> bytes:
    """A VRRPv2 message over IPv4 (RFC 3768 §5.3): header, addresses, 8 bytes of auth data; the
    checksum covers the message only."""
    packed = b"".join(ipaddress.ip_address(a).packed for a in addresses)
    message = struct.pack("!BBBBBBH", (version << 4) | type_, vrid, priority,
                          len(addresses) if count is None else count, auth_type, interval_s, 0)
    message += packed + auth_data[:8].ljust(8, b"\0")
    if checksum is None:
        checksum = internet_checksum(message) ^ checksum_xor
    return with_checksum(message, checksum)


def ipv4_header(src: str, dst: str, ttl: int, payload_length: int, tos: int = 0xC0) -> bytes:
    # Total length, ID and checksum: the kernel fills them for IP_HDRINCL (ID only when zero).
    return struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + payload_length, 0, 0, ttl, VRRP_PROTOCOL, 0,
                       ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed)


class Sender:
    def __init__(self, dev: str, src: str, dst: str, ttl: int):
        self.src, self.dst, self.ttl = src, dst, ttl
        self.family = socket.AF_INET6 if ":" in dst else socket.AF_INET
        if self.family == socket.AF_INET:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
            self.address = (dst, 0)
        else:
            index = socket.if_nametoindex(dev)
            self.sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, VRRP_PROTOCOL)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
            self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
            self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, ttl)
            self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
            self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
            scoped = ipaddress.ip_address(src).is_link_local
            self.sock.bind((src, 0, 0, index if scoped else 0))
            needs_scope = ipaddress.ip_address(dst).is_multicast or ipaddress.ip_address(dst).is_link_local
            self.address = (dst, 0, 0, index if needs_scope else 0)

    def send(self, message: bytes) -> None:
        if self.family == socket.AF_INET:
            message = ipv4_header(self.src, self.dst, self.ttl, len(message)) + message
        self.sock.sendto(message, self.address)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", default="eth0")
    parser.add_argument("--src", required=True, help="IPv4 source written into the header / IPv6 address bound")
    parser.add_argument("--dst", required=True)
    parser.add_argument("--ttl", type=int, default=255, help="TTL or hop limit")
    parser.add_argument("--count", type=int, default=1, help="rounds; 0 sends until SIGTERM")
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between rounds")
    parser.add_argument("messages", nargs="+", help="VRRP messages in hex")
    args = parser.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    sender = Sender(args.dev, args.src, args.dst, args.ttl)
    messages = [bytes.fromhex(m) for m in args.messages]
    sent, rounds = 0, 0
    while not stop and (args.count == 0 or rounds < args.count):
        for message in messages:
            sender.send(message)
            sent += 1
        rounds += 1
        if args.interval and not stop and (args.count == 0 or rounds < args.count):
            time.sleep(args.interval)
    print(f"sent {sent}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
