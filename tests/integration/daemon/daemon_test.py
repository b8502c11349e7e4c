#!/usr/bin/python3
"""Integration tests of the vigild executable: daemon_test.py VIGILD CASE.

Each case starts its own daemons in its own temporary directory, ends them by the pid it
started, and removes the directory. Exit 0 = pass, 1 = fail, 77 = skipped (reason printed).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
VIGILD = sys.argv[1]
CASE = sys.argv[2]

GOOD_CONFIG = """\
[global]
router_id = "vigil-test"
"""
BAD_CONFIG = """\
[vrrp_instance.VI_1]
priority = 300
no_such_key = 1
"""


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


def run(*args, env=None):
    return subprocess.run([VIGILD, *args], capture_output=True, text=True, timeout=30, env=env)


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def built_with_config(tmp):
    """The daemon validates configs only once src/config is built (see src/daemon/config_source.hpp)."""
    result = run("--check", "--config", write(tmp, "probe.toml", BAD_CONFIG))
    return "built without src/config" not in result.stderr


class NotifyListener:
    """A NOTIFY_SOCKET, as systemd gives a Type=notify service."""

    def __init__(self, tmp):
        self.path = os.path.join(tmp, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)

    def receive(self, timeout=15):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(4096).decode()
        except socket.timeout:
            raise Failure(f"no sd_notify message within {timeout}s")

    def wait_for(self, field, timeout=15):
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            message = self.receive(max(0.1, deadline - time.monotonic()))
            seen.append(message)
            if field in message.split("\n"):
                return seen
        raise Failure(f"{field} not received; got {seen}")

    def close(self):
        self.sock.close()


class Daemon:
    def __init__(self, config, runtime_dir, env=None, prefix=()):
        self.runtime_dir = runtime_dir
        self.process = subprocess.Popen([*prefix, VIGILD, "--config", config, "--runtime-dir", runtime_dir],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)

    def wait_for_pid_file(self, timeout=15, expected=None):
        path = os.path.join(self.runtime_dir, "vigild.pid")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            check(self.process.poll() is None, f"vigild exited early: {self.output()}")
            try:
                with open(path) as f:
                    text = f.read().strip()
                if text and (expected is None or int(text) == expected):
                    return int(text)
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        raise Failure(f"{path} did not appear")

    def stop(self, sig=signal.SIGTERM, send=True):
        if send and self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise Failure("vigild did not stop on SIGTERM")

    def output(self):
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stdout.read()

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def case_help(tmp):
    result = run("--help")
    check(result.returncode == 0, f"--help exit {result.returncode}")
    for text in ("--config", "--check", "--log-level", "--runtime-dir", "--version", "Exit codes:", "2  usage"):
        check(text in result.stdout, f"--help lacks {text!r}: {result.stdout}")


def case_version(tmp):
    result = run("--version")
    check(result.returncode == 0, f"--version exit {result.returncode}")
    check(result.stdout.startswith("vigild "), f"unexpected version text {result.stdout!r}")


def case_usage(tmp):
    for args in (["--no-such-option", "--config", "x.toml"], [], ["--config"], ["--config", "x", "--log-level", "loud"]):
        result = run(*args)
        check(result.returncode == 2, f"{args}: exit {result.returncode}, want 2 ({result.stderr})")


def case_check_good(tmp):
    if not built_with_config(tmp):
        skip("vigild built without src/config")
    result = run("--check", "--config", write(tmp, "good.toml", GOOD_CONFIG))
    check(result.returncode == 0, f"exit {result.returncode}: {result.stdout}{result.stderr}")
    examples = os.path.join(os.path.dirname(__file__), "..", "..", "..", "config-examples")
    for root, _, files in os.walk(examples):
        for name in files:
            if name.endswith((".toml", ".yaml", ".yml")):
                result = run("--check", "--config", os.path.join(root, name))
                check(result.returncode == 0, f"{name}: exit {result.returncode}: {result.stderr}")


def case_check_bad(tmp):
    if not built_with_config(tmp):
        skip("vigild built without src/config")
    path = write(tmp, "bad.toml", BAD_CONFIG)
    result = run("--check", "--config", path)
    check(result.returncode == 1, f"exit {result.returncode}, want 1")
    check(result.stderr.count(": error:") >= 2, f"want every error listed: {result.stderr}")
    check(f"{path}:2:" in result.stderr and f"{path}:3:" in result.stderr, f"want file:line: {result.stderr}")
    result = run("--check", "--config", os.path.join(tmp, "missing.toml"))
    check(result.returncode == 1, f"missing file: exit {result.returncode}, want 1")
    # A daemon refuses to start on an invalid file, with the same exit code.
    result = run("--config", path, "--runtime-dir", os.path.join(tmp, "run"))
    check(result.returncode == 1, f"start with bad config: exit {result.returncode}, want 1")


def case_side_by_side(tmp):
    config = write(tmp, "vigil.toml", GOOD_CONFIG)
    first = Daemon(config, os.path.join(tmp, "a"))
    second = Daemon(config, os.path.join(tmp, "b"))
    try:
        pid_a = first.wait_for_pid_file()
        pid_b = second.wait_for_pid_file()
        check(pid_a == first.process.pid and pid_b == second.process.pid, "pid files name the daemons")
        third = run("--config", config, "--runtime-dir", os.path.join(tmp, "a"))
        check(third.returncode == 3, f"same runtime dir: exit {third.returncode}, want 3")
        check(f"pid {pid_a}" in third.stderr, f"refusal should name pid {pid_a}: {third.stderr}")
        check(first.process.poll() is None, "the first daemon must survive the refused start")
        check(first.stop() == 0, "first daemon: orderly exit")
        check(not os.path.exists(os.path.join(tmp, "a", "vigild.pid")), "pid file removed on exit")
        # A stale pid file (a daemon that died without cleaning up) never blocks a start.
        write(os.path.join(tmp, "a"), "vigild.pid", "999999\n")
        again = Daemon(config, os.path.join(tmp, "a"))
        try:
            again.wait_for_pid_file(expected=again.process.pid)  # the stale pid file was taken over
            check(again.stop() == 0, "restarted daemon: orderly exit")
        finally:
            again.kill()
        check(second.stop() == 0, "second daemon: orderly exit")
    finally:
        first.kill()
        second.kill()


def case_notify(tmp):
    config = write(tmp, "vigil.toml", GOOD_CONFIG)
    listener = NotifyListener(tmp)
    env = dict(os.environ, NOTIFY_SOCKET=listener.path)
    daemon = Daemon(config, os.path.join(tmp, "run"), env=env)
    try:
        listener.wait_for("READY=1")
        daemon.process.send_signal(signal.SIGHUP)
        reloading = listener.wait_for("RELOADING=1")
        check(any("MONOTONIC_USEC=" in m for m in reloading), f"RELOADING=1 without MONOTONIC_USEC: {reloading}")
        listener.wait_for("READY=1")
        daemon.process.send_signal(signal.SIGTERM)
        listener.wait_for("STOPPING=1")
        check(daemon.stop(send=False) == 0, "orderly exit after SIGTERM")
    finally:
        daemon.kill()
        listener.close()


def case_strace_io_uring(tmp):
    strace = shutil.which("strace")
    if strace is None:
        skip("strace is not installed")
    if "io_uring" not in run("--version").stdout:
        skip("vigild built on epoll (VIGIL_IO_URING=OFF)")
    probe = subprocess.run([strace, "-f", "-o", "/dev/null", "/bin/true"], capture_output=True)
    if probe.returncode != 0:
        skip(f"strace cannot trace here: {probe.stderr.decode().strip()}")
    config = write(tmp, "vigil.toml", GOOD_CONFIG)
    trace = os.path.join(tmp, "trace")
    listener = NotifyListener(tmp)
    # LeakSanitizer cannot run under a tracer (it ptraces the process itself): off for this case.
    env = dict(os.environ, NOTIFY_SOCKET=listener.path, ASAN_OPTIONS="detect_leaks=0")
    daemon = Daemon(config, os.path.join(tmp, "run"), env=env, prefix=[strace, "-f", "-qq", "-o", trace])
    try:
        listener.wait_for("READY=1", timeout=30)
        vigild_pid = daemon.wait_for_pid_file()
        os.kill(vigild_pid, signal.SIGHUP)  # some event-loop work: signal delivery and a reload
        listener.wait_for("READY=1")
        os.kill(vigild_pid, signal.SIGTERM)
        listener.wait_for("STOPPING=1")
        code = daemon.process.wait(timeout=30)
        check(code == 0, f"orderly exit under strace, got {code}: {daemon.output()}")
    finally:
        daemon.kill()
        listener.close()
    with open(trace) as f:
        calls = f.read()
    check("io_uring_setup(" in calls, "no io_uring_setup in the trace")
    check("io_uring_enter(" in calls, "no io_uring_enter in the trace")
    for forbidden in ("epoll_wait(", "epoll_pwait(", "epoll_create", "timerfd_create("):
        check(forbidden not in calls, f"{forbidden} found: the event loop is not on io_uring")


def main():
    cases = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}
    if CASE not in cases:
        print(f"unknown case {CASE}; known: {', '.join(sorted(cases))}")
        return 2
    tmp = tempfile.mkdtemp(prefix="vigil-daemon-test-")
    try:
        cases[CASE](tmp)
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
