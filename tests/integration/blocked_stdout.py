#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""blocked_stdout: a stop signal ends the tool soon although its stdout's reader has stopped.

The tool writes JSON blocks of BY_KEYS keys (--by exe, each key about 200 bytes) into a pipe the
test shrinks to one page and then stops reading: the tool's writes block.  For SIGTERM and
SIGINT: the tool must exit 0 within LIMIT_S seconds of the signal without the test reading
anything (it has a 1 s grace to hand over the rest), say on stderr that the output was cut,
have written at most one final block and no burst of catch-up ticks, and leave nothing in the
kernel.  With --listen the same (the HTTP server's threads must not take the signal).  Issue
14, item 2.
"""
import fcntl
import json
import os
import signal
import time

import etest

UID = 1234602  # its own: no other test makes execs as it
BY_KEYS = 300
F_SETPIPE_SZ = 1031
# measured: exit 1.0-1.1 s after the signal (the grace); 3x headroom over 1.1 s, rounded up
LIMIT_S = 4


def drain(fd):
    """What is left in the pipe, to its end."""
    os.set_blocking(fd, True)
    data = b""
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return data
        data += chunk


def case(args, mode, sig, extra):
    what = " ".join(["--attach", mode] + extra) + f", stdout blocked, {signal.Signals(sig).name}"
    state = etest.KernelState()
    argv = ["--attach", mode, "--by", "exe", "--uid", str(UID), "-f", "json"] + extra + ["1"]
    with etest.Tool(args.tool, argv) as t:
        t.wait_start(mode, by=("exe",))
        prog_ids, map_ids = etest.tool_objects(t, state, mode)
        fcntl.fcntl(t._fd, F_SETPIPE_SZ, 4096)
        etest.run_helper(args.helper, UID, BY_KEYS, distinct=BY_KEYS)
        # a block now holds BY_KEYS rows, far more than the pipe: the tool's write waits
        time.sleep(3 * etest.slowness())
        etest.check(t.proc.poll() is None, f"{what}: the tool exited early\n" + t.describe())
        t.send(sig)
        sent = time.monotonic()
        try:
            rc = t.proc.wait(timeout=LIMIT_S * etest.slowness())
        except Exception:
            t.kill()
            etest.fail(f"{what}: still running {LIMIT_S * etest.slowness()} s after "
                       f"{signal.Signals(sig).name} with its stdout blocked (killed now)\n"
                       + t.describe())
        took = time.monotonic() - sent
        rest = drain(t._fd)
        etest.check(rc == 0, f"{what}: expected exit 0, got {rc}\n" + t.describe())
        lines = rest.split(b"\n")
        finals = sum(1 for l in lines if b'"type":"final"' in l)
        ticks = sum(1 for l in lines if b'"type":"tick"' in l)
        etest.check(finals <= 1, f"{what}: {finals} final blocks\n" + t.describe())
        # the pipe holds one page: at most the block being written and the one before it
        etest.check(ticks <= 2, f"{what}: {ticks} ticks came out after the signal (catch-up?)\n"
                    + t.describe())
        etest.check("the rest of the output is lost" in t.stderr(),
                    f"{what}: expected stderr to say the output was cut\n" + t.describe())
    etest.wait_nothing_left(t.pid, prog_ids, map_ids, state=state, map_names=("counts", "self"),
                            context=f"{what}: ")
    etest.log(f"ok: {what}: exit 0 {took:.2f} s after the signal, {ticks} tick(s) and {finals} "
              f"final block(s) in the pipe, nothing left")


def test(args):
    etest.require_root()
    etest.require_bpftool()
    mode = etest.attach_modes()[0]
    case(args, mode, signal.SIGTERM, [])
    case(args, mode, signal.SIGINT, [])
    case(args, mode, signal.SIGTERM, ["--listen", f"127.0.0.1:{etest.free_port()}"])


if __name__ == "__main__":
    etest.main(test)
