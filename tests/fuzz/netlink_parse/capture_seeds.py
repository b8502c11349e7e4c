#!/usr/bin/env python3
# Regenerates seeds/: real rtnetlink datagrams (notifications, ACK, errors with extended ACK, a link
# dump) captured in a private namespace. Run as root: unshare -n python3 capture_seeds.py seeds
import socket, struct, subprocess, os, sys
out = sys.argv[1]
def sh(c): subprocess.run(c, shell=True, check=True)
sh("ip link add veth0 type veth peer name veth1")
NETLINK_EXT_ACK, NETLINK_CAP_ACK, NETLINK_ADD_MEMBERSHIP = 11, 10, 1
SOL_NETLINK = 270
mon = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
mon.bind((0, 0))
for g in (1, 5, 9):  # RTNLGRP_LINK, IPV4_IFADDR, IPV6_IFADDR
    mon.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g)
req = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
req.bind((0, 0))
req.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
req.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
sh("ip link set veth0 up; ip link set veth1 up")
sh("ip addr add 192.0.2.1/24 dev veth0 label veth0:vip")
sh("ip addr add 2001:db8::1/64 dev veth0 nodad")
sh("ip addr del 192.0.2.1/24 dev veth0")
sh("ip link set veth0 down")
mon.setblocking(False)
n = 0
def save(name, data):
    global n
    n += 1
    open(os.path.join(out, "%02d-%s.bin" % (n, name)), "wb").write(data)
try:
    while True:
        d = mon.recv(65536)
        t = struct.unpack_from("=H", d, 4)[0]
        save({16:"newlink",17:"dellink",20:"newaddr",21:"deladdr"}.get(t, "type%d" % t), d)
except BlockingIOError:
    pass
idx = socket.if_nametoindex("veth0")
def addr_req(prefixlen, ifindex, seq):
    ifa = struct.pack("=BBBBI", 2, prefixlen, 0, 0, ifindex)
    ip = socket.inet_aton("192.0.2.9")
    attrs = struct.pack("=HH", 8, 2) + ip + struct.pack("=HH", 8, 1) + ip
    body = ifa + attrs
    return struct.pack("=IHHII", 16 + len(body), 20, 0x1 | 0x4 | 0x400 | 0x200, seq, 0) + body
req.send(addr_req(24, idx, 1)); save("ack", req.recv(65536))
req.send(addr_req(24, idx, 2)); save("eexist-extack", req.recv(65536))
req.send(addr_req(33, idx, 3)); save("einval-extack", req.recv(65536))
req.send(addr_req(24, 9999, 4)); save("enodev-extack", req.recv(65536))
# dumps
req.send(struct.pack("=IHHII", 16 + 16, 18, 0x1 | 0x300, 5, 0) + bytes(16))
while True:
    d = req.recv(65536); t = struct.unpack_from("=H", d, 4)[0]
    save("linkdump" if t != 3 else "done", d)
    if t == 3:
        break
