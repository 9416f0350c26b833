#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""stall: a stall (SIGSTOP, a suspended machine, a starved CPU) yields one block, not a burst.

`bcc-execcount --uid U -f json 1 5`: after its first tick the test stops the tool (SIGSTOP) for
STALL_S seconds, makes 3 execs as U meanwhile, and lets it go on (SIGCONT).  Expected: one block
at once that covers the whole stall (U's delta 3), then the schedule from then on (the next block
an interval later, not at once), every block with its own time, and COUNT counting the blocks
printed: 5 ticks, so the run goes on for about 3 s after the stall.  Issue 14, item 1.
"""
import json
import os
import signal
import time

import etest

STALL_S = 6
UID = 1234601  # its own: no other test makes execs as it
# after SIGCONT: the stall's block comes at once; no other block within BURST_S of it
BURST_S = 0.5


def test(args):
    etest.require_root()
    mode = etest.attach_modes()[0]
    what = f"--attach {mode}, {STALL_S} s SIGSTOP"
    with etest.Tool(args.tool, ["--attach", mode, "--uid", str(UID), "-f", "json", "1", "5"]) as t:
        t.wait_start(mode)
        first = t.read_json(etest.ticks_timeout(1), "the first tick")
        etest.check(first.get("type") == "tick", f"{what}: expected a tick, got {first}\n" + t.describe())
        os.kill(t.pid, signal.SIGSTOP)
        try:
            time.sleep(1)
            etest.run_helper(args.helper, UID, 3)
            time.sleep(STALL_S - 1)
        finally:
            os.kill(t.pid, signal.SIGCONT)
        resumed = time.monotonic()
        rc = t.wait_exit(etest.ticks_timeout(8))
        etest.check(rc == 0, f"{what}: expected exit 0, got {rc}\n" + t.describe())
    objs = [json.loads(line) for line in t.lines]
    times = t.times
    ticks = [(when, o) for when, o in zip(times, objs) if o.get("type") == "tick"]
    context = f"{what}: blocks (seconds after SIGCONT, block):\n" + "".join(
        f"  {when - resumed:+.3f} {json.dumps(o)}\n" for when, o in zip(times, objs)) + t.describe()
    etest.check(len(ticks) == 5, f"expected 5 ticks (COUNT counts blocks printed), got {len(ticks)}\n"
                + context)
    after = [(when, o) for when, o in ticks if when > resumed]
    etest.check(len(after) == 4, f"expected 4 ticks after SIGCONT, got {len(after)}\n" + context)
    stall_at, stall = after[0]
    burst = [o for when, o in after[1:] if when - stall_at < BURST_S]
    etest.check(not burst, f"expected one block for the stall, then one an interval later; "
                f"{len(burst)} more came within {BURST_S} s of it\n" + context)
    rows = [r for r in stall.get("rows", []) if r.get("uid") == UID]
    etest.check(len(rows) == 1 and rows[0].get("count") == 3 and rows[0].get("delta") == 3,
                f"expected the stall's block to carry uid {UID}'s 3 execs (count 3, delta 3), got "
                f"{rows}\n" + context)
    stamps = [o.get("ts") for _, o in ticks]
    etest.check(len(set(stamps)) == len(stamps), f"expected every tick its own time, got {stamps}\n"
                + context)
    etest.log(f"ok: {what}: one block for the stall (delta 3), the next "
              f"{after[1][0] - stall_at:.2f} s later, 5 ticks in all")


if __name__ == "__main__":
    etest.main(test)
