#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""concurrent: two processes exec'ing on the same uid at once on two CPUs lose no count.

exec_helper --procs 2 releases both processes from one barrier, so both race to insert the uid's
key on their first exec (a lost insert race drops counts, as bcc's atomic_increment() would), then
add 500,000 times each.  The table is per CPU now, so the two CPUs no longer add to one counter:
that the adds are atomic is atomic_update.py's proof (from the loaded instructions); this test
proves the insert race and the per-CPU sums on the host exact.  Only an exact 1,000,000 passes, in count
and in execve, and in failed (every call fails with ENOENT), with ok 0 and execveat 0.  With one
CPU the two processes cannot race, so the test skips there rather than pass without proving
anything.
"""
import os

import etest

PER_PROC = 500000
PROCS = 2


def test(args):
    etest.require_root()
    cpus = len(os.sched_getaffinity(0))
    if cpus < 2:
        etest.skip(f"needs 2 CPUs for the two processes to race; this process may use {cpus}")
    for mode in etest.attach_modes():
        def work():
            etest.run_helper(args.helper, etest.UID_PLAIN, PER_PROC, mode="fail", procs=PROCS)

        t, final = etest.counting_run(args, mode, work)
        n = PER_PROC * PROCS
        etest.check_row(t, final, etest.UID_PLAIN,
                        f"--attach {mode}: {PROCS} x {PER_PROC} failing execve calls at once",
                        count=n, execve=n, execveat=0, ok=0, failed=n)
        etest.log(f"--attach {mode}: {PROCS} x {PER_PROC} concurrent execs counted exactly, "
                  f"all failed")


if __name__ == "__main__":
    etest.main(test)
