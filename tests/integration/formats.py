#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""formats: the classic and table outputs, with INTERVAL 1 and COUNT 2 (then exit 0).

After the "counting execs via" line, the helper makes a known number of execs under two
uids: 3000000001 (no passwd name, the widest uid) and 65534 (nobody).  Every line (classic) or
block (table) that arrives more than 0.5 s after the helper finished must show exactly those
numbers (the last one must be such); one arriving earlier may show less, never more.  The tool must exit 0 on its own after COUNT.
  classic  each line is "User ID <uid> has invoked <n> times execve syscall!\t" per uid,
           ascending, then the newline, as the Python original printed
  table    blocks: a "HH:MM:SS" line, the column line UID USER COUNT OK FAILED DELTA, one row
           per uid (delta = count - previous block's count; the helper's execs all fail, so
           OK 0 and FAILED = COUNT for its uids once it is done); every line under 80 columns
"""
import json
import re
import time

import etest

PLAN = {etest.UID_32BIT: 4321, etest.UID_NOBODY: 1234}  # uid: failing execs
CLASSIC_ENTRY = re.compile(r"User ID (\d+) has invoked (\d+) times execve syscall!\t")
TIME_LINE = re.compile(r"^\d{2}:\d{2}:\d{2}\b")
COLUMNS = ["UID", "USER", "COUNT", "OK", "FAILED", "DELTA"]


def run_format(args, mode, fmt):
    """Run --format FMT 1 2 with the execs made after the start.  Returns (tool, settled): lines
    that arrived after `settled` (monotonic time) were read from the table after the helper
    finished; earlier ones may predate some of its execs."""
    with etest.Tool(args.tool, ["--attach", mode, "--format", fmt, "1", "2"]) as t:
        t.wait_stderr(etest.COUNTING_TEXT, etest.start_timeout())
        for uid, n in PLAN.items():
            etest.run_helper(args.helper, uid, n)
        # a line that read the table just before the helper ended can arrive just after it
        settled = time.monotonic() + 0.5 * etest.slowness()
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"--format {fmt} 1 2: expected exit 0 after COUNT, got {rc}\n"
                    + t.describe())
        etest.check(t.times and t.times[-1] > settled,
                    f"--format {fmt} 1 2: the tool printed nothing after the helper's execs "
                    f"(it ended too soon after them to check)\n" + t.describe())
        return t, settled


def check_classic(args, mode):
    t, settled = run_format(args, mode, "classic")
    what = f"--attach {mode} --format classic 1 2"
    etest.check(len(t.lines) >= 2, f"{what}: expected at least 2 lines\n" + t.describe())
    for i, line in enumerate(t.lines):
        entries = CLASSIC_ENTRY.findall(line)
        etest.check(CLASSIC_ENTRY.sub("", line) == "",
                    f"{what}: line {i + 1}: expected only 'User ID <uid> has invoked <n> times "
                    f"execve syscall!<TAB>' entries, got {line!r}\n" + t.describe())
        uids = [int(u) for u, _ in entries]
        etest.check(uids == sorted(set(uids)),
                    f"{what}: line {i + 1}: expected uids ascending, each once: {uids}\n"
                    + t.describe())
        counts = {int(u): int(n) for u, n in entries}
        for uid, n in PLAN.items():
            if t.times[i] > settled:
                want = f"User ID {uid} has invoked {n} times execve syscall!\t"
                etest.check(want in line, f"{what}: line {i + 1} (printed after the execs): "
                            f"expected {want!r}\n" + t.describe())
            else:
                etest.check(counts.get(uid, 0) <= n, f"{what}: line {i + 1}: uid {uid} has "
                            f"{counts.get(uid)} execs, more than the {n} made\n" + t.describe())
    etest.log(f"ok: {what}: {len(t.lines)} lines, exact counts")


def check_table(args, mode):
    t, settled = run_format(args, mode, "table")
    what = f"--attach {mode} --format table 1 2"
    for i, line in enumerate(t.lines):
        etest.check(len(line) < 80, f"{what}: line {i + 1} is {len(line)} columns wide, "
                    f"expected under 80: {line!r}\n" + t.describe())
    # blocks: time line, column line, rows, each block ended by an empty line
    blocks, cur, start = [], None, 0
    for i, line in enumerate(t.lines):
        if cur is None:
            if not line:
                continue
            etest.check(TIME_LINE.match(line), f"{what}: line {i + 1}: expected a block to "
                        f"begin with the time HH:MM:SS, got {line!r}\n" + t.describe())
            cur, start = [], i
        elif not cur and line.split() != COLUMNS:
            etest.fail(f"{what}: line {i + 1}: expected the column line {' '.join(COLUMNS)}, "
                       f"got {line!r}\n" + t.describe())
        elif not cur:
            cur.append(None)  # the column line
        elif not line:
            blocks.append((start, cur[1:]))
            cur = None
        else:
            cur.append(line)
    etest.check(cur is None, f"{what}: the last block does not end with an empty line\n"
                + t.describe())
    etest.check(len(blocks) >= 2, f"{what}: expected at least 2 blocks\n" + t.describe())
    prev = {}
    for start, rows in blocks:
        counts, outcomes = {}, {}
        for line in rows:
            f = line.split()
            etest.check(len(f) >= 5 and all(x.isdigit() for x in [f[0]] + f[-4:]),
                        f"{what}: expected a row '{' '.join(COLUMNS)}', got {line!r}\n"
                        + t.describe())
            uid, count, ok, failed, delta = int(f[0]), *(int(x) for x in f[-4:])
            etest.check(ok + failed == count, f"{what}: row {line!r}: OK + FAILED is not "
                        f"COUNT\n" + t.describe())
            counts[uid] = count
            outcomes[uid] = (ok, failed)
            etest.check(delta == count - prev.get(uid, 0),
                        f"{what}: row {line!r}: expected delta {count - prev.get(uid, 0)}\n"
                        + t.describe())
            if uid in PLAN:
                name = etest.user_name(uid)
                if name is not None:
                    etest.check(f[1] == name, f"{what}: row {line!r}: expected user {name!r}\n"
                                + t.describe())
        for uid, n in PLAN.items():
            if t.times[start] > settled:
                etest.check(counts.get(uid) == n and outcomes.get(uid) == (0, n),
                            f"{what}: block at line {start + 1} (printed after the execs): "
                            f"expected uid {uid} with count {n}, OK 0, FAILED {n}; got count "
                            f"{counts.get(uid)}, (OK, FAILED) {outcomes.get(uid)}\n"
                            + t.describe())
            else:
                etest.check(counts.get(uid, 0) <= n, f"{what}: uid {uid} counted more than "
                            f"the {n} execs made\n" + t.describe())
        prev = counts
    etest.check(t.times[blocks[-1][0]] > settled, f"{what}: no block printed after the execs\n"
                + t.describe())
    etest.log(f"ok: {what}: {len(blocks)} blocks, exact counts")


def check_count_argument(args, mode):
    """INTERVAL COUNT: exactly COUNT ticks, then the final block, then exit 0 by itself."""
    count = 3
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "1", str(count)]) as t:
        t.wait_start(mode)
        rc = t.wait_exit(count + 30 * etest.slowness())
        types = [json.loads(line).get("type") for line in t.lines]
        etest.check(rc == 0 and types == ["start"] + ["tick"] * count + ["final"],
                    f"--attach {mode} -f json 1 {count}: expected exit 0 and start, {count} "
                    f"ticks, final; got exit {rc} and {types}\n" + t.describe())
    etest.log(f"ok: --attach {mode}: COUNT {count} gives {count} ticks and a final line")


def test(args):
    etest.require_root()
    for mode in etest.attach_modes():
        check_classic(args, mode)
        check_table(args, mode)
        check_count_argument(args, mode)


if __name__ == "__main__":
    etest.main(test)
