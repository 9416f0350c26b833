#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""execveat: execveat() is counted beside execve(), each in its own column, and only when asked.

Under four test uids the helper makes successful and failing calls through one path each, with
numbers distinct per uid and per kind, so a call counted in the wrong column, under the wrong
uid, twice, or not at all shows as a wrong number:
  UID_PLAIN   execve(path)                              (ok: /bin/true; fail: a missing file)
  UID_28BIT   execveat(AT_FDCWD, path, ..., 0)          (same paths)
  UID_32BIT   fexecve(fd) = execveat(fd, "", ..., AT_EMPTY_PATH)
                                                        (ok: /bin/true; fail: EACCES on /etc/passwd)
  UID_NOBODY  all three
With the default --syscalls (execve,execveat) every row is exact in count, execve, execveat, ok
and failed.  With --syscalls execve the execveat calls are not counted at all: no row for the
uids that made only those, and the mixed uid's row holds only its execve calls (execveat 0, and
the successful execveat calls are not in ok).  With --syscalls execveat the mirror image.
The start line names the syscalls and only their hooks (etest.check_hooks).
"""
import etest

# uid: {syscall: (successful calls, failing calls)}
# (successful execs fork: about 40 ms each in the qemu TCG guest, so few of them)
PLAN = {
    etest.UID_PLAIN: {"execve": (3, 2001)},
    etest.UID_28BIT: {"execveat": (4, 3002)},
    etest.UID_32BIT: {"fexecve": (5, 4003)},
    etest.UID_NOBODY: {"execve": (1, 501), "execveat": (2, 602), "fexecve": (6, 703)},
}


def test(args):
    etest.require_root()
    for mode in etest.attach_modes():
        for syscalls in (None, ["execve"], ["execveat"]):
            counted = syscalls or list(etest.SYSCALLS)
            what = f"--attach {mode}" + (f" --syscalls {','.join(syscalls)}" if syscalls else "")
            t, final = etest.counting_run(args, mode, lambda: etest.run_plan(args.helper, PLAN),
                                            syscalls=syscalls)
            want = etest.plan_rows(PLAN, counted)
            for uid, values in want.items():
                etest.check_row(t, final, uid, what, **values)
            for uid in PLAN:
                if uid not in want:
                    etest.check(uid not in final,
                                f"{what}: uid {uid} made only calls of syscalls not counted "
                                f"({', '.join(sorted(set(etest.HELPER_SYSCALL[c] for c in PLAN[uid])))}), "
                                f"expected no row, got {final.get(uid)}\n" + t.describe())
            etest.log(f"{what}: exact execve/execveat/ok/failed for uids {sorted(want)}, "
                      f"no row for {sorted(set(PLAN) - set(want))}")


if __name__ == "__main__":
    etest.main(test)
