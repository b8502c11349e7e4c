"""Helpers for the interop tests: run the real keepalived next to vigild in a lab node, follow its
states, read its statistics and find its complaints about the packets it received.

keepalived (2.2.x, the Debian package) is started in the foreground with its log on the console,
which the lab writes to <workdir>/<node>-keepalived.log:

    keepalived --dont-fork --log-console --log-detail --no-syslog --vrrp --dont-respawn
               --use-file=CONF --pid=PID --vrrp_pid=VRRP_PID

It is two processes: the parent (the PID the lab records) and the VRRP child, which owns the
sockets and the VIPs and whose PID is in VRRP_PID. A "crash" is a SIGKILL of that child (a SIGKILL
of the parent would only make the child shut down in order, with a priority-0 advert); with
--dont-respawn the parent then exits. TMPDIR points at the lab's work directory so that SIGUSR2
writes keepalived.stats there, not into the machine's /tmp shared with other tests."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "vrrp"))
import vigil_lab  # noqa: E402
from vrrp_support import LabDaemon, assert_equal, assert_true  # noqa: E402,F401  (asserts re-exported for the tests)

KEEPALIVED = os.environ.get("KEEPALIVED") or shutil.which("keepalived") or "/usr/sbin/keepalived"
_KA_STATE = re.compile(r"\((\S+)\) Entering (\w+) STATE")

# What keepalived's vrrp_check_packet() and the state machines log about a received advert that is
# wrong, or that they disagree with (keepalived 2.2.7, vrrp.c). Any of these about the peer's
# adverts means the two implementations do not agree on the wire.
KEEPALIVED_COMPLAINTS = [
    r"Invalid VRRPv\d checksum",
    r"Setting unicast VRRPv3 checksum to old version",
    r"vrrp packet too (short|long)",
    r"invalid TTL/HL",
    r"TTL/HL \d+ not in range",
    r"wrong version",
    r"received a \d+ auth, expecting",
    r"received an invalid passwd",
    r"AH header",
    r"IPSEC-AH",
    r"advertisement interval mismatch",
    r"advertisement interval updated",
    r"Invalid packet type",
    r"unexpected ip number count",
    r"ip_tot_len mismatch",
    r"Expected \w+icast packet but received",
    r"expected \d+ VIPs but received",
    r"not present in MASTER advert",
    r"not a unicast peer",
    r"received lower priority",
    r"with lower priority",
    r"equal priority advert",
    r"both configured as address owner",
    r"\binvalid\b",
]
_COMPLAINT = re.compile("|".join(f"(?:{pattern})" for pattern in KEEPALIVED_COMPLAINTS), re.IGNORECASE)

# keepalived.stats counters that must stay 0 when the peer's adverts are right.
KEEPALIVED_ERROR_COUNTERS = [
    "Packet Errors/Length", "Packet Errors/TTL", "Packet Errors/Invalid Type",
    "Packet Errors/Advertisement Interval", "Packet Errors/Address List",
    "Authentication Errors/Invalid Type", "Authentication Errors/Type Mismatch", "Authentication Errors/Failure",
]


def require_keepalived() -> str:
    if not Path(KEEPALIVED).exists():
        vigil_lab.skip("keepalived not installed (tools/install-deps.sh installs it)")
    return KEEPALIVED


def _block(keyword: str, lines: Sequence[str], indent: str = "  ") -> list[str]:
    return [f"{indent}{keyword} {{"] + [f"{indent}  {line}" for line in lines] + [f"{indent}}}"]


def keepalived_instance(name: str = "VI_1", *, priority: int, version: int, advert_int: str,
                        vips: Sequence[str], interface: str = "eth0", virtual_router_id: int = 51,
                        auth_pass: str | None = None, unicast_src_ip: str | None = None,
                        unicast_peers: Sequence[str] = (), extra: Sequence[str] = ()) -> str:
    """A keepalived `vrrp_instance NAME { ... }` block (always `state BACKUP`, as the Vigil side)."""
    lines = ["state BACKUP", f"interface {interface}", f"virtual_router_id {virtual_router_id}",
             f"priority {priority}", f"version {version}", f"advert_int {advert_int}"]
    if auth_pass is not None:
        lines += _block("authentication", ["auth_type PASS", f"auth_pass {auth_pass}"], indent="")
    if unicast_src_ip:
        lines.append(f"unicast_src_ip {unicast_src_ip}")
    if unicast_peers:
        lines += _block("unicast_peer", list(unicast_peers), indent="")
    lines += _block("virtual_ipaddress", list(vips), indent="")
    lines += list(extra)
    return "\n".join([f"vrrp_instance {name} {{"] + [f"  {line}" for line in lines] + ["}"]) + "\n"


def keepalived_config(router_id: str, *instances: str) -> str:
    return "global_defs {\n  router_id " + router_id + "\n}\n" + "".join(instances)


class Keepalived(LabDaemon):
    """One keepalived (VRRP subsystem only) in one lab node."""

    def __init__(self, node: vigil_lab.Node, config: str, name: str = "keepalived"):
        self.node = node
        self.name = name
        lab = node.lab
        self.config_path = lab.unique_path(f"{node.name}-{name}", ".conf")
        self.config_path.write_text(config)
        self.pid_file = lab.unique_path(f"{node.name}-{name}", ".pid")
        self.vrrp_pid_file = lab.unique_path(f"{node.name}-{name}-vrrp", ".pid")
        self.tmp_dir = lab.unique_path(f"{node.name}-{name}-tmp", "")
        self.tmp_dir.mkdir()
        self.process: vigil_lab.Process | None = None
        self._log_offset = 0  # complaints() reads from here on (see ignore_log_so_far)

    def start(self) -> "Keepalived":
        argv = [require_keepalived(), "--dont-fork", "--log-console", "--log-detail", "--no-syslog", "--vrrp",
                "--dont-respawn", f"--use-file={self.config_path}", f"--pid={self.pid_file}",
                f"--vrrp_pid={self.vrrp_pid_file}"]
        self.process = self.node.spawn(argv, name=self.name, env=dict(os.environ, TMPDIR=str(self.tmp_dir)))
        return self

    def transitions(self, instance_name: str | None = None) -> list[tuple[str, str]]:
        """(instance, state) for every "(VI_1) Entering MASTER STATE" line, in order."""
        found = [m.groups() for m in _KA_STATE.finditer(self.log())]
        return [t for t in found if instance_name is None or t[0] == instance_name]

    def vrrp_pid(self) -> int:
        """The VRRP child's PID, checked to be a child of the keepalived this object started."""
        pid = int(vigil_lab.wait_for(lambda: self.vrrp_pid_file.exists() and self.vrrp_pid_file.read_text().strip(),
                                     timeout=10, what=f"{self.vrrp_pid_file}"))
        stat = Path(f"/proc/{pid}/stat").read_text()
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        assert_true(self.process is not None and parent == self.process.pid,
                    f"keepalived VRRP child {pid} has parent {parent}, not our keepalived {self.process}")
        return pid

    def stats(self, timeout: float = 10) -> dict[str, dict[str, int]]:
        """SIGUSR2 makes keepalived write $TMPDIR/keepalived.stats; returns
        {instance: {"Advertisements/Received": n, "Packet Errors/TTL": n, ...}}."""
        path = self.tmp_dir / "keepalived.stats"
        before = path.stat().st_mtime_ns if path.exists() else None
        self.process.send_signal(signal.SIGUSR2)
        vigil_lab.wait_for(lambda: path.exists() and path.stat().st_mtime_ns != before and
                           path.read_text().rstrip().endswith(tuple("0123456789")),
                           timeout=timeout, what=f"{path} after SIGUSR2")
        result: dict[str, dict[str, int]] = {}
        current: dict[str, int] = {}
        section = ""
        for line in path.read_text().splitlines():
            if line.startswith("VRRP Instance:"):
                current = result.setdefault(line.split(":", 1)[1].strip(), {})
                section = ""
            elif line.strip().endswith(":"):
                section = line.strip()[:-1]
            elif ":" in line:
                key, value = (part.strip() for part in line.split(":", 1))
                if line.startswith("    ") and section:
                    key = f"{section}/{key}"
                else:
                    section = ""
                current[key] = int(value)
        return result

    def ignore_log_so_far(self) -> None:
        """complaints() will only look at lines logged from now on."""
        self._log_offset = len(self.log())

    def complaints(self) -> list[str]:
        """keepalived's log lines (since ignore_log_so_far) about adverts it disliked."""
        return [line for line in self.log()[self._log_offset:].splitlines() if _COMPLAINT.search(line)]

    def kill(self) -> None:
        """SIGKILL of the VRRP child: no priority-0 advert, VIPs stay in the kernel. The parent
        (--dont-respawn) exits after it."""
        if self.process and self.process.alive():
            os.kill(self.vrrp_pid(), signal.SIGKILL)
            self.process.wait(timeout=15)

    def stop(self) -> int | None:
        return self.process.stop() if self.process else None
