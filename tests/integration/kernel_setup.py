#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kernel_setup: what the tool does about the kernel side a fresh machine lacks.

Each case runs the tool in a private mount namespace (unshare -m), so the host's mounts are never
touched, and hides what the case is about there:

- tracefs not mounted (nor debugfs): the tool mounts tracefs itself, says so, and counts exactly;
- no kernel headers (/lib/modules hidden under an empty tmpfs), for a start that compiles
  (--no-cache; the headers are part of the cache key, so a start without them compiles anyway):
  exit 69, one line naming the
  package for this kernel and --kernel-headers, nothing on stdout, nothing loaded;
- --kernel-headers DIR with a merged headers tree the test builds: counts exactly without
  /lib/modules; the same option at a tree lacking kconfig.h: exit 69 naming the file;
- libbcc printing on stdout (its BCC_LINUX_VERSION_CODE warning): the text lands on stderr and
  stdout stays pure JSON;
- a PID namespace of its own, as in a container (unshare --pid --fork --mount-proc): the self-test
  still recognises the tool's exec, and counts are exact.
"""
import json
import os
import platform
import shutil
import signal
import tempfile

import etest

EXECS = 37

# Runs in the new mount namespace, then execs the tool: "$0" is the tool, "$@" its arguments.
HIDE_TRACEFS = ("umount /sys/kernel/debug/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null; "
                "umount /sys/kernel/tracing 2>/dev/null; "
                "if grep -q ' tracefs ' /proc/mounts; then echo 'tracefs still mounted' >&2; "
                "exit 99; fi; exec \"$0\" \"$@\"")
HIDE_MODULES = ("mount -t tmpfs none /lib/modules && exec \"$0\" \"$@\"")


def in_namespace(script):
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]


def count_in_namespace(args, mode, script, extra=(), env_note=""):
    """Start the tool under script, make EXECS execs under a test uid, SIGINT: the exact count."""
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "--verbose"] + list(extra)
                    + ["1"], prefix=in_namespace(script)) as t:
        t.wait_start(mode)
        etest.run_helper(args.helper, etest.UID_PLAIN, EXECS)
        t.send(signal.SIGINT)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"{env_note}expected exit 0 after SIGINT, got {rc}\n" + t.describe())
        final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]))
        etest.check_count(t, final, etest.UID_PLAIN, EXECS, mode)
        return t


def test_tracefs_unmounted(args):
    for mode in etest.attach_modes():
        t = count_in_namespace(args, mode, HIDE_TRACEFS, env_note="tracefs unmounted: ")
        hook = json.loads(t.lines[0])["hook"]
        if hook.startswith("tracepoint:"):
            etest.check("mounted tracefs at /sys/kernel/tracing" in t.stderr(),
                        f"--attach {mode}: tracefs was not mounted, the tracepoint is attached, "
                        "but the tool did not say it mounted tracefs\n" + t.describe())
        etest.log(f"--attach {mode}: tracefs unmounted -> {hook}, counted {EXECS} exactly")


def merged_headers(dest):
    """A tree with the source headers and the generated ones, as symlinks (BCC_KERNEL_SOURCE)."""
    kdir = f"/lib/modules/{platform.release()}"
    build = os.path.realpath(os.path.join(kdir, "build"))
    source = os.path.realpath(os.path.join(kdir, "source"))
    if not os.path.isfile(os.path.join(build, "include/generated/autoconf.h")):
        etest.skip(f"{kdir}/build has no include/generated/autoconf.h: no headers tree to merge "
                   "(scripts/setup.sh links one)")
    if not os.path.isdir(source):
        source = build
    for tree in (source, build):  # build's generated files laid over the source tree
        for root, _dirs, files in os.walk(tree):
            rel = os.path.relpath(root, tree)
            os.makedirs(os.path.join(dest, rel), exist_ok=True)
            for name in files:
                link = os.path.join(dest, rel, name)
                if os.path.lexists(link):
                    os.unlink(link)
                os.symlink(os.path.join(root, name), link)
    return build


def test_no_headers(args, state):
    argv = in_namespace(HIDE_MODULES)
    rc, out, err = etest.run_tool(args.tool, ["--no-cache", "--format", "json", "1", "1"],
                                  prefix=argv, timeout=60 * etest.slowness())
    what = etest.describe_run(argv + [args.tool], rc, out, err)
    release = platform.release()
    etest.check(rc == 69, "no kernel headers: expected exit 69\n" + what)
    etest.check(out == "", "no kernel headers: expected nothing on stdout\n" + what)
    lines = [l for l in err.splitlines() if l]
    etest.check(len(lines) == 1 and lines[0].startswith(etest.PREFIX),
                "no kernel headers: expected one line on stderr\n" + what)
    for needed in (f"linux-headers-{release}", "--kernel-headers", "BCC_KERNEL_SOURCE"):
        etest.check(needed in lines[0], f"no kernel headers: the message should name "
                    f"{needed!r}\n" + what)
    etest.check("Unable to find kernel headers" not in out + err and "modprobe" not in err,
                "no kernel headers: libbcc's own search ran (its message or a modprobe)\n" + what)
    etest.wait_nothing_left(-1, set(), set(), state=state, map_names=("counts", "self"),
                            context="no kernel headers: ")
    etest.log("no kernel headers: exit 69, one line naming the package and --kernel-headers")


def test_kernel_headers_option(args):
    with tempfile.TemporaryDirectory(prefix="execcount-headers-") as tmp:
        merged = os.path.join(tmp, "merged")
        build = merged_headers(merged)
        for mode in etest.attach_modes():
            count_in_namespace(args, mode, HIDE_MODULES, extra=["--kernel-headers", merged],
                               env_note="--kernel-headers with /lib/modules hidden: ")
            etest.log(f"--attach {mode}: --kernel-headers {merged}: counted {EXECS} exactly")

        # a tree without the source half (Debian's -amd64 package alone): refused, named
        argv = in_namespace(HIDE_MODULES)
        rc, out, err = etest.run_tool(args.tool, ["--kernel-headers", build, "1", "1"],
                                      prefix=argv, timeout=60 * etest.slowness())
        what = etest.describe_run(argv + [args.tool], rc, out, err)
        etest.check(rc == 69 and "include/linux/kconfig.h" in err and out == "",
                    "--kernel-headers at a tree without include/linux/kconfig.h: expected exit "
                    "69 naming that file, nothing on stdout\n" + what)
        etest.log("--kernel-headers at an incomplete tree: exit 69 naming kconfig.h")


def test_libbcc_stdout(args):
    env_prefix = ["env", "BCC_LINUX_VERSION_CODE=393216"]
    mode = etest.attach_modes()[0]
    with etest.Tool(args.tool, ["--no-cache", "--attach", mode, "--format", "json", "1"],
                    prefix=env_prefix) as t:
        t.wait_start(mode)
        t.send(signal.SIGINT)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"expected exit 0, got {rc}\n" + t.describe())
        etest.parse_json_lines(t, t.lines)  # every stdout line is JSON
        etest.check("Linux version for eBPF program is being overridden" in t.stderr(),
                    "libbcc's version-override warning (which it prints on stdout) should be on "
                    "stderr\n" + t.describe())
    etest.log("libbcc's stdout messages land on stderr; stdout is JSON only")


def test_pid_namespace(args):
    for mode in etest.attach_modes():
        with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "1"],
                        prefix=["unshare", "--pid", "--fork", "--mount-proc"]) as t:
            start = t.read_json(etest.start_timeout(), "the JSON start line")
            etest.check(start.get("type") == "start",
                        f"in a pid namespace: expected the start line, got {start}\n"
                        + t.describe())
            etest.check_hook(mode, start.get("hook"))
            etest.run_helper(args.helper, etest.UID_PLAIN, EXECS)
            # unshare(1) waits for the tool, its child: signal the tool itself
            with open(f"/proc/{t.pid}/task/{t.pid}/children") as f:
                children = [int(c) for c in f.read().split()]
            etest.check(len(children) == 1, f"expected unshare to have one child, got "
                        f"{children}\n" + t.describe())
            os.kill(children[0], signal.SIGINT)
            rc = t.wait_exit(30 * etest.slowness())
            etest.check(rc == 0, f"in a pid namespace: expected exit 0 after SIGINT, got {rc}\n"
                        + t.describe())
            final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]))
            etest.check_count(t, final, etest.UID_PLAIN, EXECS, mode)
        etest.log(f"--attach {mode}: in its own pid namespace: self-test passed, counted "
                  f"{EXECS} exactly")


def test(args):
    etest.require_root()
    etest.require_bpftool()
    if not shutil.which("unshare"):
        etest.skip("unshare(1) not found (util-linux): cannot hide mounts from the tool")
    state = etest.KernelState()
    test_tracefs_unmounted(args)
    test_no_headers(args, state)
    test_kernel_headers_option(args)
    test_libbcc_stdout(args)
    test_pid_namespace(args)


if __name__ == "__main__":
    etest.main(test)
