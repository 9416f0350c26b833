#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""closed_pipe: when the reader of its stdout goes away, the tool detaches and exits 0, soon.

`bcc-execcount --format json 1 | head -n 1`: the test reads the start line, makes its program
visible with bpftool, closes the read end, and expects exit 0 within 5 s (the next tick at the
latest is 1 s away) with nothing of the tool left in the kernel.
"""
import time

import etest

LIMIT = 5


def test(args):
    etest.require_root()
    etest.require_bpftool()
    for mode in etest.attach_modes():
        what = f"--attach {mode}, stdout closed"
        state = etest.KernelState()
        with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "1"]) as t:
            t.wait_start(mode)
            prog_ids, map_ids = etest.tool_objects(t, state, mode)
            t.close_stdout()
            closed = time.monotonic()
            limit = LIMIT * etest.slowness()
            rc = t.wait_exit(limit)
            took = time.monotonic() - closed
            etest.check(rc == 0, f"{what}: expected exit 0, got {rc}\n" + t.describe())
        etest.wait_nothing_left(t.pid, prog_ids, map_ids, state=state,
                                map_names=("counts", "self"), context=f"{what}: ")
        etest.log(f"ok: {what}: exit 0 after {took:.2f} s, nothing left")


if __name__ == "__main__":
    etest.main(test)
