#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""not_root: without the privileges to load eBPF the tool says which ones it needs and exits 77.

  uid 65534, no capabilities at all (setpriv, as root)        77, stderr names CAP_BPF, stdout empty
  uid 0 with every capability dropped (setpriv, as root)      the same: privilege is capabilities,
                                                             not uid 0
When not run as root, the tool runs as this (capability-less) user instead, for the first case.
The tool also must not hang, and nothing may be loaded.
"""
import os
import shutil

import etest

ARGS = ["--format", "json", "1"]


def cap_eff():
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    etest.fail("no CapEff line in /proc/self/status")


def check_refused(args, prefix, what):
    state = etest.KernelState() if os.geteuid() == 0 and shutil.which("bpftool") else None
    with etest.Tool(args.tool, ARGS, prefix=prefix) as t:
        rc = t.wait_exit(etest.start_timeout())
        err = t.stderr()
        etest.check(rc == 77, f"{what}: expected exit 77 (insufficient privilege), got {rc}\n"
                    + t.describe())
        etest.check("CAP_BPF" in err, f"{what}: expected stderr to name CAP_BPF\n" + t.describe())
        etest.check(not t.lines, f"{what}: expected nothing on stdout\n" + t.describe())
        etest.check(all(line.startswith(etest.PREFIX) for line in err.splitlines() if line),
                    f"{what}: expected every stderr line prefixed {etest.PREFIX!r}\n"
                    + t.describe())
    if state is not None:
        etest.wait_nothing_left(t.pid, set(), set(), state=state, map_names=("counts", "self"),
                                context=f"{what}: ")
    etest.log(f"ok: {what}: exit 77, CAP_BPF named")


def test(args):
    if os.geteuid() != 0:
        if cap_eff() != 0:
            etest.skip("not root, but with capabilities: cannot run the tool unprivileged")
        check_refused(args, [], f"uid {os.geteuid()} without capabilities")
        return
    setpriv = shutil.which("setpriv")
    if not setpriv:
        etest.skip("setpriv (util-linux) is needed to drop uid and capabilities")
    drop_caps = ["--inh-caps=-all", "--bounding-set=-all"]
    check_refused(args, [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] + drop_caps
                  + ["--"], "uid 65534 without capabilities")
    check_refused(args, [setpriv] + drop_caps + ["--"], "uid 0 without capabilities")


if __name__ == "__main__":
    etest.main(test)
