#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""csv_format: --format csv --by uid,comm is RFC 4180 that Python's csv module reads back exactly.

The tool runs with `--format csv --by uid,comm 1` (the first attach mode: the hooks do not
matter here), stdout into a file (bytes, kept as they come).  The helper's workers set comms that
need quoting or are not UTF-8 (prctl):
  uid 1234567     comm 'a,b"c' (a comma and a double quote): 7 successful and 1234 failing execs
  uid 3000000001  comm 'n<LF>l': 321 failing; comm 'q<CR>r': 123 failing
  uid 65534       comm b'\\xffz\\xfe' (not UTF-8): 55 failing
After SIGINT (exit 0):
- the first line is exactly `type,ts,uid,user,comm,count,execve,execveat,ok,failed,delta`;
- lines end with LF, never CRLF; the odd comm is written `"a,b""c"` (quoted, the quote doubled);
- the csv module reads every record as 11 fields: type tick or final, ts RFC 3339 UTC with
  milliseconds; the records of one block (same type and ts) are a well-formed block (counts
  whole numbers, count = execve + execveat = ok + failed, sorted by count descending then key,
  each key once; across blocks counters never fall and delta = count - the previous block's);
  the final block is last;
- the final rows of the four keys are exact (count, execve, execveat, ok, failed), the comms
  read back byte for byte (the invalid UTF-8 bytes as they were), user empty for the uids
  without a passwd name and "nobody" for 65534.
"""
import csv
import io
import os
import signal
import subprocess
import tempfile
import time

import etest

HEADER = "type,ts,uid,user,comm,count,execve,execveat,ok,failed,delta"
COMM_QUOTE = 'a,b"c'
COMM_LF = "n\nl"
COMM_CR = "q\rr"
COMM_BYTES = os.fsdecode(b"\xffz\xfe")  # surrogate-escaped: the helper gets the bytes
# (uid, comm): (successful execs, failing execs)
PLAN = {
    (etest.UID_PLAIN, COMM_QUOTE): (7, 1234),
    (etest.UID_32BIT, COMM_LF): (0, 321),
    (etest.UID_32BIT, COMM_CR): (0, 123),
    (etest.UID_NOBODY, COMM_BYTES): (0, 55),
}
BY = ("uid", "comm")


def to_blocks(records, what):
    """The records (after the header) as JSON-like objects, one per block, for check_stream."""
    objs = []
    for i, rec in enumerate(records, 2):
        etest.check(len(rec) == 11, f"{what}: record {i}: expected 11 fields, got {rec}")
        kind, ts, uid, user, comm = rec[:5]
        etest.check(kind in ("tick", "final") and etest.RFC3339_MS.match(ts)
                    and all(x.isdigit() for x in [uid] + rec[5:]),
                    f"{what}: record {i}: expected tick|final, a ts like "
                    f"2026-11-25T01:40:30.123Z, a uid and six whole numbers: {rec}")
        if not objs or (objs[-1]["type"], objs[-1]["ts"]) != (kind, ts):
            objs.append({"type": kind, "ts": ts, "dropped": 0, "rows": []})
        row = {"uid": int(uid), "user": user or None, "comm": comm}
        row.update({k: int(v) for k, v in zip(etest.COUNTERS, rec[5:])})
        objs[-1]["rows"].append(row)
    for obj in objs:
        obj["keys"] = len(obj["rows"])
    return objs


def test(args):
    etest.require_root()
    mode = etest.attach_modes()[0]
    argv = [args.tool, "--attach", mode, "--format", "csv", "--by", ",".join(BY), "1"]
    what = f"--attach {mode} --format csv --by uid,comm"
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        def describe():
            out.seek(0)
            err.seek(0)
            return etest.describe_run(argv, proc.poll(), out.read().decode("utf-8", "replace"),
                                      err.read().decode("utf-8", "replace"))

        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                preexec_fn=etest._default_signals())
        try:
            deadline = time.monotonic() + etest.start_timeout()
            while True:
                err.seek(0)
                if etest.COUNTING_TEXT.encode() in err.read():
                    break
                etest.check(proc.poll() is None and time.monotonic() < deadline,
                            f"{what}: no {etest.COUNTING_TEXT!r} line on stderr\n" + describe())
                time.sleep(0.02)
            for (uid, comm), (ok, failed) in PLAN.items():
                if ok:
                    etest.run_helper(args.helper, uid, ok, mode="ok", comm=comm)
                etest.run_helper(args.helper, uid, failed, mode="fail", comm=comm)
            time.sleep(1.5 * etest.slowness())  # a tick or two with the counts
            proc.send_signal(signal.SIGINT)
            rc = proc.wait(timeout=30 * etest.slowness())
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        context = "\n" + describe()
        etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}" + context)
        out.seek(0)
        raw = out.read()

    etest.check(raw.startswith(HEADER.encode() + b"\n"),
                f"{what}: expected the first line {HEADER!r}, got {raw[:200]!r}" + context)
    etest.check(b"\r\n" not in raw, f"{what}: expected lines ending in LF, found CRLF" + context)
    etest.check(b'"a,b""c"' in raw, f"{what}: expected the comm {COMM_QUOTE!r} written as "
                f"'\"a,b\"\"c\"' (RFC 4180)" + context)
    text = raw.decode("utf-8", "surrogateescape")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as e:
        etest.fail(f"{what}: the csv module cannot read the output: {e}" + context)
    etest.check(records and records[0] == HEADER.split(","),
                f"{what}: the csv module read the header as {records[:1]}" + context)
    try:
        objs = to_blocks(records[1:], what)
        final = etest.check_stream(objs, by=BY)
    except etest.Failure as e:
        etest.fail(f"{e}" + context)
    etest.check(objs[-1]["type"] == "final" and sum(o["type"] == "final" for o in objs) == 1,
                f"{what}: expected one final block, last" + context)
    for (uid, comm), (ok, failed) in PLAN.items():
        key = (uid, comm)
        row = final.get(key)
        etest.check(row is not None, f"{what}: no final record for uid {uid} comm "
                    f"{os.fsencode(comm)!r}; final keys {sorted(final, key=repr)}" + context)
        want = dict(count=ok + failed, execve=ok + failed, execveat=0, ok=ok, failed=failed,
                    user=etest.user_name(uid))
        wrong = {k: (row[k], v) for k, v in want.items() if row[k] != v}
        etest.check(not wrong, f"{what}: uid {uid} comm {os.fsencode(comm)!r}: (got, expected) "
                    f"{wrong}" + context)
    etest.log(f"{what}: header exact, {len(objs)} blocks, the comms "
              f"{[os.fsencode(c) for _, c in PLAN]} read back exactly with exact counts")


if __name__ == "__main__":
    etest.main(test)
