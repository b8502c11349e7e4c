#!/usr/bin/env python3
"""The global section's two jobs, with real daemons in network namespaces:
static addresses/routes/rules (checked with `ip -j`), and email alerts to a real SMTP receiver
(smtp_sink.py) on VRRP transitions. `test_global.py SCENARIO`."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "vrrp"))
from vrrp_support import Vigil, assert_equal, assert_true, instance, run_scenarios, toml_table, toml_value  # noqa: E402

import vigil_lab  # noqa: E402  (vrrp_support put lib/ on the path)

FAST = {"version": 3, "advert_int": "100ms"}
QUIET_GLOBAL = {"vrrp_rt_priority": 0, "vrrp_no_swap": False}
SINK = Path(__file__).resolve().parent / "smtp_sink.py"

ADDRESSES = [{"address": "192.0.2.10/24", "dev": "eth0"}, {"address": "203.0.113.5/32", "dev": "eth0"}]
ROUTES = [
    {"to": "198.51.100.0/24", "via": "192.0.2.254", "dev": "eth0"},
    {"to": "203.0.113.128/25", "via": "192.0.2.253", "table": 100, "metric": 5},
    {"to": "198.51.100.128/25", "type": "blackhole", "table": 100},
]
RULES = [{"from": "192.0.2.0/24", "table": 100, "priority": 1000},
         {"fwmark": 7, "table": 100, "priority": 1001}]


def static_config(addresses=ADDRESSES, routes=ROUTES, rules=RULES, global_extra=None, instances="") -> str:
    # Top-level keys must come before the first table header.
    text = f"static_ipaddress = {toml_value(addresses)}\n"
    text += f"static_routes = {toml_value(routes)}\n"
    text += f"static_rules = {toml_value(rules)}\n"
    return text + toml_table("global", {**QUIET_GLOBAL, **(global_extra or {})}) + instances


# --------------------------------------------------------------------------------------------
# What the kernel holds, as `ip -j` reports it


def addresses(node) -> set[str]:
    found = set()
    for link in node.ip_json("addr", "show", "dev", "eth0"):
        for info in link.get("addr_info", []):
            found.add(f"{info['local']}/{info['prefixlen']}")
    return found


def routes(node, table: str) -> dict[str, dict]:
    return {r["dst"]: r for r in node.ip_json("route", "show", "table", table)}


def rules(node) -> dict[int, dict]:
    return {r["priority"]: r for r in node.ip_json("rule", "show")}


def has_static(node) -> bool:
    main, t100, rule = routes(node, "main"), routes(node, "100"), rules(node)
    return ({"192.0.2.10/24", "203.0.113.5/32"} <= addresses(node)
            and main.get("198.51.100.0/24", {}).get("gateway") == "192.0.2.254"
            and t100.get("203.0.113.128/25", {}).get("gateway") == "192.0.2.253"
            and t100.get("198.51.100.128/25", {}).get("type") == "blackhole"
            and rule.get(1000, {}).get("src") == "192.0.2.0" and rule.get(1000, {}).get("table") == "100"
            and rule.get(1001, {}).get("fwmark") == "0x7")


def has_none(node) -> bool:
    main, t100, rule = routes(node, "main"), routes(node, "100"), rules(node)
    return (not ({"192.0.2.10/24", "203.0.113.5/32"} & addresses(node)) and "198.51.100.0/24" not in main
            and not t100 and 1000 not in rule and 1001 not in rule)


def wait(lab, predicate, what: str, timeout: float = 10) -> None:
    lab.wait_for(predicate, timeout=timeout, what=what)


# --------------------------------------------------------------------------------------------
# Static addresses, routes and rules


def static_apply_repair(lab):
    """Applied at start without any VRRP instance; whatever is removed by hand (address, route,
    rule) comes back, and so do the routes a link flap flushed."""
    a = lab.add_node("a", addresses=["192.0.2.1/24"])
    va = Vigil(a, static_config()).start()
    wait(lab, lambda: has_static(a), f"static entries on a (log:\n{va.log()[-2000:]})")
    route = routes(a, "main")["198.51.100.0/24"]
    assert_equal((route.get("dev"), route.get("protocol")), ("eth0", "static"), "the main-table route")

    a.ip("addr", "del", "192.0.2.10/24", "dev", "eth0")
    a.ip("route", "del", "198.51.100.0/24")
    a.ip("rule", "del", "priority", "1000")
    a.ip("route", "del", "198.51.100.128/25", "table", "100")
    wait(lab, lambda: has_static(a), f"static entries re-applied after removal (log:\n{va.log()[-2000:]})")
    for what in ("static address 192.0.2.10/24 dev eth0 was removed; re-applied",
                 "static route 198.51.100.0/24 via 192.0.2.254 dev eth0 was removed; re-applied",
                 "was removed; re-applied"):
        assert_true(what in va.log(), f"log line {what!r}")

    # Taking the link down flushes the routes through it; they are back once it is up again.
    a.set_link(False)
    wait(lab, lambda: "198.51.100.0/24" not in routes(a, "main"), "the kernel flushed the route on link down")
    a.set_link(True)
    wait(lab, lambda: has_static(a), f"routes re-applied after link up (log:\n{va.log()[-2000:]})")


def static_reload(lab):
    """A reload that changes one route and the rules replaces exactly those: `ip monitor` sees no
    event for the entries that stayed, and the VRRP instance beside them does not move."""
    a = lab.add_node("a", addresses=["192.0.2.1/24"])
    vrrp = instance(priority=100, **FAST)
    va = Vigil(a, static_config(instances=vrrp)).start()
    va.wait_state("MASTER")
    wait(lab, lambda: has_static(a), "static entries on a")
    before_main = routes(a, "main")["198.51.100.0/24"]
    settled = len(va.transitions())

    monitor = a.spawn(["ip", "-o", "monitor", "route", "rule", "address"], name="ip-monitor")
    time.sleep(0.5)
    new_routes = [dict(r) for r in ROUTES]
    new_routes[1]["via"] = "192.0.2.252"
    new_routes.append({"to": "203.0.113.64/26", "via": "192.0.2.251", "dev": "eth0"})
    new_rules = RULES[:1]
    va.config_path.write_text(static_config(routes=new_routes, rules=new_rules, instances=vrrp))
    os.kill(va.process.pid, signal.SIGHUP)

    def reloaded() -> bool:
        t100, main = routes(a, "100"), routes(a, "main")
        return (t100.get("203.0.113.128/25", {}).get("gateway") == "192.0.2.252" and "203.0.113.64/26" in main
                and 1001 not in rules(a))
    wait(lab, reloaded, f"the reload applied (log:\n{va.log()[-2000:]})")
    time.sleep(0.5)
    monitor.stop()
    events = monitor.output()
    assert_true("reloaded " in va.log(), "the daemon accepted the reload")
    assert_true("static entries: 2 removed, 2 added, 5 unchanged" in va.log(), f"reload plan logged:\n{va.log()[-2000:]}")
    assert_true("203.0.113.128/25 via 192.0.2.253" in events and "203.0.113.128/25 via 192.0.2.252" in events,
                f"the changed route was replaced:\n{events}")
    for untouched in ("198.51.100.0/24", "198.51.100.128/25", "192.0.2.10/24", "203.0.113.5/32", "1000:"):
        assert_true(untouched not in events, f"no kernel event for the unchanged {untouched}:\n{events}")
    assert_equal(routes(a, "main")["198.51.100.0/24"], before_main, "the unchanged route's attributes")
    assert_equal(va.transitions()[settled:], [], "VRRP transitions caused by the reload")
    assert_equal(va.state(), "MASTER", "VI_1 after the reload")


def static_stop(lab):
    """An orderly stop removes every static entry; with static_keep_on_stop they stay."""
    a = lab.add_node("a", addresses=["192.0.2.1/24"])
    va = Vigil(a, static_config()).start()
    wait(lab, lambda: has_static(a), "static entries on a")
    assert_equal(va.stop(), 0, "exit status")
    assert_true(has_none(a), f"static entries left after stop: {routes(a, '100')} {rules(a)} {addresses(a)}")

    vk = Vigil(a, static_config(global_extra={"static_keep_on_stop": True}), name="vigild-keep").start()
    wait(lab, lambda: has_static(a), "static entries on a (keep_on_stop)")
    assert_equal(vk.stop(), 0, "exit status")
    assert_true(has_static(a), "static_keep_on_stop leaves the entries in place")
    assert_true("static entries left in place" in vk.log(), "keep_on_stop is logged")


# --------------------------------------------------------------------------------------------
# Email alerts


def smtp_lab(lab, mode: str):
    a = lab.add_node("a", addresses=["192.0.2.1/24"])
    b = lab.add_node("b", addresses=["192.0.2.2/24"])
    m = lab.add_node("m", addresses=["192.0.2.25/24"])
    mails = lab.unique_path("mails", ".jsonl")
    sink = m.spawn([sys.executable, str(SINK), "192.0.2.25", "2525", str(mails), mode], name="smtp-sink")
    wait(lab, lambda: "listening" in sink.output(), f"SMTP sink up ({sink.output()})")
    return a, b, mails


def alerting(timeout: str = "2s") -> str:
    return toml_table("global", {**QUIET_GLOBAL, "router_id": "lb-a",
                                 "notification_email": ["ops@example.com", "noc@example.com"],
                                 "notification_email_from": "vigil-a@example.com",
                                 "smtp_server": "192.0.2.25:2525", "smtp_connect_timeout": timeout,
                                 "smtp_alert": True})


def read_mails(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def subject_state(mail: dict) -> str:
    for line in mail["data"].splitlines():
        if line.startswith("Subject: "):
            return line.split(" - Entering ")[-1].removesuffix(" state")
    return "?"


def smtp_alerts(lab):
    """A master->backup->master sequence arrives as mails, in order, to both recipients, with
    the router id, instance, state, priority, Date and a unique Message-ID."""
    a, b, mails = smtp_lab(lab, "accept")
    va = Vigil(a, alerting() + instance(priority=100, **FAST)).start()
    va.wait_state("MASTER")
    wait(lab, lambda: [subject_state(m) for m in read_mails(mails)][-1:] == ["MASTER"],
         f"the MASTER mail (log:\n{va.log()[-2000:]})")
    vb = Vigil(b, toml_table("global", QUIET_GLOBAL) + instance(priority=200, **FAST)).start()
    va.wait_state("BACKUP")
    vb.wait_state("MASTER")
    vb.stop()
    va.wait_state("MASTER")
    wait(lab, lambda: [subject_state(m) for m in read_mails(mails)][-3:] == ["MASTER", "BACKUP", "MASTER"],
         f"MASTER, BACKUP, MASTER mails (got {[subject_state(m) for m in read_mails(mails)]}; "
         f"log:\n{va.log()[-2000:]})")

    received = read_mails(mails)
    ids = set()
    for mail in received:
        assert_equal(mail["mail_from"], "<vigil-a@example.com>", "MAIL FROM")
        assert_equal(mail["rcpt_to"], ["<ops@example.com>", "<noc@example.com>"], "RCPT TO")
        assert_equal(mail["helo"], "EHLO lb-a", "EHLO name (router_id)")
        headers = dict(line.split(": ", 1) for line in mail["data"].split("\r\n\r\n")[0].split("\r\n"))
        assert_equal(headers["To"], "ops@example.com, noc@example.com", "To header")
        assert_true(headers["Date"].endswith(" +0000") and len(headers["Date"]) == 31, f"Date {headers['Date']!r}")
        assert_true(headers["Message-ID"].startswith("<") and headers["Message-ID"].endswith("@example.com>"),
                    f"Message-ID {headers['Message-ID']!r}")
        ids.add(headers["Message-ID"])
    assert_equal(len(ids), len(received), "distinct Message-IDs")
    last = received[-1]["data"]
    for needle in ("Subject: [lb-a] VRRP Instance VI_1 - Entering MASTER state", "router_id: lb-a",
                   "instance: VI_1", "new state: MASTER", "priority: 100", "time: "):
        assert_true(needle in last, f"{needle!r} in the mail:\n{last}")
    assert_true("email alert sent to ops@example.com, noc@example.com" in va.log(), "the daemon logs each mail")


def smtp_trouble(lab, mode: str, timeout: str, expect_in_log: str):
    a, b, mails = smtp_lab(lab, mode)
    va = Vigil(a, alerting(timeout) + instance(priority=100, **FAST)).start()
    va.wait_state("MASTER")
    vb = Vigil(b, toml_table("global", QUIET_GLOBAL) + instance(priority=90, **FAST)).start()
    vb.wait_state("BACKUP")
    wait(lab, lambda: "email alert not sent" in va.log() and expect_in_log in va.log(),
         f"the failed alert in the log ({expect_in_log!r}; log:\n{va.log()[-2000:]})", timeout=20)
    assert_true(read_mails(mails), "the server saw the attempts")
    # Adverts went on meanwhile: with 100 ms adverts any stall would have made b take over.
    time.sleep(3)
    assert_true(va.process.alive(), "vigild keeps running")
    assert_equal(va.state(), "MASTER", "a after the failed alerts")
    assert_equal([t for t in vb.transitions() if t[2] == "MASTER"], [], "b's takeovers")


def smtp_refused(lab):
    """A server that answers 5xx: the alert is logged as not sent with the server's reply; the
    daemon and its adverts carry on."""
    smtp_trouble(lab, "refuse", "2s", "554 5.7.1 alerts not welcome here")


def smtp_hang(lab):
    """A server that accepts and never answers: each alert times out after smtp_connect_timeout
    and is logged; the daemon and its adverts carry on, and SIGTERM is not held up by it."""
    smtp_trouble(lab, "hang", "1s", "timed out after")


if __name__ == "__main__":
    run_scenarios({f.__name__: f for f in (static_apply_repair, static_reload, static_stop, smtp_alerts,
                                           smtp_refused, smtp_hang)})
