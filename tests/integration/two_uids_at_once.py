#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""two_uids_at_once: two uids exec'ing at the same time are each counted exactly.

Two helpers run at once, one per uid, each with a different number of failing execs (and a few
successful ones), so counts that leak from one key to the other, or are lost while both keys are
updated at the same moment, show as a wrong number for one uid or both.
"""
import etest

PLAN = {  # uid: (successful execs, failing execs)
    etest.UID_PLAIN: (20, 50000),
    etest.UID_32BIT: (30, 30000),
}


def test(args):
    etest.require_root()
    for mode in etest.attach_modes():
        def work():
            procs = []
            try:
                for uid, (oks, fails) in PLAN.items():
                    procs.append(etest.start_helper(args.helper, uid, fails, mode="fail"))
                    procs.append(etest.start_helper(args.helper, uid, oks, mode="ok"))
            finally:
                for p in procs:
                    etest.finish_helper(p)

        t, final = etest.counting_run(args, mode, work)
        for uid, (oks, fails) in PLAN.items():
            etest.check_count(t, final, uid, oks + fails, mode)
        etest.log(f"--attach {mode}: exact counts for uids {sorted(PLAN)} exec'ing at once")


if __name__ == "__main__":
    etest.main(test)
