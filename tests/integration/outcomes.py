#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""outcomes: each uid's row splits its attempts exactly into successes and failures.

Under one test uid the helper makes N successful execs (fork + exec /bin/true) and M failing ones
(a missing file, ENOENT): the final row must say ok = N, failed = M, count = N + M (each exec is
counted at its outcome, under the key noted at its entry).  The same under a second uid through
execveat, and under a third with two processes exec'ing /bin/true at once (each success must be
matched to its own call, whatever the other process does meanwhile).  N and M differ per uid and
per syscall, so a success counted as a failure, twice, or under another uid shows as a wrong
number.

Then once more with EXECCOUNT_DEBUG_NO_BATCH=1 in the tool's environment (for the first attach
mode: how the table is read does not depend on the hooks): the table is read key by key instead
of with BPF_MAP_LOOKUP_BATCH, and every number must be the same.  That the switch really changes
the reading is seen with strace (bpf() calls of `--format json 1 1`): without it the tool calls
BPF_MAP_LOOKUP_BATCH, with it never, and BPF_MAP_GET_NEXT_KEY instead.
"""
import os
import shutil
import subprocess
import tempfile

import etest

# uid: (syscall, successful execs per process, failing execs per process, processes)
# (successful execs fork: about 40 ms each in the qemu TCG guest, so few of them)
PLAN = {
    etest.UID_PLAIN: ("execve", 5, 3001, 1),
    etest.UID_32BIT: ("execveat", 7, 2002, 1),
    etest.UID_28BIT: ("execve", 6, 1003, 2),
}
NO_BATCH = {"EXECCOUNT_DEBUG_NO_BATCH": "1"}


def bpf_commands(args, mode, env):
    """The bpf() commands the tool calls in `--format json 1 1` (strace -f)."""
    with tempfile.NamedTemporaryFile(prefix="etest-strace-") as log:
        argv = ["strace", "-f", "--seccomp-bpf", "-e", "trace=bpf", "-o", log.name]
        full_env = dict(os.environ, **(env or {}))
        p = subprocess.run(argv + [args.tool, "--attach", mode, "--format", "json", "1", "1"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, env=full_env, timeout=60 * etest.slowness())
        etest.check(p.returncode == 0, f"strace {args.tool} ... 1 1: exit {p.returncode}: "
                    f"{p.stderr.decode('utf-8', 'replace')}")
        text = log.read().decode("utf-8", "replace")
    return {c for c in ("BPF_MAP_LOOKUP_BATCH", "BPF_MAP_GET_NEXT_KEY") if c in text}


def check_read_paths(args, mode):
    with_batch = bpf_commands(args, mode, None)
    without = bpf_commands(args, mode, NO_BATCH)
    etest.check("BPF_MAP_LOOKUP_BATCH" in with_batch and "BPF_MAP_LOOKUP_BATCH" not in without
                and "BPF_MAP_GET_NEXT_KEY" in without,
                f"--attach {mode}: expected BPF_MAP_LOOKUP_BATCH by default (this kernel has "
                f"it), and BPF_MAP_GET_NEXT_KEY but no batch with EXECCOUNT_DEBUG_NO_BATCH=1; "
                f"strace saw {sorted(with_batch)} and {sorted(without)}")
    etest.log(f"--attach {mode}: the table is read by batch, key by key with the switch")


def test(args):
    etest.require_root()
    # not a skip: the exact counts below must not go untested for want of strace
    etest.check(shutil.which("strace") is not None,
                "strace is needed to see how the tool reads its table: scripts/setup.sh --tests "
                "installs it (apt-get install strace)")
    modes = etest.attach_modes()
    check_read_paths(args, modes[0])
    for mode in modes:
        def work():
            for uid, (syscall, oks, fails, procs) in PLAN.items():
                etest.run_helper(args.helper, uid, oks, mode="ok", procs=procs, syscall=syscall)
                etest.run_helper(args.helper, uid, fails, mode="fail", procs=procs,
                                 syscall=syscall)

        for env in (None, NO_BATCH) if mode == modes[0] else (None,):
            what = f"--attach {mode}" + (" (EXECCOUNT_DEBUG_NO_BATCH=1)" if env else "")
            t, final = etest.counting_run(args, mode, work, env=env)
            for uid, (syscall, oks, fails, procs) in PLAN.items():
                n, m = oks * procs, fails * procs
                etest.check_row(t, final, uid, f"{what}: {procs} x ({oks} ok + {fails} failing) "
                                f"{syscall} calls", count=n + m, ok=n, failed=m,
                                execve=n + m if syscall == "execve" else 0,
                                execveat=n + m if syscall == "execveat" else 0)
            etest.log(f"{what}: ok/failed exact for uids {sorted(PLAN)}")


if __name__ == "__main__":
    etest.main(test)
