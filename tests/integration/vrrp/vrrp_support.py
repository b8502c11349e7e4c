"""Helpers for the VRRP integration tests: write a node's config, run vigild (or keepalived) in
a lab node, and follow instance states through the daemon's log lines."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import vigil_lab  # noqa: E402

VIGILD = os.environ.get("VIGILD", "")
_TRANSITION = re.compile(r"VRRP instance (\S+) \(vrid \d+ on \S+\): (\w+) -> (\w+)")


def require_vigild() -> str:
    if not VIGILD or not Path(VIGILD).exists():
        vigil_lab.skip(f"vigild binary not found (VIGILD={VIGILD!r})")
    return VIGILD


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def toml_table(header: str, values: dict) -> str:
    lines = [f"[{header}]"] + [f"{key} = {toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def instance(name: str = "VI_1", **values) -> str:
    """A [vrrp_instance.NAME] table; defaults: eth0, VRID 51, one IPv4 VIP."""
    settings = {"interface": "eth0", "virtual_router_id": 51, "virtual_ipaddress": ["192.0.2.100/24"]}
    settings.update(values)
    return toml_table(f"vrrp_instance.{name}", settings)


class LabDaemon:
    """A VRRP daemon in a lab node whose instance states are read from its log lines. Subclasses
    set `node`, `name`, `process`, and give transitions() whose tuples end with the new state."""

    node: vigil_lab.Node
    name: str
    process: vigil_lab.Process | None

    def log(self) -> str:
        return self.process.output() if self.process else ""

    def transitions(self, instance_name: str | None = None) -> list[tuple[str, ...]]:
        raise NotImplementedError

    def state(self, instance_name: str = "VI_1") -> str:
        moves = self.transitions(instance_name)
        return moves[-1][-1] if moves else "INIT"

    def wait_state(self, state: str, instance_name: str = "VI_1", timeout: float = 30) -> None:
        def reached() -> bool:
            if self.process and not self.process.alive():
                raise vigil_lab.LabError(f"{self.name} on {self.node.name} exited:\n{self.log()[-3000:]}")
            return self.state(instance_name) == state
        vigil_lab.wait_for(reached, timeout=timeout,
                           what=f"{self.name} {instance_name} {state} on {self.node.name} (log:\n{self.log()[-2000:]})")


class Vigil(LabDaemon):
    """One vigild in one lab node."""

    def __init__(self, node: vigil_lab.Node, config: str, name: str = "vigild", fast_path: bool = True):
        self.node = node
        self.name = name
        if "[global]" not in config:
            # Tests share the machine's two cores: real-time priority and locked memory would only
            # make several daemons fight; the fast-path thread itself stays on.
            config = toml_table("global", {"vrrp_rt_priority": 0, "vrrp_no_swap": False,
                                           "vrrp_fast_path": fast_path}) + config
        self.config_path = node.lab.unique_path(f"{node.name}-{name}", ".toml")
        self.config_path.write_text(config)
        self.runtime_dir = node.lab.unique_path(f"{node.name}-{name}-run", "")
        self.process: vigil_lab.Process | None = None

    def start(self, log_level: str = "debug") -> "Vigil":
        argv = [require_vigild(), "--config", str(self.config_path), "--runtime-dir", str(self.runtime_dir),
                "--log-level", log_level]
        self.process = self.node.spawn(argv, name=self.name)
        _started.append(self)
        return self

    def transitions(self, instance_name: str | None = None) -> list[tuple[str, str, str]]:
        found = [m.groups() for m in _TRANSITION.finditer(self.log())]
        return [t for t in found if instance_name is None or t[0] == instance_name]

    def status(self, timeout: float = 10) -> dict:
        """SIGUSR1 makes vigild write <runtime-dir>/vrrp-status.json; returns it parsed."""
        path = Path(self.runtime_dir) / "vrrp-status.json"
        # Removed first, not compared by mtime: two dumps within one kernel clock tick share an mtime.
        # vigild writes a .partial file and renames it, so the file appears whole.
        path.unlink(missing_ok=True)
        os.kill(self.process.pid, signal.SIGUSR1)
        vigil_lab.wait_for(path.exists, timeout=timeout, what=f"{path} after SIGUSR1")
        return json.loads(path.read_text())

    def instance_status(self, instance_name: str = "VI_1") -> dict:
        found = [i for i in self.status()["vrrp_instances"] if i["name"] == instance_name]
        assert_true(found, f"{instance_name} in the status dump of {self.name}")
        return found[0]

    def stop(self) -> int | None:
        return self.process.stop() if self.process else None

    def kill(self) -> int | None:
        return self.process.kill() if self.process else None


_started: list[Vigil] = []


def check_clean_exits() -> None:
    """Stops every daemon still running and fails on an unclean exit: a non-zero status, or a
    sanitizer report (the ASan build runs these scenarios too) in any daemon's log."""
    problems = []
    for vigil in _started:
        if vigil.process.alive():
            code = vigil.stop()
            if code != 0:
                problems.append(f"{vigil.name} on {vigil.node.name} exited with {code}")
        if "Sanitizer" in vigil.log() or "runtime error:" in vigil.log():
            problems.append(f"{vigil.name} on {vigil.node.name}: sanitizer report:\n{vigil.log()[-4000:]}")
    _started.clear()
    if problems:
        raise AssertionError("\n".join(problems))


def assert_equal(actual, expected, what: str) -> None:
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def assert_true(condition, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def elapsed_since(start: float) -> float:
    return time.monotonic() - start


def run_scenarios(scenarios: dict) -> None:
    """`test.py NAME` runs one scenario function inside a fresh lab; exit 0 pass, 1 fail, 77 skip."""
    if len(sys.argv) != 2 or sys.argv[1] not in scenarios:
        print(f"usage: {sys.argv[0]} {{{','.join(scenarios)}}}", file=sys.stderr)
        sys.exit(2)
    vigil_lab.require_lab("tcpdump", "tshark")
    require_vigild()
    name = sys.argv[1]
    with vigil_lab.Lab(name) as lab:
        scenarios[name](lab)
        check_clean_exits()
    print(f"PASS: {name}")
