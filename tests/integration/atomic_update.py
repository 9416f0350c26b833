#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""atomic_update: the loaded programs add to their counters with atomic instructions only.

The concurrency test (concurrent.py) shows 1,000,000 simultaneous execs counted exactly, but a race
needs two CPUs inside the same few instructions at once: measured here, a probe with a plain
`(*count)++` lost 0 to 87 of 6,000,000 execs, so a count test alone cannot prove the add atomic.
This test does, deterministically: it reads every program the kernel actually runs for the tool
(bpftool prog dump xlated, for each program attached through the tool's own perf events) and
  - finds no plain read-modify-write of memory: a load from (rX +off), an add to the loaded value
    and a store back to the same (rX +off), which is what `(*count)++` or bcc's increment() becomes;
  - finds at least the atomic adds (`lock *(u64 *)(rX +off) += rY`) the counters need: one in each
    entry program (the self-test's counter) and in the exit and success programs (the one add per
    exec, to its syscall and outcome's counter; clang may share it with `dropped`'s); none in
    execveat_entry, which only notes its process when the default counts at the exits.
Both plans: the default (--by uid: on x86_64's tracepoints counted at the exits) and --by
uid,comm (entry, exit and success).
"""
import json
import re
import signal

import etest

LOCK_ADD = re.compile(r"lock \*\(u64 \*\)\(r\d+ [+-]\d+\) \+= r\d+")
LOAD = re.compile(r"^(r\d+) = \*\(u(?:64|32) \*\)\((r\d+ [+-]\d+)\)$")
ADD = re.compile(r"^(r\d+) \+= ")
STORE = re.compile(r"^\*\(u(?:64|32) \*\)\((r\d+ [+-]\d+)\) = (r\d+)$")
# the fewest atomic adds each program must have (see the docstring)
WANT_ADDS = {"execve_kprobe": 1, "execveat_kprobe": 1, "execve_tracepoint": 1,
             "execveat_tracepoint": 1, "exit_tracepoint": 1, "exit_kretprobe": 1,
             "exec_success": 1, "execve_exit": 1, "execveat_exit": 1, "execveat_entry": 0}


OPCODE = re.compile(r"^\([0-9a-f]{2}\) ")


def xlated(prog_id):
    """The instructions, without bpftool's "(79) " opcode prefix."""
    return [OPCODE.sub("", i.get("disasm", ""))
            for i in etest.bpftool_json("prog", "dump", "xlated", "id", str(prog_id))]


def plain_updates(insns):
    """Load, add, store back to the same address, within a few instructions: a non-atomic add."""
    found = []
    for i, insn in enumerate(insns):
        load = LOAD.match(insn)
        if not load:
            continue
        reg, addr = load.groups()
        window = insns[i + 1:i + 6]
        added = any(ADD.match(w) and ADD.match(w).group(1) == reg for w in window)
        stored = any(STORE.match(w) and STORE.match(w).groups() == (addr, reg) for w in window)
        if added and stored:
            found.append(" / ".join([insn] + window))
    return found


def tool_programs(t):
    """{program name: id} for the programs attached through the tool's perf events."""
    progs = {i: p.get("name", "") for i, p in etest.bpf_progs().items()}
    ids = {e["prog_id"] for e in etest.bpf_perf() if e.get("pid") == t.pid and "prog_id" in e}
    return {progs.get(i, f"id {i}"): i for i in ids}


def check_programs(t, mode):
    """The tool's programs, read from the kernel: no plain read-modify-write, at least the
    atomic adds each needs.  Returns ["<name> <adds>", ...]."""
    programs = tool_programs(t)
    # bpftool shows the full name from BTF, or the kernel's, cut to 15 characters
    want = dict(WANT_ADDS)
    want.update({name[:15]: n for name, n in WANT_ADDS.items()})
    etest.check(len(programs) >= 3 and all(name in want for name in programs),
                f"--attach {mode}: expected the tool's entry, exit and success programs, "
                f"got {json.dumps(programs)}\n" + t.describe())
    report = []
    for name, prog_id in sorted(programs.items()):
        insns = xlated(prog_id)
        listing = "--- program " + name + ":\n  " + "\n  ".join(insns) + "\n"
        plain = plain_updates(insns)
        etest.check(not plain, f"--attach {mode}: {name}: a non-atomic counter update: "
                    f"{plain}\n" + listing + t.describe())
        adds = [i for i in insns if LOCK_ADD.search(i)]
        etest.check(len(adds) >= want[name],
                    f"--attach {mode}: {name}: expected at least {want[name]} atomic "
                    f"adds, found {len(adds)}: {adds}\n" + listing + t.describe())
        report.append(f"{name} {len(adds)}")
    return report


def test(args):
    etest.require_root()
    etest.require_bpftool()
    for mode in etest.attach_modes():
        for by in (("uid",), ("uid", "comm")):
            with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "--by",
                                        ",".join(by), "1"]) as t:
                t.wait_start(mode, by=by)
                report = check_programs(t, mode)
                t.send(signal.SIGINT)
                rc = t.wait_exit(30 * etest.slowness())
                etest.check(rc == 0, f"--attach {mode}: expected exit 0, got {rc}\n"
                            + t.describe())
            etest.log(f"--attach {mode} --by {','.join(by)}: atomic adds only: "
                      f"{', '.join(report)}")


if __name__ == "__main__":
    etest.main(test)
