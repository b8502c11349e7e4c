"""Shared pieces of the benchmark scripts in bench/ (python3 stdlib only).

The lab itself (namespaces, bridge, spawning, captures) is tests/integration/lib/vigil_lab.py and
Vigil's runner is tests/integration/vrrp/vrrp_support.py: both are imported from there, not copied.
This module adds what benchmarks need on top:

* one neutral description of VRRP instances and track scripts (Inst, Script) rendered either as a
  Vigil TOML file (with Vigil's real defaults in [global]: fast path on, SCHED_RR priority 1,
  mlockall) or as a keepalived.conf, and one runner interface for both daemons (Daemon);
* a pcap reader that decodes VRRP adverts (IPv4/IPv6), ARP and neighbour advertisements itself,
  incrementally (a benchmark polls a capture that is still being written);
* CPU (utime+stime, and cutime+cstime of reaped children such as track scripts) and RSS/PSS of a
  daemon's whole process tree, read from /proc;
* percentiles, Markdown tables, and a description of the machine (load, versions) for the results.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import ipaddress
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Sequence

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VIGILD = REPO / "build" / "lead" / "src" / "daemon" / "vigild"
os.environ.setdefault("VIGILD", str(DEFAULT_VIGILD))
sys.path.insert(0, str(REPO / "tests" / "integration" / "lib"))
sys.path.insert(0, str(REPO / "tests" / "integration" / "vrrp"))

import vigil_lab  # noqa: E402
import vrrp_support  # noqa: E402

IMPLEMENTATIONS = ("vigil", "keepalived")
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Vigil's documented defaults (docs/config.md §2), written out so that vrrp_support does not put
# its test settings (no real-time priority, no mlockall) in front of the config.
VIGIL_GLOBAL = {"vrrp_fast_path": True, "vrrp_rt_priority": 1, "vrrp_no_swap": True}


# --------------------------------------------------------------------------------------------
# The vigild binary: a private copy, so that a rebuild in build/lead during a run does not mix
# two binaries in one benchmark.

_VIGILD_COPY: Path | None = None
_VIGILD_MTIME: float | None = None


def prepare_vigild() -> Path:
    """Copies $VIGILD (default build/lead/src/daemon/vigild) to a temporary file used for the
    whole run and points vrrp_support at it."""
    global _VIGILD_COPY, _VIGILD_MTIME
    if _VIGILD_COPY is not None:
        return _VIGILD_COPY
    source = Path(os.environ["VIGILD"])
    if not source.exists():
        vigil_lab.skip(f"vigild binary not found ({source}); set VIGILD")
    _VIGILD_MTIME = source.stat().st_mtime
    directory = Path(tempfile.mkdtemp(prefix="vigil-bench-bin-"))
    _VIGILD_COPY = directory / "vigild"
    shutil.copy2(source, _VIGILD_COPY)
    vrrp_support.VIGILD = str(_VIGILD_COPY)
    import atexit
    atexit.register(shutil.rmtree, directory, True)
    return _VIGILD_COPY


def require_bench(implementations: Iterable[str]) -> None:
    vigil_lab.require_lab("tcpdump")
    if "keepalived" in implementations:
        vigil_lab.require_tools("keepalived")
    if "vigil" in implementations:
        prepare_vigild()


# --------------------------------------------------------------------------------------------
# What the machine was doing


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def keepalived_version() -> str:
    try:
        out = subprocess.run(["keepalived", "--version"], capture_output=True, text=True, timeout=10)
        first = (out.stdout + out.stderr).splitlines()[0]
        return first.strip()
    except (OSError, IndexError, subprocess.SubprocessError):
        return "keepalived: not found"


def vigild_description() -> str:
    source = Path(os.environ["VIGILD"])
    try:
        # The build time of the binary that was copied (and run), not of what is there now.
        stamp = _VIGILD_MTIME if _VIGILD_MTIME is not None else source.stat().st_mtime
        mtime = datetime.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")
    except OSError:
        mtime = "?"
    digest = "?"
    if _VIGILD_COPY is not None:
        h = hashlib.sha256()
        with open(_VIGILD_COPY, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        digest = h.hexdigest()[:12]
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = "?"
    return f"vigild {source} (built {mtime}, sha256 {digest}; tree at {head})"


def machine_header(title: str, settings: str) -> str:
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    kernel = os.uname().release
    return (f"## {title}\n\n"
            f"* date: {now}; kernel {kernel}; {os.cpu_count()} CPUs\n"
            f"* {vigild_description()}\n"
            f"* {keepalived_version()}\n"
            f"* settings: {settings}\n")


# --------------------------------------------------------------------------------------------
# Statistics and tables


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); p in 0..100."""
    if not values:
        return float("nan")
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    rank = (len(data) - 1) * p / 100.0
    low = int(rank)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def fmt(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and value != value:  # NaN
        return "–"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(lines) + "\n"


def log(message: str) -> None:
    print(f"[{datetime.datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Process trees: CPU and memory


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name (which may hold spaces and parentheses): index 0 is field 3.
    return text[text.rfind(")") + 2:].split()


def process_tree(root: int) -> list[int]:
    """root and all its descendants (scanning /proc for parent links)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields:
                children[int(fields[1])].append(int(entry))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        if _stat_fields(pid) is None:
            continue
        found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def _status_kb(pid: int, path: str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _threads_runtime(pid: int) -> float | None:
    """Sum of the on-CPU time of every thread of pid, in seconds, from /proc/PID/task/*/schedstat
    (nanoseconds: the same sum_exec_runtime that utime+stime are scaled to, without the 1/CLK_TCK
    rounding that makes utime+stime useless for a daemon using milliseconds per minute)."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tasks:
        try:
            total += int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
    return total / 1e9


@dataclasses.dataclass
class Usage:
    cpu: float = 0.0           # on-CPU time of the live processes of the tree (all threads), s
    cpu_ticks: float = 0.0     # the same from utime+stime (10 ms resolution), s
    children_cpu: float = 0.0  # cutime+cstime: reaped children (scripts, notify), s
    rss_kb: int = 0            # sum of VmRSS over the tree
    pss_kb: int = 0            # sum of Pss over the tree (shared pages counted once overall)
    processes: int = 0
    threads: int = 0

    def minus(self, earlier: "Usage") -> "Usage":
        return Usage(cpu=self.cpu - earlier.cpu, cpu_ticks=self.cpu_ticks - earlier.cpu_ticks,
                     children_cpu=self.children_cpu - earlier.children_cpu,
                     rss_kb=self.rss_kb, pss_kb=self.pss_kb, processes=self.processes, threads=self.threads)


def tree_usage(root: int) -> Usage:
    usage = Usage()
    for pid in process_tree(root):
        fields = _stat_fields(pid)
        if not fields:
            continue
        # fields[11..14] = utime stime cutime cstime (stat fields 14..17), fields[17] = num_threads
        ticks = (int(fields[11]) + int(fields[12])) / CLK_TCK
        runtime = _threads_runtime(pid)
        usage.cpu_ticks += ticks
        usage.cpu += ticks if runtime is None else runtime
        usage.children_cpu += (int(fields[13]) + int(fields[14])) / CLK_TCK
        usage.threads += int(fields[17])
        usage.processes += 1
        usage.rss_kb += _status_kb(pid, "status", "VmRSS")
        usage.pss_kb += _status_kb(pid, "smaps_rollup", "Pss")
    return usage


# --------------------------------------------------------------------------------------------
# Configuration: one description, two renderings


@dataclasses.dataclass
class Script:
    name: str
    argv: list[str]            # exec'ed directly by both daemons (Vigil: argv form; keepalived execs)
    interval: float = 1.0
    weight: int = 0


@dataclasses.dataclass
class Inst:
    name: str
    interface: str
    vrid: int
    priority: int
    version: int
    advert_int: float          # seconds
    vips: list[str]
    track_scripts: list[str] = dataclasses.field(default_factory=list)
    state: str | None = None   # "MASTER" / "BACKUP" / None (BACKUP)


def _seconds(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def vigil_config(instances: Sequence[Inst], scripts: Sequence[Script] = ()) -> str:
    parts = [vrrp_support.toml_table("global", VIGIL_GLOBAL)]
    for script in scripts:
        parts.append(vrrp_support.toml_table(f"vrrp_script.{script.name}", {
            "script": list(script.argv), "interval": _duration_toml(script.interval), "weight": script.weight}))
    for inst in instances:
        values = {"interface": inst.interface, "virtual_router_id": inst.vrid, "priority": inst.priority,
                  "version": inst.version, "advert_int": _duration_toml(inst.advert_int),
                  "virtual_ipaddress": list(inst.vips)}
        if inst.state:
            values["state"] = inst.state
        if inst.track_scripts:
            values["track_script"] = list(inst.track_scripts)
        parts.append(vrrp_support.toml_table(f"vrrp_instance.{inst.name}", values))
    return "\n".join(parts)


def _duration_toml(seconds: float):
    if float(seconds).is_integer():
        return int(seconds)
    return f"{round(seconds * 1000)}ms"


def keepalived_config(router_id: str, instances: Sequence[Inst], scripts: Sequence[Script] = (),
                      extra_global: Sequence[str] = ()) -> str:
    out = (["global_defs {", f"    router_id {router_id}", "    script_user root"] +
           [f"    {line}" for line in extra_global] + ["}", ""])
    for script in scripts:
        out += [f"vrrp_script {script.name} {{",
                f"    script \"{' '.join(script.argv)}\"",
                f"    interval {_seconds(script.interval)}",
                f"    weight {script.weight}",
                "}", ""]
    for inst in instances:
        out += [f"vrrp_instance {inst.name} {{",
                f"    state {inst.state or 'BACKUP'}",
                f"    interface {inst.interface}",
                f"    virtual_router_id {inst.vrid}",
                f"    priority {inst.priority}",
                f"    version {inst.version}",
                f"    advert_int {_seconds(inst.advert_int)}",
                "    virtual_ipaddress {"]
        out += [f"        {vip}" for vip in inst.vips]
        out += ["    }"]
        if inst.track_scripts:
            out += ["    track_script {"] + [f"        {name}" for name in inst.track_scripts] + ["    }"]
        out += ["}", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Running either daemon

_KEEPALIVED_STATE = re.compile(r"\((\S+)\) Entering (\w+) STATE")
_VIGIL_STATE = re.compile(r"VRRP instance (\S+) \(vrid \d+ on \S+\): \w+ -> (\w+)")


class Daemon:
    """vigild or keepalived (VRRP only) in one lab node, started from Inst/Script descriptions."""

    def __init__(self, impl: str, node: vigil_lab.Node, instances: Sequence[Inst], scripts: Sequence[Script] = (),
                 name: str | None = None, keepalived_global: Sequence[str] = ()):
        if impl not in IMPLEMENTATIONS:
            raise ValueError(impl)
        self.impl = impl
        self.node = node
        self.name = name or impl
        self.instances = list(instances)
        self.process: vigil_lab.Process | None = None
        self._vigil: vrrp_support.Vigil | None = None
        if impl == "vigil":
            self._vigil = vrrp_support.Vigil(node, vigil_config(instances, scripts), name=self.name)
            self.config_path = self._vigil.config_path
        else:
            self.config_path = node.lab.unique_path(f"{node.name}-{self.name}", ".conf")
            self.config_path.write_text(keepalived_config(node.name, instances, scripts, keepalived_global))
            self.run_dir = node.lab.unique_path(f"{node.name}-{self.name}-run", "")
            self.run_dir.mkdir()

    def start(self) -> "Daemon":
        if self._vigil is not None:
            self._vigil.start(log_level="info")
            self.process = self._vigil.process
        else:
            argv = ["keepalived", "--dont-fork", "--log-console", "--no-syslog", "--vrrp",
                    f"--use-file={self.config_path}", f"--pid={self.run_dir}/ka.pid",
                    f"--vrrp_pid={self.run_dir}/ka-vrrp.pid"]
            self.process = self.node.spawn(argv, name=self.name)
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    def status(self) -> dict | None:
        """vigild's status document (SIGUSR1 dump); None for keepalived."""
        return self._vigil.status() if self._vigil is not None else None

    def alive(self) -> bool:
        return self.process is not None and self.process.alive()

    def log(self) -> str:
        return self.process.output() if self.process else ""

    def states(self) -> dict[str, str]:
        pattern = _VIGIL_STATE if self.impl == "vigil" else _KEEPALIVED_STATE
        found: dict[str, str] = {}
        for match in pattern.finditer(self.log()):
            found[match.group(1)] = match.group(2)
        return found

    def count(self, state: str) -> int:
        return sum(1 for value in self.states().values() if value == state)

    def transitions_to(self, state: str) -> int:
        pattern = _VIGIL_STATE if self.impl == "vigil" else _KEEPALIVED_STATE
        return sum(1 for match in pattern.finditer(self.log()) if match.group(2) == state)

    def wait_all(self, state: str, timeout: float = 60, count: int | None = None, must: bool = True) -> int:
        """Waits until `count` (default: all) instances are in `state`; returns how many are. Raises
        when the daemon exits, or at the timeout when `must`."""
        wanted = len(self.instances) if count is None else count
        names = [inst.name for inst in self.instances]

        def reached_count() -> int:
            states = self.states()
            return sum(1 for name in names if states.get(name) == state)

        def reached() -> bool:
            if not self.alive():
                raise vigil_lab.LabError(f"{self.name} on {self.node.name} exited "
                                         f"(status {self.process.returncode}):\n{self.log()[-3000:]}")
            return reached_count() >= wanted

        try:
            vigil_lab.wait_for(reached, timeout=timeout, interval=0.2,
                               what=f"{wanted} instance(s) {state} in {self.name} on {self.node.name}")
        except vigil_lab.LabTimeout as error:
            if must:
                raise vigil_lab.LabTimeout(f"{error} (reached {reached_count()}; log tail:\n{self.log()[-1500:]})")
        return reached_count()

    def usage(self) -> Usage:
        return tree_usage(self.pid)

    def crash(self) -> float:
        """SIGKILL of the whole daemon. keepalived: the parent is stopped first (so it cannot
        respawn its VRRP child), then the VRRP child and the parent are killed. Returns
        CLOCK_REALTIME taken just before the signal that silences the adverts."""
        if self.impl == "keepalived":
            os.kill(self.pid, signal.SIGSTOP)
            children = [pid for pid in process_tree(self.pid) if pid != self.pid]
            t = time.time()
            for pid in children:
                _signal(pid, signal.SIGKILL)
            _signal(self.pid, signal.SIGKILL)
        else:
            t = time.time()
            _signal(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        return t

    def terminate(self) -> float:
        """SIGTERM to the main process (what `systemctl stop` does). Returns CLOCK_REALTIME."""
        t = time.time()
        _signal(self.pid, signal.SIGTERM)
        return t

    def stop(self) -> None:
        if self.process:
            self.process.stop(grace=15)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------------------------
# Captures: our own pcap decoding (fast enough for 100k adverts; incremental)


@dataclasses.dataclass
class Packet:
    ts: float          # CLOCK_REALTIME, as the kernel stamped it on the bridge
    src_mac: str
    kind: str          # "vrrp", "arp", "na", "other"
    src_ip: str = ""
    vrid: int = 0
    prio: int = 0
    version: int = 0
    target: str = ""   # arp: sender protocol address (the announced IP); na: target address


def _mac(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw)


def decode_frame(ts: float, frame: bytes) -> Packet:
    if len(frame) < 14:
        return Packet(ts, "", "other")
    src_mac = _mac(frame[6:12])
    ethertype = struct.unpack("!H", frame[12:14])[0]
    offset = 14
    if ethertype == 0x8100 and len(frame) >= 18:
        ethertype = struct.unpack("!H", frame[16:18])[0]
        offset = 18
    payload = frame[offset:]
    if ethertype == 0x0800 and len(payload) >= 20:
        ihl = (payload[0] & 0x0F) * 4
        if payload[9] == 112 and len(payload) >= ihl + 3:
            vrrp = payload[ihl:]
            return Packet(ts, src_mac, "vrrp", str(ipaddress.IPv4Address(payload[12:16])), vrid=vrrp[1],
                          prio=vrrp[2], version=vrrp[0] >> 4)
    elif ethertype == 0x86DD and len(payload) >= 40:
        src = str(ipaddress.IPv6Address(payload[8:24]))
        if payload[6] == 112 and len(payload) >= 43:
            vrrp = payload[40:]
            return Packet(ts, src_mac, "vrrp", src, vrid=vrrp[1], prio=vrrp[2], version=vrrp[0] >> 4)
        if payload[6] == 58 and len(payload) >= 64 and payload[40] == 136:
            return Packet(ts, src_mac, "na", src, target=str(ipaddress.IPv6Address(payload[48:64])))
    elif ethertype == 0x0806 and len(payload) >= 28:
        return Packet(ts, src_mac, "arp", str(ipaddress.IPv4Address(payload[14:18])),
                      target=str(ipaddress.IPv4Address(payload[14:18])))
    return Packet(ts, src_mac, "other")


class PcapReader:
    """Reads the records of a (growing) pcap file, returning only those not read before."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.offset = 0
        self.endian = "<"
        self.scale = 1e-6
        self.packets: list[Packet] = []

    def read_new(self) -> list[Packet]:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return []
        position = 0
        if self.offset == 0:
            if len(data) < 24:
                return []
            magic = data[:4]
            if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
                self.endian = "<"
            elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
                self.endian = ">"
            else:
                raise ValueError(f"{self.path}: not a pcap file")
            self.scale = 1e-9 if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1e-6
            position = 24
        header = struct.Struct(self.endian + "IIII")
        new = []
        while position + 16 <= len(data):
            seconds, fraction, captured, _ = header.unpack_from(data, position)
            if position + 16 + captured > len(data):
                break
            frame = data[position + 16:position + 16 + captured]
            new.append(decode_frame(seconds + fraction * self.scale, frame))
            position += 16 + captured
        self.offset += position
        self.packets.extend(new)
        return new


def capture(lab: vigil_lab.Lab, bpf: str, name: str = "capture", snaplen: int = 256,
            buffer_kib: int = 65536) -> vigil_lab.Capture:
    """Like Lab.capture (tcpdump on br0 in the switch namespace, --immediate-mode, packet-buffered
    output) but with a short snapshot length and a large kernel buffer. With Lab.capture's `-s 0`
    and the default 2 MiB buffer, tcpdump reported ~9% of 2000 adverts/s "dropped by kernel"
    (bursts of 200): in immediate mode libpcap's ring has fixed-size slots sized from the snapshot
    length, so a 256 KiB snapshot leaves room for only a few frames."""
    pcap = lab.unique_path(name, ".pcap")
    argv = ["tcpdump", "-i", "br0", "-n", "-U", "--immediate-mode", "-s", str(snaplen), "-B", str(buffer_kib),
            "-w", str(pcap)] + bpf.split()
    process = lab.switch.spawn(argv, name=name)
    result = vigil_lab.Capture(process, pcap)
    lab.captures.append(result)
    vigil_lab.wait_for(lambda: "listening on" in process.output() or not process.alive(), timeout=30,
                       what="tcpdump listening on br0")
    if not process.alive():
        raise vigil_lab.LabError(f"tcpdump exited: {process.output().strip()}")
    return result


def tcpdump_drops(capture: vigil_lab.Capture) -> int | None:
    """Packets tcpdump says the kernel dropped (after capture.stop())."""
    match = re.search(r"(\d+) packets? dropped by kernel", capture.process.output())
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------------------------
# Small helpers


def vrrp_timing(version: int, advert_int: float, priority: int, adverts: int = 3) -> tuple[float, float]:
    """(skew, master-down interval) in seconds, as RFC 3768/5798 and keepalived compute them."""
    skew = (256 - priority) / 256 if version == 2 else (256 - priority) * advert_int / 256
    return skew, adverts * advert_int + skew


def spawn_hogs(node: vigil_lab.Namespace, count: int) -> list[vigil_lab.Process]:
    """`count` busy loops (`yes > /dev/null`), each its own PID (sh execs yes)."""
    return [node.spawn(["sh", "-c", "exec yes > /dev/null"], name=f"hog{i}") for i in range(count)]


def stop_all(processes: Iterable[vigil_lab.Process]) -> None:
    for process in processes:
        process.stop(signal.SIGKILL, grace=5)


# vigild's status-document histograms and the platform floor (cyclictest), shared by
# adverts_under_load.py and reload.py.

def histogram_delta(before: dict | None, after: dict | None, key: str) -> dict | None:
    """The runs a status-document histogram ({"bounds", "counts", ...}) counted between two dumps."""
    if not before or not after or key not in after:
        return None
    old = before.get(key, {}).get("counts", [])
    counts = [c - (old[i] if i < len(old) else 0) for i, c in enumerate(after[key]["counts"])]
    return {"bounds": after[key]["bounds"], "counts": counts, "count": sum(counts),
            "sum": after[key]["sum"] - before.get(key, {}).get("sum", 0.0)}


def sends_later_than(before: dict, after: dict, seconds: float) -> int | None:
    """Sends between two of vigild's status documents that left more than `seconds` after their
    slot, from its advert send lateness histogram (bounds 0.5, 1, 2, 5, 10, 50 and 100 ms)."""
    sends = histogram_delta(before, after, "advert_send_lateness")
    if sends is None or seconds not in sends["bounds"]:
        return None
    within = sum(c for bound, c in zip(sends["bounds"], sends["counts"]) if bound <= seconds)
    return sends["count"] - within


def start_cyclictest(seconds: float) -> subprocess.Popen | None:
    """One real-time thread at the VRRP thread's priority waking every 5 ms for the window, with a
    1 µs histogram up to 100 ms (later wake-ups only raise the reported maximum)."""
    if not shutil.which("cyclictest"):
        return None
    return subprocess.Popen(["cyclictest", "--mlockall", "--policy=rr", "--priority=1", "--interval=5000",
                             "--threads=1", f"--duration={max(1, int(seconds))}", "--quiet", "--histogram=100000"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def cyclictest_result(process: subprocess.Popen | None) -> dict | None:
    """Wake-up latency in ms (median/p99/p99.9/max) from cyclictest's histogram."""
    if process is None:
        return None
    output, _ = process.communicate(timeout=60)
    histogram, maximum = {}, None
    for line in output.splitlines():
        fields = line.split()
        if line.startswith("# Max Latencies:") and len(fields) >= 4:
            maximum = int(fields[3]) / 1000
        elif len(fields) == 2 and fields[0].isdigit() and fields[1].isdigit() and int(fields[1]):
            histogram[int(fields[0])] = int(fields[1])
    total = sum(histogram.values())
    if not total:
        return None
    result, seen = {"n": total}, 0
    for microseconds in sorted(histogram):
        seen += histogram[microseconds]
        for key, quantile in (("median", 0.5), ("p99", 0.99), ("p999", 0.999)):
            if key not in result and seen >= quantile * total:
                result[key] = microseconds / 1000
    result["max"] = maximum if maximum is not None else max(histogram) / 1000
    return result
