#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""cleanup: whatever ends the tool, nothing of it stays in the kernel.

For each attach mode and each of SIGINT, SIGTERM, SIGHUP and SIGKILL: while the tool runs, its
programs (named as etest.PROG_PREFIXES says), its maps and its perf events are found with bpftool
(so the check can see them: a check that cannot see them proves nothing); after it ended, none
of them remains (polled: the kernel frees asynchronously), no perf event of its pid, and no
kprobe_events line "_bcc_<pid>" (a legacy kprobe survives its process).  For SIGINT/SIGTERM/
SIGHUP the tool must also exit 0 after printing a final JSON line with the exact count of execs
made meanwhile.
Once more for SIGINT inherited as ignored (how a non-interactive shell starts a background job):
the contract's "SIGINT: detach, final, exit 0" holds there too.
"""
import signal

import etest

EXECS = 1000
GRACEFUL = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def one(args, mode, sig, ignore_sigint=False):
    what = f"--attach {mode}, {signal.Signals(sig).name}" + (
        " (SIGINT ignored when started)" if ignore_sigint else "")
    state = etest.KernelState()
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "1"],
                    ignore_sigint=ignore_sigint) as t:
        t.wait_start(mode)
        etest.run_helper(args.helper, etest.UID_PLAIN, EXECS)
        prog_ids, map_ids = etest.tool_objects(t, state, mode)
        t.send(sig)
        rc = t.wait_exit(30 * etest.slowness())
        if sig == signal.SIGKILL:
            etest.check(rc == -signal.SIGKILL, f"{what}: expected death by SIGKILL, got {rc}\n"
                        + t.describe())
        else:
            etest.check(rc == 0, f"{what}: expected exit 0, got {rc}\n" + t.describe())
            try:
                final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]))
            except etest.Failure as e:
                etest.fail(f"{what}: {e}\n" + t.describe())
            etest.check_count(t, final, etest.UID_PLAIN, EXECS, mode)
    etest.wait_nothing_left(t.pid, prog_ids, map_ids, state=state, map_names=("counts", "self"),
                            context=f"{what}: ")
    etest.log(f"ok: {what}: programs {sorted(prog_ids)} and maps {sorted(map_ids)} gone")


def test(args):
    etest.require_root()
    etest.require_bpftool()
    modes = etest.attach_modes()
    for mode in modes:
        for sig in GRACEFUL + (signal.SIGKILL,):
            one(args, mode, sig)
    one(args, modes[0], signal.SIGINT, ignore_sigint=True)


if __name__ == "__main__":
    etest.main(test)
