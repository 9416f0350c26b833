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


def expected():
    want = {}
    for uid, calls in PLAN.items():
        row = dict(count=0, execve=0, execveat=0, ok=0, failed=0)
        for syscall, (oks, fails) in calls.items():
            row[syscall] += oks + fails
            row["count"] += oks + fails
            row["ok"] += oks
            row["failed"] += fails
        want[uid] = row
    return want


def work(args):
    for uid, calls in PLAN.items():
        for syscall, (oks, fails) in calls.items():
            etest.run_helper(args.helper, uid, oks, mode="ok", syscall=syscall)
            etest.run_helper(args.helper, uid, fails, mode="fail", syscall=syscall)


def check_atomic(t, mode):
    programs = atomic_update.tool_programs(t)
    want = dict(atomic_update.WANT_ADDS)
    want.update({name[:15]: n for name, n in atomic_update.WANT_ADDS.items()})
    etest.check(programs and all(name in want for name in programs),
                f"--attach {mode}: expected the probe's programs, got {programs}\n"
                + t.describe())
    for name, prog_id in sorted(programs.items()):
        insns = atomic_update.xlated(prog_id)
        plain = atomic_update.plain_updates(insns)
        adds = [i for i in insns if atomic_update.LOCK_ADD.search(i)]
        etest.check(not plain and len(adds) >= want[name],
                    f"--attach {mode}: {name}: expected at least {want[name]} atomic adds and no "
                    f"plain read-modify-write, found adds {adds}, plain {plain}\n" + t.describe())
    return sorted(programs)


def counted_run(args, mode, stop):
    what = f"--attach {mode}, {signal.Signals(stop).name}"
    began = time.monotonic()
    state = etest.KernelState()
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "1"]) as t:
        t.wait_start(mode)
        prog_ids, map_ids = etest.tool_objects(t, state, mode)
        programs = check_atomic(t, mode)
        work(args)
        t.send(stop)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"{what}: expected exit 0, got {rc}\n" + t.describe())
        try:
            final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]))
        except etest.Failure as e:
            etest.fail(f"{what}: {e}\n" + t.describe())
        for uid, row in expected().items():
            etest.check_row(t, final, uid, what, **row)
    etest.wait_nothing_left(t.pid, prog_ids, map_ids, state=state, map_names=("counts", "self"),
                            context=f"{what}: ")
    etest.log(f"ok: {what}: exact rows for uids {sorted(PLAN)}; atomic adds only in "
              f"{', '.join(programs)}; nothing left ({time.monotonic() - began:.1f} s)")


def killed_run(args, mode):
    what = f"--attach {mode}, SIGKILL"
    began = time.monotonic()
    state = etest.KernelState()
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "1"]) as t:
        t.wait_start(mode)
        prog_ids, map_ids = etest.tool_objects(t, state, mode)
        t.send(signal.SIGKILL)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == -signal.SIGKILL, f"{what}: expected death by SIGKILL, got {rc}\n"
                    + t.describe())
    etest.wait_nothing_left(t.pid, prog_ids, map_ids, state=state, map_names=("counts", "self"),
                            context=f"{what}: ")
    etest.log(f"ok: {what}: programs {sorted(prog_ids)} and maps {sorted(map_ids)} gone "
              f"({time.monotonic() - began:.1f} s)")


def test(args):
    etest.require_root()
    etest.require_bpftool()
    modes = etest.attach_modes()
    parts = [lambda m=m, s=STOPS[i % len(STOPS)]: counted_run(args, m, s)
             for i, m in enumerate(modes)]
    parts.append(lambda: killed_run(args, modes[0]))
    etest.run_parts(parts)


if __name__ == "__main__":
    etest.main(test)
