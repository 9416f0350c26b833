#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""count_exact: every execve() of a known uid is counted, exactly, for each attach mode.

Under each test uid the helper makes 50 successful execs (fork + exec /bin/true) and a distinct
number of failing ones (a missing file), so a uid mixed up with another, a lost or doubled count,
or failed execs not counted all show as a wrong number.  The uids cover an ordinary one, one at or
above 2^28 (the original's 0xFFFFFFF mask folded it), one at or above 2^31 (signedness), and
65534 (nobody, which has a passwd name).  "user" must be the passwd name, or null without one;
uid 0 (the helpers are started by root) must carry root's name.
"""
import etest

OK_EXECS = 50
PLAN = {  # uid: failing execs (distinct per uid)
    etest.UID_PLAIN: 1001,
    etest.UID_28BIT: 1002,
    etest.UID_32BIT: 1003,
    etest.UID_NOBODY: 1004,
}


def test(args):
    etest.require_root()
    for mode in etest.attach_modes():
        def work():
            for uid, fails in PLAN.items():
                etest.run_helper(args.helper, uid, OK_EXECS, mode="ok")
                etest.run_helper(args.helper, uid, fails, mode="fail")

        t, final = etest.counting_run(args, mode, work)
        for uid, fails in PLAN.items():
            row = etest.check_count(t, final, uid, OK_EXECS + fails, mode)
            want_user = etest.user_name(uid)
            etest.check(row["user"] == want_user,
                        f"--attach {mode}: uid {uid}: expected \"user\": "
                        f"{'null' if want_user is None else repr(want_user)}, got {row['user']!r}\n"
                        + t.describe())
        # the test started every helper as root: those execs are uid 0's, under root's name
        root = final.get(0)
        etest.check(root is not None and root["count"] >= 2 * len(PLAN)
                    and root["user"] == etest.user_name(0),
                    f"--attach {mode}: expected a row for uid 0 ({etest.user_name(0)!r}) with at "
                    f"least the {2 * len(PLAN)} execs of the helpers, got {root}\n" + t.describe())
        # the original's 28-bit mask would have put these execs under the folded uids
        for uid in (etest.UID_28BIT, etest.UID_32BIT):
            folded = uid & 0xFFFFFFF
            etest.check(folded not in final,
                        f"--attach {mode}: a row for uid {folded} = {uid} & 0xFFFFFFF: the uid "
                        f"was cut to 28 bits\n" + t.describe())
        etest.log(f"--attach {mode}: exact counts for uids {sorted(PLAN)}")


if __name__ == "__main__":
    etest.main(test)
