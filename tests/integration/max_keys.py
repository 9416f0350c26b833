#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""max_keys: a full table is never silent, and a large one is read exactly.

Full: `--by exe --max-keys 8 --uid <test uid>` while the helper (one process, under that uid)
makes 5 failing execs on each of 20 distinct missing paths, in rounds (path 0, 1, ..., 19, then
again): the first round fills the table with paths 0-7, so the final has exactly those 8 rows
with 5 each ("keys" 8), and "dropped" is the other 60; in any case the sum of the rows' counts +
dropped = the 100 execs made.  The --uid filter keeps every other exec on the machine out of
the table.  stderr carries the warnings "bcc-execcount: warning: N execs not counted (T in all):
the table is full at 8 keys -- raise --max-keys", then "N more execs" if it grows again: N what
is new since the last warning, T the whole, so the Ns add up to each T and the last T is the
final's "dropped".  The same run in the table format ends its final block with "dropped 60
execs: the table is full at 8 keys -- raise --max-keys".

One key: `--max-keys 1 --uid 4242501` (a uid of its own), one exec on each of two paths:
exactly "warning: 1 exec not counted (1 in all): the table is full at 1 key -- raise
--max-keys" (the singular), then after one more on the second path "warning: 1 more exec not
counted (2 in all): ...", and the table format's final block says "dropped 2 execs: the table
is full at 1 key -- raise --max-keys".

Large: 8000 distinct paths (2 execs each, the default --max-keys) are 8000 exact rows with nothing
dropped: read with BPF_MAP_LOOKUP_BATCH, and again key by key (EXECCOUNT_DEBUG_NO_BATCH=1).  A
batch holds 1 MiB of keys and per-CPU values (3276 `--by exe` keys on 2 CPUs, fewer with more
CPUs), so the batched read takes several calls, each going on from where the last stopped.
"""
import re
import signal

import etest

MAX_KEYS = 8
DISTINCT = 20
PER_PATH = 5
BASE = etest.HELPER_MISSING_PATH
UID = etest.UID_PLAIN
# one_key's own uid, which no other test uses: its warnings are asserted line for line, so no
# other exec may reach its table
ONE_KEY_UID = 4242501

LARGE_DISTINCT = 8000
LARGE_PER_PATH = 2
LARGE_BASE = "/nonexistent/etest-large"

WARNING = re.compile(r"^bcc-execcount: warning: (\d+)( more)? execs? not counted \((\d+) in "
                     r"all\): the table is full at (\d+) keys? -- raise --max-keys$")


def options():
    return ["--by", "exe", "--max-keys", str(MAX_KEYS), "--uid", str(UID)]


def full_json(args, mode):
    total = DISTINCT * PER_PATH
    paths = etest.distinct_paths(DISTINCT, total)
    kept = {f"{BASE}-{i}": PER_PATH for i in range(MAX_KEYS)}

    def work():
        etest.run_helper(args.helper, UID, total, mode="fail", distinct=DISTINCT)

    t, final = etest.counting_run(args, mode, work, by=["exe"], max_keys=MAX_KEYS, uids=[UID])
    what = (f"--attach {mode} {' '.join(options())}: {DISTINCT} paths x {PER_PATH} failing "
            f"execs")
    counted = sum(r["count"] for r in final.values())
    etest.check(counted + final.dropped == total,
                f"{what}: expected the rows' counts ({counted}) + dropped ({final.dropped}) = "
                f"the {total} execs made\n" + t.describe())
    etest.check(len(final) == MAX_KEYS and final.nkeys == MAX_KEYS,
                f"{what}: expected {MAX_KEYS} rows and \"keys\":{MAX_KEYS} (the table full), "
                f"got {len(final)} rows and \"keys\":{final.nkeys}\n" + t.describe())
    etest.check(set(final) <= set(paths), f"{what}: rows of paths the helper did not exec: "
                f"{sorted(set(final) - set(paths))}\n" + t.describe())
    etest.check(final.dropped > 0, f"{what}: expected \"dropped\" > 0, got {final.dropped}\n"
                + t.describe())
    for path, n in kept.items():
        etest.check_row(t, final, path, f"{what} (paths 0-{MAX_KEYS - 1} came first)",
                        count=n, execve=n, execveat=0, ok=0, failed=n)
    etest.check(final.dropped == total - MAX_KEYS * PER_PATH,
                f"{what}: expected \"dropped\":{total - MAX_KEYS * PER_PATH}, got "
                f"{final.dropped}\n" + t.describe())
    warnings = [WARNING.match(line) for line in t.stderr().splitlines()
                if line.startswith("bcc-execcount: warning:")]
    etest.check(warnings and all(warnings),
                f"{what}: expected stderr lines 'bcc-execcount: warning: N [more] execs not "
                f"counted (T in all): the table is full at {MAX_KEYS} keys -- raise --max-keys', "
                f"got {[line for line in t.stderr().splitlines() if 'warning' in line]}\n"
                + t.describe())
    news = [int(m.group(1)) for m in warnings]
    totals = [int(m.group(3)) for m in warnings]
    sums = [sum(news[:i + 1]) for i in range(len(news))]
    etest.check(all(int(m.group(4)) == MAX_KEYS for m in warnings) and totals == sums
                and totals[-1] == final.dropped
                and [bool(m.group(2)) for m in warnings] == [i > 0 for i in range(len(news))],
                f"{what}: the warnings must name {MAX_KEYS} keys, each say what is new (\"more\" "
                f"after the first) and the total so far, the news adding up to each total and "
                f"the last total the {final.dropped} dropped; got news {news}, totals "
                f"{totals}\n" + t.describe())
    etest.log(f"{what}: {MAX_KEYS} rows of {PER_PATH}, dropped {final.dropped}, warned")


def full_table(args, mode):
    total = DISTINCT * PER_PATH
    dropped = total - MAX_KEYS * PER_PATH
    want = (f"dropped {dropped} execs: the table is full at {MAX_KEYS} keys -- raise "
            f"--max-keys")
    what = f"--attach {mode} --format table {' '.join(options())} 1"
    with etest.Tool(args.tool, ["--attach", mode, "--format", "table"] + options() + ["1"]) as t:
        t.wait_stderr(etest.COUNTING_TEXT, etest.start_timeout())
        etest.run_helper(args.helper, UID, total, mode="fail", distinct=DISTINCT)
        t.send(signal.SIGINT)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n" + t.describe())
        # the final block: the lines after the last empty line before the end
        lines = t.lines[:-1] if t.lines and t.lines[-1] == "" else t.lines
        last = lines[len(lines) - lines[::-1].index(""):] if "" in lines else lines
        etest.check(want in [line.strip() for line in last],
                    f"{what}: expected the line {want!r} in the final block, got {last}\n"
                    + t.describe())
    etest.log(f"{what}: final block says {want!r}")


def one_key(args, mode):
    """--max-keys 1: the warning and the table line in the singular, and "more" the second time."""
    opts = ["--by", "exe", "--max-keys", "1", "--uid", str(ONE_KEY_UID)]
    first = ("bcc-execcount: warning: 1 exec not counted (1 in all): the table is full at 1 key "
             "-- raise --max-keys")
    second = ("bcc-execcount: warning: 1 more exec not counted (2 in all): the table is full at "
              "1 key -- raise --max-keys")
    table = "dropped 2 execs: the table is full at 1 key -- raise --max-keys"
    what = f"--attach {mode} --format table {' '.join(opts)} 1"
    with etest.Tool(args.tool, ["--attach", mode, "--format", "table"] + opts + ["1"]) as t:
        t.wait_stderr(etest.COUNTING_TEXT, etest.start_timeout())
        # paths 0 and 1 once each: path 0 takes the one key, path 1 is dropped
        etest.run_helper(args.helper, ONE_KEY_UID, 2, mode="fail", distinct=2)
        t.wait_stderr(first, etest.ticks_timeout(3))
        etest.run_helper(args.helper, ONE_KEY_UID, 2, mode="fail", distinct=2)
        t.wait_stderr(second, etest.ticks_timeout(3))
        t.send(signal.SIGINT)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n" + t.describe())
        warnings = [line for line in t.stderr().splitlines() if "warning" in line]
        etest.check(warnings == [first, second],
                    f"{what}: expected exactly the warnings {[first, second]}, got {warnings}\n"
                    + t.describe())
        lines = t.lines[:-1] if t.lines and t.lines[-1] == "" else t.lines
        last = lines[len(lines) - lines[::-1].index(""):] if "" in lines else lines
        etest.check(table in [line.strip() for line in last],
                    f"{what}: expected the line {table!r} in the final block, got {last}\n"
                    + t.describe())
    etest.log(f"{what}: {first!r}, then {second!r}; the final block says {table!r}")


def large(args, mode):
    total = LARGE_DISTINCT * LARGE_PER_PATH
    paths = etest.distinct_paths(LARGE_DISTINCT, total, base=LARGE_BASE)

    def work():
        etest.run_helper(args.helper, UID, total, mode="fail", path=LARGE_BASE,
                         distinct=LARGE_DISTINCT)

    for env in (None, {"EXECCOUNT_DEBUG_NO_BATCH": "1"}):
        what = (f"--attach {mode} --by exe --uid {UID}: {LARGE_DISTINCT} paths"
                + (" (EXECCOUNT_DEBUG_NO_BATCH=1)" if env else ""))
        t, final = etest.counting_run(args, mode, work, by=["exe"], uids=[UID], env=env)
        etest.check(final.dropped == 0 and final.nkeys == LARGE_DISTINCT
                    and set(final) == set(paths),
                    f"{what}: expected exactly the {LARGE_DISTINCT} paths as rows, \"keys\":"
                    f"{LARGE_DISTINCT}, nothing dropped; got {len(final)} rows, \"keys\":"
                    f"{final.nkeys}, \"dropped\":{final.dropped}, unexpected rows "
                    f"{sorted(set(final) - set(paths))[:5]}, missing "
                    f"{sorted(set(paths) - set(final))[:5]}\n" + t.describe())
        wrong = [(p, final[p]["count"], final[p]["failed"]) for p, n in paths.items()
                 if final[p]["count"] != n or final[p]["failed"] != n]
        etest.check(not wrong, f"{what}: expected count and failed {LARGE_PER_PATH} for every "
                    f"path; {len(wrong)} differ, e.g. {wrong[:5]}\n" + t.describe())
        etest.log(f"{what}: all exact")


def test(args):
    etest.require_root()
    for mode in etest.attach_modes():
        full_json(args, mode)
        full_table(args, mode)
        one_key(args, mode)
        large(args, mode)


if __name__ == "__main__":
    etest.main(test)
