#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""atomic_update: the loaded program adds to its counters with atomic instructions.

The concurrency test (concurrent.py) shows 1,000,000 simultaneous execs counted exactly, but a race
needs two CPUs inside the same few instructions at once: measured here, a probe with a plain
`(*count)++` lost 0 to 87 of 6,000,000 execs, so a count test alone cannot prove the add atomic.
This test does, deterministically: it reads the program the kernel actually runs (bpftool prog dump
xlated, for the program attached through the tool's own perf event) and requires both counter
updates, self.hits and the per-uid count, to be BPF atomic adds (`lock *(u64 *)(rX +off) += rY`).
A non-atomic add shows up as a load, `+= 1` and a store instead, and fails here.
"""
import json
import re
import signal

import etest

LOCK_ADD = re.compile(r"lock \*\(u64 \*\)\(r\d+ [+-]\d+\) \+= r\d+")
# self[0].hits (the self-test's counter) and counts[uid]: both must be atomic
WANT_ATOMIC_ADDS = 2


def xlated(prog_id):
    return [i.get("disasm", "") for i in etest.bpftool_json("prog", "dump", "xlated", "id",
                                                            str(prog_id))]


def test(args):
    etest.require_root()
    etest.require_bpftool()
    for mode in etest.attach_modes():
        with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "1"]) as t:
            t.wait_start(mode)
            perf = [e for e in etest.bpf_perf() if e.get("pid") == t.pid and "prog_id" in e]
            etest.check(len(perf) == 1, f"--attach {mode}: expected one perf event of the tool "
                        f"(pid {t.pid}) with a program, got {json.dumps(perf)}\n" + t.describe())
            insns = xlated(perf[0]["prog_id"])
            adds = [i for i in insns if LOCK_ADD.search(i)]
            etest.check(len(adds) == WANT_ATOMIC_ADDS,
                        f"--attach {mode}: expected {WANT_ATOMIC_ADDS} atomic adds (self.hits and "
                        f"the count) in the loaded program, found {len(adds)}: {adds}\n"
                        "--- program:\n  " + "\n  ".join(insns) + "\n" + t.describe())
            t.send(signal.SIGINT)
            rc = t.wait_exit(30 * etest.slowness())
            etest.check(rc == 0, f"--attach {mode}: expected exit 0, got {rc}\n" + t.describe())
        etest.log(f"--attach {mode}: program {perf[0]['prog_id']} updates both counters with "
                  f"atomic adds: {adds}")


if __name__ == "__main__":
    etest.main(test)
