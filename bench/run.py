#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bcc-execcount against its peers, measured in one interleaved run.

    sudo bench/run.py --tool build/bcc-execcount [--rounds N] [--quick] [--only SECTIONS]
                      [--write docs/performance.md]

The peers: the Python original (bench/execcount_original.py, run with Debian's /usr/bin/python3
and python3-bpfcc) and the bpftrace one-liner that counts execve() per uid. Measured:

  start     time from start to counting (the first exec counted), peak RSS, CPU time
  inkernel  in-kernel cost per exec: run_time_ns of every program each tool attached, per exec
            (BPF run-time statistics, on only for this section)
  storm     overhead per call on a storm of failing execve() calls (no fork)
  exact     two processes making 1,000,000 execve() calls each at once: counted exactly?
  interval  user-space CPU per output interval with 1,000 and 10,000 keys (uids)

Round r runs every tool once, in an order rotated by r. Every number is reported as the median
[min-max] over the rounds, and ratios are of medians. The result is a markdown section on stdout;
--write puts it between the markers <!-- bench:begin --> and <!-- bench:end --> of the given file
(created if missing), atomically. Progress goes to stderr. Run by hand, as root, on a quiet
machine: the default run takes about 10 minutes on 2 CPUs; --quick (small sizes, for a smoke
test) about 2. Not part of the tests.

Uids used: 4242421 (start trigger), 4242422 (storm), 4242423 (exactness), 4242424 (in-kernel
execs); keys: 4242430.. with --quick, else --key-uid-base (default 4250000) .. +9,999: all below
2**28, so the original's 28-bit mask leaves them alone.

Python standard library only; builds bench/execstorm.c with `cc -O2` into a temporary directory.
"""

import argparse
import ctypes
import datetime
import json
import os
import platform
import re
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
PYTHON = "/usr/bin/python3"
ORIGINAL = os.path.join(BENCH, "execcount_original.py")
UID_TRIGGER, UID_STORM, UID_EXACT, UID_SPAWN = 4242421, 4242422, 4242423, 4242424
QUICK_KEY_BASE = 4242430
SECTIONS = ("start", "inkernel", "storm", "exact", "interval")

SIZES = {
    # rounds per section, and the sizes
    "full": dict(start_rounds=5, window_ms=3000, period_us=500,
                 inkernel_rounds=3, inkernel_execs=10000, inkernel_storm_calls=200000,
                 storm_rounds=5, storm_calls=2000000,
                 exact_rounds=3, exact_calls=1000000,
                 interval_rounds=3, keys=(1000, 10000), our_intervals=5, python_prints=3),
    "quick": dict(start_rounds=2, window_ms=3000, period_us=500,
                  inkernel_rounds=1, inkernel_execs=1000, inkernel_storm_calls=50000,
                  storm_rounds=2, storm_calls=200000,
                  exact_rounds=1, exact_calls=200000,
                  interval_rounds=1, keys=(30, 60), our_intervals=3, python_prints=2),
}

WORK = None          # the temporary directory
SPAWNED = set()      # every pid started, for the leftover check
STATS = None         # how BPF run-time statistics were turned on: ("fd", fd) or ("sysctl", old)


class BenchError(Exception):
    pass


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# processes: spawned with a pipe on stdout that is always drained, stderr to a file

_libc = ctypes.CDLL(None, use_errno=True)


def _child_setup():
    # A background job of a non-interactive shell inherits SIGINT ignored, and an ignored signal
    # stays ignored across exec: the original would then never see its KeyboardInterrupt.
    for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_DFL)
    # PR_SET_PDEATHSIG: a tool outlives no driver, even one killed with SIGKILL
    _libc.prctl(1, signal.SIGTERM, 0, 0, 0)


class Proc:
    live = set()
    serial = 0

    def __init__(self, name, argv, env=None, stdin=False, trim=None):
        Proc.serial += 1
        self.name = name
        self.argv = argv
        self.trim = trim
        self.err_path = os.path.join(WORK, f"{Proc.serial:03d}-{re.sub(r'[^A-Za-z0-9]+', '-', name)}.err")
        with open(self.err_path, "wb") as err:
            self.t_spawn = time.monotonic_ns()
            self.p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=err, env=env,
                                      preexec_fn=_child_setup)
        self.pid = self.p.pid
        SPAWNED.add(self.pid)
        self.fd = self.p.stdout.fileno()
        os.set_blocking(self.fd, False)
        self.buf = b""
        self.lines = []          # (arrival time ns, text)
        self.eof = False
        self.status = None
        self.rusage = None
        Proc.live.add(self)

    def _feed(self, data, t):
        self.buf += data
        *done, self.buf = self.buf.split(b"\n")
        for raw in done:
            text = raw.decode("utf-8", "replace")
            self.lines.append((t, text[:self.trim] if self.trim else text))

    def read_ready(self, t):
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return
            if not data:
                self.eof = True
                if self.buf:
                    self._feed(b"\n", t)
                return
            self._feed(data, t)

    def send(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def stderr_tail(self, n=6):
        try:
            with open(self.err_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(lines[-n:])

    def exited(self):
        if self.status is None:
            pid, status, ru = os.wait4(self.pid, os.WNOHANG)
            if pid == self.pid:
                self._reaped(status, ru)
        return self.status is not None

    def _reaped(self, status, ru):
        self.status = os.waitstatus_to_exitcode(status)
        self.rusage = ru
        self.p.returncode = self.status
        Proc.live.discard(self)

    def stop(self, sig=signal.SIGINT, timeout=30.0):
        """Send sig (None: just wait), drain stdout, reap; the exit code."""
        if self.status is None and sig is not None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        while not (self.eof and self.exited()):
            if time.monotonic() > deadline:
                self.kill()
                raise BenchError(f"{self.name} did not exit within {timeout:.0f} s; killed")
            pump(0.02)
        if self.p.stdin:
            try:
                self.p.stdin.close()
            except OSError:
                pass
        self.p.stdout.close()
        return self.status

    def kill(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, status, ru = os.wait4(self.pid, 0)
            self._reaped(status, ru)


def pump(timeout):
    """Read whatever the live processes have written, waiting at most timeout s for some."""
    procs = [p for p in Proc.live if not p.eof]
    if not procs:
        time.sleep(timeout)
        return
    ready, _, _ = select.select([p.fd for p in procs], [], [], timeout)
    t = time.monotonic_ns()
    for p in procs:
        if p.fd in ready:
            p.read_ready(t)


def idle(seconds):
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        pump(min(left, 0.05))


def wait_for(cond, timeout, what, watch=(), poll=0.02):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        for p in watch:
            if p.eof or p.exited():
                p.exited()
                raise BenchError(f"{what}: {p.name} ended (exit {p.status}): {p.stderr_tail()}")
        if time.monotonic() > deadline:
            raise BenchError(f"{what}: nothing after {timeout:.0f} s")
        pump(poll)


def run_helper(name, args, timeout=600.0, uid=None):
    argv = [HELPER] + args + (["--uid", str(uid)] if uid is not None else [])
    p = Proc(name, argv)
    status = p.stop(sig=None, timeout=timeout)
    if status != 0:
        raise BenchError(f"{name} failed (exit {status}): {p.stderr_tail()}")
    return json.loads(p.lines[-1][1])


def cpu_ns(pid):
    """CPU time (user + system) of every thread of pid, in ns, from schedstat (exact)."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        return total
    except (OSError, ValueError, IndexError):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000000000 // os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# the tools

class Tool:
    def __init__(self, key, label, kind, argv, env=None, note=""):
        self.key, self.label, self.kind, self.base, self.env, self.note = key, label, kind, argv, env, note
        self.available = True
        self.why_not = ""

    def argv(self, interval=None, fmt="json"):
        if self.kind == "ours":
            a = list(self.base)
            if fmt != "table":
                a += ["-f", fmt]
            if interval:
                a += [str(interval)]
            return a
        return list(self.base)

    def start(self, name=None, interval=None, fmt="json", trim=None):
        if self.kind == "ours":
            for _ in range(120):  # the lead may be rebuilding it
                if os.access(self.base[0], os.X_OK):
                    break
                log(f"waiting for {self.base[0]} to reappear")
                time.sleep(1)
        try:
            return Proc(name or self.label, self.argv(interval, fmt), env=self.env, trim=trim)
        except OSError as e:
            raise BenchError(f"cannot start {self.label}: {e}") from e

    def wait_counting(self, p, timeout=60.0):
        """Until p counts: our JSON start line, the original's banner, bpftrace's attachment."""
        if self.kind == "ours":
            if fmt_is_table(p):
                wait_for(lambda: entry_attached(p.pid), timeout, f"{self.label} attaching", [p], poll=0.1)
                return
            wait_for(lambda: any('"type":"start"' in l for _, l in p.lines), timeout,
                     f"{self.label} start", [p])
        elif self.kind == "python":
            wait_for(lambda: any(l.startswith("Run!") for _, l in p.lines), timeout,
                     f"{self.label} start", [p])
        else:
            wait_for(lambda: entry_attached(p.pid), timeout, f"{self.label} attaching", [p], poll=0.1)

    def count_for(self, p, uid, after_ns, timeout=15.0):
        """Stop p and return its count for uid (0 when the uid has no row). The original is not
        stopped until it has printed once after after_ns (it prints only every 5 s)."""
        if self.kind == "python":
            def printed():
                return [l for t, l in p.lines if t > after_ns and not l.startswith("Run!")]
            got = wait_for(printed, timeout, f"{self.label} printing", [p])
            p.stop()
            counts = {int(u): int(c) for u, c in
                      re.findall(r"User ID (\d+) has invoked (\d+) times", got[0])}
            return counts.get(uid & 0xFFFFFFF, 0)
        status = p.stop()
        if status != 0:
            raise BenchError(f"{self.label} exit {status}: {p.stderr_tail()}")
        if self.kind == "ours":
            finals = [l for _, l in p.lines if '"type":"final"' in l]
            if not finals:
                raise BenchError(f"{self.label}: no final line: {p.stderr_tail()}")
            for row in json.loads(finals[-1])["rows"]:
                if row.get("uid") == uid:
                    return int(row["count"])
            return 0
        for _, l in p.lines:
            m = re.match(r"@\[(\d+)\]: (\d+)", l.strip())
            if m and int(m.group(1)) == uid:
                return int(m.group(2))
        return 0


def fmt_is_table(p):
    return "-f" not in p.argv


def bpftool_json(*args):
    out = subprocess.run(["bpftool"] + list(args) + ["-j"], capture_output=True, text=True,
                         timeout=60)
    if out.returncode != 0:
        raise BenchError(f"bpftool {' '.join(args)}: {out.stderr.strip()}")
    return json.loads(out.stdout or "[]")


def attached_points(pid):
    """[(prog_id, attach point)] of pid's perf-event attachments, from bpftool perf show."""
    pts = []
    for e in bpftool_json("perf", "show"):
        if e.get("pid") == pid:
            where = e.get("tracepoint") or e.get("func") or e.get("filename") or "?"
            pts.append((e["prog_id"], f"{e.get('fd_type', '?')}:{where}"))
    return pts


FOREIGN = {}  # pid -> comm of processes not ours with programs on the exec hooks


def note_foreign(when):
    """Remember (and say once) which other processes have programs on the exec hooks: every exec
    pays for them too, the storm baseline included."""
    try:
        entries = bpftool_json("perf", "show")
    except (BenchError, OSError, ValueError, subprocess.TimeoutExpired):
        return
    for e in entries:
        where = e.get("tracepoint") or e.get("func") or ""
        if e.get("pid") in SPAWNED or not ("execve" in where or where == "sched_process_exec"):
            continue
        pid = e["pid"]
        if pid not in FOREIGN:
            try:
                with open(f"/proc/{pid}/comm") as f:
                    FOREIGN[pid] = f.read().strip()
            except OSError:
                FOREIGN[pid] = "?"
            log(f"WARNING ({when}): pid {pid} ({FOREIGN[pid]}) has a program on {where}: "
                f"the numbers include its cost; run on a quiet machine")


def entry_attached(pid):
    return any(is_entry(pt) or is_execve_exit(pt) for _, pt in attached_points(pid))


def is_entry(point):
    return point.endswith(":sys_enter_execve") or (point.startswith("kprobe") and point.endswith("sys_execve"))


def is_execve_exit(point):
    """Where a tool that counts at the exits sees every execve() (bcc-execcount's default)."""
    return point.endswith(":sys_exit_execve")


def prog_stats(pid):
    """{prog_id: (run_time_ns, run_cnt)} of the BPF programs pid holds, from /proc fdinfo."""
    out = {}
    base = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(base):
        try:
            with open(f"{base}/{fd}") as f:
                info = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
        except OSError:
            continue
        if "run_cnt" in info and "prog_id" in info:
            out[int(info["prog_id"])] = (int(info["run_time_ns"]), int(info["run_cnt"]))
    return out


def prog_names(ids):
    return {p["id"]: p.get("name", "?") for p in bpftool_json("prog", "show") if p["id"] in ids}


# ---------------------------------------------------------------------------------------------
# BPF run-time statistics: on only for the in-kernel section

def stats_on():
    global STATS
    nr = {"x86_64": 321, "aarch64": 280, "riscv64": 280, "s390x": 351, "ppc64le": 361}.get(platform.machine())
    if nr is not None:
        attr = ctypes.create_string_buffer(16)  # enable_stats.type = BPF_STATS_RUN_TIME (0)
        fd = _libc.syscall(ctypes.c_long(nr), ctypes.c_long(32), attr, ctypes.c_uint(16))  # BPF_ENABLE_STATS
        if fd >= 0:
            STATS = ("fd", fd)
            return "through BPF_ENABLE_STATS, held for this section only"
    path = "/proc/sys/kernel/bpf_stats_enabled"
    with open(path) as f:
        old = f.read().strip()
    STATS = ("sysctl", old)
    with open(path, "w") as f:
        f.write("1\n")
    return "through sysctl kernel.bpf_stats_enabled=1, restored afterwards"


def stats_off():
    global STATS
    if STATS is None:
        return
    kind, v = STATS
    STATS = None
    if kind == "fd":
        os.close(v)
    else:
        with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
            f.write(v + "\n")


# ---------------------------------------------------------------------------------------------
# the measurements; each returns a dict of numbers for one run of one tool

def rotated(items, r):
    k = r % len(items)
    return items[k:] + items[:k]


def m_start(tool, cfg):
    trig = Proc("trigger", [HELPER, "trigger", "--uid", str(UID_TRIGGER), "--period-us",
                            str(cfg["period_us"]), "--duration-ms", str(cfg["window_ms"])], stdin=True)
    try:
        trig.send(b"g")
        t0 = time.monotonic_ns()
        p = tool.start()
    except BaseException:
        trig.kill()
        raise
    libbcc_mapped = None
    try:
        if tool.key == "cache":
            # is libbcc.so.0 (and LLVM) in the process? It should not be on a cache hit
            wait_for(lambda: any('"type":"start"' in l for _, l in p.lines) or trig.eof,
                     cfg["window_ms"] / 1000 + 30, "cache-hit start", [p])
            with open(f"/proc/{p.pid}/maps") as f:
                libbcc_mapped = "libbcc.so" in f.read()
        if trig.stop(sig=None, timeout=cfg["window_ms"] / 1000 + 30) != 0:
            raise BenchError(f"trigger failed: {trig.stderr_tail()}")
        t_end = time.monotonic_ns()
        times = [int(l) for _, l in trig.lines if l.strip()]
        counted = tool.count_for(p, UID_TRIGGER, t_end)
    finally:
        p.kill()
        trig.kill()
    n = len(times)
    if counted == 0:
        raise BenchError(f"{tool.label} counted none of {n} calls in {cfg['window_ms']} ms")
    if counted > n:
        raise BenchError(f"{tool.label} counted {counted} of {n} calls: is uid {UID_TRIGGER} in use?")
    ru = p.rusage
    r = dict(start_ms=(times[n - counted] - t0) / 1e6,
             rss_mib=ru.ru_maxrss / 1024.0,
             cpu_ms=(ru.ru_utime + ru.ru_stime) * 1000.0,
             counted_of=(counted, n))
    if libbcc_mapped is not None:
        r["libbcc_mapped"] = libbcc_mapped
    return r


def m_inkernel(tool, cfg):
    """BPF run time per exec, over two workloads: new processes whose exec succeeds, and a storm
    of failing execve() calls from one process (the programs' code and data hot in the caches)."""
    p = tool.start()
    try:
        tool.wait_counting(p)
        points = attached_points(p.pid)
        names = prog_names({pid for pid, _ in points})
        s0 = prog_stats(p.pid)
        done = run_helper("spawn", ["spawn", "--calls", str(cfg["inkernel_execs"])], uid=UID_SPAWN)
        s1 = prog_stats(p.pid)
        run_helper("storm", ["storm", "--calls", str(cfg["inkernel_storm_calls"])], uid=UID_SPAWN)
        s2 = prog_stats(p.pid)
    finally:
        p.stop()
        p.kill()
    progs = {}
    for prog_id, point in points:
        progs.setdefault(prog_id, []).append(point)

    # the execs are the runs at the execve entry, or at its exit for a tool without one
    has_entry = any(is_entry(x) for pts in progs.values() for x in pts)
    counts_execs = is_entry if has_entry else is_execve_exit

    def between(before, after):
        entries, total_ns, runs, detail = 0, 0, 0, {}
        for prog_id, pts in progs.items():
            t0, c0 = before.get(prog_id, (0, 0))
            t1, c1 = after.get(prog_id, (0, 0))
            total_ns += t1 - t0
            runs += c1 - c0
            if any(counts_execs(x) for x in pts):
                entries += c1 - c0
            where = ", ".join(sorted(x.split(":", 1)[1] for x in pts))
            detail[f"{names.get(prog_id, '?')} ({where})"] = (t1 - t0, c1 - c0)
        if entries <= 0:
            raise BenchError(f"{tool.label}: its execve program did not run")
        return dict(ns_per_exec=total_ns / entries, entries=entries, runs_per_exec=runs / entries,
                    detail=detail)
    return dict(spawn=between(s0, s1), storm=between(s1, s2), made=done["execs"])


STORM_CHUNKS = 10


def m_storm(tool, cfg):
    """ns per failing call: the median of the storm's chunks (a burst of other work on the
    machine spoils a chunk, not the run)."""
    args = ["storm", "--calls", str(cfg["storm_calls"]), "--chunks", str(STORM_CHUNKS)]
    if tool is None:
        return dict(ns_per_call=med(run_helper("storm", args, uid=UID_STORM)["chunks"][0]))
    p = tool.start()
    try:
        tool.wait_counting(p)
        ns = med(run_helper("storm", args, uid=UID_STORM)["chunks"][0])
    finally:
        p.stop()
        p.kill()
    return dict(ns_per_call=ns)


def m_exact(tool, cfg):
    p = tool.start()
    try:
        tool.wait_counting(p)
        run_helper("exact", ["storm", "--calls", str(cfg["exact_calls"]), "--procs", "2"],
                   uid=UID_EXACT)
        counted = tool.count_for(p, UID_EXACT, time.monotonic_ns())
    finally:
        p.kill()
    return dict(counted=counted, made=2 * cfg["exact_calls"])


def m_interval(tool, fmt, keys, cfg, key_base):
    """CPU per output interval, the tool holding `keys` keys (plus the machine's own)."""
    if tool.kind == "python":
        interval, n = 5, cfg["python_prints"]
        marker = lambda l: not l.startswith("Run!")
        p = tool.start(trim=None)
    else:
        interval, n = 1, cfg["our_intervals"]
        if fmt == "json":
            marker = lambda l: l.startswith('{"type":"tick"')
        else:
            marker = lambda l: re.match(r"\d\d:\d\d:\d\d$", l) is not None
        p = tool.start(name=f"{tool.label} {fmt}", interval=1, fmt=fmt, trim=200)
    try:
        tool.wait_counting(p)
        run_helper("keys", ["keys", "--first-uid", str(key_base), "--count", str(keys)])
        t_done = time.monotonic_ns()

        def ticks_after(t):
            return [(tt, l) for tt, l in p.lines if tt > t and marker(l)]
        # the blocks after the keys are in do the one-time work (user names): skip two (the first
        # may have been read just before the last key arrived); the original has no such work
        skip = 1 if tool.kind == "python" else 2
        wait_for(lambda: len(ticks_after(t_done)) >= skip, interval * (skip + 1) + 10,
                 f"{p.name} output", [p])
        first = ticks_after(t_done)[skip - 1][0]
        idle(interval / 2)
        c0, w0 = cpu_ns(p.pid), time.monotonic_ns()
        wait_for(lambda: len(ticks_after(first)) >= n, interval * (n + 2) + 10, f"{p.name} output", [p])
        last = ticks_after(first)[n - 1][0]
        idle(max(0.0, interval / 2 - (time.monotonic_ns() - last) / 1e9))
        c1, w1 = cpu_ns(p.pid), time.monotonic_ns()
        held = None
        if tool.kind == "python":
            held = ticks_after(first)[n - 1][1].count("User ID")
        elif fmt == "json":
            m = re.search(r'"keys":(\d+)', ticks_after(first)[n - 1][1])
            held = int(m.group(1)) if m else None
        else:  # the rows of the last block measured: after its time and header, up to a blank line
            t_last = ticks_after(first)[n - 1][0]
            i = next(i for i, (tt, l) in enumerate(p.lines) if tt == t_last and marker(l))
            held = 0
            for _, l in p.lines[i + 2:]:
                if not l.strip():
                    break
                held += 1
    finally:
        p.stop()
        p.kill()
    return dict(cpu_ms=(c1 - c0) / n / 1e6, held=held, window_s=(w1 - w0) / 1e9, intervals=n)


# ---------------------------------------------------------------------------------------------
# formatting

def n_rounds(n):
    return f"{n} round" + ("" if n == 1 else "s")


def med(v):
    return statistics.median(v) if v else None


def num(x, nd=1):
    if x is None:
        return "n/a"
    if nd == 0:
        return f"{x:,.0f}"
    return f"{x:,.{nd}f}"


def stat(v, nd=1):
    if not v:
        return "n/a"
    if len(v) == 1:
        return num(v[0], nd)
    return f"{num(med(v), nd)} [{num(min(v), nd)}-{num(max(v), nd)}]"


def ratio(a, b):
    if not a or not b or med(b) == 0:
        return None
    return med(a) / med(b)


def rx(x):
    return "n/a" if x is None else f"{x:.2f}x"


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------

def versions(tool_path):
    def out(argv):
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            return (r.stdout or r.stderr).strip()
        except (OSError, subprocess.TimeoutExpired):
            return "?"
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            model = m.group(1).strip() if m else "?"
    except OSError:
        pass
    return dict(
        tool=", ".join(out([tool_path, "--version"]).splitlines()),
        bpftrace=out(["bpftrace", "--version"]),
        bpftool=out(["bpftool", "version"]).splitlines()[0] if out(["bpftool", "version"]) else "?",
        bcc=out(["dpkg-query", "-W", "-f", "${Version}", "python3-bpfcc"]),
        python=out([PYTHON, "--version"]),
        kernel=f"{platform.release()} {platform.machine()}",
        cpus=os.cpu_count(), model=model)


def preflight(args):
    if os.geteuid() != 0:
        sys.exit("bench: run as root (sudo bench/run.py ...): the tools attach eBPF programs")
    missing = []
    for prog, pkg in (("bpftrace", "bpftrace"), ("bpftool", "bpftool"), ("cc", "gcc")):
        if not shutil.which(prog):
            missing.append(f"{prog} (apt-get install {pkg})")
    if not os.access(PYTHON, os.X_OK) or subprocess.run(
            [PYTHON, "-c", "import bcc"], capture_output=True).returncode != 0:
        missing.append(f"the bcc module for {PYTHON} (apt-get install python3-bpfcc)")
    if not os.access(args.tool, os.X_OK):
        missing.append(f"the tool {args.tool} (build it: cmake --build build)")
    if missing:
        sys.exit("bench: missing: " + "; ".join(missing))
    # the peers need tracefs for the syscall tracepoints; bcc-execcount mounts it itself
    if not (os.path.isdir("/sys/kernel/tracing/events") or os.path.isdir("/sys/kernel/debug/tracing/events")):
        log("mounting tracefs at /sys/kernel/tracing (the peers need it)")
        subprocess.run(["mount", "-t", "tracefs", "tracefs", "/sys/kernel/tracing"], check=True)


def build_helper():
    global HELPER
    HELPER = os.path.join(WORK, "execstorm")
    r = subprocess.run(["cc", "-O2", "-Wall", "-o", HELPER, os.path.join(BENCH, "execstorm.c")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"bench: building bench/execstorm.c failed:\n{r.stderr}")


def kprobe_fn():
    """bcc's choice of the execve function, where the kernel has kprobes; else None."""
    if not os.path.exists("/sys/bus/event_source/devices/kprobe"):
        return None
    with open("/proc/kallsyms") as f:
        syms = {l.split()[2] for l in f if len(l.split()) >= 3}
    for prefix in ("sys_", "__x64_sys_", "__x32_compat_sys_", "__ia32_compat_sys_",
                   "__arm64_sys_", "__s390x_sys_", "__s390_sys_"):
        if prefix + "bpf" in syms:
            return prefix + "execve"
    return None


def make_tools(tool_path):
    """(tools for the start section, tools for the others, cache note)."""
    help_text = subprocess.run([tool_path, "--help"], capture_output=True, text=True).stdout
    fn = kprobe_fn()
    probe = f"kprobe:{fn}" if fn else "tracepoint:syscalls:sys_enter_execve"
    bpftrace = Tool("bpftrace", "bpftrace one-liner", "bpftrace",
                    ["bpftrace", "-e", f"{probe} {{ @[uid] = count(); }}"])
    # for the in-kernel section: what a program that does nothing costs on the same hook
    floor = Tool("floor", "empty program (bpftrace)", "bpftrace", ["bpftrace", "-e", f"{probe} {{ }}"])
    env = dict(os.environ, PYTHONUNBUFFERED="1")  # its prints reach the pipe as they are made
    python = Tool("python", "Python original", "python", [PYTHON, ORIGINAL], env=env)
    cache = Tool("cache", "bcc-execcount (cache hit)", "ours", [tool_path])
    if "--no-cache" in help_text:
        compile_ = Tool("compile", "bcc-execcount (compile)", "ours", [tool_path, "--no-cache"])
        note = ""
        try:
            note = warm_cache(cache)
        except BenchError as e:
            note = f"the cache did not hit: {e}"
        if note:
            cache.available, cache.why_not = False, note
    else:
        compile_ = Tool("compile", "bcc-execcount (compile)", "ours", [tool_path])
        cache.available, cache.why_not = False, "no cache in this build"
    ours = cache if cache.available else compile_
    ours_any = Tool(ours.key, "bcc-execcount", "ours", ours.base)
    # the in-kernel section's other keys: those with comm or exe note each call at entry
    keyed = [Tool(f"ours-{by}", f"bcc-execcount -b {by}", "ours", ours.base + ["-b", by])
             for by in ("uid,comm", "exe")]
    if cache.available:
        for t in keyed:
            warm_cache(t)
    start_tools = [t for t in (cache, compile_, python, bpftrace) if t.available]
    return start_tools, [ours_any, python, bpftrace], cache, bpftrace.base[2], floor, keyed


def warm_cache(cache):
    """Fill the default cache, then check that a start hits it. '' when it does."""
    for i in range(2):
        p = Proc(f"cache warm-up {i + 1}", cache.base + ["-v", "-f", "json"])
        wait_for(lambda: any('"type":"start"' in l for _, l in p.lines), 120, "cache warm-up", [p])
        p.stop()
        with open(p.err_path, errors="replace") as f:
            err = f.read()
    if "cache: hit" not in err:
        lines = [l for l in err.splitlines() if "cache" in l]
        return "; ".join(lines[:2]) or "no `cache: hit` line with -v"
    return ""


# ---------------------------------------------------------------------------------------------

def run(args, cfg):
    t_begin = time.monotonic()
    res = {s: {} for s in SECTIONS}
    fails = []

    def record(section, key, value):
        res[section].setdefault(key, []).append(value)

    def attempt(section, tool_label, fn):
        """One run of one tool; a failure is reported and the benchmark goes on."""
        try:
            return fn()
        except Exception as e:  # KeyboardInterrupt is not an Exception: it ends the run
            msg = str(e) if isinstance(e, BenchError) else f"{type(e).__name__}: {e}"
            fails.append(f"{section}, {tool_label}: {msg}")
            log(f"FAILED {section} {tool_label}: {msg}")
            return None

    note_foreign("at the start")
    log("checking the tools")
    start_tools, tools, cache, bt_prog, floor, keyed = make_tools(args.tool)
    info = dict(cache=cache, bpftrace_prog=bt_prog, start_tools=start_tools, tools=tools, floor=floor,
                keyed=keyed,
                baseline=Tool("baseline", "baseline", "ours", [args.baseline]) if args.baseline else None)
    if not cache.available:
        log(f"cache-hit variant: n/a ({cache.why_not})")

    if "start" in args.only:
        for r in range(cfg["start_rounds"]):
            for t in rotated(start_tools, r):
                v = attempt("start", t.label, lambda: m_start(t, cfg))
                if v:
                    record("start", t.key, v)
                    log(f"start {r + 1}/{cfg['start_rounds']} {t.label}: {v['start_ms']:.1f} ms to counting,"
                        f" peak RSS {v['rss_mib']:.1f} MiB, CPU {v['cpu_ms']:.0f} ms")

    if "inkernel" in args.only:
        info["stats_method"] = stats_on()
        try:
            for r in range(cfg["inkernel_rounds"]):
                note_foreign("in-kernel section")
                for t in rotated(tools + keyed + [info["floor"]], r):
                    v = attempt("inkernel", t.label, lambda: m_inkernel(t, cfg))
                    if v:
                        record("inkernel", t.key, v)
                        log(f"in-kernel {r + 1}/{cfg['inkernel_rounds']} {t.label}: "
                            f"{v['spawn']['ns_per_exec']:.0f} ns per exec of a new process "
                            f"({v['spawn']['entries']} seen, {v['made']} made), "
                            f"{v['storm']['ns_per_exec']:.0f} ns per failing call in a storm")
        finally:
            stats_off()

    if "storm" in args.only:
        for r in range(cfg["storm_rounds"]):
            note_foreign("storm section")
            row = {}
            for t in rotated([None] + tools, r):
                label = t.label if t else "nothing attached"
                v = attempt("storm", label, lambda: m_storm(t, cfg))
                if v:
                    row[t.key if t else "baseline"] = v["ns_per_call"]
                    log(f"storm {r + 1}/{cfg['storm_rounds']} {label}: {v['ns_per_call']:.0f} ns per call")
            record("storm", "rounds", row)

    if "exact" in args.only:
        for r in range(cfg["exact_rounds"]):
            note_foreign("exactness section")
            for t in rotated(tools, r):
                v = attempt("exact", t.label, lambda: m_exact(t, cfg))
                if v:
                    record("exact", t.key, v)
                    log(f"exact {r + 1}/{cfg['exact_rounds']} {t.label}: {v['counted']:,} of {v['made']:,}")

    if "interval" in args.only:
        key_base = QUICK_KEY_BASE if args.quick else args.key_uid_base
        ours, python = tools[0], tools[1]
        variants = [(ours, "table"), (ours, "json"), (python, None)]
        if info["baseline"]:
            variants += [(info["baseline"], "table"), (info["baseline"], "json")]
        for r in range(cfg["interval_rounds"]):
            note_foreign("interval section")
            for k in cfg["keys"]:
                for t, fmt in rotated(variants, r):
                    label = t.label + {"table": " (table)", "json": " -f json", None: ""}[fmt]
                    v = attempt("interval", f"{label}, {k} keys",
                                lambda: m_interval(t, fmt, k, cfg, key_base))
                    if v:
                        record("interval", (t.key, fmt, k), v)
                        log(f"interval {r + 1}/{cfg['interval_rounds']} {label}, {k} keys:"
                            f" {v['cpu_ms']:.3f} ms CPU per interval (keys held: {v['held']})")

    note_foreign("at the end")
    info["elapsed_s"] = time.monotonic() - t_begin
    return res, fails, info


def render(args, cfg, res, fails, info, ver):
    out = []
    cache, start_tools, tools = info["cache"], info["start_tools"], info["tools"]
    ours = tools[0]
    el = info["elapsed_s"]
    cmd = " ".join(shlex.quote(a) for a in [os.path.relpath(sys.argv[0])] + sys.argv[1:])
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    hooks = "kprobes" if kprobe_fn() else "the syscall tracepoints (this kernel has no kprobes)"
    out.append("## Results\n")
    out.append(f"Measured {now} on Linux {ver['kernel']}, {ver['cpus']} CPUs ({ver['model']}); "
               f"every tool on {hooks}.  ")
    out.append(f"bcc-execcount: `{ver['tool']}`; Python original: `bench/execcount_original.py`, "
               f"{ver['python']}, python3-bpfcc {ver['bcc']}; bpftrace: `{ver['bpftrace']}`, "
               f"`bpftrace -e '{info['bpftrace_prog']}'`; {ver['bpftool']}.  ")
    out.append(f"Command: `{cmd}` (as root); it took {int(el // 60)} min {int(el % 60)} s."
               + (" **Quick run: small sizes, for a smoke test only.**" if args.quick else ""))
    if set(args.only) != set(SECTIONS):
        out[-1] += f" Sections run: {', '.join(args.only)}."
    out.append("\nEach number is the median [min-max] over the rounds; round r runs every tool once, "
               "in an order rotated by r. Ratios are of medians.")
    if not cache.available:
        out.append(f"The cache-hit rows are n/a: {cache.why_not}.")
    if FOREIGN:
        out.append("\n**Not a quiet machine:** other processes had programs on the exec hooks during the run ("
                   + ", ".join(f"pid {p} `{c}`" for p, c in sorted(FOREIGN.items()))
                   + "): every exec paid for them too, the storm's baseline included.")
    out.append("")

    st = res["start"]
    ik_res = res["inkernel"]
    iv = res["interval"]

    def col(section, key, field):
        return [v[field] for v in res[section].get(key, [])]

    # --- targets
    targets = []

    def target(name, r, limit, strict=False, why=None):
        if why:
            targets.append((name, why, f"<= {limit}" if not strict else f"< {limit}", "n/a"))
            return
        if r is None:
            targets.append((name, "n/a", f"<= {limit}" if not strict else f"< {limit}", "n/a (not measured)"))
            return
        ok = r < limit if strict else r <= limit
        targets.append((name, rx(r), f"< {limit:.2f}x" if strict else f"<= {limit:.2f}x",
                        "met" if ok else "**MISSED**"))

    nocache = None if cache.available else f"n/a ({cache.why_not})"
    if "start" in args.only:
        target("start to counting, cache hit / bpftrace one-liner",
               ratio(col("start", "cache", "start_ms"), col("start", "bpftrace", "start_ms")), 0.5,
               why=nocache)
        target("start to counting, compile / Python original",
               ratio(col("start", "compile", "start_ms"), col("start", "python", "start_ms")), 0.9)
        target("peak RSS, cache hit / Python original",
               ratio(col("start", "cache", "rss_mib"), col("start", "python", "rss_mib")), 0.25, why=nocache)
    def ik(key, load):
        return [v[load]["ns_per_exec"] for v in ik_res.get(key, [])]
    if "inkernel" in args.only:
        target("in-kernel ns per exec (new processes, exec succeeds) / bpftrace one-liner",
               ratio(ik(ours.key, "spawn"), ik("bpftrace", "spawn")), 0.7)
        target("in-kernel ns per exec (new processes, exec succeeds) / Python original",
               ratio(ik(ours.key, "spawn"), ik("python", "spawn")), 1.0)
        target("in-kernel ns per exec (failing-call storm) / bpftrace one-liner",
               ratio(ik(ours.key, "storm"), ik("bpftrace", "storm")), 0.7)
        for t in info["keyed"]:
            target(f"in-kernel ns per exec (new processes), `{t.label}` / bpftrace one-liner",
                   ratio(ik(t.key, "spawn"), ik("bpftrace", "spawn")), 1.0)
    if "interval" in args.only:
        k1 = cfg["keys"][0]
        for fmt in ("table", "json"):
            a = [v["cpu_ms"] for v in iv.get((ours.key, fmt, k1), [])]
            b = [v["cpu_ms"] for v in iv.get(("python", None, k1), [])]
            target(f"user-space CPU per interval, {k1:,} keys, {fmt} / Python original", ratio(a, b), 0.3)
    if "exact" in args.only:
        ex = res["exact"].get(ours.key, [])
        made = 2 * cfg["exact_calls"]
        exact_n = sum(1 for v in ex if v["counted"] == v["made"])
        targets.append((f"exactness: 2 x {cfg['exact_calls']:,} concurrent execve() calls",
                        f"{stat([v['counted'] for v in ex], 0)} of {made:,} ({exact_n} of {len(ex)} rounds exact)",
                        f"{made:,} of {made:,} every round",
                        "met" if ex and exact_n == len(ex) else "**MISSED**"))
    if targets:
        out.append("### Targets\n")
        out.append(table(["target", "measured", "target", "result"], targets))
        out.append("")

    # --- start
    if "start" in args.only:
        out.append("### Start to counting, peak memory, CPU time\n")
        out.append(f"{n_rounds(cfg['start_rounds'])}. From the tool's start, a helper makes a failing "
                   f"`execve()` every {cfg['period_us'] / 1000:g} ms for {cfg['window_ms'] / 1000:g} s "
                   f"as uid {UID_TRIGGER}; the tool counted the last C of those N calls, so it began "
                   f"counting at call N-C: start to counting is that call's time less the time the tool "
                   f"was started. Peak RSS and CPU time (user + system, the whole run: start, "
                   f"{cfg['window_ms'] / 1000:g} s of counting, exit; the original also waits for its "
                   f"first print at 5 s) come from `wait4()`.\n")
        rows = []
        for t in (cache,) + tuple(x for x in start_tools if x.key != "cache"):
            if t.key == "cache" and not cache.available:
                rows.append((t.label, "n/a", "n/a", "n/a"))
                continue
            rows.append((t.label, stat(col("start", t.key, "start_ms")), stat(col("start", t.key, "rss_mib")),
                         stat(col("start", t.key, "cpu_ms"), 0)))
        out.append(table(["tool", "start to counting, ms", "peak RSS, MiB", "CPU time, ms"], rows))
        out.append("")
        rows = []
        for ok in ("cache", "compile"):
            for peer, pl in (("python", "Python original"), ("bpftrace", "bpftrace one-liner")):
                lab = "cache hit" if ok == "cache" else "compile"
                rows.append((f"{lab} / {pl}",) + tuple(
                    rx(ratio(col("start", ok, f), col("start", peer, f))) for f in ("start_ms", "rss_mib", "cpu_ms")))
        out.append(table(["ratio", "start to counting", "peak RSS", "CPU time"], rows))
        mapped = col("start", "cache", "libbcc_mapped") if cache.available else []
        if mapped:
            out.append(f"\nCache-hit runs with libbcc.so.0 mapped in the process: {sum(mapped)} of {len(mapped)}.")
        out.append("")

    # --- in-kernel
    if "inkernel" in args.only:
        out.append("### In-kernel cost per exec\n")
        out.append(f"{n_rounds(cfg['inkernel_rounds'])}. Each tool attached alone, with BPF run-time statistics "
                   f"on ({info.get('stats_method', '?')}). Two loads, one after the other: "
                   f"{cfg['inkernel_execs']:,} new processes whose exec succeeds (`posix_spawn()` of "
                   f"/bin/true), then {cfg['inkernel_storm_calls']:,} failing `execve()` calls from one "
                   f"process (no fork: the programs' code and data stay hot in the caches), both as uid "
                   f"{UID_SPAWN}. ns per exec = the run_time_ns of every program the tool attached, summed, "
                   f"/ the runs of its `execve` entry program, or of its `sys_exit_execve` program when "
                   f"it has no entry (execs by other processes meanwhile are in both); programs per "
                   f"exec = the runs of all its programs / the same. bcc-execcount runs in its default "
                   f"(`--by uid`: on x86_64's tracepoints counted at the exits) and with the keys that "
                   f"note each call at entry (`-b uid,comm`, `-b exe`). "
                   f"The empty program shows what the hook and the statistics cost by themselves; "
                   f"\"/ floor\" is each tool's ns per exec over the empty program's.\n")
        rows = []
        fl = info["floor"].key
        for t in tools + info["keyed"] + [info["floor"]]:
            def ppe(load):
                return stat([v[load]["runs_per_exec"] for v in ik_res.get(t.key, [])], 2)
            rows.append((t.label, stat(ik(t.key, "spawn"), 0), ppe("spawn"),
                         rx(ratio(ik(t.key, "spawn"), ik(fl, "spawn"))),
                         stat(ik(t.key, "storm"), 0), ppe("storm"),
                         rx(ratio(ik(t.key, "storm"), ik(fl, "storm"))),
                         stat([v["spawn"]["entries"] for v in ik_res.get(t.key, [])], 0)))
        out.append(table(["tool", "ns per exec: new processes", "programs per exec", "/ floor",
                          "ns per exec: failing storm", "programs per exec", "/ floor",
                          "execs seen (new processes)"], rows))
        out.append("")
        rows = [(f"{o.label} / {t.label}", rx(ratio(ik(o.key, "spawn"), ik(t.key, "spawn"))),
                 rx(ratio(ik(o.key, "storm"), ik(t.key, "storm"))))
                for o in [ours] + info["keyed"] for t in tools[1:]]
        out.append(table(["ratio", "new processes", "failing storm"], rows))
        out.append("\nPer program, medians over the rounds:\n")
        rows = []
        for t in tools + info["keyed"] + [info["floor"]]:
            progs = {}
            for v in ik_res.get(t.key, []):
                for load in ("spawn", "storm"):
                    for name, (ns, cnt) in v[load]["detail"].items():
                        progs.setdefault(name, {}).setdefault(load, []).append((ns, cnt, v[load]["entries"]))
            for name, loads in sorted(progs.items()):
                row = [t.label, f"`{name}`"]
                for load in ("spawn", "storm"):
                    vs = loads.get(load, [])
                    per_exec = med([c / e for _, c, e in vs if e])
                    # ns per run only for a program the load runs (not for a few foreign execs)
                    row += [num(per_exec, 2) if per_exec is not None else "n/a",
                            num(med([ns / c for ns, c, _ in vs if c]), 0)
                            if per_exec is not None and per_exec >= 0.01 else "-"]
                rows.append(row)
        out.append(table(["tool", "program (attached to)", "runs per exec: new processes", "ns per run",
                          "runs per exec: failing storm", "ns per run"], rows))
        out.append("")

    # --- storm
    if "storm" in args.only:
        out.append("### Overhead per call: a storm of failing execve() calls\n")
        out.append(f"{n_rounds(cfg['storm_rounds'])}. A helper makes {cfg['storm_calls']:,} `execve()` calls "
                   f"of a missing path (ENOENT, no fork) as uid {UID_STORM}, with nothing attached and with "
                   f"each tool attached alone; a run's ns per call is the median of its {STORM_CHUNKS} "
                   f"chunks of {cfg['storm_calls'] // STORM_CHUNKS:,} calls; overhead = ns per call with "
                   f"the tool less ns per call with nothing attached in the same round.\n")
        rounds = res["storm"].get("rounds", [])
        base = [r["baseline"] for r in rounds if "baseline" in r]
        rows = [("nothing attached", stat(base, 0), "-")]
        over = {}
        for t in tools:
            over[t.key] = [r[t.key] - r["baseline"] for r in rounds if t.key in r and "baseline" in r]
            rows.append((t.label, stat([r[t.key] for r in rounds if t.key in r], 0), stat(over[t.key], 0)))
        out.append(table(["", "ns per call", "overhead, ns per call"], rows))
        out.append("")
        rows = [(f"bcc-execcount / {t.label}", rx(ratio(over[ours.key], over[t.key]))) for t in tools[1:]]
        out.append(table(["ratio", "overhead"], rows))
        out.append("")

    # --- exactness
    if "exact" in args.only:
        made = 2 * cfg["exact_calls"]
        out.append("### Exactness\n")
        out.append(f"{n_rounds(cfg['exact_rounds'])}. Two processes, started together, make "
                   f"{cfg['exact_calls']:,} failing `execve()` calls each as uid {UID_EXACT}, one tool "
                   f"attached; then the tool's count for that uid is read (the original's from its next "
                   f"print).\n")
        rows = []
        for t in tools:
            ex = res["exact"].get(t.key, [])
            rows.append((t.label, ", ".join(f"{v['counted']:,}" for v in ex) or "n/a",
                         stat([made - v["counted"] for v in ex], 0),
                         f"{sum(1 for v in ex if v['counted'] == made)} of {len(ex)}"))
        out.append(table([f"tool", f"counted of {made:,}, per round", "lost", "rounds exact"], rows))
        out.append("")

    # --- interval
    if "interval" in args.only:
        out.append("### User-space CPU per interval\n")
        out.append(f"{n_rounds(cfg['interval_rounds'])}. With the tool counting, a helper forks one child per "
                   f"uid that makes one failing `execve()`, for K uids; then the tool's CPU time (user + "
                   f"system, all threads, from /proc/<pid>/task/*/schedstat) is taken over "
                   f"{cfg['our_intervals']} intervals of 1 s for bcc-execcount "
                   f"(`bcc-execcount 1`, the table, and `-f json 1`) and {cfg['python_prints']} of the "
                   f"original's fixed 5 s, from mid-interval to mid-interval, starting after two "
                   f"blocks with all the keys for bcc-execcount (it looks up user names once, there) "
                   f"and after one for the original. Output goes to a pipe the benchmark drains. The "
                   f"original's table holds 1,024 keys: with more, it keeps 1,024 and prints those. "
                   f"Keys printed: the rows of the last block measured, the machine's own uids "
                   f"included.\n")
        head = ["tool", "interval"]
        for k in cfg["keys"]:
            head += [f"{k:,} keys: CPU ms per interval", "keys printed"]
        rows = []
        variants = [(ours, "table", "bcc-execcount (table)", "1 s"),
                    (ours, "json", "bcc-execcount -f json", "1 s"),
                    (tools[1], None, "Python original", "5 s")]
        if info["baseline"]:
            variants += [(info["baseline"], "table", "baseline (table)", "1 s"),
                         (info["baseline"], "json", "baseline -f json", "1 s")]
        for t, fmt, label, intv in variants:
            row = [label, intv]
            for k in cfg["keys"]:
                vs = iv.get((t.key, fmt, k), [])
                row.append(stat([v["cpu_ms"] for v in vs], 3))
                held = [v["held"] for v in vs if v["held"] is not None]
                row.append(num(med(held), 0) if held else "n/a")
            rows.append(row)
        out.append(table(head, rows))
        out.append("")
        head = ["ratio"] + [f"{k:,} keys" for k in cfg["keys"]]
        rows = []
        for fmt, label in (("table", "bcc-execcount (table)"), ("json", "bcc-execcount -f json")):
            rows.append([f"{label} / Python original"] + [
                rx(ratio([v["cpu_ms"] for v in iv.get((ours.key, fmt, k), [])],
                         [v["cpu_ms"] for v in iv.get(("python", None, k), [])])) for k in cfg["keys"]])
            if info["baseline"]:
                rows.append([f"{label} / baseline ({args.baseline})"] + [
                    rx(ratio([v["cpu_ms"] for v in iv.get((ours.key, fmt, k), [])],
                             [v["cpu_ms"] for v in iv.get(("baseline", fmt, k), [])])) for k in cfg["keys"]])
        out.append(table(head, rows))
        out.append("")

    if fails:
        out.append("### Runs that failed\n")
        out += [f"- {f}" for f in fails]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def write_section(path, section):
    intro = ("# bcc-execcount: performance\n\nMeasured by `bench/run.py` "
             "(`sudo bench/run.py --tool build/bcc-execcount --write docs/performance.md`).\n\n")
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = intro + BEGIN + "\n" + END + "\n"
    block = f"{BEGIN}\n{section}{END}"
    i, j = text.find(BEGIN), text.find(END)
    if i < 0 or j < i:
        log(f"{path} has no {BEGIN} ... {END} markers: appending them at its end")
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        text = text[:i] + block + text[j + len(END):]
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".performance.", dir=d)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    log(f"wrote {path}")


def cleanup():
    for p in list(Proc.live):
        try:
            if p.status is None:
                os.kill(p.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 5
    for p in list(Proc.live):
        while time.monotonic() < deadline and not p.exited():
            time.sleep(0.05)
        p.kill()
    try:
        stats_off()
    except OSError as e:
        log(f"could not turn the BPF statistics off: {e}")
    # nothing may stay attached
    try:
        left = [e for e in bpftool_json("perf", "show") if e.get("pid") in SPAWNED]
        if left:
            log(f"WARNING: still attached: {left}")
    except (BenchError, OSError, ValueError, subprocess.TimeoutExpired) as e:
        log(f"could not check for leftover attachments: {e}")
    for kp in ("/sys/kernel/tracing/kprobe_events", "/sys/kernel/debug/tracing/kprobe_events"):
        try:
            with open(kp) as f:
                stale = [l for l in f if any(f"_bcc_{pid}" in l for pid in SPAWNED)]
            if stale:
                log(f"WARNING: kprobes left in {kp}: {stale}")
        except OSError:
            pass
    if WORK:
        shutil.rmtree(WORK, ignore_errors=True)


def main():
    global WORK
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--tool", required=True, help="the bcc-execcount binary, e.g. build/bcc-execcount")
    ap.add_argument("--rounds", type=int, help="rounds of every section (default: 5 for start and storm, 3 for the others)")
    ap.add_argument("--baseline", metavar="BIN",
                    help="another build of bcc-execcount (e.g. an older commit's) measured in the same "
                         "interleaved interval rounds, with ratios to it")
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke test of the benchmark")
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help=f"comma list of sections to run (default all: {','.join(SECTIONS)})")
    ap.add_argument("--key-uid-base", type=int, default=4250000,
                    help="first uid of the keys of the interval section (default 4250000)")
    ap.add_argument("--write", metavar="FILE", help="put the section between the markers in FILE")
    args = ap.parse_args()
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in args.only if s not in SECTIONS]
    if bad:
        ap.error(f"unknown section: {', '.join(bad)}")
    cfg = dict(SIZES["quick" if args.quick else "full"])
    if args.rounds:
        if args.rounds < 1:
            ap.error("--rounds must be at least 1")
        for k in list(cfg):
            if k.endswith("_rounds"):
                cfg[k] = args.rounds
    if not args.quick and args.key_uid_base + max(cfg["keys"]) > 0xFFFFFFF:
        ap.error("--key-uid-base: the keys must stay below 2**28 (the original masks uids to 28 bits)")
    args.tool = os.path.abspath(args.tool)
    if args.baseline:
        args.baseline = os.path.abspath(args.baseline)
        if not os.access(args.baseline, os.X_OK):
            ap.error(f"--baseline {args.baseline}: not an executable")
    preflight(args)

    def on_signal(sig, _frame):
        raise KeyboardInterrupt(f"signal {sig}")
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with it ignored
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    WORK = tempfile.mkdtemp(prefix="bcc-execcount-bench.")
    try:
        build_helper()
        ver = versions(args.tool)
        res, fails, info = run(args, cfg)
        section = render(args, cfg, res, fails, info, ver)
        sys.stdout.write(section)
        sys.stdout.flush()
        if args.write:
            write_section(args.write, section)
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        return 130
    except BenchError as e:
        log(f"error: {e}")
        return 1
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
