#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""old_kernel: a kernel older than the probe's floor (Linux 5.7) is refused at once, clearly.

The kernel cannot be swapped for a test, but what the tool reads can: `setarch --uname-2.6`
makes uname() report the release as 2.6.x (the UNAME26 personality), below the floor.  Then a run
must exit 69 (EX_UNAVAILABLE) with exactly one line naming the release, the version it needs and
the helpers it needs, nothing on stdout, and nothing loaded (bpftool sees no new program); and
--doctor's first check must fail the kernel the same way.  Without the personality the same
commands get past the check (this machine's kernel is new enough).
"""
import etest

UNAME26 = ["setarch", "x86_64", "--uname-2.6"]
WANT = ("bcc-execcount: Linux 2.6 is too old: the probe needs Linux 5.7 or later (for "
        "bpf_get_ns_current_pid_tgid() and bpf_probe_read_user_str()) -- run it on a newer "
        "kernel (5.10 and later are tested)")


def test(args):
    etest.require_root()
    etest.require_bpftool()
    etest.require_program("setarch", "util-linux")
    rc, out, _ = etest.run_tool("uname", ["-r"], prefix=UNAME26)
    if rc != 0 or not out.startswith("2.6."):
        etest.skip(f"setarch --uname-2.6 does not make uname report 2.6.x here: {out.strip()!r}")
    before = etest.KernelState()
    argv = ["--format", "json", "1", "1"]
    rc, out, err = etest.run_tool(args.tool, argv, prefix=UNAME26)
    what = etest.describe_run(UNAME26 + [args.tool] + argv, rc, out, err)
    etest.check(rc == 69, f"expected exit 69 on Linux 2.6\n{what}")
    etest.check(out == "", f"expected nothing on stdout\n{what}")
    etest.check(err.splitlines() == [WANT], f"expected exactly the one line {WANT!r}\n{what}")
    new = before.new_progs(etest.PROG_PREFIXES)
    etest.check(not new, f"expected nothing loaded, got programs {sorted(new)}\n{what}")

    rc, out, err = etest.run_tool(args.tool, ["--doctor"], prefix=UNAME26)
    what = etest.describe_run(UNAME26 + [args.tool, "--doctor"], rc, out, err)
    lines = out.splitlines()
    etest.check(rc == 1 and len(lines) > 2 and lines[1].startswith(
        "fail kernel: Linux 2.6 is too old: the probe needs Linux 5.7 or later (for "),
        f"expected --doctor to exit 1 with 'fail kernel: Linux 2.6 ...' first\n{what}")

    rc, out, err = etest.run_tool(args.tool, ["--doctor"])
    etest.check(len(out.splitlines()) > 2 and out.splitlines()[1].startswith("ok   kernel: Linux "),
                "expected --doctor's kernel check to pass on this kernel\n"
                + etest.describe_run([args.tool, "--doctor"], rc, out, err))
    etest.log("Linux 2.6 (UNAME26): exit 69, one line, nothing loaded; --doctor fails the kernel")


if __name__ == "__main__":
    etest.main(test)
