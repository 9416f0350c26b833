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
import json
import os
import pwd
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback

SKIP = 77
PREFIX = "bcc-execcount: "
COUNTING_TEXT = "bcc-execcount: counting execve calls via "
TRACEPOINT_HOOK = "tracepoint:syscalls:sys_enter_execve"
ATTACH_MODES = ("auto", "kprobe", "tracepoint")
COUNT_LINE = "__sync_fetch_and_add(count, 1);"

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


def expect_auto():
    value = os.environ.get("EXECCOUNT_EXPECT_AUTO")
    if value is None:
        value = "kprobe" if kernel_has_kprobe_pmu() else "tracepoint"
    check(value.strip() != "", "EXECCOUNT_EXPECT_AUTO is empty")
    return value.strip()


def check_hook(mode, hook):
    """The start line's hook is what --attach MODE promises."""
    check(isinstance(hook, str), f"start line: hook {hook!r} is not a string")
    if mode == "tracepoint":
        check(hook == TRACEPOINT_HOOK,
              f"--attach tracepoint: expected hook {TRACEPOINT_HOOK!r}, got {hook!r}")
    elif mode == "kprobe":
        check(re.fullmatch(r"kprobe:\S+", hook) is not None,
              f"--attach kprobe: expected hook 'kprobe:<function>', got {hook!r}")
    else:
        want = expect_auto()
        prefix = want if ":" in want else want + ":"
        check(hook.startswith(prefix),
              f"--attach auto: expected a hook beginning with {prefix!r} "
              f"(EXECCOUNT_EXPECT_AUTO={want!r}), got {hook!r}")


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


class Tool:
    """bcc-execcount running: stdout read line by line through a pipe, stderr kept in a file.

    Use as a context manager: leaving it kills the tool if it still runs."""

    def __init__(self, tool, args, ignore_sigint=False, preexec=None, prefix=(), cwd=None):
        self.argv = list(prefix) + [tool] + list(args)
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr,
            preexec_fn=preexec or _default_signals(ignore_sigint), cwd=cwd, close_fds=True)
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

    def wait_start(self, mode=None, interval=1, probe="builtin"):
        """Wait for the JSON start line and check every field the contract names."""
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
        if mode is not None:
            try:
                check_hook(mode, start.get("hook"))
            except Failure as e:
                fail(f"{e}\n" + self.describe())
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
        out = "\n".join(self.lines[-40:])
        if len(self.lines) > 40:
            out = f"[{len(self.lines) - 40} earlier lines left out]\n" + out
        return (f"--- command: {' '.join(self.argv)} (pid {self.pid}, {status})\n"
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

def helper_argv(helper, uid, count, mode="fail", procs=1):
    return [helper, "--uid", str(uid), "--count", str(count), "--mode", mode,
            "--procs", str(procs)]


def run_helper(helper, uid, count, mode="fail", procs=1, timeout=600):
    """Make exactly count*procs execve calls under uid; a failure unless all went as expected."""
    argv = helper_argv(helper, uid, count, mode, procs)
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail(f"{' '.join(argv)}: did not finish in {timeout} s")
    check_helper(argv, p.returncode, p.stdout, p.stderr, count * procs)


def start_helper(helper, uid, count, mode="fail", procs=1):
    argv = helper_argv(helper, uid, count, mode, procs)
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


def check_helper(argv, rc, out, err, total):
    out = out.decode("utf-8", "replace")
    err = err.decode("utf-8", "replace")
    check(rc == 0 and out.strip() == str(total),
          f"exec_helper did not make its execs as asked: expected exit 0 and {total} on stdout\n"
          + describe_run(argv, rc, out, err))


# --- the JSON stream ---------------------------------------------------------------------------

def check_rows(obj, what):
    """A tick/final object's rows: well formed, sorted by count desc then uid asc, uids unique.
    Returns {uid: row}."""
    rows = obj.get("rows")
    check(isinstance(rows, list), f"{what}: expected a \"rows\" list, got {json.dumps(obj)}")
    by_uid = {}
    for row in rows:
        check(isinstance(row, dict) and set(row) == {"uid", "user", "count", "delta"},
              f"{what}: expected rows with exactly uid, user, count, delta; got {json.dumps(row)}")
        for key in ("uid", "count", "delta"):
            check(isinstance(row[key], int) and not isinstance(row[key], bool) and row[key] >= 0,
                  f"{what}: \"{key}\" must be a non-negative integer in {json.dumps(row)}")
        check(row["uid"] <= 0xFFFFFFFF, f"{what}: uid beyond 32 bits in {json.dumps(row)}")
        check(row["user"] is None or isinstance(row["user"], str),
              f"{what}: \"user\" must be a string or null in {json.dumps(row)}")
        check(row["uid"] not in by_uid, f"{what}: uid {row['uid']} appears twice: {json.dumps(obj)}")
        by_uid[row["uid"]] = row
    keys = [(-r["count"], r["uid"]) for r in rows]
    check(keys == sorted(keys),
          f"{what}: rows must be sorted by count descending, then uid ascending: {json.dumps(rows)}")
    return by_uid


def check_stream(objs):
    """tick* final, each well formed, counts never falling, each delta = count - previous block's
    count for that uid (0 when it was absent).  Returns the final row map."""
    check(objs, "expected at least a final line after the start line, got nothing")
    prev = {}
    for i, obj in enumerate(objs):
        last = i == len(objs) - 1
        kind = obj.get("type")
        what = f"line {i + 2} ({kind})"
        check(kind == ("final" if last else "tick"),
              f"{what}: expected {'the final line' if last else 'a tick'} here "
              f"(ticks, then exactly one final, last): {json.dumps(obj)}")
        check(isinstance(obj.get("ts"), str) and RFC3339_MS.match(obj["ts"]),
              f"{what}: expected \"ts\" like 2026-11-25T01:40:30.123Z: {json.dumps(obj)}")
        rows = check_rows(obj, what)
        for uid, row in rows.items():
            before = prev.get(uid, {"count": 0})["count"]
            check(row["count"] >= before,
                  f"{what}: uid {uid} count fell from {before} to {row['count']}")
            check(row["delta"] == row["count"] - before,
                  f"{what}: uid {uid} delta {row['delta']}, expected count {row['count']} - "
                  f"previous {before} = {row['count'] - before}")
        for uid in prev:
            check(uid in rows, f"{what}: uid {uid} vanished (it was in the previous block)")
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


def counting_run(args, mode, work, probe=None, interval=1, stop=signal.SIGINT):
    """Start the tool (--attach MODE --format json INTERVAL), check the start line, run work(),
    stop it with a signal, and check it exits 0 with ticks and a final line.
    Returns (tool, final row map): tool for describe() in messages."""
    argv = ["--attach", mode, "--format", "json"]
    if probe:
        argv += ["--probe", probe]
    argv.append(str(interval))
    with Tool(args.tool, argv) as t:
        start = t.wait_start(mode, interval=interval, probe=probe or "builtin")
        work()
        t.send(stop)
        rc = t.wait_exit(30 * slowness())
        check(rc == 0, f"after {signal.Signals(stop).name}: expected exit 0, got "
              f"{rc}\n" + t.describe())
        counting = [line for line in t.stderr().splitlines() if line.startswith(COUNTING_TEXT)]
        check(len(counting) == 1 and counting[0][len(COUNTING_TEXT):].startswith(start["hook"]),
              f"expected exactly one stderr line {COUNTING_TEXT!r}<hook>, with the start line's "
              f"hook {start['hook']!r}; got {counting}\n" + t.describe())
        try:
            final = check_stream(parse_json_lines(t, t.lines[1:]))
        except Failure as e:
            fail(f"{e}\n" + t.describe())
        return t, final


def check_count(t, final, uid, want, mode):
    row = final.get(uid)
    check(row is not None,
          f"--attach {mode}: expected a final row for uid {uid} with count {want}, got no row\n"
          + t.describe())
    check(row["count"] == want,
          f"--attach {mode}: uid {uid}: expected count {want} exactly, got {row['count']}\n"
          + t.describe())
    return row


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
    each must be new and named execve_*) and their maps.  A failure if none is found: a check
    that cannot see the tool's objects could not see a leak either."""
    perf = [e for e in bpf_perf() if e.get("pid") == t.pid]
    progs = bpf_progs()
    check(perf, f"while the tool runs, expected a perf event of pid {t.pid} in bpftool perf show; "
          f"got {json.dumps(bpf_perf())}\n" + t.describe())
    prog_ids = {e["prog_id"] for e in perf if "prog_id" in e}
    check(prog_ids, f"the tool's perf events carry no program: {json.dumps(perf)}\n" + t.describe())
    for i in prog_ids:
        check(i in progs and i not in state.progs
              and progs[i].get("name", "").startswith("execve_"),
              f"the tool's program {i}: expected a new program named execve_*, got "
              f"{json.dumps(progs.get(i))} (present before the start: {i in state.progs})\n"
              + t.describe())
    map_ids = set()
    for i in prog_ids:
        map_ids |= set(progs[i].get("map_ids", []))
    check(map_ids, f"the tool's programs {sorted(prog_ids)} use no maps?\n" + t.describe())
    if mode == "tracepoint":
        check(any(e.get("tracepoint") == "sys_enter_execve" for e in perf),
              f"--attach tracepoint: expected a perf event on tracepoint sys_enter_execve, got "
              f"{json.dumps(perf)}\n" + t.describe())
    elif mode == "kprobe":
        check(any(e.get("fd_type") in ("kprobe", "kretprobe") for e in perf),
              f"--attach kprobe: expected a kprobe perf event, got {json.dumps(perf)}\n"
              + t.describe())
    return prog_ids, map_ids


def wait_nothing_left(pid, prog_ids, map_ids, state=None, map_names=(), prog_prefixes=("execve_",),
                      timeout=None, context=""):
    """After the tool (pid) ended: none of its programs, maps, perf events or kprobe_events entries
    remain.  With state (taken before it started), also no program named prog_prefixes* and no map
    named map_names created since, unless another live process has it attached (someone else
    running bcc-execcount meanwhile).  The kernel frees asynchronously: poll up to timeout s."""
    timeout = timeout if timeout is not None else 3 * slowness()
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
