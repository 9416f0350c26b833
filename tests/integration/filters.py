#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""filters: --uid keeps out every other uid, --top shows the busiest keys, and the tool's own
self-test execs are never counted.

While several uids (and root, which starts every helper) make execs:
  --uid A             the final has exactly one row, A's, with A's exact numbers ("keys" 1)
  --uid A,B           exactly A's and B's rows, exact
  --uid A,B,+62 more  the longest list (64 uids) compiles, loads and filters the same
  --by comm --uid A   A and C exec under the same comm of this run: its row holds only A's
                      execs (the filter is on the uid, whatever the key)
  --uid A,B,C --top N with A > B > C: the first N of them, in that order, exact, and "keys" 3
The self-test (execve("") and execveat(AT_FDCWD, "", ...), run by the tool after attaching):
  --by comm    no row in any block has comm "bcc-execcount" (the tool's own name)
  --by exe     no row in any block has exe "" (this test makes no fexecve call)
  --by cgroup  the tool is started alone in a fresh cgroup: no row in any block for it, while
               the helper's execs in a second fresh cgroup are counted exactly (so the cgroup
               key works in this very run)
(An exact count for root would need a machine where nothing else execs as root; the cgroup
check is the exact form of the same proof.)
"""
import os

import etest

A, B, C = etest.UID_PLAIN, etest.UID_28BIT, etest.UID_32BIT
PLAN = {  # uid (None: root, the test's own): (successful execs, failing execs)
    A: (11, 3001),
    B: (12, 2002),
    C: (13, 1003),
    None: (0, 333),
}
TOOL_COMM = "bcc-execcount"
MANY_UIDS_BASE = 4000000000  # 62 more uids for a 64-uid --uid list; nothing runs as them


def work(args, comm=None):
    for uid, (oks, fails) in PLAN.items():
        etest.run_helper(args.helper, uid, oks, mode="ok", comm=comm)
        etest.run_helper(args.helper, uid, fails, mode="fail", comm=comm)


def want(uid):
    oks, fails = PLAN[uid]
    return dict(count=oks + fails, execve=oks + fails, execveat=0, ok=oks, failed=fails)


def uid_filter(args, mode):
    # the longest list the tool takes: 64 uids, compiled into the probe's unrolled loop
    longest = [A, B] + [MANY_UIDS_BASE + i for i in range(62)]
    for uids in ([A], [A, B], longest):
        what = f"--attach {mode} --uid {','.join(map(str, uids))}"[:120]
        busy = [u for u in uids if u in PLAN]  # the listed uids that make execs here
        t, final = etest.counting_run(args, mode, lambda: work(args), uids=uids)
        etest.check(set(final) == set(busy) and final.nkeys == len(busy),
                    f"{what}: expected rows for uids {busy} only (\"keys\":{len(busy)}), got "
                    f"{sorted(final)} (\"keys\":{final.nkeys})\n" + t.describe())
        for uid in busy:
            etest.check_row(t, final, uid, what, **want(uid))
        etest.log(f"{what}: only those rows, exact")

    comm = f"etf{os.getpid()}"[:15]
    what = f"--attach {mode} --by comm --uid {A}"
    t, final = etest.counting_run(args, mode, lambda: work(args, comm), by=["comm"], uids=[A])
    etest.check(set(final) == {comm}, f"{what}: every uid exec'd under comm {comm!r}: expected "
                f"that row only, got {sorted(final)}\n" + t.describe())
    etest.check_row(t, final, comm, what + f" (uids {sorted(u for u in PLAN if u)} and root "
                    "exec'd under this comm)", **want(A))
    etest.log(f"{what}: only uid {A}'s execs under comm {comm!r}")


def top(args, mode):
    for n in (1, 2):
        what = f"--attach {mode} --uid {A},{B},{C} --top {n}"
        t, final = etest.counting_run(args, mode, lambda: work(args), uids=[A, B, C], top=n)
        rows = final.obj["rows"]
        etest.check([r["uid"] for r in rows] == [A, B, C][:n] and final.nkeys == 3,
                    f"{what}: expected the rows of uids {[A, B, C][:n]} in that order (the "
                    f"busiest first) and \"keys\":3, got {[r['uid'] for r in rows]} and "
                    f"\"keys\":{final.nkeys}\n" + t.describe())
        for uid in [A, B, C][:n]:
            etest.check_row(t, final, uid, what, **want(uid))
        etest.log(f"{what}: the {n} busiest, exact")


def self_test_hidden(args, mode):
    what = f"--attach {mode} --by comm"
    t, final = etest.counting_run(args, mode, lambda: work(args), by=["comm"])
    for i, block in enumerate(etest.all_blocks(t, ["comm"])):
        etest.check(TOOL_COMM not in block, f"{what}: block {i + 1}: a row with the tool's own "
                    f"comm: {block.get(TOOL_COMM)} (its self-test was counted)\n" + t.describe())
    etest.log(f"{what}: no row for comm {TOOL_COMM!r}")

    what = f"--attach {mode} --by exe"
    t, final = etest.counting_run(args, mode, lambda: work(args), by=["exe"])
    for i, block in enumerate(etest.all_blocks(t, ["exe"])):
        etest.check("" not in block, f"{what}: block {i + 1}: a row with exe \"\": "
                    f"{block.get('')} (the self-test's execs of \"\" were counted)\n"
                    + t.describe())
    etest.log(f"{what}: no row for exe \"\"")

    with etest.TempCgroup(f"{mode}-tool") as tool_cg, etest.TempCgroup(f"{mode}-work") as work_cg:
        what = (f"--attach {mode} --by cgroup, the tool alone in {tool_cg.rel} (id {tool_cg.id}), "
                f"helpers in {work_cg.rel} (id {work_cg.id})")
        fails = 1212

        def cg_work():
            # the tool must really be in its cgroup, alone, or the check below proves nothing
            with open(os.path.join(tool_cg.path, "cgroup.procs"), encoding="utf-8") as f:
                pids = f.read().split()
            comms = []
            for pid in pids:
                with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as f:
                    comms.append(f.read().strip())
            etest.check(comms == [TOOL_COMM], f"{what}: expected the tool alone in its cgroup, "
                        f"found processes {pids} with comms {comms}")
            etest.run_helper(args.helper, A, fails, mode="fail", cgroup=work_cg.path)

        t, final = etest.counting_run(args, mode, cg_work, by=["cgroup"], cgroup=tool_cg.path)
    for i, block in enumerate(etest.all_blocks(t, ["cgroup"])):
        etest.check(tool_cg.id not in block, f"{what}: block {i + 1}: a row for the tool's own "
                    f"cgroup: {block.get(tool_cg.id)} (its self-test was counted)\n"
                    + t.describe())
    etest.check_row(t, final, work_cg.id, what, cgroup=work_cg.rel, count=fails, execve=fails,
                    execveat=0, ok=0, failed=fails)
    etest.log(f"{what}: no row for the tool's cgroup; the helpers' exact")


def test(args):
    etest.require_root()
    for mode in etest.attach_modes():
        uid_filter(args, mode)
        top(args, mode)
        self_test_hidden(args, mode)


if __name__ == "__main__":
    etest.main(test)
