#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""exec_paths: the unusual paths of an exec, each counted exactly, and the programs run per exec.

For each attach mode (EXECCOUNT_TEST_ATTACH) and two keys: --by uid (the default; on x86_64's
tracepoints counted at the syscall's exit alone, one program per exec) and --by uid,comm (noted at
entry, counted at sched_process_exec or the exit: three programs per successful exec), under
uids of this test's own:
  - a set-user-ID program (a copy of /bin/true owned by root, mode 4755) exec'd by the test uid:
    counted under the caller's real uid, ok, never under root.  That the set-user-ID bit takes
    effect where the copy lives is proved first, by a copy of id(1) beside it printing euid 0;
  - execs from a thread that is not the process's first (exec_helper --thread): a success (the
    thread takes over the leader's pid) and a failure are each counted once, under their
    syscall: a successful execveat from such a thread counts as execveat's (x86_64 reports it at
    sys_exit_execve, under the leader's pid);
  - execs denied by seccomp (SECCOMP_RET_ERRNO, EPERM: exec_helper --seccomp): the syscall never
    runs, so syscalls:sys_enter_* does not fire but sys_exit_* does.  Counted at the exit alone
    they are failures; a plan that notes the call at entry does not see them at all (nor does a
    kprobe on the syscall function, which never runs): exactly 0 there.  docs/design.md says so;
  - the kernel's run counts (BPF_ENABLE_STATS, the run_cnt of the tool's programs in
    /proc/<pid>/fdinfo): over the 4,040 execve() calls the test makes, the default
    configuration on x86_64's tracepoints runs one program per exec (at least one run per exec,
    and under 1.5 per exec with the machine's own execs meanwhile); --by uid,comm runs three per
    successful exec and two per failing one.  So the default running more than one program per
    execve fails here.
"""
import ctypes
import os
import platform
import shutil
import subprocess
import tempfile

import etest

UID_SETUID = 1234605
UID_THREAD = 1234606
UID_SECCOMP = 1234607
UID_RUNS = 1234608
UID_THREAD_AT = 1234609

SETUID_OKS = 7
THREAD_OKS, THREAD_FAILS = 5, 301
THREAD_AT_OKS = 4
SECCOMP_FAILS = 203
# mostly failing calls (no fork: fast), so that the machine's own execs meanwhile (the tests run
# one at a time, but the machine has its own) weigh little: one program per exec reads 1.0-1.1,
# the entry plans 2.0 or more
RUNS_OKS, RUNS_FAILS = 40, 4000
ONE_PROGRAM_MAX = 1.5

BPF_SYSCALL = {"x86_64": 321, "aarch64": 280}
BPF_ENABLE_STATS = 32


class Stats:
    """BPF run-time statistics on while held (BPF_ENABLE_STATS; off again when its fd closes)."""

    def __enter__(self):
        nr = BPF_SYSCALL.get(platform.machine())
        if nr is None:
            etest.skip(f"no bpf() syscall number known for {platform.machine()}")
        libc = ctypes.CDLL(None, use_errno=True)
        attr = ctypes.create_string_buffer(16)  # enable_stats.type = BPF_STATS_RUN_TIME (0)
        self.fd = libc.syscall(ctypes.c_long(nr), ctypes.c_long(BPF_ENABLE_STATS), attr,
                               ctypes.c_uint(16))
        etest.check(self.fd >= 0, f"bpf(BPF_ENABLE_STATS): {os.strerror(ctypes.get_errno())} "
                    "(Linux 5.8 or later has it)")
        return self

    def __exit__(self, *exc):
        os.close(self.fd)


def run_counts(pid):
    """{prog_id: run_cnt} of the BPF programs the process holds (fdinfo of its program fds)."""
    out = {}
    base = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(base):
        try:
            with open(f"{base}/{fd}") as f:
                info = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
        except OSError:
            continue
        if "run_cnt" in info and "prog_id" in info:
            out[int(info["prog_id"])] = int(info["run_cnt"])
    return out


def setuid_dir():
    """A directory holding root-owned set-user-ID copies of /bin/true and id(1), on a filesystem
    that honours the bit (proved: the id copy run as UID_SETUID prints euid 0)."""
    d = tempfile.mkdtemp(prefix="etest-setuid-", dir="/var/tmp")
    os.chmod(d, 0o755)
    for name, src in (("true", "/bin/true"), ("id", shutil.which("id") or "/usr/bin/id")):
        dst = os.path.join(d, name)
        shutil.copy(src, dst)
        os.chown(dst, 0, 0)
        os.chmod(dst, 0o4755)
    p = subprocess.run(["setpriv", f"--reuid={UID_SETUID}", f"--regid={UID_SETUID}",
                        "--clear-groups", os.path.join(d, "id"), "-u"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    if p.returncode != 0 or p.stdout.strip() != "0":
        shutil.rmtree(d)
        etest.skip(f"a set-user-ID root program in {d} does not run as euid 0 here "
                   f"(nosuid mount?): id -u said {p.stdout.strip()!r} {p.stderr.strip()!r}")
    return d


def check_runs(t, mode, by, one, before, after):
    """The tool's programs ran once per exec made (one) or three/two times (entry plans)."""
    execs = RUNS_OKS + RUNS_FAILS
    runs = sum(after.get(i, 0) - n for i, n in before.items())
    what = (f"--attach {mode} --by {','.join(by)}: the tool's programs ran {runs} times over the "
            f"test's {execs} execs ({RUNS_OKS} successful, {RUNS_FAILS} failing; run_cnt before "
            f"{before}, after {after})")
    if one:
        etest.check(execs <= runs <= execs * ONE_PROGRAM_MAX,
                    f"{what}: expected one program per exec: {execs} runs, and less than "
                    f"{ONE_PROGRAM_MAX} per exec with the machine's own execs")
    else:
        least = 3 * RUNS_OKS + 2 * RUNS_FAILS
        etest.check(runs >= least, f"{what}: expected entry, outcome (and the exit after a "
                    f"success): at least {least} runs")
    etest.log(f"{what}: {runs / execs:.2f} per exec")


def one_config(args, mode, by, bindir):
    kind = mode if mode != "auto" else etest.expect_auto().split(":")[0]
    one = etest.at_exit(kind, by)
    comm = "exec_helper" if "comm" in by else None
    counts = {}

    def key(uid):
        return (uid, comm) if comm else uid

    def work():
        etest.run_helper(args.helper, UID_SETUID, SETUID_OKS, mode="ok",
                         path=os.path.join(bindir, "true"))
        etest.run_helper(args.helper, UID_THREAD, THREAD_OKS, mode="ok", thread=True)
        etest.run_helper(args.helper, UID_THREAD, THREAD_FAILS, mode="fail", thread=True)
        etest.run_helper(args.helper, UID_THREAD_AT, THREAD_AT_OKS, mode="ok", thread=True,
                         syscall="execveat")
        etest.run_helper(args.helper, UID_SECCOMP, SECCOMP_FAILS, mode="fail", seccomp=True)
        with Stats():
            before = run_counts(tool.pid)
            etest.run_helper(args.helper, UID_RUNS, RUNS_OKS, mode="ok")
            etest.run_helper(args.helper, UID_RUNS, RUNS_FAILS, mode="fail")
            counts["runs"] = (before, run_counts(tool.pid))

    tool = None

    def started(t):
        nonlocal tool
        tool = t

    what = f"--attach {mode} --by {','.join(by)}"
    t, final = etest.counting_run(args, mode, work, by=list(by), on_start=started)
    etest.check_row(t, final, key(UID_SETUID), f"{what}: {SETUID_OKS} execs of a set-user-ID "
                    "root program by the uid", count=SETUID_OKS, ok=SETUID_OKS, failed=0)
    etest.check_row(t, final, key(UID_THREAD), f"{what}: {THREAD_OKS} successful and "
                    f"{THREAD_FAILS} failing execs from a second thread",
                    count=THREAD_OKS + THREAD_FAILS, ok=THREAD_OKS, failed=THREAD_FAILS,
                    execve=THREAD_OKS + THREAD_FAILS, execveat=0)
    # its success returns through execve's exit under the leader's pid: told apart by process
    etest.check_row(t, final, key(UID_THREAD_AT), f"{what}: {THREAD_AT_OKS} successful "
                    "execveat calls from a second thread", count=THREAD_AT_OKS, ok=THREAD_AT_OKS,
                    failed=0, execve=0, execveat=THREAD_AT_OKS)
    if one:
        etest.check_row(t, final, key(UID_SECCOMP), f"{what}: {SECCOMP_FAILS} execs denied by "
                        "seccomp, counted at the exit", count=SECCOMP_FAILS, ok=0,
                        failed=SECCOMP_FAILS)
    else:
        etest.check(key(UID_SECCOMP) not in final,
                    f"{what}: execs denied by seccomp never enter the syscall, so a plan that "
                    f"notes calls at entry does not see them; got {final.get(key(UID_SECCOMP))}\n"
                    + t.describe())
    etest.check_row(t, final, key(UID_RUNS), f"{what}: the run-count window's execs",
                    count=RUNS_OKS + RUNS_FAILS, ok=RUNS_OKS, failed=RUNS_FAILS)
    check_runs(t, mode, by, one, *counts["runs"])
    etest.log(f"{what}: set-user-ID, second-thread and seccomp-denied execs exact "
              f"({'one program per exec' if one else 'entry and outcome'})")


def test(args):
    etest.require_root()
    bindir = setuid_dir()
    try:
        parts = []
        for mode in etest.attach_modes():
            for by in (("uid",), ("uid", "comm")):
                parts.append(lambda mode=mode, by=by: one_config(args, mode, by, bindir))
        etest.run_parts(parts)
    finally:
        shutil.rmtree(bindir)


if __name__ == "__main__":
    etest.main(test)
