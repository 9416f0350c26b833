#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""http_errors: --listen answers anything but GET/HEAD /metrics with an error, and no client can
stall the counting or the other clients.

The tool runs with `--listen 127.0.0.1:<free port> --format json 1` (the first attach mode: the
hooks do not matter here).  Against it:
- POST, PUT and DELETE /metrics: 405 with an Allow header naming exactly GET and HEAD;
- GET /, /nope, /metricsx: 404;
- bytes that are not HTTP (a TLS ClientHello's start, then CRLF CRLF): an error status (4xx/5xx)
  or the connection closed, within 15 s; GET /metrics answers 200 after it;
- HEAD /metrics (raw, Connection: close): 200, the exposition Content-Type, and no body byte;
- 40 clients that connect and send nothing (8 from each of 5 loopback addresses; there is no
  limit per address since issue 14: http_slow_clients holds 64 from 127.0.0.1 itself), and one
  that sends half a request (no blank line), all kept open: meanwhile GET /metrics (from
  127.0.0.1) is answered within 2 s, and the helper's execs made then
  (5 successful, 2345 failing, uid 1234567) show on /metrics; the ticks on stdout keep coming
  every interval (their "ts" never more than 3 s apart); each silent client is dropped by the
  server (EOF or reset) within 20 s of connecting (the tool's timeout is 5 s: src/http.h);
- after SIGINT: exit 0 and the final JSON row of uid 1234567 exact (5 ok, 2345 failed).

Binding, each before anything is attached (nothing loaded after, no "counting execs via" line,
nothing on stdout):
- the port already taken by a listening socket: exit 69, "cannot listen on 127.0.0.1:<port>: "
  on stderr;
- an address of no interface here (192.0.2.1, TEST-NET-1): exit 69, "cannot listen on
  192.0.2.1:<port>: ";
- bad values (port 0 and 65536, a host name, an empty value, an empty port, an IPv6 address
  without brackets): exit 64 and nothing on stdout.
Addresses: `--listen PORT` serves on 127.0.0.1 (stderr: "serving metrics at
http://127.0.0.1:PORT/metrics") and not on the machine's other IPv4 address (when it has one);
`--listen [::1]:PORT` serves on IPv6 loopback (when the machine has ::1), and says
http://[::1]:PORT/metrics.
"""
import datetime
import signal
import socket
import time

import etest

OK_EXECS, FAIL_EXECS = 5, 2345
PER_ADDRESS = 8  # silent clients from each of SILENT_SOURCES
SILENT_SOURCES = ["127.0.0.%d" % i for i in range(2, 7)]  # all of 127/8 is loopback
MAP_NAMES = ("counts", "self")
GARBAGE = bytes.fromhex("160301020001000001fc0303") + bytes(range(256)) + b"\r\n\r\n"


def check_methods(port, what, t):
    for method in ("POST", "PUT", "DELETE"):
        status, headers, body = etest.http_request(port, method, "/metrics", body=b"x=1",
                                                   what=f"{what}: {method} /metrics")
        allow = {m.strip() for m in headers.get("allow", "").split(",")}
        etest.check(status == 405 and allow == {"GET", "HEAD"},
                    f"{what}: {method} /metrics: expected 405 with 'Allow: GET, HEAD', got "
                    f"{status} with Allow {headers.get('allow')!r}: {body[:500]!r}\n"
                    + t.describe())
    for path in ("/", "/nope", "/metricsx"):
        status, _, body = etest.http_request(port, "GET", path, what=f"{what}: GET {path}")
        etest.check(status == 404, f"{what}: GET {path}: expected 404, got {status}: "
                    f"{body[:500]!r}\n" + t.describe())
    etest.log(f"{what}: POST/PUT/DELETE /metrics 405 with Allow: GET, HEAD; other paths 404")


def check_garbage(port, what, t):
    began = time.monotonic()
    got, how = etest.raw_exchange(port, GARBAGE, timeout=15 * etest.slowness())
    took = time.monotonic() - began
    status = None
    if got.startswith(b"HTTP/1."):
        try:
            status = int(got.split(b" ", 2)[1])
        except (IndexError, ValueError):
            pass
    etest.check((got == b"" and how in ("closed", "reset"))
                or (status is not None and 400 <= status <= 599 and how != "timeout"),
                f"{what}: {len(GARBAGE)} bytes that are not HTTP: expected an error status "
                f"(4xx/5xx) or the connection closed; got {got[:300]!r}, the connection "
                f"{how} after {took:.1f} s\n" + t.describe())
    etest.fetch_metrics(port, what=f"{what}: GET /metrics after the garbage")
    etest.log(f"{what}: garbage: {'status ' + str(status) if status else 'connection ' + how} "
              f"after {took:.1f} s; /metrics still 200")


def check_head(port, what, t):
    got, how = etest.raw_exchange(port, b"HEAD /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  b"Connection: close\r\n\r\n", timeout=10)
    head, sep, body = got.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    etest.check(sep and lines[0].split(" ")[1:2] == ["200"] and body == b"" and how == "closed"
                and headers.get("content-type") == etest.METRICS_CONTENT_TYPE,
                f"{what}: HEAD /metrics: expected 200, Content-Type "
                f"{etest.METRICS_CONTENT_TYPE!r} and no body, then the connection closed; got "
                f"{got[:1000]!r} (connection {how})\n" + t.describe())
    etest.log(f"{what}: HEAD /metrics: 200, no body")


def tick_gaps(t):
    """The largest gap in seconds between consecutive stdout lines' "ts" (start, ticks, final)."""
    stamps = []
    for obj in etest.parse_json_lines(t, t.lines):
        stamps.append(datetime.datetime.strptime(obj["ts"], "%Y-%m-%dT%H:%M:%S.%fZ"))
    return max((b - a).total_seconds() for a, b in zip(stamps, stamps[1:]))


def check_silent(args, port, what, t):
    silent = []
    try:
        for source in SILENT_SOURCES:
            for _ in range(PER_ADDRESS):
                silent.append((socket.create_connection(("127.0.0.1", port), timeout=5,
                                                        source_address=(source, 0)),
                               time.monotonic()))
        half = socket.create_connection(("127.0.0.1", port), timeout=5,
                                        source_address=("127.0.0.7", 0))
        half.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        silent.append((half, time.monotonic()))
        began = time.monotonic()
        etest.fetch_metrics(port, what=f"{what}: GET /metrics beside {len(silent)} silent "
                            "clients", timeout=5)
        took = time.monotonic() - began
        etest.check(took < 2 * etest.slowness(),
                    f"{what}: GET /metrics took {took:.1f} s beside {len(silent)} silent "
                    f"clients, expected under 2 s\n" + t.describe())
        etest.run_helper(args.helper, etest.UID_PLAIN, OK_EXECS, mode="ok")
        etest.run_helper(args.helper, etest.UID_PLAIN, FAIL_EXECS, mode="fail")
        deadline = time.monotonic() + 10 * etest.slowness()
        want = {"ok": OK_EXECS, "failed": FAIL_EXECS}
        while True:
            expo, _ = etest.fetch_metrics(port, what=f"{what}: GET /metrics beside silent "
                                          "clients", timeout=5)
            got = expo.execs(("uid",)).get((str(etest.UID_PLAIN),
                                             etest.user_name(etest.UID_PLAIN) or ""))
            if got == want:
                break
            etest.check(time.monotonic() < deadline,
                        f"{what}: with silent clients connected, /metrics never showed uid "
                        f"{etest.UID_PLAIN}'s {want}; last {got}\n" + t.describe())
            time.sleep(0.2)
        etest.log(f"{what}: beside {len(silent)} silent clients /metrics answered in "
                  f"{took:.2f} s and showed the execs made meanwhile")
        # the server drops each of them (the tool's timeout: 5 s)
        limit = 20 * etest.slowness()
        for s, since in silent:
            s.settimeout(max(0.1, since + limit - time.monotonic()))
            buf = b""
            try:
                while True:
                    data = s.recv(65536)
                    if not data:
                        how = "closed"
                        break
                    buf += data
                    if not buf.startswith(b"HTTP/1."[:len(buf)]):
                        how = f"sent {buf[:100]!r}"
                        break
            except socket.timeout:
                how = "still open"
            except ConnectionResetError:
                how = "reset"
            after = time.monotonic() - since
            etest.check(how in ("closed", "reset"),
                        f"{what}: a client that sent nothing (or half a request): expected the "
                        f"server to drop it within {limit} s, it is {how} after {after:.1f} s\n"
                        + t.describe())
        etest.log(f"{what}: the {len(silent)} silent clients dropped, the last after "
                  f"{time.monotonic() - silent[-1][1]:.1f} s")
    finally:
        for s, _ in silent:
            s.close()


def serve_and_abuse(args, mode):
    port = etest.free_port()
    what = f"--attach {mode} --listen 127.0.0.1:{port}"
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "--listen",
                                f"127.0.0.1:{port}", "1"]) as t:
        t.wait_start(mode)
        etest.fetch_metrics(port, what=f"{what}: GET /metrics")
        check_methods(port, what, t)
        check_garbage(port, what, t)
        check_head(port, what, t)
        check_silent(args, port, what, t)
        t.send(signal.SIGINT)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n" + t.describe())
        final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]))
        etest.check_row(t, final, etest.UID_PLAIN, f"{what}: execs made beside silent clients",
                        count=OK_EXECS + FAIL_EXECS, ok=OK_EXECS, failed=FAIL_EXECS)
        gap = tick_gaps(t)
        etest.check(gap <= 3, f"{what}: the JSON lines' \"ts\" are up to {gap:.1f} s apart, "
                    "expected a tick every second whatever the HTTP clients do\n" + t.describe())
    etest.log(f"{what}: final exact; ticks at most {gap:.1f} s apart throughout")


def cannot_listen(args, mode, listen, want_text, what):
    state = etest.KernelState()
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "--listen", listen,
                                "1"]) as t:
        rc = t.wait_exit(etest.start_timeout())
    err = t.stderr()
    etest.check(rc == 69, f"{what}: expected exit 69, got {rc}\n" + t.describe())
    etest.check(etest.PREFIX + want_text in err and etest.COUNTING_TEXT not in err,
                f"{what}: expected {etest.PREFIX + want_text + '<reason>'!r} on stderr, and no "
                f"{etest.COUNTING_TEXT!r}\n" + t.describe())
    etest.check(not t.lines, f"{what}: expected nothing on stdout\n" + t.describe())
    etest.wait_nothing_left(t.pid, set(), set(), state=state, map_names=MAP_NAMES,
                            context=f"{what}: ")
    line = [x for x in err.splitlines() if want_text in x][0]
    etest.log(f"{what}: exit 69, nothing attached: {line}")


def binding(args, mode):
    taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        cannot_listen(args, mode, f"127.0.0.1:{port}", f"cannot listen on 127.0.0.1:{port}: ",
                      f"--listen 127.0.0.1:{port}, a port in use")
    finally:
        taken.close()
    port = etest.free_port()
    cannot_listen(args, mode, f"192.0.2.1:{port}", f"cannot listen on 192.0.2.1:{port}: ",
                  f"--listen 192.0.2.1:{port}, an address of no interface")
    for value in ("0", "65536", "localhost:9100", "", "127.0.0.1:", "::1:9100"):
        argv = ["--listen", value, "1"]
        rc, out, err = etest.run_tool(args.tool, argv)
        etest.check(rc == 64 and out == "" and err.startswith(etest.PREFIX),
                    f"--listen {value!r}: expected exit 64, a message, nothing on stdout\n"
                    + etest.describe_run([args.tool] + argv, rc, out, err))
    etest.log("bad --listen values: exit 64")


def other_ipv4():
    """This machine's IPv4 address on its default route, or None."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))
        addr = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if addr.startswith("127.") else addr


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def addresses(args, mode):
    port = etest.free_port()
    what = f"--attach {mode} --listen {port}"
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "--listen", str(port),
                                "1"]) as t:
        t.wait_start(mode)
        serving = f"{etest.PREFIX}serving metrics at http://127.0.0.1:{port}/metrics"
        etest.check(serving in t.stderr().splitlines(), f"{what}: expected the stderr line "
                    f"{serving!r} (the default address)\n" + t.describe())
        etest.fetch_metrics(port, what=f"{what}: GET http://127.0.0.1:{port}/metrics")
        addr = other_ipv4()
        if addr:
            try:
                socket.create_connection((addr, port), timeout=5).close()
                reached = True
            except OSError:
                reached = False
            etest.check(not reached, f"{what}: the default address is 127.0.0.1, but "
                        f"{addr}:{port} accepted a connection\n" + t.describe())
            etest.log(f"{what}: serves on 127.0.0.1, not on {addr}")
        else:
            etest.log(f"{what}: serves on 127.0.0.1 (no other IPv4 address here to check it "
                      "does not listen there)")
    if not has_ipv6_loopback():
        etest.log("no IPv6 loopback (::1) here: --listen [::1]:PORT not checked")
        return
    port = etest.free_port()
    what = f"--attach {mode} --listen [::1]:{port}"
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "--listen",
                                f"[::1]:{port}", "1"]) as t:
        t.wait_start(mode)
        serving = f"{etest.PREFIX}serving metrics at http://[::1]:{port}/metrics"
        etest.check(serving in t.stderr().splitlines(), f"{what}: expected the stderr line "
                    f"{serving!r}\n" + t.describe())
        expo, _ = etest.fetch_metrics(port, host="::1",
                                            what=f"{what}: GET http://[::1]:{port}/metrics")
        etest.check_families(expo, f"{what}: GET /metrics")
    etest.log(f"{what}: serves /metrics on IPv6 loopback")


def test(args):
    etest.require_root()
    etest.require_bpftool()
    mode = etest.attach_modes()[0]
    etest.run_parts([lambda p=p: p(args, mode) for p in (serve_and_abuse, binding, addresses)])


if __name__ == "__main__":
    etest.main(test)
