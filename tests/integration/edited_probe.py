#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""edited_probe: --print-probe gives the shipped probe byte for byte, and an edited copy given
with --probe is what runs.

The copy adds 1000 instead of 1 per exec (the one add, to its syscall and outcome's counter); N execs
must then count exactly 1000*N, which the built-in probe can never produce, so the number proves
the file was compiled and attached.
"""
import os
import shutil
import tempfile

import etest

OK_EXECS = 50
FAIL_EXECS = 25
FACTOR = 1000
ADD_LINES = ("__sync_fetch_and_add(counter, 1);",)


def test(args):
    etest.require_root()
    shipped_path = etest.builtin_probe_path(args)
    shipped = etest.read_bytes(shipped_path)

    argv = ["--print-probe"]
    rc, out, err = etest.run_tool(args.tool, argv)
    etest.check(rc == 0, "--print-probe: expected exit 0\n"
                + etest.describe_run([args.tool] + argv, rc, out[:2000], err))
    printed = out.encode("utf-8")
    etest.check(printed == shipped,
                f"--print-probe: expected {shipped_path} byte for byte ({len(shipped)} bytes), "
                f"got {len(printed)} bytes that differ\n"
                + etest.describe_run([args.tool] + argv, rc, out[:2000], err))

    tmp = tempfile.mkdtemp(prefix="execcount-edited-")
    try:
        mine = os.path.join(tmp, "mine.c")
        edited = out
        for line in ADD_LINES:
            edited = etest.replace_once(edited, line, line.replace("1)", f"{FACTOR})"),
                                        "--print-probe")
        etest.write_text(mine, edited)
        for mode in etest.attach_modes():
            def work():
                etest.run_helper(args.helper, etest.UID_PLAIN, OK_EXECS, mode="ok")
                etest.run_helper(args.helper, etest.UID_PLAIN, FAIL_EXECS, mode="fail")

            t, final = etest.counting_run(args, mode, work, probe=mine)
            etest.check_count(t, final, etest.UID_PLAIN, FACTOR * (OK_EXECS + FAIL_EXECS), mode)
            etest.log(f"--attach {mode}: --probe {mine} counted {FACTOR} per exec")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    etest.main(test)
