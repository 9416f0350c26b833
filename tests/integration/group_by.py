#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""group_by: --by comm, exe, uid,comm, cgroup (and exe,uid) each count the test's execs exactly.

The keys are made unique to this run, so nothing else on the machine can add to them:
  --by comm      the helper's workers set their comm to a name of this run (prctl); their
                 successful execs (fork + exec /bin/true: the child keeps the comm until the exec
                 succeeds) and failing ones, through execve and execveat, are all counted under it
  --by exe       failing execs of a missing path of this run (execve and execveat), successful
                 ones of a symlink of this run to /bin/true, and --distinct paths whose counts the
                 helper's naming rule gives: each row has the path as passed, exactly; a path of
                 more than 255 bytes is cut to its first 255
  --by exe,uid   fexecve calls (execveat with AT_EMPTY_PATH): the failing ones are keyed by the
                 path as passed, the empty path "", the successful ones by the kernel's name
                 for the file, "/dev/fd/<fd>" (one row: the helper opens the same fd number
                 each time), each under its uid
  --by uid,comm  two uids with the same comm and one uid with two comms: each pair its own row
  --by cgroup    the helper moves itself into a fresh cgroup below the cgroup2 mount; the row of
                 that cgroup has "cgroup" = its path below the mount and "cgroup_id" = its id
                 (the directory's inode number); the cgroup is removed after the tool exited.
                 A second fresh cgroup, removed while the tool runs and before it ever named
                 it (the run's interval is an hour: only the final block is printed): its row's
                 "cgroup" is null (the id is no longer found), its counts still exact.  The helpers started without
                 --cgroup run in the test's own cgroup: its row shows that path ("/" for the root)
  table          --format table --by uid,comm,exe,cgroup: the column line
                 UID USER COMM COUNT OK FAILED DELTA CGROUP EXE and the exact row of this run's key
Every row must have exactly the fields of its --by (and the counters); every counter of the rows
checked is exact (count, execve, execveat, ok, failed).
"""
import os
import re
import shutil
import signal
import tempfile

import etest

DEV_FD = r"/dev/fd/\d+"


def row(execve=0, execveat=0, ok=0, failed=0):
    return dict(count=execve + execveat, execve=execve, execveat=execveat, ok=ok, failed=failed)


def by_comm(args, mode):
    comm = f"etc{os.getpid()}"[:15]

    def work():
        etest.run_helper(args.helper, etest.UID_PLAIN, 12, mode="ok", comm=comm)
        etest.run_helper(args.helper, etest.UID_PLAIN, 1501, mode="fail", comm=comm)
        etest.run_helper(args.helper, etest.UID_32BIT, 702, mode="fail", comm=comm,
                         syscall="execveat")
        etest.run_helper(args.helper, etest.UID_32BIT, 13, mode="ok", comm=comm,
                         syscall="execveat")

    t, final = etest.counting_run(args, mode, work, by=["comm"])
    etest.check_row(t, final, comm, f"--attach {mode} --by comm: comm {comm!r}",
                    **row(execve=12 + 1501, execveat=702 + 13, ok=12 + 13, failed=1501 + 702))
    etest.log(f"--attach {mode} --by comm: comm {comm!r} exact")


def by_exe(args, mode, tmp):
    missing = f"/nonexistent/etest-{os.getpid()}-exe"
    link = os.path.join(tmp, "true")
    distinct_base = f"/nonexistent/etest-{os.getpid()}-d"
    distinct, count = 7, 53
    long_path = "/nonexistent/" + "/".join(c * 99 for c in "xyz")  # 311 bytes, ENOENT

    def work():
        etest.run_helper(args.helper, etest.UID_PLAIN, 1301, mode="fail", path=missing)
        etest.run_helper(args.helper, etest.UID_PLAIN, 402, mode="fail", path=missing,
                         syscall="execveat")
        etest.run_helper(args.helper, etest.UID_NOBODY, 15, mode="ok", path=link)
        etest.run_helper(args.helper, etest.UID_NOBODY, 16, mode="ok", path=link,
                         syscall="execveat")
        etest.run_helper(args.helper, etest.UID_PLAIN, count, mode="fail", path=distinct_base,
                         distinct=distinct, procs=2)
        etest.run_helper(args.helper, etest.UID_PLAIN, 77, mode="fail", path=long_path)

    t, final = etest.counting_run(args, mode, work, by=["exe"])
    what = f"--attach {mode} --by exe"
    etest.check_row(t, final, missing, what, **row(execve=1301, execveat=402, failed=1703))
    etest.check_row(t, final, link, what, **row(execve=15, execveat=16, ok=31))
    paths = etest.distinct_paths(distinct, count, procs=2, base=distinct_base)
    for path, n in paths.items():
        etest.check_row(t, final, path, what, **row(execve=n, failed=n))
    etest.check_row(t, final, long_path[:etest.EXE_LEN],
                    f"{what}: a {len(long_path)}-byte path, cut to {etest.EXE_LEN} bytes",
                    **row(execve=77, failed=77))
    etest.log(f"{what}: {3 + len(paths)} paths of this run exact")


def by_exe_uid(args, mode):
    def work():
        etest.run_helper(args.helper, etest.UID_28BIT, 17, mode="ok", syscall="fexecve")
        etest.run_helper(args.helper, etest.UID_28BIT, 1234, mode="fail", syscall="fexecve")
        etest.run_helper(args.helper, etest.UID_32BIT, 567, mode="fail", syscall="fexecve")

    t, final = etest.counting_run(args, mode, work, by=["exe", "uid"])
    what = f"--attach {mode} --by exe,uid: fexecve"
    etest.check_row(t, final, ("", etest.UID_28BIT), what, **row(execveat=1234, failed=1234))
    etest.check_row(t, final, ("", etest.UID_32BIT), what, **row(execveat=567, failed=567))
    fds = [exe for (exe, u) in final if u == etest.UID_28BIT and re.fullmatch(DEV_FD, exe)]
    etest.check(len(fds) == 1, f"{what}: uid {etest.UID_28BIT}: expected one row with exe "
                f"/dev/fd/<fd> for its 17 successful fexecve calls, got {fds}\n" + t.describe())
    etest.check_row(t, final, (fds[0], etest.UID_28BIT), what, **row(execveat=17, ok=17))
    for uid in (etest.UID_28BIT, etest.UID_32BIT):
        others = [(exe, r) for (exe, u), r in final.items()
                  if u == uid and exe != "" and exe not in fds]
        etest.check(not others, f"{what}: uid {uid} made only fexecve calls, expected only the "
                    f"rows above for it, got also {others}\n" + t.describe())
    etest.log(f"{what}: exe \"\" (failed) and {fds[0]} (ok) exact per uid")


def by_uid_comm(args, mode):
    comm_a = f"eta{os.getpid()}"[:15]
    comm_b = f"etb{os.getpid()}"[:15]
    plan = {  # (uid, comm): failing execs
        (etest.UID_PLAIN, comm_a): 1101,
        (etest.UID_32BIT, comm_a): 1202,
        (etest.UID_PLAIN, comm_b): 1303,
    }

    def work():
        for (uid, comm), n in plan.items():
            etest.run_helper(args.helper, uid, n, mode="fail", comm=comm)

    t, final = etest.counting_run(args, mode, work, by=["uid", "comm"])
    what = f"--attach {mode} --by uid,comm"
    for key, n in plan.items():
        r = etest.check_row(t, final, key, what, **row(execve=n, failed=n))
        etest.check(r["user"] == etest.user_name(key[0]),
                    f"{what}: {key}: expected \"user\" {etest.user_name(key[0])!r}, got "
                    f"{r['user']!r}\n" + t.describe())
    etest.check(not [k for k in final if k[1] in (comm_a, comm_b) and k not in plan],
                f"{what}: rows with this run's comms beyond {sorted(plan)}: "
                f"{[k for k in final if k[1] in (comm_a, comm_b)]}\n" + t.describe())
    etest.log(f"{what}: {len(plan)} (uid, comm) pairs exact")


def own_cgroup():
    """The test's own cgroup v2 path ("0::<path>" in /proc/self/cgroup)."""
    with open("/proc/self/cgroup", encoding="utf-8") as f:
        paths = [line.strip()[3:] for line in f if line.startswith("0::")]
    etest.check(len(paths) == 1, f"/proc/self/cgroup: expected one 0::<path> line, got {paths}")
    return paths[0]


def by_cgroup(args, mode):
    here = own_cgroup()
    with etest.TempCgroup(f"{mode}-by") as cg, etest.TempCgroup(f"{mode}-gone") as gone:
        def work():
            etest.run_helper(args.helper, etest.UID_PLAIN, 10, mode="ok", cgroup=cg.path)
            etest.run_helper(args.helper, etest.UID_PLAIN, 1234, mode="fail", cgroup=cg.path)
            etest.run_helper(args.helper, etest.UID_NOBODY, 321, mode="fail", cgroup=cg.path,
                             syscall="execveat")
            etest.run_helper(args.helper, etest.UID_32BIT, 456, mode="fail", cgroup=gone.path)
            gone.remove()
            etest.run_helper(args.helper, etest.UID_32BIT, 789, mode="fail")

        # no tick before the removal: a path the tool has named once, it keeps showing
        t, final = etest.counting_run(args, mode, work, by=["cgroup"], interval=3600)
    what = f"--attach {mode} --by cgroup: cgroup {cg.rel} (id {cg.id})"
    etest.check_row(t, final, cg.id, what, cgroup=cg.rel, cgroup_id=cg.id,
                    **row(execve=10 + 1234, execveat=321, ok=10, failed=1234 + 321))
    etest.check_row(t, final, gone.id, f"--attach {mode} --by cgroup: cgroup {gone.rel} (id "
                    f"{gone.id}), removed before the tool ended", cgroup=None,
                    cgroup_id=gone.id, **row(execve=456, failed=456))
    mine = [r for r in final.values() if r["cgroup"] == here]
    etest.check(len(mine) == 1 and mine[0]["failed"] >= 789,
                f"--attach {mode} --by cgroup: expected one row for the test's own cgroup "
                f"{here!r} with at least the 789 failing execs made there, got {mine}\n"
                + t.describe())
    etest.log(f"{what}: exact; a removed cgroup shows null; {here!r} shown as such")


def table_all_fields(args, mode):
    """--format table --by uid,comm,exe,cgroup: the columns and one exact row."""
    comm = f"ett{os.getpid()}"[:15]
    exe = f"/nonexistent/etest-{os.getpid()}-table"
    uid = etest.UID_NOBODY
    columns = ["UID", "USER", "COMM", "COUNT", "OK", "FAILED", "DELTA", "CGROUP", "EXE"]
    what = f"--attach {mode} --format table --by uid,comm,exe,cgroup"
    with etest.TempCgroup(f"{mode}-table") as cg:
        with etest.Tool(args.tool, ["--attach", mode, "--format", "table", "--by",
                                    "uid,comm,exe,cgroup", "1"]) as t:
            t.wait_stderr(etest.COUNTING_TEXT, etest.start_timeout())
            etest.run_helper(args.helper, uid, 2345, mode="fail", comm=comm, path=exe,
                             cgroup=cg.path)
            t.send(signal.SIGINT)
            rc = t.wait_exit(30 * etest.slowness())
            etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n"
                        + t.describe())
    etest.check(columns in [line.split() for line in t.lines],
                f"{what}: expected the column line {' '.join(columns)}\n" + t.describe())
    rows = [line.split() for line in t.lines if comm in line.split()]
    etest.check(rows, f"{what}: no row with comm {comm!r}\n" + t.describe())
    f = rows[-1]  # the final block's
    want = [str(uid), etest.user_name(uid), comm, "2345", "0", "2345", None, cg.rel, exe]
    etest.check(len(f) == len(want) and f[6].isdigit()
                and all(w is None or w == x for w, x in zip(want, f)),
                f"{what}: expected the final row {' '.join(w or 'DELTA' for w in want)}, got "
                f"{' '.join(f)}\n" + t.describe())
    etest.log(f"{what}: columns and row exact")


def test(args):
    etest.require_root()
    etest.cgroup2_mount()  # skip before anything runs when there is none
    tmp = tempfile.mkdtemp(prefix="etest-exe-")
    try:
        os.chmod(tmp, 0o755)  # the test uids exec the link in it
        os.symlink("/bin/true", os.path.join(tmp, "true"))
        parts = (by_comm, lambda a, m: by_exe(a, m, tmp), by_exe_uid, by_uid_comm, by_cgroup,
                 table_all_fields)
        etest.run_parts([lambda p=p, m=m: p(args, m)
                         for m in etest.attach_modes() for p in parts])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    etest.main(test)
