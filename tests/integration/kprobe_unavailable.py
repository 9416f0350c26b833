#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kprobe_unavailable: the kprobe hook where the kernel has none, and where it has them.

Kernel without kprobes (no kprobe PMU, no kprobe_events in tracefs), as this project's CI kernel:
  --attach kprobe   exit 69, exactly one stderr line, prefixed, naming kprobe (not libbcc's
                    create_probe_event error); stdout empty; nothing loaded
  --attach auto     picks the tracepoint, counts exactly, and never prints a line containing
                    "kprobe_events" or "create_probe_event" (it must not even try the kprobe)
Kernel that says it has kprobes but refuses them (this kernel, seen from a mount namespace where
/sys/bus/event_source/devices has a kprobe PMU whose type no PMU has, and tracefs no kprobe_events):
  --attach auto     one warning line naming the kprobe and the fallback, then the tracepoints, counts
                    exactly; libbcc's create_probe_event noise is not on stderr; nothing left
  --attach kprobe   exit 1, one stderr line naming the kprobe and --attach tracepoint; nothing left
Kernel with kprobes (the qemu guest):
  --attach kprobe   hook "kprobe:<fn>" with fn an execve syscall function, counts exactly
  --attach auto     the hook EXECCOUNT_EXPECT_AUTO names, counts exactly
"""
import json
import re

import etest

OK_EXECS = 50
FAIL_EXECS = 500
NOISE = ("kprobe_events", "create_probe_event")


# a kprobe PMU that refuses every kprobe: perf_event_open() of a PMU type nobody registered is ENOENT
REFUSING_PMU = ["unshare", "--mount", "--propagation", "private", "sh", "-ec",
                "d=/sys/bus/event_source/devices; mount -t tmpfs -o size=64k refusing-pmu $d; "
                "mkdir $d/kprobe; echo 4242 > $d/kprobe/type; exec \"$@\"", "refusing-pmu"]


def count_run(args, mode, prefix=()):
    def work():
        etest.run_helper(args.helper, etest.UID_PLAIN, OK_EXECS, mode="ok")
        etest.run_helper(args.helper, etest.UID_PLAIN, FAIL_EXECS, mode="fail")

    t, final = etest.counting_run(args, mode, work, prefix=prefix)
    etest.check_count(t, final, etest.UID_PLAIN, OK_EXECS + FAIL_EXECS, mode)
    return t


def without_kprobes(args):
    want = etest.expect_auto()
    etest.check(not want.startswith("kprobe"),
                f"EXECCOUNT_EXPECT_AUTO={want!r}, but this kernel has no kprobes "
                f"(no {etest.KPROBE_PMU}, no kprobe_events)")

    state = etest.KernelState()
    with etest.Tool(args.tool, ["--attach", "kprobe", "--format", "json", "1"]) as t:
        rc = t.wait_exit(etest.start_timeout())
        err_lines = [line for line in t.stderr().splitlines() if line.strip()]
        etest.check(rc == 69, "--attach kprobe without kprobes: expected exit 69, got "
                    f"{rc}\n" + t.describe())
        etest.check(len(err_lines) == 1,
                    f"--attach kprobe without kprobes: expected exactly one stderr line, got "
                    f"{len(err_lines)}\n" + t.describe())
        line = err_lines[0]
        etest.check(line.startswith(etest.PREFIX) and "kprobe" in line[len(etest.PREFIX):],
                    f"--attach kprobe without kprobes: expected one line {etest.PREFIX!r}... "
                    f"naming kprobe, got {line!r}\n" + t.describe())
        etest.check("create_probe_event" not in line,
                    f"--attach kprobe without kprobes: libbcc's kprobe noise on stderr: "
                    f"{line!r}\n" + t.describe())
        etest.check(not t.lines, "--attach kprobe without kprobes: expected nothing on stdout\n"
                    + t.describe())
    etest.wait_nothing_left(t.pid, set(), set(), state=state, map_names=("counts", "self"),
                            context="--attach kprobe without kprobes: ")
    etest.log(f"ok: --attach kprobe: exit 69: {line}")

    t = count_run(args, "auto")
    etest.check(t.lines and t.lines[0] and
                json.loads(t.lines[0]).get("hook") == (etest.AT_EXIT_HOOK
                                                       if etest.at_exit("tracepoint")
                                                       else etest.TRACEPOINT_HOOK),
                "--attach auto without kprobes: expected the tracepoint\n" + t.describe())
    noisy = [line for line in t.stderr().splitlines() if any(n in line for n in NOISE)]
    etest.check(not noisy, f"--attach auto without kprobes: expected no line containing "
                f"{' or '.join(NOISE)} (auto must not try the kprobe), got {noisy}\n"
                + t.describe())
    etest.log("ok: --attach auto: the tracepoint, exact count, no kprobe noise")


def refused_kprobes(args):
    state = etest.KernelState()
    t = count_run(args, "auto", prefix=REFUSING_PMU)
    want = "tracepoint:syscalls:sys_exit_execve" if etest.at_exit("tracepoint") else None
    hook = json.loads(t.lines[0]).get("hook")
    etest.check(hook.startswith("tracepoint:") and (want is None or hook == want),
                f"--attach auto, kprobe refused: expected the tracepoints, got {hook!r}\n"
                + t.describe())
    lines = [line for line in t.stderr().splitlines() if line.strip()]
    warned = [line for line in lines if line.startswith(etest.PREFIX + "warning: attaching kprobe:")]
    etest.check(len(warned) == 1 and "tracepoint" in warned[0],
                "--attach auto, kprobe refused: expected one warning line naming the kprobe and "
                f"the tracepoints, got {warned}\n" + t.describe())
    noisy = [line for line in lines if any(n in line for n in NOISE)]
    etest.check(not noisy, f"--attach auto, kprobe refused: libbcc's noise on stderr: {noisy}\n"
                + t.describe())
    etest.wait_nothing_left(t.pid, set(), set(), state=state, map_names=("counts", "self"),
                            context="--attach auto, kprobe refused: ")
    etest.log(f"ok: --attach auto, kprobe refused: {warned[0]}; then {hook}, exact count")

    with etest.Tool(args.tool, ["--attach", "kprobe", "--format", "json", "1"],
                    prefix=REFUSING_PMU) as t:
        rc = t.wait_exit(etest.start_timeout())
        err_lines = [line for line in t.stderr().splitlines() if line.strip()]
        etest.check(rc == 1, f"--attach kprobe, kprobe refused: expected exit 1, got {rc}\n"
                    + t.describe())
        etest.check(len(err_lines) == 1 and err_lines[0].startswith(etest.PREFIX + "attaching kprobe:")
                    and "--attach tracepoint" in err_lines[0],
                    "--attach kprobe, kprobe refused: expected one line naming the kprobe and "
                    f"--attach tracepoint, got {err_lines}\n" + t.describe())
        etest.check(not t.lines, "--attach kprobe, kprobe refused: expected nothing on stdout\n"
                    + t.describe())
    etest.wait_nothing_left(t.pid, set(), set(), state=state, map_names=("counts", "self"),
                            context="--attach kprobe, kprobe refused: ")
    etest.log(f"ok: --attach kprobe, kprobe refused: exit 1: {err_lines[0]}")


def with_kprobes(args):
    t = count_run(args, "kprobe")
    hook = json.loads(t.lines[0])["hook"]
    etest.check(re.fullmatch(r"kprobe:\w*sys_execve", hook) is not None,
                f"--attach kprobe: expected the hook on the execve syscall function, e.g. "
                f"'kprobe:__x64_sys_execve', got {hook!r}\n" + t.describe())
    etest.log(f"ok: --attach kprobe: {hook}, exact count")
    t = count_run(args, "auto")
    etest.log(f"ok: --attach auto: {json.loads(t.lines[0])['hook']}, exact count")


def test(args):
    etest.require_root()
    etest.require_bpftool()
    if etest.kernel_has_kprobes():
        etest.log("this kernel has kprobes: checking that the kprobe hook counts exactly")
        with_kprobes(args)
    else:
        etest.log(f"this kernel has no kprobes ({etest.KPROBE_PMU} and kprobe_events absent)")
        without_kprobes(args)
        refused_kprobes(args)


if __name__ == "__main__":
    etest.main(test)
