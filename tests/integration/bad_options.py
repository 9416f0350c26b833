#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bad_options: every bad option or value is a usage error: exit 64, a message prefixed
"bcc-execcount: " and a hint toward --help or --usage on stderr, nothing on stdout, and at once
(a value taken as valid would start counting and run until the time limit).

Runs as whoever runs it: usage errors come before any privilege check.  --help (exit 0) runs
first, as a control: the failures below are then not the binary failing to run at all.
"""
import etest

CASES = [
    (["--no-such-option"], "an unknown option"),
    (["-Z"], "an unknown short option"),
    (["--attach", "bogus"], "--attach bogus"),
    (["--attach=bogus"], "--attach=bogus"),
    (["--format", "bogus"], "--format bogus"),
    (["--attach"], "--attach without its value"),
    (["--probe"], "--probe without its value"),
    (["0"], "interval 0"),
    (["-1"], "interval -1 (read as an option)"),
    (["--", "-1"], "interval -1 (after --)"),
    (["abc"], "interval abc"),
    (["1.5"], "interval 1.5"),
    ([""], "an empty interval"),
    (["99999999999"], "interval 99999999999"),
    (["86401"], "interval 86401 (the range is 1..86400)"),
    (["18446744073709551617"], "an interval beyond 64 bits"),
    (["1", "0"], "count 0"),
    (["1", "abc"], "count abc"),
    (["1", "2", "3"], "three positional arguments"),
    # issue 3: grouping, syscalls, table size, filters
    (["--by", "bogus"], "--by bogus"),
    (["--by", "uid,uid"], "--by uid,uid (a field twice)"),
    (["--by", "comm,exe,comm"], "--by comm,exe,comm (a field twice)"),
    (["--by", ""], "--by with an empty value"),
    (["--by", "uid,"], "--by uid, (an empty field)"),
    (["--by"], "--by without its value"),
    (["--syscalls", "fork"], "--syscalls fork"),
    (["--syscalls", ""], "--syscalls with an empty value"),
    (["--syscalls", "execve,"], "--syscalls execve, (an empty item)"),
    (["--max-keys", "0"], "--max-keys 0"),
    (["--max-keys", "1048577"], "--max-keys 1048577 (the range is 1..1048576)"),
    (["--max-keys", "-1"], "--max-keys -1"),
    (["--max-keys", "abc"], "--max-keys abc"),
    (["--uid", "4294967295"], "--uid 4294967295 (the range is 0..4294967294)"),
    (["--uid", "-1"], "--uid -1"),
    (["--uid", "1,,2"], "--uid 1,,2 (an empty item)"),
    (["--uid", ",".join(str(i) for i in range(65))], "--uid with 65 uids (at most 64)"),
    (["--top", "0"], "--top 0"),
    (["--top", "1000001"], "--top 1000001 (the range is 1..1000000)"),
    (["--top", "x"], "--top x"),
    (["--format", "classic", "--by", "comm"], "--format classic --by comm"),
    (["--by", "uid,exe", "-f", "classic"], "-f classic --by uid,exe"),
]
HINTS = ("--help", "--usage")
TIMEOUT = 30


def test(args):
    rc, out, err = etest.run_tool(args.tool, ["--help"], timeout=TIMEOUT)
    etest.check(rc == 0 and "Usage" in out, "control: --help: expected exit 0 and a usage "
                "text on stdout\n" + etest.describe_run([args.tool, "--help"], rc, out, err))
    failed = []
    for argv, what in CASES:
        rc, out, err = etest.run_tool(args.tool, argv, timeout=TIMEOUT)
        problems = []
        if rc != 64:
            problems.append(f"expected exit 64, got {rc}")
        if out:
            problems.append("expected nothing on stdout")
        if not any(line.startswith(etest.PREFIX) for line in err.splitlines()):
            problems.append(f"expected a message prefixed {etest.PREFIX!r} on stderr")
        if not any(h in err for h in HINTS):
            problems.append(f"expected a hint naming {' or '.join(HINTS)} on stderr")
        if problems:
            failed.append(f"{what}: {'; '.join(problems)}\n"
                          + etest.describe_run([args.tool] + argv, rc, out, err))
        else:
            etest.log(f"ok: {what}: exit 64: {err.splitlines()[0]}")
    etest.check(not failed, f"{len(failed)} of {len(CASES)} bad invocations not refused as the "
                "contract says:\n" + "\n".join(failed))


if __name__ == "__main__":
    etest.main(test)
