#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""in_flight: more exec calls held in the kernel at once than the probe's tables hold are each
counted or counted as dropped, none lost silently.

park_helper makes CALLS execve() calls as the test's uid at once and holds them all inside the
kernel (the path is on a userfaultfd page not yet there) until every one has parked, then lets
them fail with ENOENT.  CALLS is twice the probe's 10240 notes of calls in flight.  Expected in
the final block: the uid's count plus `dropped` equals CALLS exactly, some were dropped (the test
did overflow the table), count = failed.  Issue 14, item 3: an LRU of notes evicted calls still
in flight, so 10,217 of 20,100 were counted and `dropped` said 0.  That is with --by uid,comm,
whose calls are noted at entry; the default (--by uid) on x86_64's tracepoints counts at the
exits and notes no execve at all: there every one of the CALLS is counted, none dropped.
"""
import os
import signal
import subprocess

import etest

UID = 1234603  # its own: no other test makes execs as it
CALLS = 20480
NOTES = 10240  # the probe's `calls` table


def test(args):
    etest.require_root()
    helper = os.path.join(os.path.dirname(args.helper), "park_helper")
    if not os.access(helper, os.X_OK):
        etest.fail(f"{helper} is missing (cmake --build builds it with exec_helper)")
    for mode, by in [(m, by) for m in etest.attach_modes() for by in (("uid",), ("uid", "comm"))]:
        kind = mode if mode != "auto" else etest.expect_auto().split(":")[0]
        noted = not etest.at_exit(kind, by)
        what = f"--attach {mode} --by {','.join(by)}, {CALLS:,} calls in flight"
        with etest.Tool(args.tool, ["--attach", mode, "--by", ",".join(by), "--uid", str(UID),
                                    "-f", "json", "1"]) as t:
            t.wait_start(mode, by=by)
            p = subprocess.run([helper, "--uid", str(UID), "--threads", str(CALLS)],
                                     stdin=subprocess.DEVNULL, capture_output=True,
                                     text=True, timeout=600)
            if p.returncode == 1 and "userfaultfd" in p.stderr:
                etest.skip(f"park_helper cannot park calls here: {p.stderr.strip()}")
            etest.check(p.returncode == 0 and p.stdout.strip() == str(CALLS),
                        f"{what}: park_helper failed (exit {p.returncode}): {p.stdout}{p.stderr}")
            t.read_json(etest.ticks_timeout(2), "a tick after the calls")
            t.send(signal.SIGINT)
            rc = t.wait_exit(30 * etest.slowness())
            etest.check(rc == 0, f"{what}: expected exit 0, got {rc}\n" + t.describe())
        final = [o for o in etest.parse_json_lines(t, t.lines) if o.get("type") == "final"]
        etest.check(len(final) == 1, f"{what}: expected one final block\n" + t.describe())
        rows = [r for r in final[0]["rows"] if r.get("uid") == UID]
        counted = sum(r["count"] for r in rows)
        dropped = final[0]["dropped"]
        context = f"{what}: counted {counted:,}, dropped {dropped:,}\n" + t.describe()
        etest.check(counted + dropped == CALLS,
                    f"expected counted + dropped = {CALLS:,} (every call seen), got "
                    f"{counted + dropped:,}\n" + context)
        if noted:
            etest.check(dropped > 0 and counted <= NOTES,
                        f"expected some calls dropped (more in flight than the {NOTES} notes)\n"
                        + context)
        else:
            etest.check(dropped == 0, "expected none dropped: counted at the exits, nothing is "
                        "noted per call\n" + context)
        etest.check(sum(r["failed"] for r in rows) == counted,
                    f"expected every counted call failed\n" + context)
        etest.log(f"ok: {what}: {counted:,} counted + {dropped:,} dropped = {CALLS:,}")


if __name__ == "__main__":
    etest.main(test)
