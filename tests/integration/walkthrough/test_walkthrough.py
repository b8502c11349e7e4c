#!/usr/bin/env python3
"""The keepalived walkthrough our users follow (shared/reference/keepalived-basics-walkthrough.txt)
run with Vigil's versions of its files, config-examples/walkthrough/, in network namespaces.

Scenarios (`test_walkthrough.py SCENARIO`; exit 0 pass, 1 fail, 77 skip):

  toml, yaml    The tracking and notification sections with master.toml/backup.toml (or the YAML
                twins): both nodes start, the VIP is on the master; `touch down` on the master
                (track script chk_main fails, weight -2: 100 -> 98 < 99) moves the VIP to the
                backup, and notify.sh records master->backup on one node and backup->master on the
                other, as the walkthrough's mailboxes show; `rm down` gives the VIP back.
  service_stop  The walkthrough's first test: stopping the master's daemon moves the VIP to the
                backup and takes it off the master; the master started again takes it back (after
                its master-down interval: Vigil, like keepalived 2.x, starts it in BACKUP).

The example files are used as they are, with one edit: every path in them starts with /etc/vigil/
(the track script's down file and the notify script), and the nodes share the host's filesystem,
so each node gets its own directory in the lab's work dir and "/etc/vigil/" is replaced with it.
The interface stays "eth0": the examples and the lab's nodes both use that name. The node
addresses stand for the walkthrough's 172.16.18.7 and .9, in the documentation range like the
examples' VIP 192.0.2.100.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "vrrp"))  # vrrp_support puts ../lib (vigil_lab) on the path too
from vrrp_support import Vigil, assert_equal, assert_true, check_clean_exits, require_vigild  # noqa: E402
import vigil_lab  # noqa: E402

EXAMPLES = HERE.parents[2] / "config-examples" / "walkthrough"
VIP = "192.0.2.100"
ADDRESSES = {"master": "192.0.2.7/24", "backup": "192.0.2.9/24"}  # the walkthrough's node1, node2
# Generous bounds, never measurements: master-down with advert_int 1 is ~3.6 s, chk_main runs every
# second, notify scripts run off the fast path.
TIMEOUT = 20


class WalkthroughNode(Vigil):
    """vigild on one lab node with its example file, exactly as shipped but for the /etc/vigil/
    paths. (Vigil's constructor writes a TOML file and adds a [global] table when there is none;
    this one writes the example itself, in its own syntax.)"""

    def __init__(self, lab: vigil_lab.Lab, role: str, syntax: str = "toml", node: vigil_lab.Node | None = None):
        self.node = node or lab.add_node(role, addresses=[ADDRESSES[role]])
        self.role = role
        self.name = "vigild"
        self.process = None
        self.etc = lab.workdir / role  # this node's /etc/vigil/
        if not self.etc.exists():
            self.etc.mkdir()
            shutil.copy2(EXAMPLES / "notify.sh", self.etc / "notify.sh")  # keeps its mode (0755)
        original = (EXAMPLES / f"{role}.{syntax}").read_text()
        assert_true("/etc/vigil/down" in original and "/etc/vigil/notify.sh" in original,
                    f"{role}.{syntax} uses /etc/vigil/down and /etc/vigil/notify.sh")
        self.config_path = self.etc / f"vigil.{syntax}"
        self.config_path.write_text(original.replace("/etc/vigil/", f"{self.etc}/"))
        self.runtime_dir = lab.unique_path(f"{role}-run", "")
        self.down = self.etc / "down"
        self.notify_log = self.etc / "notify.log"  # where notify.sh writes: beside itself

    def start(self, log_level: str = "debug") -> "WalkthroughNode":
        super().start(log_level)  # registers the daemon for check_clean_exits()
        return self

    def restart(self, lab: vigil_lab.Lab, syntax: str = "toml") -> "WalkthroughNode":
        """A second daemon on the same node and files (a fresh runtime directory)."""
        again = WalkthroughNode(lab, self.role, syntax, node=self.node)
        again.name = "vigild2"
        return again.start()

    def notified(self) -> list[str]:
        """The states notify.sh was called with, in order ("DATE TIME state" per line)."""
        if not self.notify_log.exists():
            return []
        return [line.split()[-1] for line in self.notify_log.read_text().splitlines() if line.strip()]

    def wait_notified(self, expected: list[str]) -> None:
        vigil_lab.wait_for(lambda: len(self.notified()) >= len(expected), timeout=TIMEOUT,
                           what=f"notify.sh lines {expected} on {self.role} (have {self.notified()})")
        assert_equal(self.notified(), expected, f"notify.sh calls on the {self.role}, in order")

    def priorities(self) -> tuple[int, int]:
        status = self.instance_status("VI_1")
        return status["base_priority"], status["effective_priority"]


def say(text: str) -> None:
    print(text, flush=True)


def holders(*nodes: WalkthroughNode) -> list[str]:
    return [n.role for n in nodes if n.node.has_address(VIP)]


def start_both(lab: vigil_lab.Lab, syntax: str) -> tuple[WalkthroughNode, WalkthroughNode]:
    """`service keepalived start` on node1, then on node2; `ip addr show`: the VIP is on node1."""
    master = WalkthroughNode(lab, "master", syntax)
    backup = WalkthroughNode(lab, "backup", syntax)
    master.start()
    master.wait_state("MASTER", timeout=TIMEOUT)
    master.node.wait_for_address(VIP, timeout=TIMEOUT)
    backup.start()
    backup.wait_state("BACKUP", timeout=TIMEOUT)
    time.sleep(3)  # three adverts: the backup stays backup and the VIP stays put
    assert_equal((master.state(), backup.state()), ("MASTER", "BACKUP"), "states after start")
    assert_equal(holders(master, backup), ["master"], "nodes holding the VIP after start")
    assert_equal(master.priorities(), (100, 100), "master's base and effective priority")
    assert_equal(backup.priorities(), (99, 99), "backup's base and effective priority")
    say(f"started: VIP {VIP} on the master (priorities 100/99)")
    return master, backup


def tracking(lab: vigil_lab.Lab, syntax: str) -> None:
    master, backup = start_both(lab, syntax)
    # Every state entered ran its notify_* line. The master starts in BACKUP and takes over after
    # master-down (state MASTER with a priority below 255, as keepalived 2.x and RFC 5798 do;
    # keepalived 1.2.7, the walkthrough's, went to MASTER at once): "backup", then "master".
    master.wait_notified(["backup", "master"])
    backup.wait_notified(["backup"])

    # `touch down` in the master's /etc/keepalived: chk_main fails, 100 - 2 = 98 < 99.
    touched = time.monotonic()
    master.down.touch()
    backup.wait_state("MASTER", timeout=TIMEOUT)
    backup.node.wait_for_address(VIP, timeout=TIMEOUT)
    master.wait_state("BACKUP", timeout=TIMEOUT)
    master.node.wait_for_address(VIP, present=False, timeout=TIMEOUT)
    say(f"touch down: VIP on the backup after {time.monotonic() - touched:.1f} s")
    assert_equal(master.priorities(), (100, 98), "master's priorities with the down file")
    # The walkthrough's mailboxes after `touch down`: node1 "to be backup", node2 "to be master",
    # after what each got at start.
    master.wait_notified(["backup", "master", "backup"])
    backup.wait_notified(["backup", "master"])
    time.sleep(2)
    assert_equal(holders(master, backup), ["backup"], "nodes holding the VIP with the down file")

    # The walkthrough stops at `touch down`; it says that node1, back in shape, takes the VIP back at
    # once (keepalived preempts by default, and so does Vigil). Removing the file is that: chk_main
    # succeeds again, the master is back to 100 > 99 and preempts.
    removed = time.monotonic()
    master.down.unlink()
    master.wait_state("MASTER", timeout=TIMEOUT)
    master.node.wait_for_address(VIP, timeout=TIMEOUT)
    backup.wait_state("BACKUP", timeout=TIMEOUT)
    backup.node.wait_for_address(VIP, present=False, timeout=TIMEOUT)
    say(f"rm down: VIP back on the master after {time.monotonic() - removed:.1f} s")
    assert_equal(master.priorities(), (100, 100), "master's priorities without the down file")
    master.wait_notified(["backup", "master", "backup", "master"])
    backup.wait_notified(["backup", "master", "backup"])
    time.sleep(2)
    assert_equal(holders(master, backup), ["master"], "nodes holding the VIP at the end")
    assert_true(all(p.process.alive() for p in (master, backup)), "both daemons still running")


def toml(lab: vigil_lab.Lab) -> None:
    tracking(lab, "toml")


def yaml(lab: vigil_lab.Lab) -> None:
    tracking(lab, "yaml")


def service_stop(lab: vigil_lab.Lab) -> None:
    """`service keepalived stop` on node1: node2 holds the VIP, node1 no longer does; node1 back
    online takes it back ("若node1重新上线会立即将VIP获取走": at once with keepalived 1.2.7; Vigil
    starts it in BACKUP and it preempts after master-down, ~3.6 s)."""
    master, backup = start_both(lab, "toml")
    stopped = time.monotonic()
    assert_equal(master.stop(), 0, "exit status of the stopped master (SIGTERM)")
    backup.wait_state("MASTER", timeout=TIMEOUT)
    backup.node.wait_for_address(VIP, timeout=TIMEOUT)
    say(f"master stopped: VIP on the backup after {time.monotonic() - stopped:.1f} s")
    assert_true(not master.node.has_address(VIP), "the stopped master must not keep the VIP")
    master2 = master.restart(lab)
    started = time.monotonic()
    master2.wait_state("MASTER", timeout=TIMEOUT)
    master2.node.wait_for_address(VIP, timeout=TIMEOUT)
    backup.wait_state("BACKUP", timeout=TIMEOUT)
    backup.node.wait_for_address(VIP, present=False, timeout=TIMEOUT)
    say(f"master started again: VIP back on the master after {time.monotonic() - started:.1f} s")
    # notify.log is per node, not per daemon: both daemons start in BACKUP (see tracking()); a
    # stop runs no notify_* (only notify_stop, which the walkthrough does not set).
    master2.wait_notified(["backup", "master", "backup", "master"])
    backup.wait_notified(["backup", "master", "backup"])


SCENARIOS = {"toml": toml, "yaml": yaml, "service_stop": service_stop}


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS:
        print(f"usage: {sys.argv[0]} {{{','.join(SCENARIOS)}}}", file=sys.stderr)
        sys.exit(2)
    vigil_lab.require_lab("bash")  # chk_main's [[ ]] runs in /bin/bash, as the examples say
    require_vigild()
    os.environ.pop("VIGIL_NOTIFY_LOG", None)  # notify.sh must write beside itself, one log per node
    name = sys.argv[1]
    with vigil_lab.Lab(f"walkthrough-{name}") as lab:
        SCENARIOS[name](lab)
        check_clean_exits()
    print(f"PASS: walkthrough {name}")


if __name__ == "__main__":
    main()
