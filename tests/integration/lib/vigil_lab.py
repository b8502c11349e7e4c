"""vigil_lab: network-namespace labs for Vigil's integration tests (python3 stdlib only).

Every integration test builds its world with this module, runs in it and leaves nothing behind.

    import sys, pathlib
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))
    import vigil_lab

    vigil_lab.require_lab("tcpdump", "tshark", "nft")   # "SKIP: ..." and exit 77 unless possible
    with vigil_lab.Lab("failover") as lab:
        a = lab.add_node("a", addresses=["192.0.2.1/24", "2001:db8::1/64"])
        b = lab.add_node("b", addresses=["192.0.2.2/24"])
        cap = lab.capture()                               # tcpdump on the bridge
        daemon = a.spawn(["vigild", "-f", "a.toml"], name="vigild-a")
        lab.wait_for(lambda: a.has_address("192.0.2.100"), timeout=30, what="VIP on a")
        b.drop("ip protocol vrrp")                        # nftables in b's namespace
        rows = cap.fields(["ip.src", "vrrp.prio"], display_filter="vrrp")
        daemon.stop()                                     # SIGTERM, then SIGKILL after a grace

Topology
    One switch namespace holds a Linux bridge "br0" (STP off, forward delay 0, multicast snooping
    off so 224.0.0.18 and ff02::12 always flood). Each node is its own namespace whose interface
    "eth0" is one end of a veth pair; the other end is a port of br0 in the switch namespace. Every
    router has its own namespace, so nobody's source address is local to the receiver (no martian
    drops) and the host's interfaces are never touched. IPv6 DAD is off in the nodes by default, so
    addresses are usable at once (pass dad=True to keep it). More LANs: lab.add_bridge("br1") and
    lab.connect(node, bridge="br1", dev="eth1", addresses=[...]). node.unplug()/plug() take the
    switch side of a port down/up (carrier loss as the node sees it).

Names
    Namespaces are called vg<pid>.<lab number>.<node> (the switch is "sw"), unique per process and
    per lab, so tests can run in parallel (ctest -j). Interfaces inside namespaces are short: eth0,
    br0, p<N>.

Cleanup always runs
    Lab is a context manager; every live lab is also registered with atexit, and SIGTERM/SIGHUP
    (when the test has not installed its own handler) clean up all live labs and exit 128+signal.
    Cleanup stops the processes the lab started, by PID (SIGTERM, then SIGKILL after a grace),
    stops captures, kills by PID whatever else is still inside the lab's namespaces (a daemon's
    children), deletes the namespaces and, unless the test failed (an exception left the with-block
    or reached the top level) or VIGIL_LAB_KEEP=1 is set, the work directory with logs and captures. Cleanup is idempotent. Only SIGKILL of the test
    itself can leak; the next Lab created anywhere then deletes namespaces of this naming scheme
    whose owner PID is gone, kills what still runs in them and removes that PID's work directory.

Skipping
    skip(reason) prints "SKIP: reason" and exits 77 (ctest's SKIP_RETURN_CODE). require_root(),
    require_tools(...) and require_lab(...) (both, plus ip) call it when the lab cannot run here.

Waiting
    wait_for(predicate, timeout, interval, what) polls and raises LabTimeout with `what` in the
    message. Timeouts are generous bounds, never measurements.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

SKIP_RETURN_CODE = 77
DEFAULT_TIMEOUT = 30.0
_NAME_PATTERN = re.compile(r"^vg(\d+)\.(\d+)\.")


# --------------------------------------------------------------------------------------------
# Skipping


def skip(reason: str) -> None:
    """Prints the reason in the form ctest and humans look for, and exits 77."""
    print(f"SKIP: {reason}", flush=True)
    sys.exit(SKIP_RETURN_CODE)


def require_root() -> None:
    if os.geteuid() != 0:
        skip("needs root (network namespaces, raw sockets)")


def require_tools(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        skip("missing tool(s): " + ", ".join(missing) + " (tools/install-deps.sh installs them)")


def require_lab(*tools: str) -> None:
    """Root plus `ip` plus the named tools, or skip."""
    require_root()
    require_tools("ip", *tools)


# --------------------------------------------------------------------------------------------
# Errors and waiting


class LabError(RuntimeError):
    pass


class CommandFailed(LabError):
    def __init__(self, argv: Sequence[str], result: subprocess.CompletedProcess):
        self.argv = list(argv)
        self.result = result
        super().__init__(
            f"command failed ({result.returncode}): {' '.join(self.argv)}\n"
            f"stdout: {(result.stdout or '').strip()}\nstderr: {(result.stderr or '').strip()}"
        )


class LabTimeout(LabError):
    pass


def wait_for(predicate: Callable[[], object], timeout: float = DEFAULT_TIMEOUT, interval: float = 0.1,
             what: str = "condition") -> object:
    """Polls predicate until it returns something truthy (which is returned) or timeout passes."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except (LabError, OSError, ValueError) as error:  # a probe that cannot answer yet
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise LabTimeout(f"timed out after {timeout:.0f} s waiting for {what}{detail}")
        time.sleep(interval)


def _run(argv: Sequence[str], check: bool = True, timeout: float = 60, input: str | None = None,
         capture: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(list(argv), input=input, text=True, timeout=timeout,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.PIPE if capture else subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise CommandFailed(argv, result)
    return result


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _netns_list() -> list[str]:
    result = _run(["ip", "-j", "netns", "list"], check=False)
    if result.returncode != 0 or not result.stdout.strip():
        return []
    return [entry["name"] for entry in json.loads(result.stdout)]


def _netns_pids(netns: str) -> list[int]:
    result = _run(["ip", "netns", "pids", netns], check=False)
    return [int(pid) for pid in result.stdout.split()] if result.returncode == 0 else []


def _kill_pids_in(netns: str) -> None:
    for pid in _netns_pids(netns):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _delete_netns(netns: str) -> None:
    _kill_pids_in(netns)
    _run(["ip", "netns", "del", netns], check=False)


def sweep_stale_namespaces() -> list[str]:
    """Deletes namespaces of this naming scheme whose owning test process is gone (SIGKILLed),
    and that process's work directory (its cleanup never ran; a failed test that did clean up
    keeps its directory for debugging)."""
    swept = []
    dead_pids = set()
    for name in _netns_list():
        match = _NAME_PATTERN.match(name)
        if match and int(match.group(1)) != os.getpid() and not _pid_alive(int(match.group(1))):
            _delete_netns(name)
            swept.append(name)
            dead_pids.add(int(match.group(1)))
    for pid in dead_pids:
        for workdir in Path(tempfile.gettempdir()).glob(f"vigil-lab-{pid}-*"):
            shutil.rmtree(workdir, ignore_errors=True)
    return swept


# --------------------------------------------------------------------------------------------
# Processes and captures


class Process:
    """A process the lab started (inside a namespace); its output goes to `log`."""

    def __init__(self, name: str, argv: Sequence[str], popen: subprocess.Popen, log: Path):
        self.name = name
        self.argv = list(argv)
        self.popen = popen
        self.log = log

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def alive(self) -> bool:
        return self.popen.poll() is None

    def send_signal(self, signum: int) -> None:
        if self.alive():
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def wait(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        return self.popen.wait(timeout=timeout)

    def stop(self, signum: int = signal.SIGTERM, grace: float = 10.0) -> int | None:
        """Sends signum, waits up to grace seconds, then SIGKILL. Returns the exit status."""
        if self.alive():
            self.send_signal(signum)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.send_signal(signal.SIGKILL)
                self.popen.wait(timeout=grace)
        return self.popen.returncode

    def kill(self) -> int | None:
        return self.stop(signal.SIGKILL)

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def __repr__(self) -> str:
        return f"Process({self.name!r}, pid={self.pid}, alive={self.alive()})"


class Capture:
    """tcpdump writing a pcap inside a namespace; read it back with tshark at any time."""

    def __init__(self, process: Process, pcap: Path):
        self.process = process
        self.pcap = pcap

    def stop(self) -> None:
        # SIGINT makes tcpdump flush and close the file properly.
        self.process.stop(signal.SIGINT, grace=5.0)

    def _tshark(self, extra: Sequence[str], display_filter: str | None) -> str:
        argv = ["tshark", "-n", "-r", str(self.pcap)] + list(extra)
        if display_filter:
            argv += ["-Y", display_filter]
        # A capture still being written may end in a partial packet: tshark then complains on
        # stderr and exits non-zero after printing every whole packet, which is what we want.
        result = _run(argv, check=False)
        if result.returncode != 0 and not result.stdout:
            if "cut short" in result.stderr or "appears to have been cut short" in result.stderr:
                return ""
            raise CommandFailed(argv, result)
        return result.stdout

    def fields(self, fields: Sequence[str], display_filter: str | None = None) -> list[dict[str, str]]:
        """One dict per packet: {field: value} (multiple occurrences joined with ',')."""
        extra = ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
        for field in fields:
            extra += ["-e", field]
        rows = []
        for line in self._tshark(extra, display_filter).splitlines():
            values = line.split("\t")
            values += [""] * (len(fields) - len(values))
            rows.append(dict(zip(fields, values)))
        return rows

    def json(self, display_filter: str | None = None) -> list[dict]:
        """tshark -T json: one dict per packet (see _source.layers)."""
        text = self._tshark(["-T", "json"], display_filter)
        return json.loads(text) if text.strip() else []

    def count(self, display_filter: str | None = None) -> int:
        return len(self._tshark(["-T", "fields", "-e", "frame.number"], display_filter).splitlines())

    def expert_warnings(self, display_filter: str | None = None) -> list[str]:
        """Malformed/checksum complaints tshark raises, e.g. for adverts Vigil sent."""
        rows = self.fields(["frame.number", "_ws.expert.message"], display_filter)
        return [f"frame {row['frame.number']}: {row['_ws.expert.message']}" for row in rows
                if row["_ws.expert.message"]]


# --------------------------------------------------------------------------------------------
# Nodes


class Namespace:
    """Something that runs commands inside one named network namespace."""

    def __init__(self, lab: "Lab", name: str, netns: str):
        self.lab = lab
        self.name = name
        self.netns = netns

    def argv(self, command: Sequence[str] | str) -> list[str]:
        if isinstance(command, str):
            command = ["sh", "-c", command]
        return ["ip", "netns", "exec", self.netns] + list(command)

    def run(self, command: Sequence[str] | str, check: bool = True, timeout: float = 60,
            input: str | None = None) -> subprocess.CompletedProcess:
        """Runs to completion inside the namespace; a string goes through sh -c."""
        return _run(self.argv(command), check=check, timeout=timeout, input=input)

    def ip(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return _run(["ip", "-n", self.netns, *args], check=check)

    def ip_json(self, *args: str) -> list:
        text = _run(["ip", "-j", "-n", self.netns, *args]).stdout
        return json.loads(text) if text.strip() else []

    def sysctl(self, key: str, value: str | int | None = None) -> str:
        """Reads (or writes, then reads) a sysctl inside the namespace; key like net.ipv4.ip_forward."""
        if value is not None:
            self.run(["sysctl", "-qw", f"{key}={value}"])
        return self.run(["sysctl", "-n", key]).stdout.strip()

    def spawn(self, command: Sequence[str] | str, name: str | None = None, env: dict | None = None,
              cwd: str | os.PathLike | None = None) -> Process:
        """Starts a long-running process inside the namespace. `ip netns exec` execs the command,
        so the PID the lab records is the process itself. Output goes to <workdir>/<name>.log."""
        name = name or (command if isinstance(command, str) else Path(command[0]).name).split()[0]
        log = self.lab.unique_path(f"{self.name}-{name}", ".log")
        with open(log, "wb") as out:
            popen = subprocess.Popen(self.argv(command), stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env, cwd=cwd, start_new_session=True)
        process = Process(name, self.argv(command), popen, log)
        self.lab.processes.append(process)
        return process

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, netns={self.netns!r})"


class Node(Namespace):
    """A router or host: its own namespace with eth0 on the lab's bridge."""

    def __init__(self, lab: "Lab", name: str, netns: str, port: str):
        super().__init__(lab, name, netns)
        self.port = port  # the bridge port of its first interface, in the switch namespace

    def add_address(self, cidr: str, dev: str = "eth0", nodad: bool = True) -> None:
        extra = ["nodad"] if nodad and ":" in cidr else []
        self.ip("addr", "add", cidr, "dev", dev, *extra)

    def del_address(self, cidr: str, dev: str = "eth0") -> None:
        self.ip("addr", "del", cidr, "dev", dev)

    def addresses(self, dev: str = "eth0") -> list[str]:
        """Every address on dev as 'address/prefix'."""
        links = self.ip_json("addr", "show", "dev", dev)
        return [f"{info['local']}/{info['prefixlen']}" for link in links for info in link.get("addr_info", [])]

    def has_address(self, address: str, dev: str | None = None) -> bool:
        """Whether `address` (no prefix) is on dev, or on any interface when dev is None."""
        links = self.ip_json("addr", "show", *(["dev", dev] if dev else []))
        return any(info.get("local") == address for link in links for info in link.get("addr_info", []))

    def mac(self, dev: str = "eth0") -> str:
        return self.ip_json("link", "show", "dev", dev)[0]["address"]

    def link_local(self, dev: str = "eth0") -> str | None:
        for address in self.addresses(dev):
            if address.startswith("fe80:"):
                return address.split("/")[0]
        return None

    def rename_link(self, old: str, new: str) -> None:
        """Renames an interface (it has to be down for that; it is brought back up)."""
        self.ip("link", "set", "dev", old, "down")
        self.ip("link", "set", "dev", old, "name", new)
        self.ip("link", "set", "dev", new, "up")

    def set_link(self, up: bool, dev: str = "eth0") -> None:
        self.ip("link", "set", "dev", dev, "up" if up else "down")

    def unplug(self, port: str | None = None) -> None:
        """Link down on the switch side: the node sees carrier loss, as with a pulled cable."""
        self.lab.switch.ip("link", "set", "dev", port or self.port, "down")

    def plug(self, port: str | None = None) -> None:
        self.lab.switch.ip("link", "set", "dev", port or self.port, "up")

    def nft(self, script: str) -> None:
        """Feeds an nftables script to `nft -f -` inside the namespace."""
        self.run(["nft", "-f", "-"], input=script)

    def drop(self, match: str, hook: str = "input") -> None:
        """Drops packets matching an nft expression, e.g. drop("ip protocol vrrp") or
        drop("ip6 nexthdr vrrp", hook="output"). clear_drops() removes them all."""
        if hook not in ("input", "output", "forward"):
            raise LabError(f"unknown hook {hook}")
        self.nft(
            "table inet vigil_lab {\n"
            f"  chain {hook} {{ type filter hook {hook} priority 0; policy accept; }}\n"
            "}\n"
            f"add rule inet vigil_lab {hook} {match} counter drop\n"
        )

    def clear_drops(self) -> None:
        self.run(["nft", "delete", "table", "inet", "vigil_lab"], check=False)

    def wait_for_address(self, address: str, present: bool = True, timeout: float = DEFAULT_TIMEOUT,
                         dev: str | None = None) -> None:
        wait_for(lambda: self.has_address(address, dev) == present, timeout=timeout,
                 what=f"{address} {'on' if present else 'gone from'} {self.name}")


# --------------------------------------------------------------------------------------------
# The lab

_LIVE_LABS: list["Lab"] = []
_LAB_NUMBERS = itertools.count(1)
_HANDLERS_INSTALLED = False


def _cleanup_all_labs() -> None:
    for lab in list(_LIVE_LABS):
        lab.cleanup()


def _on_signal(signum, _frame) -> None:
    _cleanup_all_labs()
    signal.signal(signum, signal.SIG_DFL)
    raise SystemExit(128 + signum)


def _install_handlers() -> None:
    global _HANDLERS_INSTALLED
    if _HANDLERS_INSTALLED:
        return
    _HANDLERS_INSTALLED = True
    atexit.register(_cleanup_all_labs)
    # An uncaught exception outside any with-block is a failed test too: keep its logs.
    previous_hook = sys.excepthook

    def mark_failed(exc_type, exc, tb):
        for lab in _LIVE_LABS:
            lab.failed = True
        previous_hook(exc_type, exc, tb)

    sys.excepthook = mark_failed
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) in (signal.SIG_DFL, None):
            signal.signal(signum, _on_signal)


class Lab:
    """A switch namespace with a bridge plus any number of node namespaces (see module doc)."""

    def __init__(self, tag: str = "lab", dad: bool = False):
        self.tag = re.sub(r"[^A-Za-z0-9_-]", "_", tag)
        self.dad = dad
        self.number = next(_LAB_NUMBERS)
        self.prefix = f"vg{os.getpid()}.{self.number}."
        self.workdir = Path(tempfile.mkdtemp(prefix=f"vigil-lab-{os.getpid()}-{self.tag}-"))
        self.nodes: dict[str, Node] = {}
        self.processes: list[Process] = []
        self.captures: list[Capture] = []
        self.namespaces: list[str] = []
        self.failed = False
        self._cleaned = False
        self._ports = itertools.count(1)
        self._paths = itertools.count(1)
        _install_handlers()
        _LIVE_LABS.append(self)
        try:
            sweep_stale_namespaces()
            self.switch = Namespace(self, "sw", self._create_netns("sw"))
            self.switch.ip("link", "set", "lo", "up")
            self.switch.ip("link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0",
                           "mcast_snooping", "0")
            self.switch.ip("link", "set", "br0", "up")
        except BaseException:
            self.cleanup()
            raise

    # -- context manager ------------------------------------------------------------------

    def __enter__(self) -> "Lab":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None and not issubclass(exc_type, SystemExit):
            self.failed = True
        self.cleanup()
        return False

    # -- building -------------------------------------------------------------------------

    def _create_netns(self, suffix: str) -> str:
        name = self.prefix + suffix
        _run(["ip", "netns", "add", name])
        self.namespaces.append(name)
        return name

    def unique_path(self, stem: str, suffix: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", stem)
        return self.workdir / f"{next(self._paths):02d}-{safe}{suffix}"

    def add_bridge(self, name: str) -> str:
        """Another LAN: a second bridge in the switch namespace (br0 exists from the start)."""
        self.switch.ip("link", "add", name, "type", "bridge", "stp_state", "0", "forward_delay", "0",
                       "mcast_snooping", "0")
        self.switch.ip("link", "set", name, "up")
        return name

    def add_node(self, name: str, addresses: Iterable[str] = (), dad: bool | None = None,
                 bridge: str | None = "br0", dev: str = "eth0") -> Node:
        """A new namespace with `dev` on `bridge` (None: no interface yet), up, with the given
        'address/prefix' list."""
        if name in self.nodes or not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
            raise LabError(f"bad or duplicate node name {name!r}")
        netns = self._create_netns(name)
        node = Node(self, name, netns, port="")
        self.nodes[name] = node
        node.ip("link", "set", "lo", "up")
        if not (self.dad if dad is None else dad):
            for scope in ("all", "default"):
                node.run(["sysctl", "-qw", f"net.ipv6.conf.{scope}.accept_dad=0"])
        if bridge is not None:
            node.port = self.connect(node, bridge=bridge, dev=dev, addresses=addresses)
        return node

    def connect(self, node: Node, bridge: str = "br0", dev: str = "eth1", addresses: Iterable[str] = ()) -> str:
        """Gives `node` an interface `dev` on `bridge`, up, with addresses; returns the bridge port."""
        port = f"p{next(self._ports)}"
        # The veth is born in the switch namespace with its peer directly in the node's: no
        # interface ever appears in the host's namespace.
        self.switch.ip("link", "add", port, "type", "veth", "peer", "name", dev, "netns", node.netns)
        self.switch.ip("link", "set", port, "master", bridge, "up")
        for cidr in addresses:
            node.add_address(cidr, dev=dev)
        node.ip("link", "set", dev, "up")
        wait_for(lambda: node.ip_json("link", "show", "dev", dev)[0].get("operstate") == "UP",
                 timeout=DEFAULT_TIMEOUT, what=f"{dev} of {node.name} up")
        return port

    def node(self, name: str) -> Node:
        return self.nodes[name]

    def capture(self, where: Namespace | None = None, dev: str = "br0", bpf: str | None = None,
                name: str = "capture") -> Capture:
        """Starts tcpdump (by default on the bridge, which sees every frame between nodes) and
        returns once it is listening."""
        where = where or self.switch
        pcap = self.unique_path(name, ".pcap")
        # --immediate-mode: without it frames wait in the kernel ring for up to a second and a capture
        # stopped right after an event loses them ("20 received by filter, 0 captured").
        argv = ["tcpdump", "-i", dev, "-n", "-U", "--immediate-mode", "-s", "0", "-w", str(pcap)] + (bpf.split() if bpf else [])
        process = where.spawn(argv, name=name)
        capture = Capture(process, pcap)
        self.captures.append(capture)
        wait_for(lambda: "listening on" in process.output() or not process.alive(), timeout=DEFAULT_TIMEOUT,
                 what=f"tcpdump listening on {dev}")
        if not process.alive():
            raise LabError(f"tcpdump exited: {process.output().strip()}")
        return capture

    def wait_for(self, predicate: Callable[[], object], timeout: float = DEFAULT_TIMEOUT, interval: float = 0.1,
                 what: str = "condition") -> object:
        return wait_for(predicate, timeout=timeout, interval=interval, what=what)

    # -- cleanup --------------------------------------------------------------------------

    def cleanup(self) -> None:
        """Stops everything the lab started and deletes its namespaces. Safe to call twice."""
        if self._cleaned:
            return
        self._cleaned = True
        for capture in self.captures:
            try:
                capture.stop()
            except Exception:  # keep cleaning whatever goes wrong
                pass
        for process in reversed(self.processes):
            try:
                process.stop(grace=5.0)
            except Exception:
                pass
        for netns in reversed(self.namespaces):
            try:
                _delete_netns(netns)
            except Exception:
                pass
        if self in _LIVE_LABS:
            _LIVE_LABS.remove(self)
        if self.failed or os.environ.get("VIGIL_LAB_KEEP") == "1":
            print(f"vigil_lab: logs and captures kept in {self.workdir}", file=sys.stderr)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __repr__(self) -> str:
        return f"Lab({self.tag!r}, prefix={self.prefix!r}, nodes={list(self.nodes)})"
