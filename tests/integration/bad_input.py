#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bad_input: every row of the tables in docs/bad-input.md, run as written.

The document is the data: this test parses its tables (a header of exactly the columns in
COLUMNS) and runs each row, so the table and the test cannot drift apart.  A row that stops
matching what the tool does fails here; a row added to the document is tested at once.  And the
other way: every option `--help` lists with a value, and INTERVAL and COUNT, must have a row for
each kind of bad value in REQUIRED_KINDS, and --probe, --textfile and --listen one for each case
the issue names, so a new option without rows fails too.

A row's input is a command line (shlex), in the working directory of a fresh scratch directory,
with placeholders {name} made by the test (see Fixtures).  For a row with an exit other than 0:
  - the exit code is the row's, within the start time-out (nothing hangs, nothing runs);
  - nothing on stdout;
  - exactly one stderr line begins "bcc-execcount: ", and it is the row's line: exactly, or, when
    the row's line ends in "…", beginning with the text before it;
  - the other stderr lines are what "besides" says: nothing; "hint" (argp's one "Try ..." line);
    or a text that must be among them (clang's diagnostics, the verifier's log), the tool's line
    then coming last;
  - no file created, removed or changed in the scratch directory (no partial --textfile, no
    temporary file, a FIFO not replaced by a file);
  - for every exit but 64 (usage errors end before any privilege or kernel check): nothing of
    the run left in the kernel: no program, map, perf event or kprobe_events entry (bpftool).
For an exit of 0 (values at the edge that are accepted, each with COUNT 1): the start line on
stderr, data on stdout, nothing left loaded after the exit, and a --textfile PATH written whole
(a parsing exposition) with no temporary file beside it.
"""
import os
import random
import re
import shlex
import shutil
import socket
import stat
import tempfile

import etest

COLUMNS = ("what", "value", "input", "exit", "the tool's line on stderr", "besides it")
ELLIPSIS = "…"
HINT = "Try `bcc-execcount --help' or `bcc-execcount --usage' for more information."
MAP_NAMES = ("counts", "stats", "calls", "scratch", "execveats", "self", "tallies")
PROG_PREFIXES = ("execve", "exit_", "exec_")
LONG = "x" * 100000
BIG_SIZE = 1024 * 1024 + 1   # one byte over the tool's limit for a probe file

# every option with a value gets a row of each kind; so do INTERVAL and COUNT
REQUIRED_KINDS = ("missing", "empty", "negative", "huge", "non-numeric", "long")
POSITIONAL_KINDS = ("empty", "negative", "huge", "non-numeric", "long")
# the cases the issue names for the probe file, the textfile path and --listen
REQUIRED_CASES = {
    "--probe": ("does not exist", "a directory", "binary garbage", "binary garbage, no NUL",
                "over 1 MiB", "a syntax error", "rejected by the verifier", "no table counts",
                "a loop the verifier cannot finish", "includes itself"),
    "--textfile": ("directory missing", "directory is a file", "read-only directory"),
    "--listen": ("port in use",),
}


def doc_path(args):
    etest.check(args.source_dir, "--source-dir is required (the tree with docs/bad-input.md)")
    path = os.path.join(args.source_dir, "docs", "bad-input.md")
    etest.check(os.path.isfile(path), f"{path}: not found")
    return path


def code_span(cell, where):
    m = re.fullmatch(r"`([^`]*)`", cell.strip())
    etest.check(m is not None, f"{where}: expected one `code span`, got {cell!r}")
    return m.group(1)


def parse_rows(path):
    """The rows of every table in the document whose header is COLUMNS, as dicts."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    rows = []
    i = 0
    while i < len(lines):
        cells = split_row(lines[i])
        if cells is None or tuple(c.lower() for c in cells) != COLUMNS:
            i += 1
            continue
        i += 2   # the header and its |---| line
        while i < len(lines) and lines[i].startswith("|"):
            where = f"{os.path.basename(path)}:{i + 1}"
            cells = split_row(lines[i])
            etest.check(len(cells) == len(COLUMNS),
                        f"{where}: expected {len(COLUMNS)} cells, got {len(cells)}: {lines[i]!r}")
            what, value, argv, rc, line, besides = cells
            try:
                args = shlex.split(code_span(argv, where))
            except ValueError as e:
                etest.fail(f"{where}: the input is not a shell command line: {e}")
            etest.check(rc.strip().isdigit(), f"{where}: exit {rc!r} is not a number")
            rows.append({"where": where, "what": what.strip().strip("`"),
                         "value": value.strip(), "argv": args, "exit": int(rc),
                         "line": code_span(line, where), "besides": besides.strip(),
                         "text": lines[i]})
            i += 1
    etest.check(rows, f"{path}: no table with the columns {' | '.join(COLUMNS)}")
    return rows


def split_row(line):
    if not line.startswith("|"):
        return None
    cells = re.split(r"(?<!\\)\|", line.strip())
    return [c.replace("\\|", "|").strip() for c in cells[1:-1]]


def help_options(tool):
    """The long names of the options `--help` lists with a value (--attach=MODE: "--attach")."""
    rc, out, err = etest.run_tool(tool, ["--help"])
    etest.check(rc == 0, "--help: expected exit 0\n" + etest.describe_run([tool, "--help"], rc,
                                                                          out, err))
    names = re.findall(r"^\s+(?:-\w, )?(--[\w-]+)=", out, re.M)
    etest.check(len(names) >= 10, f"--help: expected the options with values, found {names}")
    return names


def check_coverage(rows, options):
    have = {(r["what"], r["value"]) for r in rows}
    missing = [f"{o} {k}" for o in options for k in REQUIRED_KINDS if (o, k) not in have]
    missing += [f"{p} {k}" for p in ("INTERVAL", "COUNT") for k in POSITIONAL_KINDS
                if (p, k) not in have]
    missing += [f"{o} {c}" for o, cases in REQUIRED_CASES.items() for c in cases
                if (o, c) not in have]
    etest.check(not missing, "docs/bad-input.md has no row for: " + ", ".join(missing)
                + " (each option --help lists with a value needs one row per kind: "
                + ", ".join(REQUIRED_KINDS) + ")")
    unknown = sorted({r["what"] for r in rows} - set(options) - {"INTERVAL", "COUNT"})
    etest.check(not unknown, f"docs/bad-input.md has rows for {unknown}, which --help does "
                f"not list with a value")


# --- fixtures ----------------------------------------------------------------------------------

class Fixtures:
    """The placeholders of one row, made on demand in its own scratch directory (dir).  Some
    bring a command the tool must run under (prefix) or a socket to hold (closed by close())."""

    def __init__(self, tool, shipped, dir):
        self.tool, self.shipped, self.dir = tool, shipped, dir
        self.values = {}
        self.prefix = []
        self.sockets = []

    def close(self):
        for s in self.sockets:
            s.close()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data, mode=None):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(p, mode)
        return p

    def edited(self, old, new, what, regex=False):
        if regex:
            text, n = re.subn(old, new, self.shipped)
            etest.check(n >= 2, f"{what}: expected {old!r} in the probe (--print-probe)")
            return text
        return etest.replace_once(self.shipped, old, new, what)

    def make(self, name):
        if name in self.values:
            return self.values[name]
        value = getattr(self, "make_" + name, None)
        etest.check(value is not None, f"unknown placeholder {{{name}}}")
        self.values[name] = str(value())
        return self.values[name]

    def expand(self, text):
        return re.sub(r"\{(\w+)\}", lambda m: self.make(m.group(1)), text)

    # placeholders

    def make_tmp(self):
        return self.dir

    def make_long(self):
        return LONG

    def make_missing(self):
        return self.path("missing.c")

    def make_dir(self):
        p = self.path("a-dir")
        os.mkdir(p)
        return p

    def make_afile(self):
        return self.write("a-file", b"not a directory\n")

    def make_pipe(self):
        p = self.path("a-fifo")
        os.mkfifo(p)
        return p

    def make_garbage(self):
        data = bytearray(random.Random(1).randbytes(4096))
        data[100] = 0
        return self.write("garbage.bin", bytes(data))

    def make_garbage_text(self):
        rnd = random.Random(2)
        return self.write("garbage.txt", bytes(rnd.randrange(1, 256) for _ in range(20000)))

    def make_big(self):
        head = self.shipped.encode("utf-8") + b"/*"
        tail = b"*/\n"
        return self.write("big.c", head + b"x" * (BIG_SIZE - len(head) - len(tail)) + tail)

    def make_empty(self):
        return self.write("empty.c", b"")

    def make_syntax(self):
        anchor = "\tu64 *counter;\n"
        text = self.edited(anchor, anchor + "\tu32 broken_here = ;\n", "a syntax error")
        return self.write("syntax.c", text.encode("utf-8"))

    def make_syntax_line(self):
        self.make("syntax")
        with open(self.values["syntax"], encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if "broken_here" in line:
                    return n
        etest.fail("the syntax-error probe has no broken line")

    # in count_key(), which every plan's programs call: the first one loaded, execve_exit()
    # by default (on x86_64's tracepoints), is the one refused
    COUNT_KEY_CHECK = ("\tif (!value) {\n\t\tstruct execcount_stats *st = stats.lookup(&zero);\n\n"
                       "\t\tif (st)\n\t\t\t__sync_fetch_and_add(&st->dropped, 1);\n\t\treturn;\n\t}\n")

    def make_unverifiable(self):
        text = self.edited(self.COUNT_KEY_CHECK, "", "no NULL check")
        return self.write("unverifiable.c", text.encode("utf-8"))

    def make_looping(self):
        loop = "\tvolatile u32 spin = 0;\n\tfor (int i = 0; i < 1000000; i++)\n\t\tspin += i;\n"
        text = self.edited(self.COUNT_KEY_CHECK, self.COUNT_KEY_CHECK + loop,
                           "a loop of 1,000,000 turns")
        return self.write("looping.c", text.encode("utf-8"))

    def make_selfinclude(self):
        path = self.path("self-include.c")
        return self.write("self-include.c",
                          f'#include "{path}"\n{self.shipped}'.encode("utf-8"))

    def make_notable(self):
        text = self.edited(r"\bcounts\b", "tallies", "no table counts", regex=True)
        return self.write("no-table.c", text.encode("utf-8"))

    def make_swapped(self):
        # the same sizes as the built-in probe's, so only the check of the fields can tell
        fields = ("\tu64 execve_ok;\n\tu64 execve_failed;\n"
                  "\tu64 execveat_ok;\n\tu64 execveat_failed;\n")
        swapped = ("\tu64 execve_failed;\n\tu64 execve_ok;\n"
                   "\tu64 execveat_failed;\n\tu64 execveat_ok;\n")
        text = self.edited(fields, swapped, "ok and failed swapped")
        return self.write("swapped.c", text.encode("utf-8"))

    def make_unreadable(self):
        # root with every capability dropped reads it no more than anyone: the file check comes
        # before the privilege check, so this is the probe-file error, not exit 77
        self.prefix = [shutil.which("setpriv") or etest.skip("setpriv (util-linux) is needed"),
                       "--inh-caps=-all", "--bounding-set=-all", "--"]
        return self.write("unreadable.c", self.shipped.encode("utf-8"), mode=0)

    def make_ro(self):
        p = self.path("read-only")
        os.mkdir(p, 0o755)
        script = (f"mount -o bind,ro {shlex.quote(p)} {shlex.quote(p)} || exit 98; "
                  f"if touch {shlex.quote(p)}/.writable 2>/dev/null; then "
                  "echo 'bad_input: the read-only bind mount is writable' >&2; exit 99; fi; "
                  'exec "$0" "$@"')
        self.prefix = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
        return p

    def make_busy_port(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        self.sockets.append(s)
        return s.getsockname()[1]

    def make_free_port(self):
        return etest.free_port()


def snapshot(top):
    """Every entry below top: {relative path: (type, size, mtime_ns, inode)}."""
    result = {}
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            p = os.path.join(root, name)
            st = os.lstat(p)
            kind = stat.S_IFMT(st.st_mode)
            result[os.path.relpath(p, top)] = (
                kind, st.st_size if kind == stat.S_IFREG else 0,
                st.st_mtime_ns if kind == stat.S_IFREG else 0, st.st_ino)
    return result


def describe_kind(entry):
    return {stat.S_IFREG: "file", stat.S_IFDIR: "directory", stat.S_IFIFO: "FIFO",
            stat.S_IFLNK: "symlink"}.get(entry[0], "other") if entry else "absent"


# --- running a row -----------------------------------------------------------------------------

def short(text, n=300):
    return text if len(text) <= n else f"{text[:n]}... [{len(text) - n} more characters]"


def line_matches(got, want):
    if want.endswith(ELLIPSIS):
        return got.startswith(want[:-len(ELLIPSIS)].rstrip())
    return got == want


def run_row(args, row, shipped, top, n):
    what = f"{row['where']}: {row['what']} {row['value']}"
    work = os.path.join(top, f"row-{n}")
    os.mkdir(work, 0o755)
    fx = Fixtures(args.tool, shipped, work)
    try:
        argv = [fx.expand(a) for a in row["argv"]]
        want_line = fx.expand(row["line"])
        besides = row["besides"]
        want_besides = None
        if besides not in ("nothing", "hint"):
            want_besides = fx.expand(code_span(besides, row["where"]))
        want_rc = row["exit"]
        textfile = None
        if "--textfile" in argv[:-1]:
            textfile = argv[argv.index("--textfile") + 1]
        cache_dir = None
        if "--cache-dir" in argv[:-1]:
            cache_dir = argv[argv.index("--cache-dir") + 1]
        before = snapshot(work)
        state = etest.KernelState() if want_rc != 64 else None
        with etest.Tool(args.tool, argv, prefix=fx.prefix, cwd=work) as t:
            rc = t.wait_exit(etest.start_timeout() + 10)
            err = t.stderr()
        shown = short(" ".join(shlex.quote(a) for a in argv), 200)
        context = (f"{what}: `{shown}`\n  row: {short(row['text'])}\n"
                   + short(t.describe(), 6000))
        problems = []
        if rc != want_rc:
            problems.append(f"expected exit {want_rc}, got {rc}")
        lines = [x for x in err.split("\n") if x != ""]
        mine = [x for x in lines if x.startswith(etest.PREFIX)]
        others = [x for x in lines if not x.startswith(etest.PREFIX)]
        if want_rc != 0 and t.lines:
            problems.append("expected nothing on stdout")
        if want_rc == 0 and not t.lines:
            problems.append("expected the counts on stdout")
        if len(mine) != 1:
            problems.append(f"expected exactly one line beginning {etest.PREFIX!r}, got "
                            f"{len(mine)}: {[short(x, 200) for x in mine]}")
        if not mine or not line_matches(mine[-1], want_line):
            problems.append(f"expected the line {short(want_line, 300)!r}")
        if want_besides is not None and mine and lines[-1] != mine[-1]:
            problems.append("expected the tool's line last on stderr, after the messages it "
                            "points at")
        if besides == "nothing" and others:
            problems.append(f"expected no other stderr line, got {short(repr(others))}")
        if besides == "hint" and others != [HINT]:
            problems.append(f"expected argp's hint {HINT!r} besides, got {short(repr(others))}")
        if want_besides is not None and not any(want_besides in x for x in others):
            problems.append(f"expected {want_besides!r} among the other stderr lines")
        after = snapshot(work)
        changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
        allowed = set()
        if want_rc == 0 and textfile is not None:
            allowed = {os.path.relpath(os.path.join(work, textfile), work)}
        if want_rc == 0 and cache_dir is not None:
            # an accepted --cache-dir is made (its last component) and gets the compiled probe
            rel = os.path.relpath(os.path.join(work, cache_dir), work)
            allowed |= {p for p in changed if p == rel or p.startswith(rel + os.sep)}
        wrong = [f"{p}: {describe_kind(before.get(p))} -> {describe_kind(after.get(p))}"
                 for p in changed if p not in allowed]
        if wrong:
            problems.append("expected no file created, removed or replaced in its directory; "
                            "changed: " + "; ".join(wrong))
        if want_rc == 0 and cache_dir is not None:
            p = os.path.join(work, cache_dir)
            st = os.lstat(p) if os.path.lexists(p) else None
            entries = sorted(os.listdir(p)) if st and stat.S_ISDIR(st.st_mode) else []
            if not (st and stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o755
                    and len(entries) == 1 and re.fullmatch(r"[0-9a-f]{64}\.probe", entries[0])):
                problems.append(f"expected --cache-dir {cache_dir} made (mode 0755) with the "
                                f"compiled probe in it, one <64 hex>.probe, got "
                                f"{'nothing' if st is None else stat.filemode(st.st_mode)} "
                                f"{entries}")
        if want_rc == 0 and textfile is not None:
            p = os.path.join(work, textfile)
            if not os.path.isfile(p):
                problems.append(f"expected --textfile {textfile} written")
            else:
                try:
                    etest.parse_exposition(etest.read_bytes(p), f"{what}: {textfile}")
                except etest.Failure as e:
                    problems.append(str(e))
        if problems:
            etest.fail("; ".join(problems) + "\n" + context)
        if state is not None:
            etest.wait_nothing_left(t.pid, set(), set(), state=state, map_names=MAP_NAMES,
                                    prog_prefixes=PROG_PREFIXES, context=f"{what}: ")
        etest.log(f"ok: {what}: exit {rc}: {short(mine[-1] if mine else '', 160)}")
    finally:
        fx.close()
        shutil.rmtree(work, ignore_errors=True)


def test(args):
    etest.require_root()
    etest.require_bpftool()
    rows = parse_rows(doc_path(args))
    check_coverage(rows, help_options(args.tool))
    rc, shipped, err = etest.run_tool(args.tool, ["--print-probe"])
    etest.check(rc == 0 and "BPF_PERCPU_HASH(counts," in shipped,
                "--print-probe: expected exit 0 and the probe\n"
                + etest.describe_run([args.tool, "--print-probe"], rc, shipped[:500], err))
    top = tempfile.mkdtemp(prefix="etest-bad-input-")
    try:
        os.chmod(top, 0o755)
        etest.log(f"{len(rows)} rows in docs/bad-input.md")
        etest.run_parts([lambda r=r, n=n: run_row(args, r, shipped, top, n)
                         for n, r in enumerate(rows)])
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    etest.main(test)
