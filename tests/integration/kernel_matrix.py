#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kernel_matrix: what depends on the kernel, proved with one start of the tool per attach mode.

This is the test each kernel of the matrix runs (tests/vm boots Debian 11's 5.10, 12's 6.1 and
13's 6.12 under qemu and runs it there for --attach kprobe, auto and tracepoint); the host runs it
too.  A TCG guest costs about 40 ms per fork+exec and seconds per tool start, so every start here
proves several things at once, and every configuration is compiled once per boot (the tool's
compiled-program cache in the guest's /var/cache), not once per start.

For each attach mode, one run of the tool, stopped by a different signal each time (SIGTERM,
SIGINT, SIGHUP in turn):
  - the start line's hooks are the mode's (etest.check_hooks; auto as EXECCOUNT_EXPECT_AUTO says);
  - the programs the kernel runs update their counters with atomic adds only (atomic_update's
    check of the translated instructions);
  - two uids, one at or above 2^31, make successful and failing execve() and execveat() calls in
    numbers distinct per uid, syscall and outcome: every row is exact in count, execve, execveat,
    ok and failed;
  - after the signal: exit 0, a final line, and nothing of the tool left in the kernel (programs,
    maps, perf events, kprobe_events entries), as cleanup.py checks.
Then once more for the first mode, ended by SIGKILL: nothing left either (a legacy kprobe would
survive its process; the tool must not make one where the kprobe PMU exists).
"""
import signal
import time

import atomic_update
import etest

# uid: {syscall: (successful calls, failing calls)}, distinct everywhere (a successful exec forks:
# 40-250 ms in a TCG guest, so few of them)
PLAN = {
    etest.UID_PLAIN: {"execve": (3, 31), "execveat": (2, 17)},
    etest.UID_32BIT: {"execve": (1, 13), "execveat": (4, 11)},
}
STOPS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def one_run(args, mode, stop):
    """Start the tool, check its hooks and programs; unless stop is SIGKILL, make the plan's
    calls and check the final rows; then nothing of it may be left in the kernel."""
    what = f"--attach {mode}, {signal.Signals(stop).name}"
    began = time.monotonic()
    state = etest.KernelState()
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "1"]) as t:
        t.wait_start(mode)
        # the perf events must be of the kind the mode promises (auto: the one expected here)
        kind = etest.expect_auto().split(":")[0] if mode == "auto" else mode
        prog_ids, map_ids = etest.tool_objects(t, state, kind)
        counting = stop != signal.SIGKILL
        if counting:
            programs = atomic_update.check_programs(t, mode)
            etest.run_plan(args.helper, PLAN)
        t.send(stop)
        rc = t.wait_exit(30 * etest.slowness())
        want_rc = 0 if counting else -signal.SIGKILL
        etest.check(rc == want_rc, f"{what}: expected exit {want_rc}, got {rc}\n" + t.describe())
        if counting:
            try:
                final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]))
            except etest.Failure as e:
                etest.fail(f"{what}: {e}\n" + t.describe())
            for uid, row in etest.plan_rows(PLAN).items():
                etest.check_row(t, final, uid, what, **row)
    etest.wait_nothing_left(t.pid, prog_ids, map_ids, state=state, map_names=("counts", "self"),
                            context=f"{what}: ")
    done = (f"exact rows for uids {sorted(PLAN)}; atomic adds only in {', '.join(programs)}"
            if counting else "killed")
    etest.log(f"ok: {what}: {done}; programs {sorted(prog_ids)} and maps {sorted(map_ids)} "
              f"gone ({time.monotonic() - began:.1f} s)")


def test(args):
    etest.require_root()
    etest.require_bpftool()
    modes = etest.attach_modes()
    parts = [lambda m=m, s=STOPS[i % len(STOPS)]: one_run(args, m, s)
             for i, m in enumerate(modes)]
    parts.append(lambda: one_run(args, modes[0], signal.SIGKILL))
    etest.run_parts(parts)


if __name__ == "__main__":
    etest.main(test)
