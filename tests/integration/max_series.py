#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""max_series: --max-series N exports at most N keys, the smallest folded into one "other" key.

Five tools run at once on the same execs (the first attach mode: the hooks do not matter here),
each with --listen on its own free loopback port and `--uid` of the test uids only, so no other
exec on the machine adds a key.  Under uid 1234567 the helper makes failing execs of five missing
paths of this run, 600, 500, 400, 300 and 200 of them, 15 successful execs of a sixth path (a
symlink of this run to /bin/true), and 5 failing execs of the relative path "other" (a real key
whose exe label is "other"): seven keys, of distinct counts, 2020 execs; under uid 3000000001,
100 failing execs of another missing path.

  --by exe --max-series 3 (also --textfile)  the 2 largest keys and the folded key
                              {exe="other",folded="true"}: ok 15, failed 400 + 300 + 200 + 5
  --by exe --max-series 6     the 5 largest and the folded key = the symlink's 15 ok and the
                              real "other"'s 5 failed
  --by exe --max-series 7     exactly the seven keys, the real exe="other" among them without a
                              folded label (there are not more keys than N)
  --by exe --max-series 1     only the folded key, holding everything (ok 15, failed 2005)
  --by uid,exe --max-series 2 (both uids)  the largest key and the folded key, whose every key
                              label is "other" (uid, user, exe), holding the seven others

For each: /metrics has exactly those keys, each as two series (outcome ok and failed) with those
exact values and exactly the labels of --by, outcome, and folded="true" on the folded key only;
the sum over all series = the execs made, bcc_execcount_keys = the keys in the kernel table (7,
or 8), HELP and TYPE of every family.  With --textfile the file holds the same folded keys after
SIGINT.  The JSON output is not capped: the final line has every key, exact.
Bad values (0, 1000001, "x", "") exit 64.
"""
import os
import shutil
import signal
import tempfile
import time

import etest

UID = etest.UID_PLAIN
UID2 = etest.UID_32BIT
FAILS = (600, 500, 400, 300, 200)   # failing execs of path 0 .. 4 (under UID)
OKS = 15                            # successful execs of the symlink (under UID)
REAL_OTHER = "other"                # a path really called "other" (relative: run in tmp)
REAL_OTHER_FAILS = 5                # its failing execs (under UID)
FAILS2 = 100                        # failing execs of path 5 (under UID2)


def label_names(by):
    return [n for f in by for n in etest.METRIC_LABELS[f]]


def series(expo, by, what, body):
    """execs_total as {(key label values, folded): {outcome: value}}, folded True for the key
    --max-series folds into ("folded" label "true"), False for a real key; a failure when a
    series has other labels than the key labels of --by, outcome, and folded="true" (the folded
    key only)."""
    names = label_names(by)
    result = {}
    for labels, value in expo.samples(etest.EXECS_METRIC):
        folded = "folded" in labels
        want = set(names) | {"outcome"} | ({"folded"} if folded else set())
        etest.check(set(labels) == want and labels.get("folded", "true") == "true"
                    and labels["outcome"] in etest.OUTCOMES,
                    f"{what}: expected each series to have exactly the labels {sorted(names)}, "
                    f"outcome (ok or failed), and folded=\"true\" on the folded key only; got "
                    f"{labels}" + body)
        key = (tuple(labels[n] for n in names), folded)
        result.setdefault(key, {})[labels["outcome"]] = value
    return result


def expected(paths, link, n, by):
    """{(key label values, folded): {"ok": n, "failed": n}} that --max-series n must export."""
    keys = [((UID, p), {"ok": 0, "failed": c}) for p, c in zip(paths, FAILS)]
    keys.append(((UID, link), {"ok": OKS, "failed": 0}))
    keys.append(((UID, REAL_OTHER), {"ok": 0, "failed": REAL_OTHER_FAILS}))
    if by == ("uid", "exe"):
        keys.append(((UID2, paths[5]), {"ok": 0, "failed": FAILS2}))
    keys.sort(key=lambda kv: -(kv[1]["ok"] + kv[1]["failed"]))

    def label(key):
        uid, exe = key
        if by == ("exe",):
            return ((exe,), False)
        return ((str(uid), etest.user_name(uid) or "", exe), False)

    if len(keys) <= n:
        return {label(k): v for k, v in keys}
    result = {label(k): v for k, v in keys[:n - 1]}
    other = {"ok": sum(v["ok"] for _, v in keys[n - 1:]),
             "failed": sum(v["failed"] for _, v in keys[n - 1:])}
    result[((etest.OTHER,) * len(label_names(by)), True)] = other
    return result


def check_expo(expo, by, want, nkeys, total, what, t):
    body = f"\n--- body:\n{expo.text}\n" + t.describe()
    etest.check_families(expo, what)
    got = series(expo, by, what, body)
    etest.check(got == want, f"{what}: expected exactly the keys {{(labels, folded): values}} "
                f"{want}, got {got}" + body)
    n = len(expo.samples(etest.EXECS_METRIC))
    etest.check(n == 2 * len(want), f"{what}: expected {2 * len(want)} series (two per key), "
                f"got {n}" + body)
    etest.check(expo.total(etest.EXECS_METRIC) == total,
                f"{what}: expected the series to sum to the {total} execs made, got "
                f"{expo.total(etest.EXECS_METRIC)}" + body)
    etest.check(expo.samples("bcc_execcount_keys") == [({}, nkeys)],
                f"{what}: expected bcc_execcount_keys {nkeys} (the kernel table's keys, before "
                f"the cap), got {expo.samples('bcc_execcount_keys')}" + body)


def run(args, mode, tmp):
    base = f"/nonexistent/etest-{os.getpid()}-series"
    paths = [f"{base}-{i}" for i in range(6)]
    link = os.path.join(tmp, "true")
    os.symlink("/bin/true", link)
    textfile = os.path.join(tmp, "textfile", "bcc_execcount.prom")
    os.mkdir(os.path.dirname(textfile), 0o755)
    # (by, max_series, uids, with --textfile)
    runs = [(("exe",), 3, [UID], True), (("exe",), 6, [UID], False),
            (("exe",), 7, [UID], False), (("exe",), 1, [UID], False),
            (("uid", "exe"), 2, [UID, UID2], False)]
    ports = etest.free_ports(len(runs))
    tools = []
    try:
        for (by, n, uids, tf), port in zip(runs, ports):
            argv = ["--attach", mode, "--format", "json", "--listen", f"127.0.0.1:{port}",
                    "--by", ",".join(by), "--uid", ",".join(map(str, uids)),
                    "--max-series", str(n)]
            if tf:
                argv += ["--textfile", textfile]
            tools.append(etest.Tool(args.tool, argv + ["1"]))
        for (by, n, uids, tf), t in zip(runs, tools):
            t.wait_start(mode, by=by)
        for p, c in zip(paths, FAILS):
            etest.run_helper(args.helper, UID, c, mode="fail", path=p)
        etest.run_helper(args.helper, UID, OKS, mode="ok", path=link)
        etest.run_helper(args.helper, UID, REAL_OTHER_FAILS, mode="fail", path=REAL_OTHER)
        etest.run_helper(args.helper, UID2, FAILS2, mode="fail", path=paths[5])
        total1 = sum(FAILS) + OKS + REAL_OTHER_FAILS
        for (by, n, uids, tf), port, t in zip(runs, ports, tools):
            what = (f"--attach {mode} --by {','.join(by)} --uid {','.join(map(str, uids))} "
                    f"--max-series {n}: GET /metrics")
            total = total1 + (FAILS2 if UID2 in uids else 0)
            nkeys = len(FAILS) + 2 + (1 if UID2 in uids else 0)
            deadline = time.monotonic() + 20 * etest.slowness()
            while True:
                expo, _ = etest.fetch_metrics(port, what=what)
                if expo.total(etest.EXECS_METRIC) == total:
                    break
                etest.check(time.monotonic() < deadline,
                            f"{what}: the series never summed to the {total} execs made; "
                            f"last:\n{expo.text}\n" + t.describe())
                time.sleep(0.2)
            want = expected(paths, link, n, by)
            check_expo(expo, by, want, nkeys, total, what, t)
            etest.log(f"{what}: {len(want)} of {nkeys} keys exported, exact: {want}")
        for (by, n, uids, tf), t in zip(runs, tools):
            what = f"--by {','.join(by)} --max-series {n}"
            t.send(signal.SIGINT)
            rc = t.wait_exit(30 * etest.slowness())
            etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n"
                        + t.describe())
            final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]), by=by)
            rows = dict(zip(paths, FAILS))
            rows[REAL_OTHER] = REAL_OTHER_FAILS
            for p, c in rows.items():
                key = p if by == ("exe",) else (UID, p)
                etest.check_row(t, final, key, f"{what}: the final JSON (not capped)",
                                count=c, ok=0, failed=c)
            key = link if by == ("exe",) else (UID, link)
            etest.check_row(t, final, key, f"{what}: the final JSON (not capped)",
                            count=OKS, ok=OKS, failed=0)
            etest.check(len(final) == len(uids) + 6, f"{what}: expected {len(uids) + 6} rows "
                        f"in the final JSON, got {len(final)}\n" + t.describe())
            if tf:
                expo = etest.parse_exposition(etest.read_bytes(textfile),
                                              f"{what}: --textfile after the exit")
                check_expo(expo, by, expected(paths, link, n, by), len(FAILS) + 2, total1,
                           f"{what}: --textfile after the exit", t)
                etest.log(f"{what}: --textfile holds the same folded keys")
    finally:
        for t in tools:
            t.kill()


def bad_values(args):
    for value in ("0", "1000001", "x", ""):
        argv = ["--max-series", value, "1"]
        rc, out, err = etest.run_tool(args.tool, argv)
        etest.check(rc == 64 and out == "" and err.startswith(etest.PREFIX),
                    f"--max-series {value!r}: expected exit 64, a message, nothing on stdout\n"
                    + etest.describe_run([args.tool] + argv, rc, out, err))
    etest.log("bad --max-series values: exit 64")


def test(args):
    etest.require_root()
    mode = etest.attach_modes()[0]
    tmp = tempfile.mkdtemp(prefix="etest-series-")
    cwd = os.getcwd()
    try:
        os.chmod(tmp, 0o755)  # the test uid execs the symlink in it
        os.chdir(tmp)         # where the path "other" (relative) is missing
        run(args, mode, tmp)
        bad_values(args)
    finally:
        os.chdir(cwd)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    etest.main(test)
