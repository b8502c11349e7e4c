#!/usr/bin/python3
"""Health checkers against real servers in a namespace lab, driven by vigil-checkrun (no IPVS).

Node "srv" (192.0.2.2, 2001:db8::2) runs servers.py (HTTP, HTTPS, SMTP, UDP echo) and dnsmasq;
node "lb" (192.0.2.1) runs vigil-checkrun. 192.0.2.99 is nobody.

1. table: one real server per case, each kind up, down (closed port or unreachable host), slow
   (timeout) and with a wrong answer. Cases expected UP start with alpha (DOWN until a probe
   passes) and cases expected DOWN without it, so every case must show a transition.
2. flap: an HTTP checker follows its server going away and coming back, after retry probes.
3. genhash: vigil-genhash and `vigilctl genhash` print the digest an http_get / ssl_get expects
   (http, https, --verbose, a chunked body) and the status code.
4. ssl reload: a SIGHUP that changes [ssl] (the CA an ssl_get verifies against) turns the verdict
   DOWN and back UP (vigil-checkrun applies [ssl] as vigild's reload does: CheckerSet::set_ssl).
5. misc stop: stopped while misc_check scripts (with a background child each) run, the checkers
   leave no script process behind (the CheckerSet stop vigild's load balancer uses at its stop).
Usage: test_checkers.py VIGIL_CHECKRUN VIGIL_GENHASH VIGILCTL. Exit 0 pass, 1 fail, 77 skip.
"""

import hashlib
import json
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import vigil_lab  # noqa: E402

HERE = Path(__file__).resolve().parent
CHECKRUN = sys.argv[1]
GENHASH = sys.argv[2]
VIGILCTL = sys.argv[3]
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


HEALTHY_MD5 = hashlib.md5(b"healthy\n").hexdigest()

# (name, expected_up, checker kind, checker table body)
CASES = [
    ("tcp up", True, "tcp_check", 'connect_port = 80'),
    ("tcp closed port", False, "tcp_check", 'connect_port = 81'),
    ("tcp unreachable host", False, "tcp_check", 'connect_ip = "192.0.2.99"\nconnect_port = 80'),
    ("http up with digest", True, "http_get",
     f'connect_port = 80\nurl = [{{ path = "/health", digest = "{HEALTHY_MD5}", status_code = [200] }}]'),
    ("http wrong status", False, "http_get", 'connect_port = 80\nurl = [{ path = "/error" }]'),
    ("http wrong digest", False, "http_get",
     'connect_port = 80\nurl = [{ path = "/health", digest = "00000000000000000000000000000000" }]'),
    ("http slow", False, "http_get", 'connect_port = 80\nurl = [{ path = "/slow" }]'),
    ("http chunked body, digest of the de-chunked body", True, "http_get",
     f'connect_port = 80\nhttp_protocol = "1.1"\nurl = [{{ path = "/chunked", digest = "{HEALTHY_MD5}" }}]'),
    ("https chunked body", True, "ssl_get",
     f'connect_port = 443\nhttp_protocol = "1.1"\nurl = [{{ path = "/chunked", digest = "{HEALTHY_MD5}" }}]'),
    ("http two urls, one bad", False, "http_get",
     'connect_port = 80\nurl = [{ path = "/health" }, { path = "/missing" }]'),
    ("https up, SNI, verified", True, "ssl_get",
     f'connect_port = 443\nsni_name = "www.example.test"\nverify_certificate = true\n'
     f'url = [{{ path = "/health", digest = "{HEALTHY_MD5}" }}]'),
    ("https wrong certificate name", False, "ssl_get",
     'connect_port = 443\nsni_name = "other.example.test"\nverify_certificate = true\nurl = [{ path = "/health" }]'),
    ("https to a plain HTTP port", False, "ssl_get", 'connect_port = 80\nurl = [{ path = "/health" }]'),
    ("smtp up", True, "smtp_check", 'connect_port = 25\nhelo_name = "lb.example.test"'),
    ("smtp wrong greeting", False, "smtp_check", 'connect_port = 2525'),
    ("smtp silent server", False, "smtp_check", 'connect_port = 2526'),
    ("dns up", True, "dns_check", 'connect_port = 53\ntype = "A"\nname = "www.example.test"'),
    ("dns unknown name", False, "dns_check", 'connect_port = 53\ntype = "A"\nname = "missing.example.test"'),
    ("dns closed port", False, "dns_check", 'connect_port = 5353\ntype = "A"\nname = "www.example.test"'),
    ("udp echo matches", True, "udp_check", 'connect_port = 7\npayload = "68656c6c6f"\nrequire_reply = "68656cXXXX"'),
    ("udp wrong reply", False, "udp_check", 'connect_port = 7\npayload = "68656c6c6f"\nrequire_reply = "ffff"'),
    ("udp closed port", False, "udp_check", 'connect_port = 8\npayload = "00"'),
    ("ping up", True, "ping_check", ''),
    ("ping unreachable", False, "ping_check", 'connect_ip = "192.0.2.99"'),
    ("ping6 up", True, "ping_check", 'connect_ip = "2001:db8::2"'),
    ("misc exit 0", True, "misc_check", 'misc_path = "exit 0"'),
    ("misc exit 1", False, "misc_check", 'misc_path = "exit 1"'),
    ("misc dynamic exit 7 = weight 5", True, "misc_check", 'misc_path = "exit 7"\nmisc_dynamic = true'),
    ("misc too slow", False, "misc_check", 'misc_path = "sleep 5"\nmisc_timeout = "300ms"'),
    ("file holds 0", True, "file_check", 'track_file = "zero"\nweight = 0'),
    ("file holds 1", False, "file_check", 'track_file = "one"\nweight = 0'),
]


def table_config(workdir: Path) -> str:
    (workdir / "zero").write_text("0\n")
    (workdir / "one").write_text("1\n")
    parts = [f'[ssl]\nca = "{workdir / "cert.pem"}"\n',
             f'[track_file.zero]\nfile = "{workdir / "zero"}"\n',
             f'[track_file.one]\nfile = "{workdir / "one"}"\n',
             '[[virtual_server]]\nip = "192.0.2.100"\nport = 80\ndelay_loop = "1s"\nconnect_timeout = "1s"\n'
             'warmup = "0s"\nretry = 0\n']
    for i, (name, up, kind, body) in enumerate(CASES):
        parts.append(f'# {name}\n[[virtual_server.real_server]]\nip = "192.0.2.2"\nport = {10000 + i}\n'
                     f'alpha = {"true" if up else "false"}\n'
                     f'[[virtual_server.real_server.{kind}]]\n{body}\n')
    return "\n".join(parts)


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def check_sanitizers(what: str, output: str):
    """Sanitized builds: a report in a checker run's output fails the test."""
    reports = [line for line in output.splitlines() if any(mark in line for mark in SANITIZER_MARKS)]
    check(not reports, f"{what}: no sanitizer report" + (f" ({reports[0]})" if reports else ""))


def verdicts(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def start_servers(lab, srv):
    process = srv.spawn(["/usr/bin/python3", str(HERE / "servers.py"), str(lab.workdir / "cert.pem"),
                         str(lab.workdir / "key.pem")], name="servers")
    lab.wait_for(lambda: "ready" in process.output(), timeout=20, what="servers ready")
    return process


def test_table(lab, lb, srv):
    config = lab.workdir / "table.toml"
    config.write_text(table_config(lab.workdir))
    started = time.monotonic()
    result = lb.run([CHECKRUN, "--config", str(config), "--duration", "3.5", "--seed", "1"], check=False, timeout=60)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        print(result.stdout, result.stderr)
    check(result.returncode == 0, f"vigil-checkrun ran {len(CASES)} checkers for 3.5 s ({elapsed:.1f} s)")
    check_sanitizers("table run", result.stderr)
    lines = verdicts(result.stdout)
    for i, (name, up, _kind, _body) in enumerate(CASES):
        mine = [v for v in lines if v["rs"] == i and v["checker"] == 0]
        states = [v["up"] for v in mine]
        check(len(mine) >= 2 and mine[-1]["up"] == up,
              f"{name}: {'UP' if up else 'DOWN'} after a transition (verdicts {states})")
        if name.startswith("misc dynamic"):
            check(mine[-1]["weight"] == 5, f"{name}: weight {mine[-1]['weight']}")
    # TCP_CHECK's two ways to fail: refused at once, or cancelled at its connect_timeout (the
    # CheckerSet's shared deadline timer).
    failed_lines = [line for line in result.stderr.splitlines() if "probe failed" in line]
    for case, why in (("tcp closed port", "cannot connect: Connection refused"),
                      ("tcp unreachable host", "timed out after 1s")):
        port = 10000 + [c[0] for c in CASES].index(case)
        check(any(f":{port} tcp_check[0]" in line and why in line for line in failed_lines),
              f"{case}: the probe failed with '{why}'")
    # Why each DOWN case failed, for the log reader.
    for line in result.stderr.splitlines():
        if "probe failed" in line:
            print("     " + line.split("checker ", 1)[-1][:200])
    if failures:
        print(result.stderr[-4000:])


def test_genhash(lb):
    expected = f"MD5SUM = {HEALTHY_MD5}\nHTTP status = 200"
    plain = lb.run([GENHASH, "http://192.0.2.2/health"], check=False)
    check(plain.returncode == 0 and plain.stdout.strip() == expected,
          f"genhash http: {plain.stdout.strip()} {plain.stderr.strip()}")
    tls = lb.run([GENHASH, "--verbose", "--sni", "www.example.test", "https://192.0.2.2/health"], check=False)
    check(tls.returncode == 0 and f"MD5SUM = {HEALTHY_MD5}" in tls.stdout and "Content-Length: 8" in tls.stdout
          and "TLS cipher" in tls.stdout, "genhash https --verbose: digest, headers and TLS details")
    check_sanitizers("genhash", plain.stderr + tls.stderr)
    refused = lb.run([GENHASH, "http://192.0.2.2:81/"], check=False)
    check(refused.returncode == 1 and "192.0.2.2:81" in refused.stderr,
          f"genhash on a closed port fails: {refused.stderr.strip()}")
    # vigilctl genhash: the same command, no daemon needed.
    ctl = lb.run([VIGILCTL, "genhash", "http://192.0.2.2/health"], check=False)
    check(ctl.returncode == 0 and ctl.stdout.strip() == expected,
          f"vigilctl genhash http: {ctl.stdout.strip()} {ctl.stderr.strip()}")
    chunked = lb.run([VIGILCTL, "genhash", "--http-protocol", "1.1", "http://192.0.2.2/chunked"], check=False)
    check(chunked.returncode == 0 and chunked.stdout.strip() == expected,
          f"vigilctl genhash of a chunked body digests the de-chunked body: {chunked.stdout.strip()} "
          f"{chunked.stderr.strip()}")
    tls_ctl = lb.run([VIGILCTL, "genhash", "--sni", "www.example.test", "--verify", "https://192.0.2.2/error"],
                     check=False)
    check(tls_ctl.returncode == 1,
          f"vigilctl genhash --verify refuses the test's self-signed certificate: {tls_ctl.stderr.strip()}")
    error = lb.run([VIGILCTL, "genhash", "--sni", "www.example.test", "https://192.0.2.2/error"], check=False)
    check(error.returncode == 0 and error.stdout.strip().endswith("HTTP status = 500"),
          f"vigilctl genhash https shows a 500 status: {error.stdout.strip()} {error.stderr.strip()}")
    usage = lb.run([VIGILCTL, "genhash"], check=False)
    check(usage.returncode == 2, f"vigilctl genhash without a URL is a usage error (exit {usage.returncode})")
    check_sanitizers("vigilctl genhash", ctl.stderr + chunked.stderr + error.stderr)


def test_flap(lab, lb, srv, servers):
    config = lab.workdir / "flap.toml"
    config.write_text('[[virtual_server]]\nip = "192.0.2.100"\nport = 80\ndelay_loop = "300ms"\n'
                      'connect_timeout = "500ms"\nwarmup = "0s"\nretry = 1\ndelay_before_retry = "100ms"\n'
                      '[[virtual_server.real_server]]\nip = "192.0.2.2"\nport = 80\nalpha = true\n'
                      '[[virtual_server.real_server.http_get]]\nurl = [{ path = "/health" }]\n')
    run = lb.spawn([CHECKRUN, "--config", str(config)], name="checkrun-flap")

    def last_state():
        seen = verdicts(run.output())
        return seen[-1]["up"] if seen else None

    lab.wait_for(lambda: last_state() is True, timeout=10, what="UP while the server answers")
    check(True, "flap: UP while the server answers")
    servers.stop()
    stopped = time.monotonic()
    lab.wait_for(lambda: last_state() is False, timeout=10, what="DOWN after the server stops")
    # One failure is retried after 100 ms; the second is DOWN: about delay_loop + 100 ms.
    check(True, f"flap: DOWN {time.monotonic() - stopped:.2f} s after the server stopped")
    servers = start_servers(lab, srv)
    lab.wait_for(lambda: last_state() is True, timeout=10, what="UP after the server is back")
    check(True, "flap: UP again once the server is back")
    run.stop()
    check_sanitizers("flap run", run.output())
    transitions = [v["up"] for v in verdicts(run.output())]
    check(transitions == [False, True, False, True], f"flap: verdicts {transitions}")


def process_gone(pid: int) -> bool:
    """Not running: gone, or a zombie its new parent (init) has yet to reap."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat[stat.rindex(")") + 2] in "ZX"


def test_misc_stop(lab, lb):
    pids = lab.workdir / "misc-pids"
    body = (f'misc_path = "echo $$ >> {pids}; sleep 60 & echo $! >> {pids}; wait"\n'
            'misc_timeout = "100s"\n')
    config = lab.workdir / "misc-stop.toml"
    config.write_text('[[virtual_server]]\nip = "192.0.2.100"\nport = 80\ndelay_loop = "1s"\nwarmup = "0s"\n'
                      + "".join(f'[[virtual_server.real_server]]\nip = "192.0.2.{2 + i}"\nport = 80\n'
                                f'[[virtual_server.real_server.misc_check]]\n{body}' for i in range(2)))
    run = lb.spawn([CHECKRUN, "--config", str(config)], name="checkrun-misc-stop")

    def started():
        return [int(p) for p in pids.read_text().split()] if pids.exists() else []
    lab.wait_for(lambda: len(started()) == 4, timeout=10, what="two misc scripts and their children running")
    status = run.stop()
    check(status == 0, f"misc stop: vigil-checkrun left by itself on SIGTERM (exit {status})")
    scripts = started()
    try:
        lab.wait_for(lambda: all(process_gone(pid) for pid in scripts), timeout=10, what="scripts gone")
        check(True, f"misc stop: no script process left behind ({len(scripts)} pids)")
    except vigil_lab.LabTimeout:
        check(False, f"misc stop: still running: {[pid for pid in scripts if not process_gone(pid)]}")
    check_sanitizers("misc stop run", run.output())


def test_ssl_reload(lab, lb):
    # Another self-signed certificate: as the CA, it cannot verify the server's.
    other = lab.workdir / "other-cert.pem"
    vigil_lab._run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", "/CN=other.example.test",
                    "-keyout", str(lab.workdir / "other-key.pem"), "-out", str(other)])
    config = lab.workdir / "ssl-reload.toml"

    def write(ca: Path):
        config.write_text(f'[ssl]\nca = "{ca}"\n'
                          '[[virtual_server]]\nip = "192.0.2.100"\nport = 443\ndelay_loop = "300ms"\n'
                          'connect_timeout = "1s"\nwarmup = "0s"\nretry = 0\n'
                          '[[virtual_server.real_server]]\nip = "192.0.2.2"\nport = 443\nalpha = true\n'
                          '[[virtual_server.real_server.ssl_get]]\nsni_name = "www.example.test"\n'
                          'verify_certificate = true\nurl = [{ path = "/health" }]\n')
    write(lab.workdir / "cert.pem")
    run = lb.spawn([CHECKRUN, "--config", str(config)], name="checkrun-ssl-reload")

    def last_state():
        seen = verdicts(run.output())
        return seen[-1]["up"] if seen else None
    lab.wait_for(lambda: last_state() is True, timeout=10, what="UP with the server's own CA")
    write(other)
    run.send_signal(signal.SIGHUP)
    lab.wait_for(lambda: last_state() is False, timeout=10, what="DOWN after a reload to another CA")
    check(True, "ssl reload: DOWN once [ssl].ca no longer verifies the server")
    write(lab.workdir / "cert.pem")
    run.send_signal(signal.SIGHUP)
    lab.wait_for(lambda: last_state() is True, timeout=10, what="UP after a reload back to its CA")
    check(True, "ssl reload: UP again once [ssl].ca verifies it")
    run.stop()
    check("[ssl] changed" in run.output(), "ssl reload: the reload says [ssl] changed")
    check_sanitizers("ssl reload run", run.output())
    transitions = [v["up"] for v in verdicts(run.output())]
    check(transitions == [False, True, False, True], f"ssl reload: verdicts {transitions}")


def main():
    vigil_lab.require_lab("dnsmasq", "openssl")
    with vigil_lab.Lab("checkers") as lab:
        lb = lab.add_node("lb", addresses=["192.0.2.1/24", "2001:db8::1/64"])
        srv = lab.add_node("srv", addresses=["192.0.2.2/24", "2001:db8::2/64"])
        vigil_lab._run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "1", "-subj", "/CN=www.example.test",
                        "-addext", "subjectAltName=DNS:www.example.test",
                        "-keyout", str(lab.workdir / "key.pem"), "-out", str(lab.workdir / "cert.pem")])
        servers = start_servers(lab, srv)
        srv.spawn(["dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--conf-file=/dev/null",
                   "--listen-address=192.0.2.2", "--bind-interfaces", "--port=53", "--pid-file=",
                   "--host-record=www.example.test,192.0.2.50", "--log-facility=-"], name="dnsmasq")
        lab.wait_for(lambda: "53" in srv.run(["ss", "-lun"]).stdout, timeout=10, what="dnsmasq listening")
        test_table(lab, lb, srv)
        test_genhash(lb)
        test_flap(lab, lb, srv, servers)
        test_ssl_reload(lab, lb)
        test_misc_stop(lab, lb)
        if failures:
            lab.failed = True
    print(f"{len(failures)} failure(s)" if failures else "all checker scenarios passed")
    sys.exit(1 if failures else 0)


main()
