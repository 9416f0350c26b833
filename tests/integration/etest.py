# SPDX-License-Identifier: GPL-2.0
"""etest: what the bcc-execcount integration tests share (Python 3 standard library only).

Each test file is a script run by CTest:

    python3 <test>.py --tool BUILD/bcc-execcount --helper BUILD/.../exec_helper --source-dir SRC

and ends with exit 0 (pass), 1 (fail: what was expected, what came, and the tool's stderr are
printed) or 77 (skip: the reason is printed on stderr).

Environment:
  EXECCOUNT_TEST_ATTACH         attach modes each counting test runs with, space separated
                                (default "tracepoint auto")
  EXECCOUNT_EXPECT_AUTO         what --attach auto must choose: the start line's hook must begin with
                                it (default "kprobe" if the kernel has the kprobe PMU, else "tracepoint")
  EXECCOUNT_TEST_START_TIMEOUT  seconds to wait for the tool's start line (default 60: a clang
                                compile takes 0.3 s natively, 6-10 s in a qemu TCG guest)
  EXECCOUNT_IN_VM               set by the qemu harness: time limits for exits are tripled there
  EXECCOUNT_NO_SKIP             1: a test that would skip fails instead (the qemu harness sets it)
"""

import argparse
import collections
import http.client
import json
import os
import platform
import pwd
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

SKIP = 77
PREFIX = "bcc-execcount: "
COUNTING_TEXT = "bcc-execcount: counting execs via "
TRACEPOINT_HOOK = "tracepoint:syscalls:sys_enter_execve"
# The first hook of the default run (--by uid) on the tracepoints: x86_64 counts at the exit alone
AT_EXIT_HOOK = "tracepoint:syscalls:sys_exit_execve"
# Key fields an exec does not change: such keys are counted at the syscall's exit alone
AT_EXIT_FIELDS = frozenset(("uid", "cgroup"))
EXEC_DONE_HOOK = "tracepoint:sched:sched_process_exec"
ATTACH_MODES = ("auto", "kprobe", "tracepoint")
COUNT_LINE = "__sync_fetch_and_add(count, 1);"
# the names the built-in probe's programs begin with (bpftool shows them cut to 15 bytes):
# execve_* and execveat_* at syscall entry, exit_* at return, exec_* at a successful exec
PROG_PREFIXES = ("execve_", "execveat_", "exit_", "exec_")

# --by fields, each with the row fields it brings and the one that identifies it in the key
BY_FIELDS = ("uid", "comm", "exe", "cgroup")
ROW_FIELDS = {"uid": ("uid", "user"), "comm": ("comm",), "exe": ("exe",),
              "cgroup": ("cgroup", "cgroup_id")}
KEY_FIELD = {"uid": "uid", "comm": "comm", "exe": "exe", "cgroup": "cgroup_id"}
# every row has these, whatever --by says
COUNTERS = ("count", "execve", "execveat", "ok", "failed", "delta")
SYSCALLS = ("execve", "execveat")
DEFAULT_MAX_KEYS = 10240
TABLE_FULL_HINT = "raise --max-keys"
COMM_LEN = 15    # TASK_COMM_LEN - 1
EXE_LEN = 255    # the probe keeps at most this many bytes of the path

# Test uids: none has a passwd entry on a stock system, so their counts come only from our execs.
UID_PLAIN = 1234567
UID_28BIT = 305419896     # 0x12345678: >= 2^28, the original's mask made it 0x2345678
UID_32BIT = 3000000001    # >= 2^31: breaks anything that treats a uid as signed
UID_NOBODY = 65534

TRACEFS_DIRS = ("/sys/kernel/tracing", "/sys/kernel/debug/tracing")
KPROBE_PMU = "/sys/bus/event_source/devices/kprobe"
RFC3339_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


class Failure(Exception):
    """The tool did not do what the contract says (the message says what was expected and what came)."""


class Skip(Exception):
    """This test cannot prove anything on this machine (the message says why)."""


def fail(message):
    raise Failure(message)


def skip(reason):
    # where everything is known to be present (the kprobe VM), a skip would hide a broken test
    if os.environ.get("EXECCOUNT_NO_SKIP") == "1":
        fail(f"would skip ({reason}), but EXECCOUNT_NO_SKIP=1: every test must run here")
    raise Skip(reason)


def check(condition, message):
    if not condition:
        fail(message)


def log(message):
    print(message, file=sys.stderr, flush=True)


def slowness():
    """Factor for time limits on how fast something happens: 3 in the qemu TCG guest, else 1."""
    return 3 if os.environ.get("EXECCOUNT_IN_VM") else 1


# Every time limit of the tests is at least HEADROOM times the slowest time measured for what it
# bounds on this machine kind, whose speed varies 3x from day to day (issue 12); docs/testing.md,
# "Time limits", lists each limit beside its measured time.
HEADROOM = 3


def ticks_timeout(n, interval=1):
    """Seconds to wait for n ticks of a run with INTERVAL to arrive, counted from a moment after
    its start line: HEADROOM times n + 1 intervals (the ticks came at most 0.03 s late here),
    tripled in the qemu guest."""
    return HEADROOM * (n + 1) * interval * slowness()


def start_timeout():
    text = os.environ.get("EXECCOUNT_TEST_START_TIMEOUT", "60")
    try:
        value = float(text)
    except ValueError:
        value = -1
    if value <= 0:
        fail(f"EXECCOUNT_TEST_START_TIMEOUT={text!r}: want a positive number of seconds")
    return value


# --- running a test ----------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="a bcc-execcount integration test")
    parser.add_argument("--tool", required=True, help="the bcc-execcount binary")
    parser.add_argument("--helper", required=True, help="the exec_helper binary")
    parser.add_argument("--source-dir", help="the project's source tree (for probes/)")
    args = parser.parse_args(argv)
    args.tool = os.path.abspath(args.tool)
    args.helper = os.path.abspath(args.helper)
    for what, path in (("--tool", args.tool), ("--helper", args.helper)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            fail(f"{what} {path}: not an executable file (is the build complete?)")
    return args


def main(test):
    """Run test(args) and exit 0 / 1 / 77 as CTest expects."""
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    try:
        args = parse_args()
        test(args)
    except Skip as e:
        log(f"SKIP {name}: {e}")
        sys.exit(SKIP)
    except Failure as e:
        log(f"FAIL {name}: {e}")
        sys.exit(1)
    except Exception:  # a bug in the test or an unexpected state: a failure, never a pass
        log(f"FAIL {name}: unexpected error in the test:")
        traceback.print_exc()
        sys.exit(1)
    log(f"PASS {name}")
    sys.exit(0)


def run_parts(calls):
    """Run each part (a function of no arguments: its own run of the tool), going on past a
    failing one so that it does not hide the others; fail at the end naming every failure."""
    failures = []
    for call in calls:
        try:
            call()
        except Failure as e:
            log(f"FAIL (going on with the other parts): {e}")
            failures.append(str(e).splitlines()[0])
    check(not failures, f"{len(failures)} part(s) failed (details above):\n  "
          + "\n  ".join(failures))


def require_root():
    if os.geteuid() != 0:
        skip(f"needs root to load eBPF and to switch uids (running as uid {os.geteuid()})")


def require_bpftool():
    try:
        subprocess.run(["bpftool", "version"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        skip("bpftool is needed to see what is loaded in the kernel (apt-get install bpftool)")


def attach_modes():
    text = os.environ.get("EXECCOUNT_TEST_ATTACH", "tracepoint auto")
    modes = text.split()
    check(modes, f"EXECCOUNT_TEST_ATTACH={text!r}: no attach mode given")
    for mode in modes:
        check(mode in ATTACH_MODES,
              f"EXECCOUNT_TEST_ATTACH={text!r}: {mode!r} is not one of {', '.join(ATTACH_MODES)}")
    return modes


def kernel_has_kprobe_pmu():
    return os.path.exists(KPROBE_PMU)


def kernel_has_kprobes():
    """The kprobe PMU or a legacy kprobe_events file in a mounted tracefs."""
    return kernel_has_kprobe_pmu() or any(
        os.path.exists(os.path.join(d, "kprobe_events")) for d in TRACEFS_DIRS)


def kernel_has_syscall_tracepoints():
    """A mounted tracefs shows syscalls:sys_exit_execve (the tool mounts tracefs when needed)."""
    return any(os.path.isdir(os.path.join(d, "events", "syscalls", "sys_exit_execve"))
               for d in TRACEFS_DIRS)


def expect_auto():
    value = os.environ.get("EXECCOUNT_EXPECT_AUTO")
    if value is None:
        value = "kprobe" if kernel_has_kprobe_pmu() else "tracepoint"
    check(value.strip() != "", "EXECCOUNT_EXPECT_AUTO is empty")
    return value.strip()


def at_exit(kind, by=("uid",), syscalls=SYSCALLS):
    """Does the tool count at the syscalls' exits, one program per execve, on hooks of kind
    (tracepoint or kprobe)?  On the tracepoints of x86_64 (whose exits fire after a successful
    exec too), for keys an exec does not change (AT_EXIT_FIELDS), counting both syscalls (a
    successful execveat returns through sys_exit_execve)."""
    return (kind == "tracepoint" and set(by) <= AT_EXIT_FIELDS
            and set(syscalls) == set(SYSCALLS) and platform.machine() == "x86_64")


def check_hook(mode, hook, syscalls=SYSCALLS, by=("uid",)):
    """The start line's hook is what --attach MODE promises: the entry of the first syscall
    counted (execve, unless --syscalls execveat), or execve's exit when counted at the exits."""
    check(isinstance(hook, str), f"start line: hook {hook!r} is not a string")
    first_syscall = list(syscalls)[0]
    if mode == "tracepoint":
        side = "exit" if at_exit("tracepoint", by, syscalls) else "enter"
        want = f"tracepoint:syscalls:sys_{side}_{first_syscall}"
        check(hook == want, f"--attach tracepoint: expected hook {want!r}, got {hook!r}")
    elif mode == "kprobe":
        check(re.fullmatch(r"kprobe:\S+", hook) is not None,
              f"--attach kprobe: expected hook 'kprobe:<function>', got {hook!r}")
    else:
        want = expect_auto()
        prefix = want if ":" in want else want + ":"
        check(hook.startswith(prefix),
              f"--attach auto: expected a hook beginning with {prefix!r} "
              f"(EXECCOUNT_EXPECT_AUTO={want!r}), got {hook!r}")


def check_hooks(mode, hook, hooks, syscalls=SYSCALLS, by=("uid",)):
    """The start line's "hook" and "hooks": hooks[0] is hook; for each syscall counted its entry
    and its exit, plus the successful-exec hook, and nothing else; or, counted at the exits
    (at_exit()), the two exits and execveat's entry, and nothing else.
      tracepoint  tracepoint:syscalls:sys_enter_<sc>, tracepoint:syscalls:sys_exit_<sc>
      kprobe      kprobe:<fn> with <fn> the syscall's function (..._sys_<sc>); the exit is
                  tracepoint:syscalls:sys_exit_<sc> where the kernel has syscall tracepoints,
                  else kretprobe:<fn>
      both        tracepoint:sched:sched_process_exec"""
    syscalls = list(syscalls)
    check_hook(mode, hook, syscalls, by)
    check(isinstance(hooks, list) and hooks and all(isinstance(h, str) for h in hooks),
          f"expected \"hooks\" as a non-empty list of strings, got {json.dumps(hooks)}")
    check(hooks[0] == hook, f"expected \"hooks\" to begin with \"hook\" {hook!r}, got "
          f"{json.dumps(hooks)}")
    check(len(set(hooks)) == len(hooks), f"a hook appears twice in {json.dumps(hooks)}")
    kind = mode
    if mode == "auto":
        kind = "kprobe" if hook.startswith("kprobe:") else "tracepoint"
    if kind == "tracepoint" and at_exit(kind, by, syscalls):
        want = {"tracepoint:syscalls:sys_exit_execve", "tracepoint:syscalls:sys_enter_execveat",
                "tracepoint:syscalls:sys_exit_execveat"}
        check(set(hooks) == want, f"--attach {mode}, --by {','.join(by)}: expected the exits "
              f"and execveat's entry, {sorted(want)} (the execve exit first), got "
              f"{json.dumps(hooks)}")
        return
    if kind == "tracepoint":
        want = {f"tracepoint:syscalls:sys_{side}_{sc}" for sc in syscalls
                for side in ("enter", "exit")} | {EXEC_DONE_HOOK}
        check(set(hooks) == want, f"--attach {mode}: expected the hooks {sorted(want)} "
              f"(any order, the execve entry first), got {json.dumps(hooks)}")
        return
    rest = [h for h in hooks if h != EXEC_DONE_HOOK]
    check(len(rest) == len(hooks) - 1, f"--attach {mode}: expected {EXEC_DONE_HOOK!r} in "
          f"\"hooks\", got {json.dumps(hooks)}")
    entries = [h.split(":", 1)[1] for h in rest if h.startswith("kprobe:")]
    exit_tps = {h for h in rest if h.startswith("tracepoint:syscalls:sys_exit_")}
    if kernel_has_syscall_tracepoints():
        want_exits = {f"tracepoint:syscalls:sys_exit_{sc}" for sc in syscalls}
        check(len(entries) + len(exit_tps) == len(rest) and exit_tps == want_exits,
              f"--attach {mode}: this kernel has syscall tracepoints: expected kprobe:<fn> "
              f"entries, the exits {sorted(want_exits)} and {EXEC_DONE_HOOK!r}, got "
              f"{json.dumps(hooks)}")
    else:
        exits = [h.split(":", 1)[1] for h in rest if h.startswith("kretprobe:")]
        check(len(entries) + len(exits) == len(rest) and sorted(entries) == sorted(exits),
              f"--attach {mode}: this kernel shows no syscall tracepoints: expected kprobe:<fn> "
              f"and kretprobe:<fn> pairs besides {EXEC_DONE_HOOK!r}, got {json.dumps(hooks)}")
    for sc in syscalls:
        fns = [fn for fn in entries if re.fullmatch(rf"\w*sys_{sc}", fn)]
        check(len(fns) == 1, f"--attach {mode}: expected one kprobe on the {sc} syscall "
              f"function (e.g. __x64_sys_{sc}), got {json.dumps(hooks)}")
    check(len(entries) == len(syscalls), f"--attach {mode}: expected kprobes on the functions "
          f"of {syscalls} only, got {json.dumps(hooks)}")


def user_name(uid):
    """The passwd name the tool should report for uid, or None (JSON null)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


# --- the tool as a process ---------------------------------------------------------------------

def _default_signals(ignore_sigint=False):
    """Popen preexec: the tool starts with default dispositions and nothing blocked, whatever this
    interpreter inherited (a background job of a non-interactive shell gets SIGINT ignored), so a
    signal sent by the test really reaches it.  ignore_sigint recreates that background-job case."""
    def setup():
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        if ignore_sigint:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
    return setup


def _in_cgroup(cgroup, then):
    """Popen preexec: move the child into the cgroup directory, then run then()."""
    def setup():
        with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
            f.write("0\n")
        then()
    return setup


class Tool:
    """bcc-execcount running: stdout read line by line through a pipe, stderr kept in a file.

    Use as a context manager: leaving it kills the tool if it still runs."""

    def __init__(self, tool, args, ignore_sigint=False, preexec=None, prefix=(), cwd=None,
                 env=None, cgroup=None):
        """env: variables to set in the tool's environment, on top of this process's;
        cgroup: a cgroup directory to start the tool in."""
        self.argv = list(prefix) + [tool] + list(args)
        self.env = dict(env or {})
        self._stderr = tempfile.TemporaryFile()
        setup = preexec or _default_signals(ignore_sigint)
        if cgroup is not None:
            setup = _in_cgroup(cgroup, setup)
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr,
            preexec_fn=setup, cwd=cwd, close_fds=True,
            env=dict(os.environ, **self.env) if self.env else None)
        self.pid = self.proc.pid
        self._fd = self.proc.stdout.fileno()
        self._buf = b""
        self._pending = collections.deque()  # (line bytes, arrival time) not yet returned
        self._eof = False
        self.lines = []          # every complete stdout line read so far, without "\n"
        self.times = []          # when each of them arrived (time.monotonic())
        self.returncode = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        if self.proc.stdout and not self.proc.stdout.closed:
            self.proc.stdout.close()
        self.returncode = self.proc.returncode

    # reading stdout

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([self._fd], [], [], left)
        if not ready:
            return False
        data = os.read(self._fd, 65536)
        now = time.monotonic()
        if data:
            self._buf += data
            while b"\n" in self._buf:
                line, self._buf = self._buf.split(b"\n", 1)
                self._pending.append((line, now))
        else:
            self._eof = True
        return True

    def read_line(self, timeout, what="a line"):
        """The next stdout line (str, no newline); None at EOF; a failure after timeout seconds."""
        deadline = time.monotonic() + timeout
        while not self._pending:
            if self._eof:
                if self._buf:
                    fail(f"stdout ended in the middle of a line: {self._buf!r}\n" + self.describe())
                return None
            if not self._fill(deadline):
                fail(f"waited {timeout:.0f} s for {what} on stdout, nothing came\n"
                     + self.describe())
        line, when = self._pending.popleft()
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            fail(f"stdout line is not UTF-8: {line!r}\n" + self.describe())
        self.lines.append(text)
        self.times.append(when)
        return text

    def read_json(self, timeout, what):
        line = self.read_line(timeout, what)
        if line is None:
            self.wait_exit(10)
            fail(f"expected {what} on stdout, got EOF (the tool exited)\n" + self.describe())
        try:
            obj = json.loads(line)
        except ValueError as e:
            fail(f"expected {what} as one JSON object per line, got {line!r}: {e}\n"
                 + self.describe())
        check(isinstance(obj, dict),
              f"expected {what} as a JSON object, got {line!r}\n" + self.describe())
        return obj

    def wait_start(self, mode=None, interval=1, probe="builtin", by=("uid",),
                   syscalls=SYSCALLS, max_keys=DEFAULT_MAX_KEYS):
        """Wait for the JSON start line and check every field the contract names (by, syscalls,
        max_keys: what the tool was asked for, its defaults unless told)."""
        start = self.read_json(start_timeout(), "the JSON start line")
        context = f"start line {json.dumps(start)}\n"
        check(start.get("type") == "start",
              context + f"expected \"type\":\"start\" first, got {start.get('type')!r}\n"
              + self.describe())
        check(isinstance(start.get("ts"), str) and RFC3339_MS.match(start["ts"]),
              context + "expected \"ts\" like 2026-11-25T01:40:30.123Z\n" + self.describe())
        check(start.get("interval") == interval,
              context + f"expected \"interval\":{interval}\n" + self.describe())
        check(start.get("probe") == probe,
              context + f"expected \"probe\":{json.dumps(probe)}\n" + self.describe())
        check(start.get("pid") == self.pid,
              context + f"expected \"pid\":{self.pid} (the tool's pid)\n" + self.describe())
        check(isinstance(start.get("version"), str) and start["version"],
              context + "expected a non-empty \"version\" string\n" + self.describe())
        check(start.get("by") == list(by),
              context + f"expected \"by\":{json.dumps(list(by))}\n" + self.describe())
        check(start.get("syscalls") == list(syscalls),
              context + f"expected \"syscalls\":{json.dumps(list(syscalls))}\n"
              + self.describe())
        check(start.get("max_keys") == max_keys,
              context + f"expected \"max_keys\":{max_keys}\n" + self.describe())
        if mode is not None:
            try:
                check_hooks(mode, start.get("hook"), start.get("hooks"), syscalls, by)
            except Failure as e:
                fail(f"{context}{e}\n" + self.describe())
        return start

    def wait_stderr(self, text, timeout):
        """Wait until stderr contains text (the tool keeps running)."""
        deadline = time.monotonic() + timeout
        while True:
            if text in self.stderr():
                return
            if self.proc.poll() is not None:
                self.wait_exit(10)
                fail(f"expected {text!r} on stderr; the tool exited first\n" + self.describe())
            if time.monotonic() > deadline:
                fail(f"waited {timeout:.0f} s for {text!r} on stderr, it did not come\n"
                     + self.describe())
            time.sleep(0.02)

    def close_stdout(self):
        self.proc.stdout.close()

    def send(self, sig):
        check(self.proc.poll() is None,
              f"the tool exited before the test could send {signal.Signals(sig).name}\n"
              + self.describe())
        self.proc.send_signal(sig)

    def wait_exit(self, timeout):
        """Read stdout to EOF (when still open) and wait for the exit; the exit status, or a
        failure (and the tool killed) after timeout seconds."""
        deadline = time.monotonic() + timeout
        if not self.proc.stdout.closed:
            while not self._eof and self._fill(deadline):
                pass
            while self._pending or (self._eof and self._buf):
                if self.read_line(0, "the rest of the output") is None:
                    break
        try:
            self.returncode = self.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.kill()
            fail(f"the tool did not exit within {timeout:.0f} s (killed now)\n" + self.describe())
        return self.returncode

    def stderr(self):
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def describe(self):
        rc = self.proc.poll()
        status = "still running" if rc is None else (
            f"killed by {signal.Signals(-rc).name}" if rc < 0 else f"exit {rc}")
        out = "\n".join(line if len(line) <= 4000 else
                        f"{line[:4000]}... [{len(line) - 4000} more characters]"
                        for line in self.lines[-40:])
        if len(self.lines) > 40:
            out = f"[{len(self.lines) - 40} earlier lines left out]\n" + out
        env = "".join(f"{k}={v} " for k, v in sorted(self.env.items()))
        return (f"--- command: {env}{' '.join(self.argv)} (pid {self.pid}, {status})\n"
                f"--- stdout (lines read):\n{out}\n"
                f"--- stderr:\n{self.stderr()}--- end")


def run_tool(tool, args, timeout=60, prefix=(), cwd=None):
    """Run the tool to completion: (exit status, stdout, stderr); a failure if it does not end."""
    argv = list(prefix) + [tool] + list(args)
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, cwd=cwd,
                           preexec_fn=_default_signals())
    except subprocess.TimeoutExpired as e:
        fail(f"{' '.join(argv)}: still running after {timeout} s (killed)\n"
             f"--- stdout:\n{(e.stdout or b'').decode('utf-8', 'replace')}\n"
             f"--- stderr:\n{(e.stderr or b'').decode('utf-8', 'replace')}")
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def describe_run(argv, rc, out, err):
    return (f"--- command: {' '.join(argv)} (exit {rc})\n--- stdout:\n{out}\n"
            f"--- stderr:\n{err}--- end")


# --- making execs ------------------------------------------------------------------------------

# exec_helper's defaults (see its header comment)
HELPER_MISSING_PATH = "/nonexistent/bcc-execcount-test"   # fail mode, execve and execveat
HELPER_NOEXEC_PATH = "/etc/passwd"                        # fail mode, fexecve (EACCES)
HELPER_OK_PATH = "/bin/true"                              # ok mode

def helper_argv(helper, uid, count, mode="fail", procs=1, syscall=None, path=None, distinct=None,
                comm=None, cgroup=None, thread=False, seccomp=False):
    """exec_helper's command line: uid None runs it as the test's own uid (root); the keyword
    arguments map to --syscall, --path, --distinct, --comm, --cgroup (None: the helper's
    default), --thread and --seccomp (when true)."""
    argv = [helper]
    if uid is not None:
        argv += ["--uid", str(uid)]
    argv += ["--count", str(count), "--mode", mode, "--procs", str(procs)]
    for option, value in (("--syscall", syscall), ("--path", path), ("--distinct", distinct),
                          ("--comm", comm), ("--cgroup", cgroup)):
        if value is not None:
            argv += [option, str(value)]
    return argv + (["--thread"] if thread else []) + (["--seccomp"] if seccomp else [])


def run_helper(helper, uid, count, mode="fail", procs=1, timeout=600, **options):
    """Make exactly count*procs exec calls under uid (options: see helper_argv); a failure
    unless all went as expected."""
    argv = helper_argv(helper, uid, count, mode, procs, **options)
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail(f"{' '.join(argv)}: did not finish in {timeout} s")
    check_helper(argv, p.returncode, p.stdout, p.stderr, count * procs)


def start_helper(helper, uid, count, mode="fail", procs=1, **options):
    argv = helper_argv(helper, uid, count, mode, procs, **options)
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.argv = argv
    proc.expected_total = count * procs
    return proc


def finish_helper(proc, timeout=600):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        fail(f"{' '.join(proc.argv)}: did not finish in {timeout} s")
    check_helper(proc.argv, proc.returncode, out, err, proc.expected_total)


# exec_helper's --syscall values and the syscall each one goes through
HELPER_SYSCALL = {"execve": "execve", "execveat": "execveat", "fexecve": "execveat"}


def run_plan(helper, plan):
    """Make the calls of a plan {uid: {helper syscall: (successful, failing)}}."""
    for uid, calls in plan.items():
        for call, (oks, fails) in calls.items():
            run_helper(helper, uid, oks, mode="ok", syscall=call)
            run_helper(helper, uid, fails, mode="fail", syscall=call)


def plan_rows(plan, syscalls=SYSCALLS):
    """{uid: {count, execve, execveat, ok, failed}} that a plan's calls make when the tool counts
    syscalls; uids with nothing counted are left out."""
    want = {}
    for uid, calls in plan.items():
        row = dict(count=0, execve=0, execveat=0, ok=0, failed=0)
        for call, (oks, fails) in calls.items():
            sc = HELPER_SYSCALL[call]
            if sc not in syscalls:
                continue
            row[sc] += oks + fails
            row["count"] += oks + fails
            row["ok"] += oks
            row["failed"] += fails
        if row["count"]:
            want[uid] = row
    return want


def distinct_paths(distinct, count, procs=1, base=HELPER_MISSING_PATH):
    """{path: calls} for exec_helper --distinct D --count N --procs P --mode fail: call i of each
    worker uses "<base>-<i mod D>"."""
    return {f"{base}-{i}": procs * (count // distinct + (1 if i < count % distinct else 0))
            for i in range(distinct)}


def check_helper(argv, rc, out, err, total):
    out = out.decode("utf-8", "replace")
    err = err.decode("utf-8", "replace")
    check(rc == 0 and out.strip() == str(total),
          f"exec_helper did not make its execs as asked: expected exit 0 and {total} on stdout\n"
          + describe_run(argv, rc, out, err))


# --- the JSON stream ---------------------------------------------------------------------------

class Block(dict):
    """A tick's or the final's rows as {key: row}: key is the value of the one --by field (uid,
    comm, exe, or cgroup_id for cgroup), or the tuple of them in --by order for several fields.
    obj is the JSON object itself; dropped and nkeys its "dropped" and "keys"."""

    def __init__(self, obj, rows):
        super().__init__(rows)
        self.obj = obj
        self.dropped = obj.get("dropped")
        self.nkeys = obj.get("keys")


def row_key(row, by=("uid",)):
    """A row's key: the value of the --by field, or the tuple of them (see Block)."""
    values = tuple(row[KEY_FIELD[f]] for f in by)
    return values[0] if len(values) == 1 else values


def _sort_key(row, by):
    # the tool's order for ties: uid, comm, exe, cgroup id (the fields present)
    return (-row["count"],) + tuple(row[KEY_FIELD[f]] for f in BY_FIELDS if f in by)


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _row_problem(row, by, want_fields):
    """What is wrong with one row (a string), or None.  Cheap: called for every row of every
    block, so the message is built only when something is wrong."""
    if not (isinstance(row, dict) and set(row) == want_fields):
        return (f"expected rows with exactly {', '.join(sorted(want_fields))} (--by "
                f"{','.join(by)})")
    for key in COUNTERS:
        if not _is_count(row[key]):
            return f"\"{key}\" must be a non-negative integer"
    if row["count"] != row["execve"] + row["execveat"]:
        return "expected count = execve + execveat"
    if row["ok"] + row["failed"] != row["count"]:
        return "expected ok + failed = count (each exec is counted at its outcome)"
    if "uid" in by:
        if not (_is_count(row["uid"]) and row["uid"] <= 0xFFFFFFFF):
            return "\"uid\" must be an integer of 32 bits"
        if not (row["user"] is None or isinstance(row["user"], str)):
            return "\"user\" must be a string or null"
    if "comm" in by and not (isinstance(row["comm"], str) and len(row["comm"]) <= COMM_LEN):
        return f"\"comm\" must be a string of at most {COMM_LEN} characters"
    if "exe" in by and not (isinstance(row["exe"], str) and len(row["exe"]) <= EXE_LEN):
        return f"\"exe\" must be a string of at most {EXE_LEN} characters"
    if "cgroup" in by:
        if not (_is_count(row["cgroup_id"]) and row["cgroup_id"] > 0):
            return "\"cgroup_id\" must be a positive integer"
        if not (row["cgroup"] is None
                or (isinstance(row["cgroup"], str) and row["cgroup"].startswith("/"))):
            return "\"cgroup\" must be a path beginning with / or null"
    return None


def check_rows(obj, what, by=("uid",)):
    """A tick/final object's rows: exactly the fields of --by BY and the counters, each well
    formed; count = execve + execveat = ok + failed; sorted by count descending, then
    key ascending; keys unique.  Returns a Block ({uid: row} for --by uid)."""
    by = tuple(by)
    rows = obj.get("rows")
    if not isinstance(rows, list):
        fail(f"{what}: expected a \"rows\" list, got {json.dumps(obj)}")
    want_fields = set(COUNTERS)
    for f in by:
        want_fields |= set(ROW_FIELDS[f])
    result = {}
    for row in rows:
        problem = _row_problem(row, by, want_fields)
        if problem:
            fail(f"{what}: {problem} in {json.dumps(row)}")
        key = row_key(row, by)
        if key in result:
            fail(f"{what}: key {key!r} appears twice: {json.dumps(obj)}")
        result[key] = row
    order = [_sort_key(r, by) for r in rows]
    if order != sorted(order):
        fail(f"{what}: rows must be sorted by count descending, then by key ascending: "
             f"{json.dumps(rows)}")
    return Block(obj, result)


def check_stream(objs, by=("uid",), top=None):
    """tick* final, each well formed (check_rows), with "keys" (the table's keys: the number of
    rows, or with --top N the rows are min(N, keys)) and "dropped" (never falling); a key's
    counters never fall; each delta = count - previous block's count for that key (0 when it
    was absent; with --top only checked for keys that were shown before); without --top no key
    vanishes.  Returns the final Block."""
    check(objs, "expected at least a final line after the start line, got nothing")
    prev = Block({}, {})
    prev_dropped = 0
    for i, obj in enumerate(objs):
        last = i == len(objs) - 1
        kind = obj.get("type")
        what = f"line {i + 2} ({kind})"
        if kind != ("final" if last else "tick"):
            fail(f"{what}: expected {'the final line' if last else 'a tick'} here "
                 f"(ticks, then exactly one final, last): {json.dumps(obj)}")
        if not (isinstance(obj.get("ts"), str) and RFC3339_MS.match(obj["ts"])):
            fail(f"{what}: expected \"ts\" like 2026-11-25T01:40:30.123Z: {json.dumps(obj)}")
        rows = check_rows(obj, what, by)
        if not _is_count(obj.get("keys")):
            fail(f"{what}: expected \"keys\", a non-negative integer: {json.dumps(obj)}")
        if not _is_count(obj.get("dropped")):
            fail(f"{what}: expected \"dropped\", a non-negative integer: {json.dumps(obj)}")
        if top is None and obj["keys"] != len(rows):
            fail(f"{what}: \"keys\" is {obj['keys']}, expected the number of rows, "
                 f"{len(rows)}: {json.dumps(obj)}")
        if top is not None and len(rows) != min(top, obj["keys"]):
            fail(f"{what}: --top {top} with \"keys\" {obj['keys']}: expected "
                 f"{min(top, obj['keys'])} rows, got {len(rows)}: {json.dumps(obj)}")
        check(obj["dropped"] >= prev_dropped, f"{what}: \"dropped\" fell from {prev_dropped} "
              f"to {obj['dropped']} (it is cumulative)")
        prev_dropped = obj["dropped"]
        for key, row in rows.items():
            before = prev.get(key)
            if before is None and top is not None:
                continue
            before = before or dict.fromkeys(COUNTERS, 0)
            for counter in ("count", "execve", "execveat", "ok", "failed"):
                if row[counter] < before[counter]:
                    fail(f"{what}: key {key!r}: {counter} fell from {before[counter]} to "
                         f"{row[counter]} (counters are cumulative)")
            if row["delta"] != row["count"] - before["count"]:
                fail(f"{what}: key {key!r} delta {row['delta']}, expected count {row['count']} - "
                     f"previous {before['count']} = {row['count'] - before['count']}")
        if top is None:
            for key in prev:
                if key not in rows:
                    fail(f"{what}: key {key!r} vanished (it was in the previous block)")
        prev = rows
    return prev


def parse_json_lines(tool, lines):
    objs = []
    for line in lines:
        try:
            obj = json.loads(line)
        except ValueError as e:
            fail(f"expected one JSON object per stdout line, got {line!r}: {e}\n" + tool.describe())
        objs.append(obj)
    return objs


def tool_options(by=None, syscalls=None, max_keys=None, uids=None, top=None, extra_args=()):
    """The command-line options for the issue-3 settings (None: not given, the tool's default)."""
    argv = []
    if by is not None:
        argv += ["--by", ",".join(by)]
    if syscalls is not None:
        argv += ["--syscalls", ",".join(syscalls)]
    if max_keys is not None:
        argv += ["--max-keys", str(max_keys)]
    if uids is not None:
        argv += ["--uid", ",".join(str(u) for u in uids)]
    if top is not None:
        argv += ["--top", str(top)]
    return argv + list(extra_args)


def counting_run(args, mode, work, probe=None, interval=1, stop=signal.SIGINT, by=None,
                 syscalls=None, max_keys=None, uids=None, top=None, extra_args=(), env=None,
                 cgroup=None, prefix=(), on_start=None):
    """Start the tool (--attach MODE --format json [options] INTERVAL), check the start line
    (by, syscalls, max_keys, hooks as asked) and the stderr line naming the hooks, run work(),
    stop it with a signal, and check it exits 0 with ticks and a final line (check_stream).
    by/syscalls/max_keys/uids/top: the options (lists for the list ones); extra_args: more
    arguments, before INTERVAL; env: variables for the tool's environment; cgroup: a cgroup
    directory the tool is started in; prefix: a command the tool runs under (setpriv ...);
    on_start: called with the Tool once it counts, before work().
    Returns (tool, final Block): tool for describe() in messages; the Block is {key: row} (for
    --by uid, {uid: row}) with .obj the final JSON object, .dropped and .nkeys."""
    argv = ["--attach", mode, "--format", "json"]
    if probe:
        argv += ["--probe", probe]
    argv += tool_options(by, syscalls, max_keys, uids, top, extra_args)
    argv.append(str(interval))
    want_by = tuple(by) if by is not None else ("uid",)
    want_syscalls = tuple(syscalls) if syscalls is not None else SYSCALLS
    want_max_keys = max_keys if max_keys is not None else DEFAULT_MAX_KEYS
    with Tool(args.tool, argv, env=env, cgroup=cgroup, prefix=prefix) as t:
        start = t.wait_start(mode, interval=interval, probe=probe or "builtin", by=want_by,
                             syscalls=want_syscalls, max_keys=want_max_keys)
        if on_start:
            on_start(t)
        work()
        t.send(stop)
        rc = t.wait_exit(30 * slowness())
        check(rc == 0, f"after {signal.Signals(stop).name}: expected exit 0, got "
              f"{rc}\n" + t.describe())
        want_line = (f"{COUNTING_TEXT}{', '.join(start['hooks'])}, every {interval} s; "
                     "Ctrl-C to end")
        counting = [line for line in t.stderr().splitlines() if line.startswith(COUNTING_TEXT)]
        check(counting == [want_line],
              f"expected exactly one stderr line {want_line!r} (the start line's hooks, in its "
              f"order); got {counting}\n" + t.describe())
        try:
            final = check_stream(parse_json_lines(t, t.lines[1:]), by=want_by, top=top)
        except Failure as e:
            fail(f"{e}\n" + t.describe())
        return t, final


def all_blocks(t, by=("uid",)):
    """Every tick's and the final's rows (each a Block), after counting_run checked the stream."""
    return [check_rows(obj, f"line {i + 2}", by)
            for i, obj in enumerate(parse_json_lines(t, t.lines[1:]))]


def check_count(t, final, uid, want, mode):
    """The final row of key uid (any key: see Block) has count want."""
    row = final.get(uid)
    check(row is not None,
          f"--attach {mode}: expected a final row for {uid!r} with count {want}, got no row\n"
          + t.describe())
    check(row["count"] == want,
          f"--attach {mode}: {uid!r}: expected count {want} exactly, got {row['count']}\n"
          + t.describe())
    return row


def check_row(t, final, key, what, **want):
    """The final row of key has exactly the counter values given (count=, execve=, execveat=,
    ok=, failed=, or any other field); a failure naming every difference.  Returns the row."""
    row = final.get(key)
    check(row is not None,
          f"{what}: expected a final row for {key!r} with {json.dumps(want)}, got no row\n"
          + t.describe())
    wrong = [f"{k} {row.get(k)!r}, expected {v!r}" for k, v in want.items() if row.get(k) != v]
    check(not wrong, f"{what}: {key!r}: " + "; ".join(wrong) + f"\n  row: {json.dumps(row)}\n"
          + t.describe())
    return row


# --- cgroups ------------------------------------------------------------------------------------

def _unescape_mountinfo(text):
    # /proc/self/mountinfo writes space, tab, newline and backslash as \ooo (octal)
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)


def cgroup2_mount():
    """Where the cgroup2 hierarchy is mounted (its root, "/", mounted), from /proc/self/mountinfo;
    a skip when there is none."""
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            fields = line.split()
            if "-" not in fields[6:]:
                continue
            sep = fields.index("-", 6)
            if fields[sep + 1] == "cgroup2" and _unescape_mountinfo(fields[3]) == "/":
                return _unescape_mountinfo(fields[4])
    skip("no cgroup2 hierarchy mounted at its root (see /proc/self/mountinfo): --by cgroup "
         "shows paths below that mount")


class TempCgroup:
    """A fresh cgroup directory below the cgroup2 mount, removed on leaving (a context manager).
    path: the directory; rel: its path below the mount ("/etest-<pid>-<name>", what the tool
    shows); id: its cgroup id (the directory's inode number, what bpf_get_current_cgroup_id
    gives)."""

    def __init__(self, name):
        self.mount = cgroup2_mount()
        self.rel = f"/etest-{os.getpid()}-{name}"
        self.path = self.mount.rstrip("/") + self.rel
        try:
            os.mkdir(self.path)
        except OSError as e:
            fail(f"mkdir {self.path} (a test cgroup): {e}")
        self.id = os.stat(self.path).st_ino

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False

    def remove(self):
        # the helpers have exited; the kernel may take a moment to drop them from the cgroup
        deadline = time.monotonic() + 10
        while os.path.isdir(self.path):
            try:
                os.rmdir(self.path)
            except OSError as e:
                if time.monotonic() > deadline:
                    fail(f"rmdir {self.path} (the test's cgroup): {e}")
                time.sleep(0.05)


# --- what is loaded in the kernel --------------------------------------------------------------

def bpftool_json(*what):
    argv = ["bpftool", "-j"] + list(what)
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    check(p.returncode == 0, f"{' '.join(argv)} failed: exit {p.returncode}: "
          f"{p.stderr.decode('utf-8', 'replace')}")
    text = p.stdout.decode("utf-8", "replace").strip()
    return json.loads(text) if text else []


def bpf_progs():
    return {p["id"]: p for p in bpftool_json("prog", "show")}


def bpf_maps():
    return {m["id"]: m for m in bpftool_json("map", "show")}


def bpf_perf():
    return bpftool_json("perf", "show")


def kprobe_events():
    """Lines of every kprobe_events file in a mounted tracefs."""
    lines = []
    for d in TRACEFS_DIRS:
        path = os.path.join(d, "kprobe_events")
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines += [f"{path}: {line.rstrip()}" for line in f if line.strip()]
        except OSError:
            pass
    return lines


class KernelState:
    """What was loaded before the tool started, to tell the tool's objects from the rest."""

    def __init__(self):
        self.progs = bpf_progs()
        self.maps = bpf_maps()

    def new_progs(self, name_prefixes):
        return {i: p for i, p in bpf_progs().items()
                if i not in self.progs and p.get("name", "").startswith(tuple(name_prefixes))}

    def new_maps(self, names):
        return {i: m for i, m in bpf_maps().items()
                if i not in self.maps and m.get("name") in names}


def tool_objects(t, state, mode=None):
    """While the tool runs: its programs (those attached through perf events its process holds;
    each must be new and named like the probe's functions, PROG_PREFIXES) and their maps.
    A failure if none is found: a check
    that cannot see the tool's objects could not see a leak either."""
    perf = [e for e in bpf_perf() if e.get("pid") == t.pid]
    progs = bpf_progs()
    check(perf, f"while the tool runs, expected a perf event of pid {t.pid} in bpftool perf show; "
          f"got {json.dumps(bpf_perf())}\n" + t.describe())
    prog_ids = {e["prog_id"] for e in perf if "prog_id" in e}
    check(prog_ids, f"the tool's perf events carry no program: {json.dumps(perf)}\n" + t.describe())
    for i in prog_ids:
        check(i in progs and i not in state.progs
              and progs[i].get("name", "").startswith(PROG_PREFIXES),
              f"the tool's program {i}: expected a new program named "
              f"{' or '.join(p + '*' for p in PROG_PREFIXES)}, got "
              f"{json.dumps(progs.get(i))} (present before the start: {i in state.progs})\n"
              + t.describe())
    map_ids = set()
    for i in prog_ids:
        map_ids |= set(progs[i].get("map_ids", []))
    check(map_ids, f"the tool's programs {sorted(prog_ids)} use no maps?\n" + t.describe())
    if mode == "tracepoint":
        check(any(e.get("tracepoint") in ("sys_enter_execve", "sys_exit_execve") for e in perf),
              f"--attach tracepoint: expected a perf event on tracepoint sys_enter_execve or "
              f"sys_exit_execve, got "
              f"{json.dumps(perf)}\n" + t.describe())
    elif mode == "kprobe":
        check(any(e.get("fd_type") in ("kprobe", "kretprobe") for e in perf),
              f"--attach kprobe: expected a kprobe perf event, got {json.dumps(perf)}\n"
              + t.describe())
    return prog_ids, map_ids


def wait_nothing_left(pid, prog_ids, map_ids, state=None, map_names=(), prog_prefixes=None,
                      timeout=None, context=""):
    """After the tool (pid) ended: none of its programs, maps, perf events or kprobe_events entries
    remain.  With state (taken before it started), also no program named prog_prefixes* and no map
    named map_names created since, unless another live process has it attached (someone else
    running bcc-execcount meanwhile).  The kernel frees asynchronously: poll up to timeout s."""
    timeout = timeout if timeout is not None else 3 * slowness()
    prog_prefixes = PROG_PREFIXES if prog_prefixes is None else prog_prefixes
    deadline = time.monotonic() + timeout
    while True:
        progs = bpf_progs()
        maps = bpf_maps()
        perf = bpf_perf()
        left = []
        for i in sorted(prog_ids & set(progs)):
            left.append(f"program {i} ({progs[i].get('name')})")
        for i in sorted(map_ids & set(maps)):
            left.append(f"map {i} ({maps[i].get('name')})")
        if state is not None:
            others = {e.get("prog_id") for e in perf if e.get("pid") != pid}
            other_maps = set()
            for i in others:
                other_maps |= set(progs.get(i, {}).get("map_ids", []))
            for i, p in sorted(progs.items()):
                if (i not in state.progs and i not in prog_ids and i not in others
                        and p.get("name", "").startswith(tuple(prog_prefixes))):
                    left.append(f"program {i} ({p.get('name')}), new since the tool started")
            for i, m in sorted(maps.items()):
                if (i not in state.maps and i not in map_ids and i not in other_maps
                        and m.get("name") in map_names):
                    left.append(f"map {i} ({m.get('name')}), new since the tool started")
        for e in perf:
            if e.get("pid") == pid or e.get("prog_id") in prog_ids:
                left.append(f"perf event {json.dumps(e)}")
        for line in kprobe_events():
            if f"_bcc_{pid}" in line:
                left.append(f"kprobe_events entry {line}")
        if not left:
            return
        if time.monotonic() > deadline:
            fail(f"{context}expected nothing of the tool (pid {pid}) left in the kernel "
                 f"{timeout:.0f} s after it ended; still there:\n  " + "\n  ".join(left))
        time.sleep(0.1)


# --- probe files -------------------------------------------------------------------------------

def builtin_probe_path(args):
    check(args.source_dir, "--source-dir is required by this test (the tree with probes/)")
    path = os.path.join(args.source_dir, "probes", "execcount.bpf.c")
    check(os.path.isfile(path), f"{path}: not found (is --source-dir the project's tree?)")
    return path


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def write_text(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def replace_once(text, old, new, what):
    n = text.count(old)
    check(n == 1, f"{what}: expected {old!r} exactly once in the probe, found it {n} times")
    return text.replace(old, new)


# --- HTTP, the metrics text format, Prometheus and node_exporter ------------------------------

METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# every metric family the tool exports: name -> type (each has a HELP line too; its wording is
# documentation, not checked word for word)
METRIC_FAMILIES = {
    "bcc_execcount_execs_total": "counter",
    "bcc_execcount_dropped_total": "counter",
    "bcc_execcount_keys": "gauge",
    "bcc_execcount_hook_info": "gauge",
    "bcc_execcount_build_info": "gauge",
    "bcc_execcount_max_keys": "gauge",
}
EXECS_METRIC = "bcc_execcount_execs_total"
OUTCOMES = ("ok", "failed")
# the labels of an execs_total series per --by field, in order; then "outcome"
METRIC_LABELS = {"uid": ("uid", "user"), "comm": ("comm",), "exe": ("exe",),
                 "cgroup": ("cgroup", "cgroup_id")}
OTHER = "other"  # every key label of the series --max-series folds the smallest keys into


def free_ports(n=1):
    """n distinct TCP ports free on 127.0.0.1 right now (each bound by the kernel's choice, then
    released together, so they differ)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port():
    return free_ports(1)[0]


def http_request(port, method="GET", path="/metrics", host="127.0.0.1", timeout=10, body=None,
                 headers=None, what=None):
    """One HTTP/1.1 request on its own connection: (status, {header name lowercased: value},
    body bytes).  A failure naming what (default: the request) if no response comes."""
    what = what or f"{method} http://{host}:{port}{path}"
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    except (OSError, http.client.HTTPException) as e:
        fail(f"{what}: no HTTP response: {type(e).__name__}: {e}")
    finally:
        conn.close()


def raw_exchange(port, data, host="127.0.0.1", timeout=10):
    """Connect, send data as is, read until the server closes: (bytes read, how it ended:
    "closed", "reset" or "timeout")."""
    got = b""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.settimeout(timeout)
        deadline = time.monotonic() + timeout
        try:
            s.sendall(data)
            while True:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = s.recv(65536)
                if not chunk:
                    return got, "closed"
                got += chunk
        except socket.timeout:
            return got, "timeout"
        except (ConnectionResetError, BrokenPipeError):
            return got, "reset"


class Exposition:
    """A /metrics text (format 0.0.4) parsed: families {name: {"help", "type", "samples"}} in the
    order they came, each sample (labels dict, value float)."""

    def __init__(self, families, text):
        self.families = families
        self.text = text

    def samples(self, name, **match):
        """The samples of family name whose labels include match."""
        family = self.families.get(name)
        if family is None:
            return []
        return [(labels, value) for labels, value in family["samples"]
                if all(labels.get(k) == v for k, v in match.items())]

    def total(self, name, **match):
        return sum(value for _, value in self.samples(name, **match))

    def execs(self, by=("uid",)):
        """bcc_execcount_execs_total as {key: {"ok": n, "failed": n}}, key the values of the key
        labels of --by BY in order (a tuple; a single value for one label), e.g. for --by uid
        ("1234567", "") (uid, user)."""
        names = [n for f in by for n in METRIC_LABELS[f]]
        result = {}
        for labels, value in self.samples(EXECS_METRIC):
            values = tuple(labels.get(n) for n in names)
            key = values[0] if len(values) == 1 else values
            result.setdefault(key, {})[labels.get("outcome")] = value
        return result


_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_LABEL_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}
_METRIC_TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


def _parse_sample(line):
    """(name, labels, value) of a sample line; ValueError with what is wrong."""
    m = _METRIC_NAME.match(line)
    if not m:
        raise ValueError("no metric name at the start")
    name, i, labels = m.group(0), m.end(), {}
    if line[i:i + 1] == "{":
        i += 1
        while True:
            if line[i:i + 1] == "}":
                i += 1
                break
            m = _LABEL_NAME.match(line, i)
            if not m:
                raise ValueError(f"expected a label name at column {i + 1}")
            label, i = m.group(0), m.end()
            if line[i:i + 2] != '="':
                raise ValueError(f"expected =\" after label {label!r}")
            i += 2
            value = []
            while True:
                if i >= len(line):
                    raise ValueError(f"label {label!r}: the value does not end")
                c = line[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\":
                    esc = line[i + 1:i + 2]
                    if esc not in _LABEL_ESCAPES:
                        raise ValueError(f"label {label!r}: escape \\{esc} is not \\\\, \\\" or "
                                         "\\n")
                    value.append(_LABEL_ESCAPES[esc])
                    i += 2
                    continue
                value.append(c)
                i += 1
            if label in labels:
                raise ValueError(f"label {label!r} twice")
            labels[label] = "".join(value)
            if line[i:i + 1] == ",":
                i += 1
            elif line[i:i + 1] != "}":
                raise ValueError(f"expected , or }} after label {label!r}")
    rest = line[i:].split()
    if line[i:i + 1] not in (" ", "\t") or len(rest) not in (1, 2):
        raise ValueError("expected a value (and at most a timestamp) after the name and labels")
    try:
        value = float(rest[0])
        if len(rest) == 2:
            int(rest[1])
    except ValueError:
        raise ValueError(f"value {rest[0]!r} or timestamp is not a number") from None
    return name, labels, value


def parse_exposition(body, what):
    """Parse a /metrics body (bytes) strictly: UTF-8; lines end with "\\n"; each family's HELP and
    TYPE at most once and before its samples, its samples together; no series twice.  A failure
    naming what and the line otherwise.  Returns an Exposition."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"{what}: the body is not UTF-8 ({e}): {body[:2000]!r}")
    if text and not text.endswith("\n"):
        fail(f"{what}: the body does not end with a newline: ...{text[-200:]!r}")
    families = {}
    done = set()   # families whose samples have ended (another family's line came after them)
    current = None
    seen = set()

    def family(name, lineno, line):
        nonlocal current
        if name != current:
            if name in done:
                fail(f"{what}: line {lineno}: family {name} comes back after other lines (a "
                     f"family's lines must be together): {line!r}\n--- body:\n{text}")
            if current is not None:
                done.add(current)
            current = name
        return families.setdefault(name, {"help": None, "type": None, "samples": []})

    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                f = family(parts[2], lineno, line)
                key = parts[1].lower()
                if f[key] is not None:
                    fail(f"{what}: line {lineno}: a second {parts[1]} line for {parts[2]}: "
                         f"{line!r}\n--- body:\n{text}")
                if f["samples"]:
                    fail(f"{what}: line {lineno}: {parts[1]} for {parts[2]} after its samples: "
                         f"{line!r}\n--- body:\n{text}")
                rest = parts[3] if len(parts) > 3 else ""
                if key == "type" and rest not in _METRIC_TYPES:
                    fail(f"{what}: line {lineno}: unknown type {rest!r}\n--- body:\n{text}")
                f[key] = rest
            continue
        try:
            name, labels, value = _parse_sample(line)
        except ValueError as e:
            fail(f"{what}: line {lineno} is not a sample line ({e}): {line!r}\n--- body:\n{text}")
        f = family(name, lineno, line)
        series = (name, tuple(sorted(labels.items())))
        if series in seen:
            fail(f"{what}: line {lineno}: the series {line!r} appears twice\n--- body:\n{text}")
        seen.add(series)
        f["samples"].append((labels, value))
    return Exposition(families, text)


def fetch_metrics(port, host="127.0.0.1", what=None, timeout=10):
    """GET /metrics: status 200 and the exposition Content-Type, parsed (parse_exposition)."""
    what = what or f"GET http://{host}:{port}/metrics"
    status, headers, body = http_request(port, "GET", "/metrics", host=host, timeout=timeout,
                                         what=what)
    check(status == 200, f"{what}: expected status 200, got {status}: {body[:2000]!r}")
    return parse_exposition(body, what), headers


def check_families(expo, what, families=METRIC_FAMILIES):
    """Every family the tool exports has a HELP line with a text, its TYPE, and samples (but
    execs_total: none while the kernel table is empty)."""
    for name, kind in families.items():
        f = expo.families.get(name)
        check(f is not None, f"{what}: no family {name} (no HELP, TYPE or sample)\n--- body:\n"
              f"{expo.text}")
        check(f["help"], f"{what}: expected a line '# HELP {name} <text>', got HELP "
              f"{f['help']!r}\n--- body:\n{expo.text}")
        check(f["type"] == kind, f"{what}: expected '# TYPE {name} {kind}', got TYPE "
              f"{f['type']!r}\n--- body:\n{expo.text}")
        # (execs_total has none while the kernel table is empty)
        check(f["samples"] or name == EXECS_METRIC,
              f"{what}: family {name} has no sample\n--- body:\n{expo.text}")


class Daemon:
    """A server a test starts on loopback (prometheus, prometheus-node-exporter), its output in a
    file.  A context manager: leaving stops it (SIGTERM, then SIGKILL)."""

    def __init__(self, name, argv, port, ready_path, log_path):
        self.name, self.argv, self.port, self.ready_path = name, list(argv), port, ready_path
        self.log_path = log_path
        self._log = open(log_path, "w+b")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, preexec_fn=_default_signals(),
                                     close_fds=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def log_tail(self, lines=30):
        self._log.flush()
        with open(self.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

    def describe(self):
        rc = self.proc.poll()
        status = "still running" if rc is None else f"exit {rc}"
        return (f"--- {self.name}: {' '.join(self.argv)} (pid {self.proc.pid}, {status})\n"
                f"--- its output (last lines):\n{self.log_tail()}\n--- end")

    def wait_ready(self, timeout=60):
        """Poll GET ready_path until it answers 200; a failure if it exits or the time runs out."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while True:
            if self.proc.poll() is not None:
                fail(f"{self.name} exited before it answered on port {self.port}\n"
                     + self.describe())
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", self.ready_path)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    return
                last = f"status {resp.status}"
            except (OSError, http.client.HTTPException) as e:
                last = f"{type(e).__name__}: {e}"
            if time.monotonic() > deadline:
                fail(f"{self.name} did not answer GET {self.ready_path} with 200 within "
                     f"{timeout:.0f} s (last: {last})\n" + self.describe())
            time.sleep(0.1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log.close()


def require_program(name, package):
    """The path of program name; a skip naming the package when it is not installed."""
    path = shutil.which(name)
    if path is None:
        skip(f"{name} is not installed (apt-get install {package}; scripts/setup.sh --tests "
             "installs it)")
    return path


def start_prometheus(workdir, targets, interval="1s", port=None):
    """Debian's prometheus on loopback (port, or a free one), with its config and data under
    workdir, scraping targets ("127.0.0.1:PORT", job "bcc-execcount") every interval.  Returns
    the Daemon, ready (GET /-/ready answered 200)."""
    exe = require_program("prometheus", "prometheus")
    port = port or free_port()
    config = os.path.join(workdir, "prometheus.yml")
    write_text(config, (
        "global:\n"
        f"  scrape_interval: {interval}\n"
        f"  scrape_timeout: {interval}\n"
        f"  evaluation_interval: {interval}\n"
        "scrape_configs:\n"
        "  - job_name: bcc-execcount\n"
        "    static_configs:\n"
        f"      - targets: [{', '.join(json.dumps(t) for t in targets)}]\n"))
    argv = [exe, f"--config.file={config}",
            f"--storage.tsdb.path={os.path.join(workdir, 'prometheus-data')}",
            f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h"]
    d = Daemon("prometheus", argv, port, "/-/ready", os.path.join(workdir, "prometheus.log"))
    try:
        d.wait_ready()
    except BaseException:
        d.stop()
        raise
    return d


def prometheus_query(prom, expr):
    """An instant query through Prometheus's HTTP API: [(labels, value)] of the vector result."""
    path = "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    status, _, body = http_request(prom.port, "GET", path, what=f"prometheus query {expr}")
    check(status == 200, f"prometheus query {expr}: status {status}: {body[:2000]!r}\n"
          + prom.describe())
    answer = json.loads(body)
    check(answer.get("status") == "success" and answer["data"]["resultType"] == "vector",
          f"prometheus query {expr}: {body[:2000]!r}\n" + prom.describe())
    return [(r["metric"], float(r["value"][1])) for r in answer["data"]["result"]]


def start_node_exporter(workdir, textfile_dir, port=None):
    """Debian's prometheus-node-exporter on loopback (port, or a free one) with only the textfile
    collector, reading textfile_dir.  Returns the Daemon, ready (GET /metrics answered 200)."""
    exe = require_program("prometheus-node-exporter", "prometheus-node-exporter")
    port = port or free_port()
    argv = [exe, "--collector.disable-defaults", "--collector.textfile",
            f"--collector.textfile.directory={textfile_dir}",
            f"--web.listen-address=127.0.0.1:{port}", "--web.disable-exporter-metrics"]
    d = Daemon("prometheus-node-exporter", argv, port, "/metrics",
               os.path.join(workdir, "node-exporter.log"))
    try:
        d.wait_ready()
    except BaseException:
        d.stop()
        raise
    return d
