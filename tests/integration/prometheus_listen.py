#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""prometheus_listen: a real Prometheus scrapes --listen and gets exactly the execs made.

One Debian `prometheus` server, started by the test on a free loopback port with its own config
and data directory, scrapes every second one target per attach mode (127.0.0.1:<free port>).
For each mode the tool runs with `--listen 127.0.0.1:<port> --by uid --format json 1`; after
its start line the helper makes, under uid 1234567, 9 successful and 1234 failing execs, and under
uid 65534 (nobody) 4 successful and 567 failing ones.  Then:

- Prometheus's HTTP API (/api/v1/query) must answer, for that target's instance,
  sum(bcc_execcount_execs_total{uid="1234567"}) = 1243 and the ok and failed series 9 and 1234
  (and 571, 4, 567 for nobody, whose series carries user="nobody"), polled until a deadline; a
  failure names the last answers and the target's scrape health (a body Prometheus cannot parse
  shows there);
- GET /metrics straight from the tool: status 200, Content-Type exactly
  `text/plain; version=0.0.4; charset=utf-8`, a well-formed body (UTF-8, each family's HELP and
  TYPE once before its samples, a family's lines together, no series twice), a HELP line and
  the spec's TYPE for every family of the spec (execs_total, dropped_total, keys, hook_info,
  build_info, max_keys); execs_total has for every key exactly the labels uid, user, outcome,
  both outcomes, the user label being the passwd name or ""; the test uids' series exact; keys = the number of
  keys exported; bcc_execcount_hook_info lines = the start line's "hooks", each 1;
  bcc_execcount_build_info one line with version = the start line's version and a libbcc
  version; dropped_total 0; max_keys 10240;
- after SIGINT: exit 0, the JSON stream well formed, the final rows of the test uids exact (the
  tool's stdout is unchanged by --listen).

With -f classic (which prints bare uids), the exported series still carry the user name
(uid 65534: "nobody").

Label escaping, once (first attach mode, a third target): `--by uid,comm --uid 305419896` with
the helper's comms 'q"b\\s' (a quote and a backslash), 'n<LF>l' and b'\\xffz' (not UTF-8),
31, 32 and 33 failing execs: /metrics read back gives the comm labels 'q"b\\s', 'n<LF>l' and
'\\ufffdz' (U+FFFD for the invalid byte), and Prometheus, which parsed them, answers each
series (selected by its comm label, PromQL-escaped) with its exact count.
"""
import json
import os
import re
import shutil
import signal
import tempfile
import time

import etest

# uid: (successful execs, failing execs)
PLAN = {etest.UID_PLAIN: (9, 1234), etest.UID_NOBODY: (4, 567)}
VERSION = r"\d+\.\d+(\.\d+)?"
# comm (surrogate-escaped bytes): failing execs, under UID_28BIT; and the label each must become
ODD_COMMS = {'q"b\\s': 31, "n\nl": 32, os.fsdecode(b"\xffz"): 33}
ODD_LABELS = ('q"b\\s', "n\nl", "\ufffdz")


def wait_for(what, timeout, probe):
    """Call probe() until it returns (True, seen) or the time runs out: then a failure naming
    what and the last seen."""
    deadline = time.monotonic() + timeout
    while True:
        ok, seen = probe()
        if ok:
            return seen
        if time.monotonic() > deadline:
            etest.fail(f"waited {timeout:.0f} s for {what}; last seen:\n{seen}")
        time.sleep(0.2)


def expected_series(uid):
    ok, failed = PLAN[uid]
    user = etest.user_name(uid) or ""
    return {(str(uid), user): {"ok": ok, "failed": failed}}


def check_metrics(t, start, port, what):
    """/metrics straight from the tool, once it shows the test uids' execs."""
    holder = {}

    def probe():
        expo, headers = etest.fetch_metrics(port, what=f"{what}: GET /metrics")
        holder["headers"] = headers
        execs = expo.execs(("uid",))
        want = {}
        for uid in PLAN:
            want.update(expected_series(uid))
        got = {k: v for k, v in execs.items() if k in want}
        return got == want, expo

    expo = wait_for(f"{what}: GET /metrics showing the test uids' series "
                    f"{[expected_series(u) for u in PLAN]}", 20 * etest.slowness(), probe)
    headers = holder["headers"]
    body = f"\n--- body:\n{expo.text}\n" + t.describe()
    etest.check(headers.get("content-type") == etest.METRICS_CONTENT_TYPE,
                f"{what}: GET /metrics: expected Content-Type {etest.METRICS_CONTENT_TYPE!r}, "
                f"got {headers.get('content-type')!r}" + body)
    etest.check_families(expo, f"{what}: GET /metrics")
    execs = expo.execs(("uid",))
    for labels, value in expo.samples(etest.EXECS_METRIC):
        etest.check(set(labels) == {"uid", "user", "outcome"} and labels["outcome"]
                    in etest.OUTCOMES and value >= 0 and value == int(value),
                    f"{what}: expected every {etest.EXECS_METRIC} series with exactly the labels "
                    f"uid, user, outcome (ok or failed) and a whole count, got {labels} "
                    f"{value}" + body)
        name = etest.user_name(int(labels["uid"])) if labels["uid"].isdigit() else None
        etest.check(labels["uid"].isdigit() and labels["user"] == (name or ""),
                    f"{what}: series {labels}: expected a numeric uid and user = its passwd "
                    f"name {name or ''!r}" + body)
    for key, outcomes in execs.items():
        etest.check(set(outcomes) == set(etest.OUTCOMES),
                    f"{what}: key {key}: expected both outcome=\"ok\" and outcome=\"failed\" "
                    f"series, got {sorted(outcomes)}" + body)
    keys = expo.samples("bcc_execcount_keys")
    etest.check(len(keys) == 1 and keys[0][0] == {} and keys[0][1] == len(execs),
                f"{what}: expected one bcc_execcount_keys sample = the {len(execs)} keys "
                f"exported, got {keys}" + body)
    dropped = expo.samples("bcc_execcount_dropped_total")
    etest.check(dropped == [({}, 0)], f"{what}: expected bcc_execcount_dropped_total 0, got "
                f"{dropped}" + body)
    max_keys = expo.samples("bcc_execcount_max_keys")
    etest.check(max_keys == [({}, etest.DEFAULT_MAX_KEYS)],
                f"{what}: expected bcc_execcount_max_keys {etest.DEFAULT_MAX_KEYS}, got "
                f"{max_keys}" + body)
    hooks = expo.samples("bcc_execcount_hook_info")
    got_hooks = [labels.get("hook") for labels, _ in hooks]
    etest.check(all(set(labels) == {"hook"} and value == 1 for labels, value in hooks)
                and sorted(got_hooks) == sorted(start["hooks"]),
                f"{what}: expected one bcc_execcount_hook_info{{hook=...}} 1 per hook of the "
                f"start line {start['hooks']}, got {hooks}" + body)
    build = expo.samples("bcc_execcount_build_info")
    etest.check(len(build) == 1 and set(build[0][0]) == {"version", "libbcc"}
                and build[0][0]["version"] == start["version"]
                and re.fullmatch(VERSION, build[0][0]["libbcc"] or "") is not None
                and build[0][1] == 1,
                f"{what}: expected one bcc_execcount_build_info{{version=\"{start['version']}\","
                f"libbcc=\"<version>\"}} 1, got {build}" + body)
    etest.log(f"{what}: /metrics: Content-Type, every family's HELP and TYPE, "
              f"{len(execs)} keys, {len(hooks)} hooks, exact series of the test uids")


def check_prometheus(t, prom, target, what):
    """Prometheus's own answers for the test uids, once it scraped them."""
    def series(uid, outcome):
        return f'bcc_execcount_execs_total{{instance="{target}",uid="{uid}",outcome="{outcome}"}}'

    queries = {}
    for uid, (ok, failed) in PLAN.items():
        queries[f'sum(bcc_execcount_execs_total{{instance="{target}",uid="{uid}"}})'] = ok + failed
        queries[series(uid, "ok")] = ok
        queries[series(uid, "failed")] = failed
        user = etest.user_name(uid)
        if user:  # Prometheus drops a label whose value is ""
            queries[f'bcc_execcount_execs_total{{instance="{target}",uid="{uid}",'
                    f'user="{user}",outcome="failed"}}'] = failed

    def probe():
        answers = {q: etest.prometheus_query(prom, q) for q in queries}
        good = all(len(a) == 1 and a[0][1] == queries[q] for q, a in answers.items())
        seen = "\n".join(f"  {q} -> {a} (want {queries[q]})" for q, a in answers.items())
        if not good:
            seen += f"\n  scrape of {target}: {scrape_health(prom, target)}"
        return good, seen

    try:
        wait_for(f"{what}: Prometheus's answers for the test uids", 60 * etest.slowness(), probe)
    except etest.Failure as e:
        etest.fail(f"{e}\n{prom.describe()}\n{t.describe()}")
    first = next(iter(queries))
    etest.log(f"{what}: Prometheus answers {len(queries)} queries exactly, e.g. {first} = "
              f"{queries[first]}")


def scrape_health(prom, target):
    status, _, body = etest.http_request(prom.port, "GET", "/api/v1/targets",
                                         what="prometheus /api/v1/targets")
    try:
        targets = json.loads(body)["data"]["activeTargets"]
    except (ValueError, KeyError) as e:
        return f"(/api/v1/targets: status {status}, {e}: {body[:500]!r})"
    mine = [x for x in targets if x.get("labels", {}).get("instance") == target]
    return "; ".join(f"health {x.get('health')!r}, lastError {x.get('lastError')!r}, "
                     f"lastScrape {x.get('lastScrape')}" for x in mine) or "not a target?"


def one(args, mode, port, prom):
    target = f"127.0.0.1:{port}"
    what = f"--attach {mode} --listen {target} --by uid"
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "--listen", target,
                                "--by", "uid", "1"]) as t:
        start = t.wait_start(mode)
        serving = f"{etest.PREFIX}serving metrics at http://{target}/metrics"
        etest.check(serving in t.stderr().splitlines(), f"{what}: expected the stderr line "
                    f"{serving!r} once counting began\n" + t.describe())
        for uid, (ok, failed) in PLAN.items():
            etest.run_helper(args.helper, uid, ok, mode="ok")
            etest.run_helper(args.helper, uid, failed, mode="fail")
        check_metrics(t, start, port, what)
        check_prometheus(t, prom, target, what)
        t.send(signal.SIGINT)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n" + t.describe())
        final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]))
        for uid, (ok, failed) in PLAN.items():
            etest.check_row(t, final, uid, f"{what}: the final JSON row", count=ok + failed,
                            ok=ok, failed=failed)


def promql_string(value):
    """value as a PromQL double-quoted string literal (Go escapes; anything but printable ASCII
    as \\uXXXX: Prometheus's lexer refuses a literal U+FFFD as an "invalid UTF-8 rune")."""
    out = []
    for c in value:
        if c in '\\"':
            out.append("\\" + c)
        elif " " <= c <= "~":
            out.append(c)
        else:
            out.append(f"\\u{ord(c):04x}")
    return '"' + "".join(out) + '"'


def odd_labels(args, mode, port, prom):
    """Label values that need escaping reach Prometheus intact."""
    target = f"127.0.0.1:{port}"
    uid = etest.UID_28BIT
    what = f"--attach {mode} --listen {target} --by uid,comm --uid {uid}"
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "--listen", target,
                                "--by", "uid,comm", "--uid", str(uid), "1"]) as t:
        t.wait_start(mode, by=("uid", "comm"))
        for comm, n in ODD_COMMS.items():
            etest.run_helper(args.helper, uid, n, mode="fail", comm=comm)
        want = {(str(uid), etest.user_name(uid) or "", label): {"ok": 0, "failed": n}
                for label, n in zip(ODD_LABELS, ODD_COMMS.values())}

        def direct():
            expo, _ = etest.fetch_metrics(port, what=f"{what}: GET /metrics")
            return expo.execs(("uid", "comm")) == want, expo.text

        wait_for(f"{what}: /metrics with the comm labels {list(ODD_LABELS)} escaped and read back "
                 f"as {want}", 20 * etest.slowness(), direct)
        queries = {f'bcc_execcount_execs_total{{instance="{target}",comm={promql_string(label)},'
                   f'outcome="failed"}}': n for label, n in zip(ODD_LABELS, ODD_COMMS.values())}

        def scraped():
            answers = {q: etest.prometheus_query(prom, q) for q in queries}
            good = all(len(a) == 1 and a[0][1] == queries[q] for q, a in answers.items())
            seen = "\n".join(f"  {q} -> {a} (want {queries[q]})" for q, a in answers.items())
            return good, seen + f"\n  scrape of {target}: {scrape_health(prom, target)}"

        try:
            wait_for(f"{what}: Prometheus's answers for the odd comms", 60 * etest.slowness(),
                     scraped)
        except etest.Failure as e:
            etest.fail(f"{e}\n{prom.describe()}\n{t.describe()}")
        t.send(signal.SIGINT)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n" + t.describe())
    etest.log(f"{what}: the comms {[os.fsencode(c) for c in ODD_COMMS]} are the labels "
              f"{list(ODD_LABELS)} in /metrics and in Prometheus")


def classic_names(args, mode):
    """-f classic prints bare uids, but the metrics it exports still carry user names."""
    port = etest.free_port()
    what = f"--attach {mode} -f classic --listen 127.0.0.1:{port}"
    with etest.Tool(args.tool, ["--attach", mode, "-f", "classic", "--listen",
                                f"127.0.0.1:{port}", "1"]) as t:
        t.wait_stderr("serving metrics at", etest.start_timeout())
        etest.run_helper(args.helper, etest.UID_NOBODY, 7, mode="fail")
        deadline = time.monotonic() + 10 * etest.slowness()
        while True:
            expo, _ = etest.fetch_metrics(port, what=f"{what}: GET /metrics")
            got = expo.execs(("uid",)).get((str(etest.UID_NOBODY), etest.user_name(etest.UID_NOBODY)))
            if got and got["failed"] >= 7:
                break
            etest.check(time.monotonic() < deadline,
                        f"{what}: no series with uid {etest.UID_NOBODY} and user "
                        f"{etest.user_name(etest.UID_NOBODY)!r} and 7 failed execs\n" + t.describe())
            time.sleep(0.2)
        t.send(signal.SIGINT)
        etest.check(t.wait_exit(30 * etest.slowness()) == 0, f"{what}: exit\n" + t.describe())
    etest.log(f"{what}: the series carry user names")


def test(args):
    etest.require_root()
    etest.require_program("prometheus", "prometheus")
    classic_names(args, etest.attach_modes()[0])
    modes = etest.attach_modes()
    prom_port, odd_port, *ports = etest.free_ports(len(modes) + 2)
    tmp = tempfile.mkdtemp(prefix="etest-prometheus-")
    try:
        with etest.start_prometheus(tmp, [f"127.0.0.1:{p}" for p in ports + [odd_port]],
                                    port=prom_port) as prom:
            for mode, port in zip(modes, ports):
                one(args, mode, port, prom)
            odd_labels(args, modes[0], odd_port, prom)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    etest.main(test)
