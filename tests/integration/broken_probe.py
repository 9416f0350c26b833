#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""broken_probe: a --probe file that cannot run is refused with the contract's exit code and a
message that points at the problem, and nothing is left loaded.

  syntax error at a known line          65, stderr has "<path>:<line>:" (also for a relative path)
  a probe that #includes itself         65, clang's first error (`#include nested too deeply`)
                                        and one line of its include chain, then the tool's line
                                        counting what was left out (4,000-odd lines, 20 errors,
                                        the chain): 8 lines at most; with --verbose, all of them
  missing file / a directory            66, stderr names the path
  no table `counts` (renamed)           65, stderr names `counts`
  `counts` with 24-byte values          65, stderr names `counts`
  `counts` with an 8-byte uid key       65, stderr names `counts` (the host decodes 4)
  no execve_* functions (renamed)       65, stderr names the function the hook needs
  verifier rejection (no NULL check)    65, stderr says the verifier rejected it
  a loop the verifier cannot finish     65, stderr says it could not finish the function, that
    (1,000,000 turns, a volatile body)  it gave up over its complexity limit, and the function's
                                        size (under 4096), after the verifier's last lines
                                        (`BPF program is too large. Processed N insn`, the
                                        statistics); one line of the tool's own; not libbcc's
                                        "Program too large ... at most 4096 insns"; also with
                                        --verbose
  (those two in exec_success, with --by uid,comm: the default plan does not load it)
  the self-test exec not counted        1, "self-test failed": at entry (--by uid,comm) and at
                                        the exit alone (the default)
For each, none of the run's programs (execve*, exit_*, exec_*, broken_*) and maps remains.
"""
import os
import re
import shutil
import tempfile

import etest

MAP_NAMES = ("counts", "stats", "calls", "scratch", "execveats", "self", "tallies")
PROG_PREFIXES = ("execve", "exit_", "exec_", "broken_")


def refused(args, argv, want_rc, want_texts, what, cwd=None):
    """Run the tool; expect exit want_rc, every text in want_texts on stderr, nothing on stdout,
    and nothing of it left in the kernel."""
    state = etest.KernelState()
    with etest.Tool(args.tool, argv, cwd=cwd) as t:
        rc = t.wait_exit(etest.start_timeout())
        err = t.stderr()
        etest.check(rc == want_rc, f"{what}: expected exit {want_rc}, got {rc}\n" + t.describe())
        etest.check(not t.lines, f"{what}: expected nothing on stdout (data only)\n" + t.describe())
        for text in want_texts:
            etest.check(text in err, f"{what}: expected {text!r} on stderr\n" + t.describe())
        etest.check(any(line.startswith(etest.PREFIX) for line in err.splitlines()),
                    f"{what}: expected a message prefixed {etest.PREFIX!r}\n" + t.describe())
    etest.wait_nothing_left(t.pid, set(), set(), state=state, map_names=MAP_NAMES,
                            prog_prefixes=PROG_PREFIXES, context=f"{what}: ")
    etest.log(f"ok: {what}: exit {want_rc}")
    return err


def test(args):
    etest.require_root()
    etest.require_bpftool()
    shipped = etest.read_bytes(etest.builtin_probe_path(args)).decode("utf-8")
    lines = shipped.split("\n")
    tmp = tempfile.mkdtemp(prefix="execcount-broken-")
    try:
        # a syntax error on a line of its own, inside the body of the function every plan uses
        anchor = [i for i, line in enumerate(lines) if line == "\tu64 *counter;"]
        etest.check(len(anchor) == 1, "the probe should have one line 'u64 *counter;'")
        bad_line = anchor[0] + 2  # 1-based number of the line inserted after the anchor
        syntax = lines[:anchor[0] + 1] + ["\tu32 broken_here = ;"] + lines[anchor[0] + 1:]
        path = os.path.join(tmp, "syntax.c")
        etest.write_text(path, "\n".join(syntax))
        refused(args, ["--probe", path, "--format", "json", "1"], 65, [f"{path}:{bad_line}:"],
                f"a syntax error at line {bad_line}")
        # the same file named relative to the working directory
        refused(args, ["--probe", "syntax.c", "--format", "json", "1"], 65,
                [f"syntax.c:{bad_line}:"], f"a syntax error at line {bad_line}, relative path",
                cwd=tmp)

        # includes itself: clang prints 200 lines of include chain before each of 20 errors
        path = os.path.join(tmp, "self-include.c")
        etest.write_text(path, f'#include "{path}"\n' + shipped)
        what = "a probe that includes itself"
        err = refused(args, ["--probe", path, "--format", "json", "1"], 65,
                      [f"{path}:1:10: error: #include nested too deeply"], what)
        lines = [line for line in err.splitlines() if line.strip()]
        m = re.fullmatch(re.escape(f"{etest.PREFIX}probe {path} did not compile: its first error "
                                   "is above; ") + r"(\d+) more lines of clang's messages left out "
                         r"\((\d+) errors? in all, and (\d+) of the (\d+) lines of the include "
                         r"chain above it\) -- --verbose shows them all", lines[-1])
        etest.check(len(lines) <= 8 and m and int(m.group(1)) > 1000
                    and int(m.group(3)) + 1 == int(m.group(4)) > 100,
                    f"{what}: expected at most 8 lines: the first error, one line of its "
                    f"include chain, and last the tool's line counting the rest (over 1000 "
                    f"lines, the chain's lines but one); got {len(lines)}:\n{err}")
        etest.check([x for x in lines if x.startswith(etest.PREFIX)] == lines[-1:]
                    and sum(x.startswith("In file included from ") for x in lines) == 1,
                    f"{what}: expected one line of the include chain and one of the tool's own, "
                    f"last\n{err}")
        err = refused(args, ["--probe", path, "--format", "json", "--verbose", "1"], 65,
                      [f"{path}:1:10: error: #include nested too deeply"], f"{what}, --verbose")
        chain = sum(x.startswith("In file included from ") for x in err.splitlines())
        etest.check(chain > int(m.group(4)) and "left out" not in err,
                    f"{what}, --verbose: expected every line of clang's, {int(m.group(1))} "
                    f"more than without it (the include lines {chain} > {m.group(4)}):\n"
                    + err[:3000])

        missing = os.path.join(tmp, "does-not-exist.c")
        refused(args, ["--probe", missing, "--format", "json", "1"], 66, [missing],
                "a missing probe file")
        refused(args, ["--probe", tmp, "--format", "json", "1"], 66, [tmp],
                "a directory as probe file")

        # every `counts` renamed, comments too, so only the tool can name it in its message
        renamed, n = re.subn(r"\bcounts\b", "tallies", shipped)
        etest.check(n >= 2 and "BPF_PERCPU_HASH(tallies," in renamed,
                    "expected the probe to declare and use a table `counts`")
        path = os.path.join(tmp, "no-table.c")
        etest.write_text(path, renamed)
        refused(args, ["--probe", path, "--format", "json", "1"], 65, ["counts"],
                "a probe without the table counts")

        # no execveat_failed counter: compiles and loads, but the host reads four per key
        narrow = etest.replace_once(shipped, "\tu64 execveat_failed;\n", "", "narrow values")
        narrow = etest.replace_once(narrow, "ok ? &value->execveat_ok : &value->execveat_failed",
                                    "&value->execveat_ok", "narrow values")
        path = os.path.join(tmp, "narrow.c")
        etest.write_text(path, narrow)
        refused(args, ["--probe", path, "--format", "json", "1"], 65, ["counts"],
                "a probe whose counts table has 24-byte values")

        # a 64-bit uid in the key: the host decodes the key by the layout of --by
        wide = etest.replace_once(shipped, "\tu32 uid; /* real uid", "\tu64 uid; /* real uid",
                                  "wide key")
        path = os.path.join(tmp, "wide-key.c")
        etest.write_text(path, wide)
        refused(args, ["--probe", path, "--format", "json", "1"], 65, ["counts"],
                "a probe whose counts key has an 8-byte uid")

        # the functions renamed: whichever hook auto picks, its function is missing
        nofn = etest.replace_once(shipped, "int execve_kprobe(", "int broken_kprobe(", "no fn")
        nofn = etest.replace_once(nofn, "int execve_tracepoint(", "int broken_tracepoint(", "no fn")
        nofn = etest.replace_once(nofn, "int execve_exit(", "int broken_exit(", "no fn")
        path = os.path.join(tmp, "no-function.c")
        etest.write_text(path, nofn)
        need = ("execve_kprobe" if etest.expect_auto().startswith("kprobe") else
                "execve_exit" if etest.at_exit("tracepoint") else "execve_tracepoint")
        refused(args, ["--probe", path, "--format", "json", "1"], 65, [need],
                f"a probe without the function {need}")

        # the map value used without a NULL check: compiles, the verifier must refuse it (in
        # exec_success: --by uid,comm has it everywhere)
        entry_plan = ["--by", "uid,comm"]
        guard = "\tif (!call)\n\t\treturn 0;\n\tcount_call("
        unchecked = etest.replace_once(shipped, guard, "\tcount_call(",
                                       "exec_success without its NULL check")
        path = os.path.join(tmp, "unchecked.c")
        etest.write_text(path, unchecked)
        refused(args, ["--probe", path, "--format", "json"] + entry_plan + ["1"], 65,
                ["verifier rejected"],
                "a probe the verifier rejects")

        # a loop of 1,000,000 turns: the verifier follows each turn, gives up at a million
        # instructions processed, and the kernel says E2BIG, as for a program too large
        loop = guard.replace("\tcount_call(",
                             "\tvolatile u32 spin = 0;\n"
                             "\tfor (int i = 0; i < 1000000; i++)\n"
                             "\t\tspin += i;\n"
                             "\tcount_call(")
        looping = etest.replace_once(shipped, guard, loop, "exec_success with a long loop")
        path = os.path.join(tmp, "looping.c")
        etest.write_text(path, looping)
        for extra in ([], ["--verbose"]):
            what = "a probe whose loop the verifier cannot finish" + (", --verbose" if extra
                                                                       else "")
            err = refused(args, ["--probe", path, "--format", "json"] + entry_plan + extra
                          + ["1"], 65,
                          ["the kernel verifier could not finish probe function 'exec_success'",
                           "over its complexity limit", "a loop",
                           "BPF program is too large. Processed ", "processed "], what)
            lines = [line for line in err.splitlines() if line.strip()]
            mine = [line for line in lines if line.startswith(etest.PREFIX)]
            m = re.search(r"could not finish probe function 'exec_success': .*\(the function "
                          r"has (\d+) instructions; the verifier's last lines are above\)$",
                          lines[-1])
            etest.check(m and 0 < int(m.group(1)) < 4096,
                        f"{what}: expected the tool's line last, with the function's own size "
                        f"(a few dozen instructions), got:\n{err}")
            log = lines[-5:-1]
            etest.check(any(x.startswith("BPF program is too large. Processed ") for x in log)
                        and any(re.match(r"processed \d+ insns \(limit \d+\)", x) for x in log),
                        f"{what}: expected the verifier's last lines (its reason, its "
                        f"statistics) just above the tool's line, got:\n{err}")
            if not extra:
                etest.check(len(mine) == 1 and len(lines) <= 5,
                            f"{what}: expected the verifier's last lines and one line of the "
                            f"tool's own, got {len(lines)} lines:\n{err}")
            for wrong in ("at most 4096 insns", "Program too large", "too large (",
                          "its log is above"):
                etest.check(wrong not in err, f"{what}: {wrong!r} on stderr: the verifier did "
                            f"not fail for the program's size, nor print its log above:\n{err}")

        # loads and attaches, but never counts the tool's own exec into self.hits: the
        # self-test must stop the run before any number is printed
        # (at entry with --by uid,comm; at the exit alone, where the default counts so)
        blind = etest.replace_once(shipped, "__sync_fetch_and_add(&me->entries, 1);",
                                   "; /* self-test exec not counted */", "blind self-test")
        path = os.path.join(tmp, "blind.c")
        etest.write_text(path, blind)
        refused(args, ["--probe", path, "--format", "json"] + entry_plan + ["1"], 1,
                ["self-test failed"], "a probe whose entry hook never shows the self-test exec")
        exit_blind = etest.replace_once(
            shipped, "\t\t\t__sync_fetch_and_add(&me->exits, 1);\n\t\t\treturn 0;\n",
            "\t\t\treturn 0; /* self-test exec not counted */\n", "blind self-test at the exit")
        path = os.path.join(tmp, "blind-exit.c")
        etest.write_text(path, exit_blind)
        err = refused(args, ["--probe", path, "--format", "json", "1"], 1, ["self-test failed"],
                      "a probe whose exit hook never shows the self-test exec")
        if etest.at_exit(etest.expect_auto().split(":")[0]):
            # counted at the exits, nothing is looked for at entry: the message says what was
            etest.check("hooks saw 0 at exit" in err and "at entry" not in err,
                        "a probe whose exit hook never shows the self-test exec, counted at the "
                        f"exits: expected 'the hooks saw 0 at exit', no 'at entry'; got:\n{err}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    etest.main(test)
