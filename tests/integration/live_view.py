#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""live_view: on a terminal the table redraws in place, with a header of totals; -C scrolls;
-r and -s choose the rows.

A pty first (no tmux needed), the bytes as written: `--attach MODE 1` with stdout a 120x40
pty writes each block as "ESC[H ESC[2J" then a block beginning with the header line
"bcc-execcount - "; nothing before the first clear.  With -C: no escape sequence at all.

Then the screens a user sees, in tmux (a private server, detached sessions of 120x40, status line
off), seven tools at once, each in its own session, all started before the helper makes, under
uids of the test:
  1234567     5 successful + 1500 failing execs
  3000000001  30 successful + 1490 failing
  305419896   failing execs of 4 paths of this run, 40, 30, 20 and 10
  65534       failing execs of 50 paths of this run, 2 each
and `tmux capture-pane -p` is read until it shows the counts:
  default (`--by uid 1`)   line 1 is the header `bcc-execcount - HH:MM:SS  <tracepoint|kprobe>
               every 1 s  execs: N  R/s  keys: K  dropped: 0` (the hook kind of the start; N = the sum
               of the COUNT column, K = the rows, R = the sum of the DELTA column / 1 s, one
               decimal), line 2 empty, line 3 the column line, then the rows; uid 1234567's row
               COUNT 1505 OK 5 FAILED 1500; exactly one column line on the screen, and the header
               at the top in every capture (redrawn in place, not scrolled); C-c (sent by tmux)
               ends it with exit 0 and the pane shows the final block ("HH:MM:SS (final)" in
               the header) with the exact row
  -C           several blocks on the screen at once (scrolling), the last with the exact row
  -r 2 (--by exe --uid 305419896)  exactly 2 rows: the paths with 40 and 30; the header still
               counts every key: execs 100, keys 4
  -s failed (--uid 1234567,3000000001)  1234567 (1500 failed) above 3000000001 (1490 failed,
               but 1520 in all): ordered by FAILED, not COUNT
  -s uid (--uid of three test uids)  ascending uid: 1234567, 305419896, 3000000001
  no -r (--by exe --uid 65534, 50 keys)  as many rows as fit: the block on one screen (the header
               still on top) with 33 to 36 rows (height - 7 .. height - 4: the first spec said
               - 4, the tool keeps lines for "(N more keys...)" and the cursor); header keys 50,
               execs 100
  tiny (`--by uid 1` in a 20x3 pane)  the header's start on line 1, the column line's on line
               3, no line over 20 columns, the same at every redraw (cut to the screen, not
               wrapped and scrolled)
Bad values exit 64: -r 0, -s bogus, -s '', -s exe (not in --by), -s failed or -s count with
-f classic (any explicit --sort).
All with the first attach mode: the hooks do not matter here.  Without tmux the pty part still
runs, then the test skips naming tmux.
"""
import fcntl
import os
import pty
import re
import select
import shlex
import shutil
import signal
import struct
import subprocess
import tempfile
import termios
import time

import etest

WIDTH, HEIGHT = 120, 40
TINY = (20, 3)
HEADER = re.compile(r"^bcc-execcount - (\d{2}:\d{2}:\d{2}(?: \(final\))?)  (\S+)  every (\d+) s  "
                    r"execs: (\d+)  (\d+\.\d)/s  keys: (\d+)  dropped: (\d+)$")
CLEAR = b"\x1b[H\x1b[2J"
UID_COLUMNS = ["UID", "USER", "COUNT", "OK", "FAILED", "DELTA"]
EXE_COLUMNS = ["COUNT", "OK", "FAILED", "DELTA", "EXE"]
PTY_BLOCKS = 3   # the ticks a pty run waits for before its SIGINT (3.0 s here)

# uid: (successful, failing) execs of the helper's default paths
BY_UID = {etest.UID_PLAIN: (5, 1500), etest.UID_32BIT: (30, 1490)}
FEW_PATHS = (40, 30, 20, 10)     # failing execs of 4 paths under UID_28BIT
MANY_PATHS, PER_PATH = 50, 2     # under UID_NOBODY


def hook_kind(mode):
    if mode == "auto":
        return "kprobe" if etest.expect_auto().startswith("kprobe") else "tracepoint"
    return mode


# --- the pty: the bytes ------------------------------------------------------------------------

def run_in_pty(args, mode, extra, what, marker):
    """Run the tool with stdout a 120x40 pty until it has written PTY_BLOCKS blocks (each holding
    marker once; at most etest.ticks_timeout(PTY_BLOCKS) s), SIGINT: (exit status, bytes
    written)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    argv = [args.tool, "--attach", mode] + extra + ["1"]
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=err,
                            preexec_fn=etest._default_signals(), close_fds=True)
    os.close(slave)
    data = b""

    def describe():
        err.seek(0)
        return etest.describe_run(argv, proc.poll(), repr(data[-3000:]),
                                  err.read().decode("utf-8", "replace"))

    def read_for(seconds):
        nonlocal data
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the tool closed the pty
                return False
            if not chunk:
                return False
            data += chunk
        return True

    try:
        deadline = time.monotonic() + etest.start_timeout()
        while True:
            err.seek(0)
            if etest.COUNTING_TEXT.encode() in err.read():
                break
            etest.check(proc.poll() is None and time.monotonic() < deadline,
                        f"{what}: no {etest.COUNTING_TEXT!r} line on stderr\n" + describe())
            read_for(0.05)
        etest.run_helper(args.helper, etest.UID_PLAIN, 100)
        deadline = time.monotonic() + etest.ticks_timeout(PTY_BLOCKS)
        while data.count(marker) < PTY_BLOCKS and time.monotonic() < deadline:
            if not read_for(0.05):
                break
        proc.send_signal(signal.SIGINT)
        while read_for(1) and proc.poll() is None:
            pass
        rc = proc.wait(timeout=30 * etest.slowness())
        read_for(0.2)
        return rc, data, describe()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
        err.close()


def pty_bytes(args, mode):
    what = f"--attach {mode} 1, stdout a pty"
    rc, data, context = run_in_pty(args, mode, [], what, CLEAR)
    etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n" + context)
    parts = data.split(CLEAR)
    etest.check(len(parts) >= 4 and parts[0] == b"",
                f"{what}: expected at least 3 blocks, each written as ESC[H ESC[2J and the "
                f"block, nothing before the first; got {len(parts) - 1} clears, "
                f"{parts[0][:200]!r} before the first\n" + context)
    for part in parts[1:]:
        etest.check(part.startswith(b"bcc-execcount - "),
                    f"{what}: expected each block to begin with the header "
                    f"'bcc-execcount - ', got {part[:200]!r}\n" + context)
    etest.log(f"{what}: {len(parts) - 1} blocks, each ESC[H ESC[2J + header")
    what = f"--attach {mode} -C 1, stdout a pty"
    rc, data, context = run_in_pty(args, mode, ["-C"], what, b"COUNT")
    etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n" + context)
    etest.check(b"\x1b" not in data and data.count(b"COUNT") >= 3,
                f"{what}: expected at least 3 blocks and no escape sequence\n" + context)
    etest.log(f"{what}: blocks scroll, no escape sequence")


# --- tmux: the screens -------------------------------------------------------------------------

class Tmux:
    """A private tmux server (its own socket name), detached sessions of WIDTH x HEIGHT."""

    def __init__(self, tmp):
        self.sock = f"etest-{os.getpid()}"
        self.conf = os.path.join(tmp, "tmux.conf")
        etest.write_text(self.conf, "set -g status off\nset -g history-limit 1000\n")
        self.tmp = tmp
        self.pids = []

    def run(self, *argv):
        full = ["tmux", "-L", self.sock, "-f", self.conf] + list(argv)
        p = subprocess.run(full, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
        etest.check(p.returncode == 0, f"{' '.join(full)}: exit {p.returncode}: "
                    f"{p.stderr.decode('utf-8', 'replace')}")
        return p.stdout.decode("utf-8", "replace")

    def start(self, name, tool_argv, size=None):
        """Run the tool in a new session, its stderr into a file (stderr(name)).  The pane's shell
        waits for it and keeps the pane as the tool left it (a dead pane would get tmux's "Pane
        is dead" line, scrolling the screen); C-c reaches the tool (the shell traps SIGINT with
        a handler, which exec resets: the tool gets the default disposition)."""
        command = (f"trap : INT; {shlex.join(tool_argv)} 2>{shlex.quote(self.path(name, 'stderr'))}"
                   f"; echo $? >{shlex.quote(self.path(name, 'status'))}; exec sleep 3600")
        width, height = size or (WIDTH, HEIGHT)
        self.run("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command)
        shell = int(self.run("display-message", "-p", "-t", name, "#{pane_pid}").strip())
        deadline = time.monotonic() + 10
        while True:  # the tool: the shell's child
            try:
                with open(f"/proc/{shell}/task/{shell}/children") as f:
                    children = f.read().split()
            except OSError:
                children = []
            if children:
                self.pids.append(int(children[0]))
                return
            etest.check(time.monotonic() < deadline and self.dead(name) is False,
                        f"{name}: the tool did not start in its tmux pane\n" + self.describe(name))
            time.sleep(0.01)

    def path(self, name, what):
        return os.path.join(self.tmp, f"{name}.{what}")

    def stderr(self, name):
        try:
            with open(self.path(name, "stderr"), encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def dead(self, name):
        """The tool's exit status once it ended, else False."""
        try:
            with open(self.path(name, "status"), encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            return False
        return int(text) if text.strip() else False

    def screen(self, name):
        lines = self.run("capture-pane", "-p", "-t", name).split("\n")
        while lines and not lines[-1].strip():
            lines.pop()
        return [line.rstrip() for line in lines]

    def describe(self, name, lines=None):
        lines = self.screen(name) if lines is None else lines
        return (f"--- the screen of session {name}:\n" + "\n".join(lines) +
                f"\n--- its stderr:\n{self.stderr(name)}--- end")

    def close(self):
        subprocess.run(["tmux", "-L", self.sock, "kill-server"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        deadline = time.monotonic() + 15
        for pid in self.pids:
            while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
                time.sleep(0.05)
            if os.path.exists(f"/proc/{pid}"):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def parse_screen(lines, columns):
    """(header match or None, index of the first column line, rows as lists of fields, number of
    column lines on the screen).  Rows: the lines after the first column line up to an empty one
    (uid_rows and exe_rows keep those shaped as rows: a note such as "(2 more keys...)" is not)."""
    header = HEADER.match(lines[0]) if lines else None
    col_at = [i for i, line in enumerate(lines) if line.split() == columns]
    rows = []
    if col_at:
        for line in lines[col_at[0] + 1:]:
            if not line.strip():
                break
            rows.append(line.split())
    return header, (col_at[0] if col_at else None), rows, len(col_at)


def uid_rows(rows):
    """{uid: (count, ok, failed, delta)} of UID USER COUNT OK FAILED DELTA rows, and their order."""
    out, order = {}, []
    for f in rows:
        if len(f) >= 5 and f[0].isdigit() and all(x.isdigit() for x in f[-4:]):
            out[int(f[0])] = tuple(int(x) for x in f[-4:])
            order.append(int(f[0]))
    return out, order


def exe_rows(rows):
    out, order = {}, []
    for f in rows:
        if len(f) >= 5 and all(x.isdigit() for x in f[:4]):
            out[" ".join(f[4:])] = tuple(int(x) for x in f[:4])
            order.append(" ".join(f[4:]))
    return out, order


def check_header(header, rows_parsed, mode, complete=True):
    """What is wrong with a live screen's header (a string), or None."""
    if not header:
        return "the first line is not the header"
    _, hook, every, total, rate, keys, dropped = header.groups()
    if hook != hook_kind(mode):
        return f"the header names the hook {hook!r}, expected {hook_kind(mode)!r}"
    if every != "1" or dropped != "0":
        return "expected 'every 1 s' and 'dropped: 0' in the header"
    if complete:
        counts = [r[0] for r in rows_parsed.values()]
        deltas = [r[3] for r in rows_parsed.values()]
        if int(total) != sum(counts) or int(keys) != len(counts):
            return (f"header execs {total} keys {keys}: expected the sum of COUNT {sum(counts)} "
                    f"and the number of rows {len(counts)}")
        if rate != f"{sum(deltas) / 1:.1f}":
            return f"header rate {rate}/s: expected the sum of DELTA / 1 s = {sum(deltas):.1f}"
    return None


def wait_screen(tm, name, what, problem_of):
    """Capture the screen until problem_of(lines) is None; a failure with the last problem and
    screen after the deadline."""
    deadline = time.monotonic() + 20 * etest.slowness()
    while True:
        lines = tm.screen(name)
        problem = problem_of(lines)
        if problem is None:
            return lines
        if time.monotonic() > deadline:
            etest.fail(f"{what}: {problem}\n" + tm.describe(name, lines))
        time.sleep(0.2)


def screens(args, mode, tmp):
    tm = Tmux(tmp)
    try:
        tool = [args.tool, "--attach", mode]
        uids = [etest.UID_PLAIN, etest.UID_32BIT]
        sessions = {
            "default": tool + ["--by", "uid", "1"],
            "noclear": tool + ["-C", "--by", "uid", "1"],
            "rows2": tool + ["-r", "2", "--by", "exe", "--uid", str(etest.UID_28BIT), "1"],
            "sortfailed": tool + ["-s", "failed", "--uid", ",".join(map(str, uids)), "1"],
            "sortuid": tool + ["-s", "uid", "--uid", ",".join(map(str, uids + [etest.UID_28BIT])),
                               "1"],
            "height": tool + ["--by", "exe", "--uid", str(etest.UID_NOBODY), "1"],
            "tiny": tool + ["--by", "uid", "1"],
        }
        for name, argv in sessions.items():
            tm.start(name, argv, size=TINY if name == "tiny" else None)
        deadline = time.monotonic() + etest.start_timeout()
        for name in sessions:
            while etest.COUNTING_TEXT not in tm.stderr(name):
                etest.check(time.monotonic() < deadline and tm.dead(name) is False,
                            f"{name}: {' '.join(sessions[name])}: no {etest.COUNTING_TEXT!r} "
                            f"on stderr\n" + tm.describe(name))
                time.sleep(0.05)
        for uid, (ok, failed) in BY_UID.items():
            etest.run_helper(args.helper, uid, ok, mode="ok")
            etest.run_helper(args.helper, uid, failed, mode="fail")
        few = [f"/nonexistent/etest-{os.getpid()}-live-{i}" for i in range(len(FEW_PATHS))]
        for path, n in zip(few, FEW_PATHS):
            etest.run_helper(args.helper, etest.UID_28BIT, n, mode="fail", path=path)
        many_base = f"/nonexistent/etest-{os.getpid()}-many"
        etest.run_helper(args.helper, etest.UID_NOBODY, MANY_PATHS * PER_PATH, mode="fail",
                         path=many_base, distinct=MANY_PATHS)
        plain = etest.UID_PLAIN
        want_plain = (sum(BY_UID[plain]), BY_UID[plain][0], BY_UID[plain][1])

        # the default live view
        what = f"--attach {mode} --by uid 1 in a {WIDTH}x{HEIGHT} tmux pane"

        def default_problem(lines):
            header, col, rows, ncols = parse_screen(lines, UID_COLUMNS)
            parsed, _ = uid_rows(rows)
            if ncols != 1 or col != 2 or lines[1] != "":
                return ("expected the header, an empty line, the column line "
                        f"{' '.join(UID_COLUMNS)} and the rows, one block only "
                        f"({ncols} column lines seen)")
            if parsed.get(plain, (None,))[:3] != want_plain:
                return (f"expected uid {plain}'s row with COUNT OK FAILED "
                        f"{' '.join(map(str, want_plain))}")
            return check_header(header, parsed, mode, complete=len(rows) < HEIGHT - 4)

        lines = wait_screen(tm, "default", what, default_problem)
        etest.log(f"{what}: header {lines[0]!r}, uid {plain}'s row exact")
        for _ in range(3):  # later redraws are at the top again, never below an old block
            time.sleep(0.7)
            lines = tm.screen("default")
            header, col, rows, ncols = parse_screen(lines, UID_COLUMNS)
            etest.check(header is not None and ncols == 1,
                        f"{what}: expected each capture to show one block with the header on "
                        f"top (redrawn in place), got {ncols} column lines\n"
                        + tm.describe("default", lines))
        tm.run("send-keys", "-t", "default", "C-c")
        deadline = time.monotonic() + 30 * etest.slowness()
        while tm.dead("default") is False:
            etest.check(time.monotonic() < deadline, f"{what}: still running 30 s after C-c\n"
                        + tm.describe("default"))
            time.sleep(0.1)
        status = tm.dead("default")
        lines = tm.screen("default")
        header, _, rows, _ = parse_screen(lines, UID_COLUMNS)
        etest.check(status == 0 and header is not None and header.group(1).endswith(" (final)")
                    and uid_rows(rows)[0].get(plain, (None,))[:3] == want_plain,
                    f"{what}: after C-c expected exit 0, the final block (header 'HH:MM:SS "
                    f"(final)') and uid {plain}'s exact row on the screen; got exit status "
                    f"{status}\n" + tm.describe("default", lines))
        etest.log(f"{what}: redrawn in place; C-c: exit 0, the row still exact")

        # a 20x3 terminal: each line cut to the width, the header kept on top (issue 14, item 9:
        # the lines wrapped and pushed it off, leaving two bare numbers)
        what = f"--attach {mode} --by uid 1 in a {TINY[0]}x{TINY[1]} tmux pane"

        def tiny_problem(lines):
            if not lines or not lines[0].startswith("bcc-execcount - "):
                return "expected the header's start on the first line"
            if len(lines) > TINY[1] or any(len(line) > TINY[0] for line in lines):
                return f"expected at most {TINY[1]} lines of at most {TINY[0]} columns"
            if len(lines) < 3 or not lines[2].split()[:1] == ["UID"]:
                return "expected the column line, cut, on the third line"
            return None

        for _ in range(3):  # redrawn every second: the same every time
            lines = wait_screen(tm, "tiny", what, tiny_problem)
            time.sleep(0.7)
        etest.log(f"{what}: {lines!r}")

        # -C: the blocks scroll
        what = f"--attach {mode} -C --by uid 1 in tmux"

        def noclear_problem(lines):
            _, _, _, ncols = parse_screen(lines, UID_COLUMNS)
            last = max((i for i, line in enumerate(lines) if line.split() == UID_COLUMNS),
                       default=None)
            if ncols < 3 or last is None:
                return f"expected at least 3 blocks on the screen (scrolling), saw {ncols}"
            parsed, _ = uid_rows(parse_screen(lines[last:], UID_COLUMNS)[2])
            if parsed.get(plain, (None,))[:3] != want_plain:
                return f"expected uid {plain}'s exact row in the last block"
            return None

        wait_screen(tm, "noclear", what, noclear_problem)
        etest.log(f"{what}: several blocks on the screen, the last exact")

        # -r 2
        what = f"--attach {mode} -r 2 --by exe --uid {etest.UID_28BIT} 1 in tmux"
        want_rows = {few[0]: FEW_PATHS[0], few[1]: FEW_PATHS[1]}

        def rows2_problem(lines):
            header, _, rows, _ = parse_screen(lines, EXE_COLUMNS)
            parsed, _ = exe_rows(rows)
            got = {k: v[0] for k, v in parsed.items()}
            if got != want_rows or len(parsed) != 2:
                return f"expected exactly the 2 rows {want_rows} (COUNT by EXE), got {got}"
            if not header or header.group(4) != str(sum(FEW_PATHS)) or header.group(6) != "4":
                return (f"expected the header to count every key: execs {sum(FEW_PATHS)}, "
                        "keys 4")
            return check_header(header, parsed, mode, complete=False)

        wait_screen(tm, "rows2", what, rows2_problem)
        etest.log(f"{what}: 2 rows, the header counting all 4 keys")

        # -s failed, -s uid
        for name, want_order, sort in (
                ("sortfailed", [etest.UID_PLAIN, etest.UID_32BIT], "failed"),
                ("sortuid", sorted(uids + [etest.UID_28BIT]), "uid")):
            what = f"--attach {mode} -s {sort} {' '.join(sessions[name][5:])} in tmux"

            def sort_problem(lines, want_order=want_order):
                header, _, rows, _ = parse_screen(lines, UID_COLUMNS)
                parsed, order = uid_rows(rows)
                if order != want_order:
                    return f"expected the rows in the order {want_order}, got {order}"
                for uid, (ok, failed) in BY_UID.items():
                    if parsed[uid][1:3] != (ok, failed):
                        return f"expected uid {uid}'s OK {ok} FAILED {failed}"
                return check_header(header, parsed, mode)

            wait_screen(tm, name, what, sort_problem)
            etest.log(f"{what}: rows in the order {want_order}")

        # the default number of rows: as many as fit
        what = f"--attach {mode} --by exe --uid {etest.UID_NOBODY} 1 in a {HEIGHT}-line pane"

        def height_problem(lines):
            header, _, rows, _ = parse_screen(lines, EXE_COLUMNS)
            parsed, _ = exe_rows(rows)
            if not header or header.group(6) != str(MANY_PATHS) or \
                    header.group(4) != str(MANY_PATHS * PER_PATH):
                return (f"expected the header on top with keys {MANY_PATHS}, execs "
                        f"{MANY_PATHS * PER_PATH}")
            if not (HEIGHT - 7 <= len(parsed) <= HEIGHT - 4) or \
                    any(v[0] != PER_PATH for v in parsed.values()):
                return (f"expected as many rows as fit: {HEIGHT - 7} to {HEIGHT - 4} in a "
                        f"{HEIGHT}-line pane, of COUNT {PER_PATH}; got {len(parsed)}")
            return None

        lines = wait_screen(tm, "height", what, height_problem)
        shown = len(exe_rows(parse_screen(lines, EXE_COLUMNS)[2])[0])
        etest.log(f"{what}: {shown} rows shown of {MANY_PATHS} keys, the block on one screen")
    finally:
        tm.close()


def bad_values(args):
    for argv in (["-r", "0", "1"], ["-s", "bogus", "1"], ["-s", "", "1"],
                 ["-s", "exe", "1"],                   # a key field not in --by (uid)
                 ["-s", "failed", "-f", "classic", "1"],
                 ["-s", "count", "-f", "classic", "1"]):  # any explicit --sort
        rc, out, err = etest.run_tool(args.tool, argv)
        etest.check(rc == 64 and out == "" and err.startswith(etest.PREFIX),
                    f"{' '.join(argv)}: expected exit 64, a message, nothing on stdout\n"
                    + etest.describe_run([args.tool] + argv, rc, out, err))
    etest.log("bad -r/-s values: exit 64")


def test(args):
    etest.require_root()
    mode = etest.attach_modes()[0]
    bad_values(args)
    pty_bytes(args, mode)
    if shutil.which("tmux") is None:
        etest.skip("tmux is not installed (apt-get install tmux; scripts/setup.sh --tests "
                   "installs it): the screens were not checked (the pty part passed)")
    tmp = tempfile.mkdtemp(prefix="etest-live-")
    try:
        screens(args, mode, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    etest.main(test)
