#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""http_slow_clients: idle and trickling clients cannot keep a scraper out, and HTTP/1.1
connections are kept alive (issue 14, item 8).

The tool runs with `--listen 127.0.0.1:<free port> --uid 1234568 --format json 1` (the first
attach mode: the hooks do not matter here).  Against it:
- keep-alive: two GET /metrics and a HEAD over one http.client.HTTPConnection, all 200, none
  with `Connection: close`, all on the same TCP connection (the same local port), HTTP/1.1;
  left idle, that connection is closed by the server within CLOSE_LIMIT s of the last answer;
- slow clients, all from 127.0.0.1, the scraper's own address: 32 that connect and send nothing
  and 32 that trickle a request head a byte every 0.5 s and never finish it (64, 8 times the
  8 per address that libmicrohttpd allowed before the fix, which then reset every scrape from
  that address); meanwhile GET /metrics from 127.0.0.1 is answered 200 within SCRAPE_LIMIT s,
  and the helper's execs made then (5 successful, 345 failing, uid 1234568) show on /metrics
  exactly; every slow client, idle or trickling, is then dropped by the server (EOF, reset or
  a failed send) within CLOSE_LIMIT s of connecting (the tool's deadline is 5 s: src/http.h);
  GET /metrics still answers 200 after;
- after SIGINT: exit 0 and the final JSON row of uid 1234568 exact (5 ok, 345 failed).
"""
import http.client
import select
import signal
import socket
import threading
import time

import etest

OK_EXECS, FAIL_EXECS = 5, 345
# this test's own uid (no passwd entry): other tests make their execs as etest.UID_PLAIN, and may
# run beside this one on a shared machine
UID = 1234568
IDLE, TRICKLING = 32, 32
TRICKLE_EVERY = 0.5            # seconds between the tricklers' bytes
TIMEOUT_S = 5                  # the tool's HTTP_TIMEOUT_S (src/http.h)
# measured here (docs/testing.md, "Time limits"): the scrape beside the 64 slow clients
# 0.004-0.037 s; every slow client dropped 5.0 s after it connected (5.5 s seen by a client
# sending every 0.5 s), the kept-alive connection 5.0 s after its last answer
SCRAPE_LIMIT = 2               # 54x the slowest scrape measured
CLOSE_LIMIT = 17               # 3.1x the slowest drop measured (5.5 s)
TRICKLE_HEAD = (b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: trickler\r\n"
                + b"X-Padding: " + b"a" * 4096)


def keep_alive(port, what, t):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    local = None
    try:
        for i, method in enumerate(("GET", "GET", "HEAD")):
            step = f"{what}: request {i + 1} ({method} /metrics) on one HTTPConnection"
            try:
                conn.request(method, "/metrics")
                resp = conn.getresponse()
                body = resp.read()
            except (OSError, http.client.HTTPException) as e:
                etest.fail(f"{step}: no HTTP response: {type(e).__name__}: {e}\n"
                           + t.describe())
            close = resp.getheader("Connection")
            etest.check(resp.status == 200 and resp.version == 11,
                        f"{step}: expected HTTP/1.1 200, got version {resp.version} status "
                        f"{resp.status}: {body[:500]!r}\n" + t.describe())
            etest.check(not resp.will_close and (close or "").lower() != "close",
                        f"{step}: expected the connection kept alive (HTTP/1.1, no "
                        f"'Connection: close'), got Connection: {close!r}\n" + t.describe())
            etest.check(conn.sock is not None, f"{step}: the connection was closed after the "
                        "answer\n" + t.describe())
            port_now = conn.sock.getsockname()[1]
            etest.check(local in (None, port_now),
                        f"{step}: expected the same TCP connection (local port {local}), got a "
                        f"new one (local port {port_now})\n" + t.describe())
            local = port_now
        answered = time.monotonic()
        etest.log(f"{what}: GET, GET, HEAD /metrics over one connection (local port {local}), "
                  "all 200, no Connection: close")
        sock = conn.sock
        sock.settimeout(CLOSE_LIMIT * etest.slowness())
        try:
            data = sock.recv(1)
            how = "closed" if data == b"" else f"sent {data!r}"
        except socket.timeout:
            how = "still open"
        except ConnectionResetError:
            how = "reset"
        took = time.monotonic() - answered
        etest.check(how in ("closed", "reset"),
                    f"{what}: a kept-alive connection left idle: expected the server to close "
                    f"it within {CLOSE_LIMIT} s, it is {how} after {took:.1f} s\n"
                    + t.describe())
        etest.log(f"{what}: the idle kept-alive connection {how} by the server {took:.1f} s "
                  "after its last answer")
    finally:
        conn.close()


class Tricklers:
    """Connections that send TRICKLE_HEAD a byte every TRICKLE_EVERY s, from a thread, and note
    when each one is dropped (a failed send or an EOF read)."""

    def __init__(self, port, n):
        self.socks = [socket.create_connection(("127.0.0.1", port), timeout=5)
                      for _ in range(n)]
        for s in self.socks:
            s.setblocking(False)
        self.since = time.monotonic()
        self.dropped = {}  # index: (seconds after connecting, how)
        self.sent = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set() and len(self.dropped) < len(self.socks):
            byte = TRICKLE_HEAD[self.sent:self.sent + 1] or b"a"
            for i, s in enumerate(self.socks):
                if i in self.dropped:
                    continue
                how = None
                try:
                    if s.recv(1) == b"":
                        how = "closed"
                    else:
                        how = "sent something"
                except BlockingIOError:
                    pass
                except OSError as e:
                    how = type(e).__name__
                if how is None:
                    try:
                        s.send(byte)
                    except BlockingIOError:
                        pass
                    except OSError as e:
                        how = type(e).__name__
                if how is not None:
                    self.dropped[i] = (time.monotonic() - self.since, how)
            self.sent += 1
            self.stop.wait(TRICKLE_EVERY)

    def close(self):
        self.stop.set()
        self.thread.join()
        for s in self.socks:
            s.close()


def wait_idle_dropped(socks, since, limit):
    """{index: (seconds after connecting, how)} for each idle socket the server dropped within
    limit s of since."""
    dropped = {}
    for s in socks:
        s.setblocking(False)
    while len(dropped) < len(socks):
        left = since + limit - time.monotonic()
        if left <= 0:
            break
        waiting = [s for i, s in enumerate(socks) if i not in dropped]
        ready, _, _ = select.select(waiting, [], [], left)
        for s in ready:
            i = socks.index(s)
            try:
                data = s.recv(1)
                how = "closed" if data == b"" else f"sent {data!r}"
            except OSError as e:
                how = type(e).__name__
            dropped[i] = (time.monotonic() - since, how)
    return dropped


def slow_clients(args, port, what, t):
    idle, tricklers = [], None
    try:
        idle_since = time.monotonic()
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(IDLE)]
        tricklers = Tricklers(port, TRICKLING)
        time.sleep(2 * TRICKLE_EVERY)  # the tricklers have begun their heads
        beside = f"beside {IDLE} idle and {TRICKLING} trickling clients from 127.0.0.1"
        began = time.monotonic()
        etest.fetch_metrics(port, what=f"{what}: GET /metrics from 127.0.0.1 {beside}",
                            timeout=SCRAPE_LIMIT * 3 * etest.slowness())
        took = time.monotonic() - began
        etest.check(took < SCRAPE_LIMIT * etest.slowness(),
                    f"{what}: GET /metrics took {took:.2f} s {beside}, expected under "
                    f"{SCRAPE_LIMIT} s\n" + t.describe())
        etest.log(f"{what}: GET /metrics 200 in {took:.3f} s {beside}")
        etest.run_helper(args.helper, UID, OK_EXECS, mode="ok")
        etest.run_helper(args.helper, UID, FAIL_EXECS, mode="fail")
        shown_from = time.monotonic()
        deadline = shown_from + etest.ticks_timeout(2)
        want = {"ok": OK_EXECS, "failed": FAIL_EXECS}
        while True:
            expo, _ = etest.fetch_metrics(port, what=f"{what}: GET /metrics {beside}",
                                          timeout=SCRAPE_LIMIT * 3 * etest.slowness())
            got = expo.execs(("uid",)).get((str(UID),
                                             etest.user_name(UID) or ""))
            if got == want:
                break
            etest.check(time.monotonic() < deadline,
                        f"{what}: {beside}, /metrics never showed uid {UID}'s "
                        f"{want}; last {got}\n" + t.describe())
            time.sleep(0.2)
        etest.log(f"{what}: {beside}, /metrics showed the execs made meanwhile exactly, "
                  f"{time.monotonic() - shown_from:.2f} s after the helper's end")
        limit = CLOSE_LIMIT * etest.slowness()
        dropped = wait_idle_dropped(idle, idle_since, limit)
        left = [i for i in range(IDLE) if i not in dropped]
        etest.check(not left, f"{what}: {len(left)} of {IDLE} clients that sent nothing are "
                    f"still open {limit} s after connecting; expected the server to drop each "
                    f"(its timeout is {TIMEOUT_S} s)\n" + t.describe())
        hows = {how for _, how in dropped.values()}
        etest.check(hows <= {"closed", "ConnectionResetError"},
                    f"{what}: idle clients: expected EOF or a reset, got {sorted(hows)}\n"
                    + t.describe())
        idle_times = sorted(s for s, _ in dropped.values())
        while len(tricklers.dropped) < TRICKLING and \
                time.monotonic() < tricklers.since + limit:
            time.sleep(0.1)
        trickled = dict(tricklers.dropped)
        left = [i for i in range(TRICKLING) if i not in trickled]
        etest.check(not left, f"{what}: {len(left)} of {TRICKLING} clients trickling a request "
                    f"head (a byte every {TRICKLE_EVERY} s, {tricklers.sent} bytes so far) are "
                    f"still open {limit} s after connecting; expected the server to drop each "
                    f"({TIMEOUT_S} s for a whole request)\n" + t.describe())
        trickle_times = sorted(s for s, _ in trickled.values())
        etest.log(f"{what}: {IDLE} idle clients dropped {idle_times[0]:.1f}-{idle_times[-1]:.1f}"
                  f" s after connecting; {TRICKLING} tricklers dropped "
                  f"{trickle_times[0]:.1f}-{trickle_times[-1]:.1f} s after connecting "
                  f"({sorted({how for _, how in trickled.values()})})")
        etest.fetch_metrics(port, what=f"{what}: GET /metrics after the slow clients")
    finally:
        for s in idle:
            s.close()
        if tricklers:
            tricklers.close()


def test(args):
    etest.require_root()
    mode = etest.attach_modes()[0]
    port = etest.free_port()
    what = f"--attach {mode} --listen 127.0.0.1:{port}"
    # --uid: only the helper's execs are counted, so the page and stdout (which this test reads
    # only at the end) stay small whatever else runs on the machine
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "--listen",
                                f"127.0.0.1:{port}", "--uid", str(UID), "1"]) as t:
        t.wait_start(mode)
        etest.run_parts([lambda: keep_alive(port, what, t),
                         lambda: slow_clients(args, port, what, t)])
        t.send(signal.SIGINT)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n" + t.describe())
        final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]))
        etest.check_row(t, final, UID, f"{what}: execs made beside slow clients",
                        count=OK_EXECS + FAIL_EXECS, ok=OK_EXECS, failed=FAIL_EXECS)
    etest.log(f"{what}: final row of uid {UID} exact")


if __name__ == "__main__":
    etest.main(test)
