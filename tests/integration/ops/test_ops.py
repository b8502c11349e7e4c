#!/usr/bin/python3
"""Operations in a namespace lab: test_ops.py CASE (notify_sequence, vigilctl, metrics).

vigild runs in its own node of a vigil_lab lab (VRRP traffic stays on the lab's bridge), with a
NOTIFY_SOCKET this test listens on, a control socket vigilctl talks to, and a metrics listener.
Exit 0 pass, 1 fail, 77 skip (reason printed).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "vrrp"))
import vrrp_support  # noqa: E402
from vrrp_support import Vigil, assert_equal, assert_true, instance, toml_table, vigil_lab  # noqa: E402

VIGILCTL = os.environ.get("VIGILCTL", "")
WATCHDOG_USEC = 1_000_000
METRICS_PORT = 9650


def config(extra_global: dict | None = None, priority: int = 150, scripts: bool = False) -> str:
    settings = {"vrrp_rt_priority": 0, "vrrp_no_swap": False}
    settings.update(extra_global or {})
    tracked = {"track_script": ["chk_ok", "chk_fail"]} if scripts else {}
    text = toml_table("global", settings) + instance(
        "VI_1", priority=priority, advert_int=1, track_file=["maint"], **tracked) + toml_table(
        "track_file.maint", {"file": "maint-weight", "weight": -10, "init_file": True})
    if scripts:
        # One passing and one failing script (weight -5: the instance stays MASTER, there is no peer).
        text += toml_table("vrrp_script.chk_ok", {"script": ["/bin/true"], "interval": "300ms"})
        text += toml_table("vrrp_script.chk_fail", {"script": ["/bin/false"], "interval": "300ms", "weight": -5})
    return text


class NotifyListener:
    """The NOTIFY_SOCKET a Type=notify service gets from systemd; keeps every message in order."""

    def __init__(self, path: Path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages: list[str] = []

    def wait_for(self, field: str, timeout: float = 20) -> str:
        """Reads until a message holding the line `field` (or starting with it, for KEY=) arrives."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                message = self.sock.recv(4096).decode()
            except socket.timeout:
                break
            self.messages.append(message)
            if any(line == field or (field.endswith("=") and line.startswith(field)) for line in message.split("\n")):
                return message
        raise AssertionError(f"{field} not received within {timeout}s; got {self.non_watchdog()}")

    def non_watchdog(self) -> list[str]:
        return [m for m in self.messages if m != "WATCHDOG=1"]

    def close(self) -> None:
        self.sock.close()


def vigilctl(daemon: Vigil, *args: str, user: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    argv = [VIGILCTL, "--runtime-dir", str(daemon.runtime_dir), *args]
    if user:
        argv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *argv]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if check and result.returncode != 0:
        raise AssertionError(f"vigilctl {' '.join(args)}: exit {result.returncode}\n{result.stdout}{result.stderr}")
    return result


def start(lab: vigil_lab.Lab, text: str, env: dict | None = None) -> tuple[vigil_lab.Node, Vigil]:
    node = lab.add_node("a", addresses=["192.0.2.1/24"])
    daemon = Vigil(node, text)
    argv = [vrrp_support.require_vigild(), "--config", str(daemon.config_path), "--runtime-dir",
            str(daemon.runtime_dir), "--log-level", "debug"]
    daemon.process = node.spawn(argv, name="vigild", env=env, cwd=str(lab.workdir))
    vrrp_support._started.append(daemon)
    return node, daemon


def status_json(daemon: Vigil) -> dict:
    return json.loads(vigilctl(daemon, "status", "--json").stdout)


def case_notify_sequence(lab: vigil_lab.Lab) -> None:
    listener = NotifyListener(lab.workdir / "notify.sock")
    env = dict(os.environ, NOTIFY_SOCKET=listener.path, WATCHDOG_USEC=str(WATCHDOG_USEC))
    env.pop("WATCHDOG_PID", None)
    node, daemon = start(lab, config(), env)
    try:
        # Start: READY=1 comes after the first config is applied (the engine runs: VI_1 is known).
        ready = listener.wait_for("READY=1")
        assert_true("STATUS=running with" in ready, f"READY=1 carries a status: {ready!r}")
        assert_true(any(i["name"] == "VI_1" for i in status_json(daemon)["vrrp_instances"]),
                    "VI_1 running at READY=1")
        daemon.wait_state("MASTER")
        node.wait_for_address("192.0.2.100")
        # The watchdog ping (every WATCHDOG_USEC / 2).
        listener.wait_for("WATCHDOG=1", timeout=WATCHDOG_USEC / 1e6 * 3)

        # Good reload: RELOADING=1 with MONOTONIC_USEC, then READY=1.
        daemon.config_path.write_text(daemon.config_path.read_text() + "# comment only\n")
        before = time.clock_gettime(time.CLOCK_MONOTONIC)
        daemon.process.send_signal(signal.SIGHUP)
        reloading = listener.wait_for("RELOADING=1")
        stamps = [line for line in reloading.split("\n") if line.startswith("MONOTONIC_USEC=")]
        assert_equal(len(stamps), 1, f"one MONOTONIC_USEC with RELOADING=1: {reloading!r}")
        usec = int(stamps[0].split("=", 1)[1])
        assert_true(before * 1e6 - 1e6 <= usec <= time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6,
                    f"MONOTONIC_USEC={usec} is CLOCK_MONOTONIC now ({before * 1e6:.0f})")
        ready = listener.wait_for("READY=1")
        assert_true("reloaded 1 times" in ready, f"READY=1 after a good reload: {ready!r}")

        # Bad reload: STATUS= names the error with file:line:col, READY=1, the old config stays.
        good_text = daemon.config_path.read_text()
        daemon.config_path.write_text(good_text + "[vrrp_instance.VI_1\n")
        daemon.process.send_signal(signal.SIGHUP)
        listener.wait_for("RELOADING=1")
        ready = listener.wait_for("READY=1")
        assert_true(f"STATUS=reload failed: {daemon.config_path}:" in ready,
                    f"STATUS= carries the error with file:line:col: {ready!r}")
        instance_now = [i for i in status_json(daemon)["vrrp_instances"] if i["name"] == "VI_1"][0]
        assert_equal(instance_now["state"], "MASTER", "VI_1 state after the refused reload")
        assert_equal(instance_now["base_priority"], 150, "VI_1 priority after the refused reload")
        assert_true(node.has_address("192.0.2.100"), "VIP still in place after the refused reload")

        # Stop: STOPPING=1, exit 0.
        daemon.process.send_signal(signal.SIGTERM)
        listener.wait_for("STOPPING=1")
        assert_equal(daemon.process.wait(timeout=20), 0, "exit status after SIGTERM")

        # The whole sequence, watchdog pings aside.
        kinds = []
        for message in listener.non_watchdog():
            for key in ("READY=1", "RELOADING=1", "STOPPING=1"):
                if key in message.split("\n"):
                    kinds.append(key)
        assert_equal(kinds, ["READY=1", "RELOADING=1", "READY=1", "RELOADING=1", "READY=1", "STOPPING=1"],
                     "notify sequence")
        print("notify sequence:", " | ".join(m.replace("\n", " ") for m in listener.non_watchdog()))
    finally:
        listener.close()


def case_vigilctl(lab: vigil_lab.Lab) -> None:
    if not VIGILCTL or not Path(VIGILCTL).exists():
        vigil_lab.skip(f"vigilctl binary not found (VIGILCTL={VIGILCTL!r})")
    if shutil.which("setpriv") is None:
        vigil_lab.skip("setpriv is not installed (util-linux)")
    node, daemon = start(lab, config())
    # Not running yet / any more: a clear message and exit 3.
    missing = subprocess.run([VIGILCTL, "--runtime-dir", str(lab.workdir / "nowhere"), "status"],
                             capture_output=True, text=True, timeout=30)
    assert_equal(missing.returncode, 3, f"no daemon: exit code ({missing.stderr})")
    assert_true("does not exist" in missing.stderr and "not running" in missing.stderr,
                f"no daemon: message {missing.stderr!r}")
    daemon.wait_state("MASTER")
    socket_path = Path(daemon.runtime_dir) / "vigild.sock"
    vigil_lab.wait_for(socket_path.exists, what="control socket")
    assert_equal(oct(socket_path.stat().st_mode & 0o777), "0o600", "control socket mode")

    table = vigilctl(daemon, "status").stdout
    for text in ("INSTANCE", "VI_1", "MASTER", "150/150", "192.0.2.100/24", "file:maint", "eth0"):
        assert_true(text in table, f"status table shows {text!r}:\n{table}")
    document = status_json(daemon)
    vi = document["vrrp_instances"][0]
    assert_equal((vi["name"], vi["state"], vi["base_priority"]), ("VI_1", "MASTER", 150), "status --json")
    assert_true(isinstance(vi["last_transition"], float) and abs(vi["last_transition"] - time.time()) < 120,
                f"last_transition is recent unix time: {vi['last_transition']}")
    assert_equal(document["daemon"]["pid"], daemon.process.pid, "daemon pid")
    # The load balancer answers too (merged with the VRRP part): no virtual server here, and the
    # kernel's IPVS is either absent ("unavailable", then the table says so) or not used.
    assert_equal(document["virtual_servers"], [], "no virtual servers")
    assert_true(document["ipvs"]["state"] in ("unavailable", "unused"), f"ipvs state {document['ipvs']}")
    if document["ipvs"]["state"] == "unavailable":
        assert_true("IPVS: unavailable" in table, "status table says IPVS is unavailable")

    # The tracker moves the effective priority; status shows it.
    (lab.workdir / "maint-weight").write_text("1\n")
    vigil_lab.wait_for(lambda: status_json(daemon)["vrrp_instances"][0]["effective_priority"] == 140,
                       what="effective priority 140 after track_file")
    assert_true("150/140" in vigilctl(daemon, "status").stdout, "status shows base/effective 150/140")

    # stats: counters move; --clear starts again from zero; the dump keeps the totals.
    stats = json.loads(vigilctl(daemon, "stats", "--json").stdout)
    counters = stats["vrrp_instances"][0]["counters"]
    for key in ("adverts_sent", "adverts_received", "become_master", "release_master", "priority_zero_sent",
                "priority_zero_received", "rejected.bad-ttl", "rejected.auth-failure", "rejected.bad-checksum",
                "address_list_mismatch"):
        assert_true(key in counters, f"stats has {key}: {sorted(counters)}")
    assert_true(counters["adverts_sent"] > 0 and counters["become_master"] == 1, f"counters {counters}")
    cleared = json.loads(vigilctl(daemon, "stats", "--clear", "--json").stdout)
    assert_true(cleared["cleared_at"] is not None, "cleared_at set")
    assert_true(cleared["vrrp_instances"][0]["counters"]["adverts_sent"] <= 1, f"cleared: {cleared}")
    time.sleep(1.5)  # at least one advert at 1 s
    after = json.loads(vigilctl(daemon, "stats", "--json").stdout)["vrrp_instances"][0]["counters"]
    assert_true(1 <= after["adverts_sent"] < counters["adverts_sent"] + 10, f"counting again: {after}")
    assert_equal(after["become_master"], 0, "become_master since the clear")
    text_stats = vigilctl(daemon, "stats").stdout
    assert_true("counters since" in text_stats and "VI_1 (vrid 51 on eth0)" in text_stats, text_stats)
    dump = json.loads(vigilctl(daemon, "dump").stdout)
    dumped = dump["vrrp_instances"][0]
    assert_true(dumped["stats"]["adverts_sent"] >= counters["adverts_sent"], "dump keeps totals")
    assert_true("receive" in dumped and "rejected" in dumped["receive"], "dump has the rejection counters")
    assert_true("dumped_at" in dump and "daemon" in dump, "dump has daemon info")

    # reload: success, then a broken file is refused with file:line:col and changes nothing.
    assert_equal(vigilctl(daemon, "reload").stdout.strip(), "reloaded", "vigilctl reload output")
    good_text = daemon.config_path.read_text()
    daemon.config_path.write_text(good_text.replace("priority = 150", "priority = 300"))
    refused = vigilctl(daemon, "reload", check=False)
    assert_equal(refused.returncode, 1, f"broken reload: exit code ({refused.stderr})")
    assert_true(f"{daemon.config_path}:" in refused.stderr and "priority" in refused.stderr,
                f"broken reload names file:line:col: {refused.stderr!r}")
    after_reload = status_json(daemon)
    assert_equal(after_reload["vrrp_instances"][0]["base_priority"], 150, "priority unchanged")
    assert_equal(after_reload["daemon"]["reloads_succeeded"], 1, "reloads_succeeded")
    assert_equal(after_reload["daemon"]["reloads_failed"], 1, "reloads_failed")
    assert_true(not after_reload["daemon"]["last_reload"]["ok"], "last reload failed")
    assert_true("last reload: FAILED" in vigilctl(daemon, "status").stdout, "status shows the failed reload")
    daemon.config_path.write_text(good_text)

    # Not permitted: the socket is root-only.
    denied = vigilctl(daemon, "status", user="65534", check=False)
    assert_equal(denied.returncode, 4, f"unprivileged: exit code ({denied.stderr})")
    assert_true("permission denied" in denied.stderr, f"unprivileged: message {denied.stderr!r}")

    # Stopped: the socket goes away with the daemon; a stale socket says "refused".
    assert_equal(daemon.stop(), 0, "vigild exit status")
    gone = vigilctl(daemon, "status", check=False)
    assert_equal(gone.returncode, 3, f"after stop: exit code ({gone.stderr})")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(socket_path))
    stale.close()
    refused = vigilctl(daemon, "status", check=False)
    assert_equal(refused.returncode, 3, "stale socket: exit code")
    assert_true("connection refused" in refused.stderr, f"stale socket: message {refused.stderr!r}")


LATENESS = "vigil_advert_send_lateness_seconds"
LATENESS_BOUNDS = ["0.0005", "0.001", "0.002", "0.005", "0.01", "0.05", "0.1", "+Inf"]


def check_lateness_histogram(scrape) -> None:
    """The engine's advert send lateness histogram: every bucket, cumulative, +Inf equal to the
    count, which grows with the master's adverts (timing itself is not asserted: shared CI)."""
    def series(body: str) -> dict[str, float]:
        found = {}
        for line in body.splitlines():
            if line.startswith(LATENESS):
                name, _, value = line.rpartition(" ")
                found[name] = float(value)
        return found

    vigil_lab.wait_for(lambda: series(scrape()).get(f"{LATENESS}_count", 0) >= 2, what="two adverts in the histogram")
    body = scrape()
    assert_true(f"# TYPE {LATENESS} histogram" in body, "lateness histogram typed")
    found = series(body)
    buckets = [found.get(f'{LATENESS}_bucket{{le="{bound}"}}') for bound in LATENESS_BOUNDS]
    assert_true(all(b is not None for b in buckets), f"every lateness bucket exported: {found}")
    assert_true(all(a <= b for a, b in zip(buckets, buckets[1:])), f"lateness buckets cumulative: {buckets}")
    assert_equal(buckets[-1], found[f"{LATENESS}_count"], "+Inf bucket equals the count")
    assert_true(found[f"{LATENESS}_sum"] >= 0, "lateness sum")
    print(f"advert send lateness: {found[f'{LATENESS}_count']:.0f} adverts, buckets {buckets}")


def case_metrics(lab: vigil_lab.Lab) -> None:
    node, daemon = start(lab, config({"metrics_listen": f"127.0.0.1:{METRICS_PORT}"}, scripts=True))
    daemon.wait_state("MASTER")
    url = f"http://127.0.0.1:{METRICS_PORT}/metrics"

    def scrape() -> tuple[str, str]:
        # The listener is inside the node's namespace: fetch from there.
        result = node.run(["python3", "-c", f"import urllib.request,sys;r=urllib.request.urlopen('{url}',timeout=10);"
                           "sys.stdout.write(r.headers['Content-Type']+'\\n'+r.read().decode())"])
        content_type, _, body = result.stdout.partition("\n")
        return content_type, body

    vigil_lab.wait_for(lambda: 'keepalived_become_master_total{iname="VI_1",intf="eth0",vrid="51"} 1' in scrape()[1],
                       what="metrics after MASTER")
    content_type, body = scrape()
    assert_true(content_type.startswith("text/plain; version=0.0.4"), f"content type {content_type!r}")
    for text in ('keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51",ip_address="192.0.2.100"} 2',
                 'keepalived_advertisements_sent_total{iname="VI_1",intf="eth0",vrid="51"}',
                 'vigil_vrrp_priority{iname="VI_1",intf="eth0",vrid="51",kind="base"} 150',
                 'vigil_reloads_total{result="success"} 0'):
        assert_true(text in body, f"metrics have {text!r}")
    # Track scripts: the exporter's status (1 GOOD, 0 BAD) and state, and Vigil's counters.
    vigil_lab.wait_for(lambda: 'keepalived_script_status{name="chk_fail"} 0' in scrape()[1],
                       what="chk_fail reported BAD")
    body = scrape()[1]
    for text in ('keepalived_script_status{name="chk_ok"} 1', 'keepalived_script_state{name="chk_ok"} ',
                 'vigil_script_timeouts_total{name="chk_ok"} 0', 'vigil_script_last_duration_seconds{name="chk_ok"} '):
        assert_true(text in body, f"metrics have {text!r}")

    def script_counter(name: str, family: str) -> int:
        prefix = f'{family}{{name="{name}"}} '
        lines = [line for line in scrape()[1].splitlines() if line.startswith(prefix)]
        assert_equal(len(lines), 1, f"one {prefix!r} line")
        return int(float(lines[0][len(prefix):]))

    vigil_lab.wait_for(lambda: script_counter("chk_fail", "vigil_script_failures_total") >= 2, what="failures counted")
    # The same figures in the state document, and the timers in the dump (a MASTER's next advert).
    scripts = {s["name"]: s for s in status_json(daemon)["vrrp_scripts"]}
    assert_equal(sorted(scripts), ["chk_fail", "chk_ok"], "scripts in status --json")
    assert_equal((scripts["chk_ok"]["status"], scripts["chk_fail"]["status"]), ("GOOD", "BAD"), "script status")
    assert_true(scripts["chk_fail"]["failures"] >= 2 and scripts["chk_ok"]["failures"] == 0, f"counters {scripts}")
    dump = json.loads(vigilctl(daemon, "dump").stdout)
    now = time.time()
    timers = dump["vrrp_instances"][0]["timers"]
    assert_true(timers["advert"] is not None and now - 1 <= timers["advert"] <= now + 2, f"next advert due: {timers}")
    assert_true(timers["master_down"] is None, f"a master has no master-down timer: {timers}")
    next_run = {s["name"]: s["next_run"] for s in dump["vrrp_scripts"]}
    assert_true(all(v is None or now - 1 <= v <= now + 2 for v in next_run.values()), f"next script runs {next_run}")

    runs_before = script_counter("chk_ok", "vigil_script_runs_total")
    check_lateness_histogram(lambda: scrape()[1])
    os.kill(daemon.process.pid, signal.SIGHUP)
    vigil_lab.wait_for(lambda: 'vigil_reloads_total{result="success"} 1' in scrape()[1], what="reload counted")
    assert_true("vigil_last_reload_duration_seconds " in scrape()[1], "reload duration exported")
    # An unchanged script keeps running through the reload: its counters go on, not from zero.
    assert_true(script_counter("chk_ok", "vigil_script_runs_total") >= runs_before, "runs kept across the reload")
    missing = node.run(["python3", "-c", "import urllib.request,urllib.error\ntry:\n urllib.request.urlopen("
                        f"'http://127.0.0.1:{METRICS_PORT}/nope',timeout=10)\nexcept urllib.error.HTTPError as e:\n"
                        " print(e.code)"]).stdout.strip()
    assert_equal(missing, "404", "unknown path")
    # tools/install-deps.sh unpacks promtool into /var/cache/vigil-tools (see why there).
    unpacked = "/var/cache/vigil-tools/promtool"
    promtool = os.environ.get("PROMTOOL") or shutil.which("promtool") or (
        unpacked if os.access(unpacked, os.X_OK) else None)
    if promtool is None:
        print("promtool not found (tools/install-deps.sh unpacks it from the Debian package prometheus): "
              "exposition checked by unit_control only")
    else:
        checked = subprocess.run([promtool, "check", "metrics"], input=scrape()[1], capture_output=True, text=True,
                                 timeout=60)
        assert_equal(checked.returncode, 0, f"promtool check metrics: {checked.stdout}{checked.stderr}")
        print("promtool check metrics: ok")


def main() -> None:
    cases = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}
    vrrp_support.run_scenarios(cases)


if __name__ == "__main__":
    main()
