#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""textfile: --textfile PATH feeds node_exporter's textfile collector, atomically, and errors early.

Counting (the first attach mode: the hooks do not matter here): a directory D of the test's
own, PATH = D/bcc_execcount.prom, where the test first plants a symlink to a file elsewhere
(E/target.prom, holding a known text).  Debian's `prometheus-node-exporter` runs on a free
loopback port with only the textfile collector, reading D.  The tool runs with
`--textfile PATH --by uid --format json 1`; under uid 1234567 the helper makes 6 successful and
789 failing execs, under uid 3000000001 3 and 456.  Then:

- node_exporter's /metrics shows bcc_execcount_execs_total of each test uid with exactly those
  ok and failed values (sum = the execs made), and node_textfile_scrape_error 0 (it could parse
  the file);
- while the tool runs, PATH is read 1000 times a second: every read is a whole exposition (each
  family's HELP, TYPE and samples, ending in a newline: never a torn or half-written file), and
  PATH's inode changes from block to block (each block is a new file renamed over PATH, not a
  rewrite in place);
- PATH is then a regular file, no longer the symlink, readable by everyone and writable by no
  one but its owner (node_exporter runs as its own user); the symlink's target is untouched
  (same bytes, E holds only it);
- after SIGINT (exit 0): PATH holds the final totals: for every key of the final JSON line, the
  ok and failed series equal its row's, no other key, keys and dropped equal the final's; D holds
  only PATH (no temporary .bcc_execcount.prom.XXXXXX left).

Errors, each before anything is attached (exit 73, EX_CANTCREAT, one message on stderr, nothing
on stdout, no "counting execs via" line, no program or map left in the kernel):
- PATH's directory does not exist; PATH's "directory" is a regular file;
- PATH's directory is on a read-only mount (a read-only bind mount of a fresh directory, in a
  private mount namespace: root writes anywhere else);
and `--textfile ''` is a usage error (exit 64).  A write failing later (D removed while the tool
runs, for 3 intervals) is warned about once on stderr and the counting goes on; once D is back
the file is written again (exact counts), and SIGINT ends it with exit 0 and an exact final.
"""
import os
import shlex
import shutil
import signal
import stat
import tempfile
import threading
import time

import etest

NAME = "bcc_execcount.prom"
# uid: (successful execs, failing execs)
PLAN = {etest.UID_PLAIN: (6, 789), etest.UID_32BIT: (3, 456)}
PLANTED = b"# a file the symlink at PATH points to: the tool must not touch it\n"
MAP_NAMES = ("counts", "self")


class Watcher(threading.Thread):
    """Reads PATH every millisecond until stopped: every read that finds the file must parse as
    a whole exposition with every family; the distinct inodes PATH had are kept."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.stop_flag = threading.Event()
        self.inodes = []
        self.reads = 0
        self.problem = None

    def run(self):
        while not self.stop_flag.is_set() and self.problem is None:
            try:
                with open(self.path, "rb") as f:
                    ino = os.fstat(f.fileno()).st_ino
                    data = f.read()
            except FileNotFoundError:
                data = None  # before the first block
            except OSError as e:
                self.problem = f"reading {self.path}: {e}"
                break
            if data is not None and data != PLANTED:
                self.reads += 1
                if not self.inodes or self.inodes[-1] != ino:
                    self.inodes.append(ino)
                try:
                    expo = etest.parse_exposition(data, f"{self.path} (read {self.reads})")
                    etest.check_families(expo, f"{self.path} (read {self.reads})")
                except etest.Failure as e:
                    self.problem = f"a read of PATH found a torn or partial file: {e}"
            time.sleep(0.001)


def expected(uid):
    ok, failed = PLAN[uid]
    return {"ok": ok, "failed": failed}


def test_counting(args, mode, tmp):
    d = os.path.join(tmp, "textfile")
    elsewhere = os.path.join(tmp, "elsewhere")
    os.mkdir(d, 0o755)
    os.mkdir(elsewhere, 0o755)
    path = os.path.join(d, NAME)
    target = os.path.join(elsewhere, "target.prom")
    with open(target, "wb") as f:
        f.write(PLANTED)
    os.symlink(target, path)
    what = f"--attach {mode} --textfile {path} --by uid"
    ne_port = etest.free_port()
    with etest.start_node_exporter(tmp, d, port=ne_port) as ne, \
            etest.Tool(args.tool, ["--attach", mode, "--format", "json", "--textfile", path,
                                   "--by", "uid", "1"]) as t:
        watcher = Watcher(path)
        watcher.start()
        try:
            t.wait_start(mode)
            for uid, (ok, failed) in PLAN.items():
                etest.run_helper(args.helper, uid, ok, mode="ok")
                etest.run_helper(args.helper, uid, failed, mode="fail")
            deadline = time.monotonic() + 20 * etest.slowness()
            while True:
                expo, _ = etest.fetch_metrics(ne.port, what="node_exporter's /metrics")
                execs = expo.execs(("uid",))
                got = {uid: execs.get((str(uid), etest.user_name(uid) or "")) for uid in PLAN}
                errors = expo.samples("node_textfile_scrape_error")
                if all(got[uid] == expected(uid) for uid in PLAN) and errors == [({}, 0)]:
                    break
                if time.monotonic() > deadline:
                    etest.fail(f"{what}: node_exporter's /metrics never showed the test uids' "
                               f"series {{uid: {{outcome: value}}}} = "
                               f"{ {u: expected(u) for u in PLAN} } with "
                               f"node_textfile_scrape_error 0; last: {got}, errors {errors}\n"
                               f"--- its body:\n{expo.text}\n{ne.describe()}\n{t.describe()}")
                time.sleep(0.2)
            etest.log(f"{what}: node_exporter serves the exact series of uids {sorted(PLAN)}")
            # a few more blocks for the watcher: 3 more files renamed over PATH, one a second
            more = len(watcher.inodes) + 3
            deadline = time.monotonic() + etest.ticks_timeout(3)
            while (len(watcher.inodes) < more and watcher.problem is None
                   and time.monotonic() < deadline):
                time.sleep(0.05)
        finally:
            watcher.stop_flag.set()
            watcher.join()
        etest.check(watcher.problem is None, f"{what}: {watcher.problem}\n" + t.describe())
        etest.check(len(watcher.inodes) >= 3,
                    f"{what}: PATH was read {watcher.reads} times over 3+ blocks and had the "
                    f"inodes {watcher.inodes}: expected a new inode per block (a temporary file "
                    f"renamed over PATH), at least 3\n" + t.describe())
        etest.log(f"{what}: {watcher.reads} reads of PATH while it was replaced "
                  f"{len(watcher.inodes) - 1} times: each whole")
        st = os.lstat(path)
        etest.check(stat.S_ISREG(st.st_mode),
                    f"{what}: PATH was a symlink to {target}: expected it replaced by a regular "
                    f"file, got mode {stat.filemode(st.st_mode)}\n" + t.describe())
        perms = stat.S_IMODE(st.st_mode)
        etest.check(perms & 0o444 == 0o444 and perms & 0o033 == 0,
                    f"{what}: PATH has mode {perms:04o} ({stat.filemode(st.st_mode)}): expected "
                    f"it readable by everyone (node_exporter runs as its own user) and writable "
                    f"only by its owner, e.g. 0644\n" + t.describe())
        t.send(signal.SIGINT)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n" + t.describe())
        final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]))

    etest.check(etest.read_bytes(target) == PLANTED and os.listdir(elsewhere) == ["target.prom"],
                f"{what}: the symlink's target {target} was changed (or its directory): "
                f"{etest.read_bytes(target)[:500]!r}, {os.listdir(elsewhere)}")
    left = sorted(os.listdir(d))
    etest.check(left == [NAME], f"{what}: after the exit expected only {NAME} in {d} (no "
                f"temporary file left), got {left}\n" + t.describe())
    expo = etest.parse_exposition(etest.read_bytes(path), f"{what}: PATH after the exit")
    etest.check_families(expo, f"{what}: PATH after the exit")
    body = f"\n--- PATH:\n{expo.text}\n" + t.describe()
    want = {(str(uid), row["user"] or ""): {"ok": row["ok"], "failed": row["failed"]}
            for uid, row in final.items()}
    etest.check(expo.execs(("uid",)) == want,
                f"{what}: expected PATH to hold the final line's totals after the exit "
                f"{want}, got {expo.execs(('uid',))}" + body)
    for uid in PLAN:
        etest.check(want[(str(uid), etest.user_name(uid) or "")] == expected(uid),
                    f"{what}: uid {uid}: expected {expected(uid)} in the final" + body)
    for name, value in (("bcc_execcount_keys", final.nkeys),
                        ("bcc_execcount_dropped_total", final.dropped)):
        etest.check(expo.samples(name) == [({}, value)],
                    f"{what}: expected {name} {value} (the final line's) in PATH, got "
                    f"{expo.samples(name)}" + body)
    etest.log(f"{what}: after SIGINT PATH holds the final totals of {len(want)} keys; nothing "
              "else left in its directory; the planted symlink's target untouched")


def expect_cantcreat(args, mode, path, what, prefix=()):
    state = etest.KernelState()
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "--textfile", path, "1"],
                    prefix=prefix) as t:
        rc = t.wait_exit(etest.start_timeout())
    err = [line for line in t.stderr().splitlines() if line.strip()]
    etest.check(rc == 73, f"{what}: expected exit 73 (EX_CANTCREAT), got {rc}\n" + t.describe())
    etest.check(not t.lines, f"{what}: expected nothing on stdout (no start line: nothing "
                f"attached)\n" + t.describe())
    etest.check(err and all(line.startswith(etest.PREFIX) for line in err)
                and not any(etest.COUNTING_TEXT in line for line in err),
                f"{what}: expected a message beginning {etest.PREFIX!r} on stderr and no "
                f"{etest.COUNTING_TEXT!r} line\n" + t.describe())
    etest.wait_nothing_left(t.pid, set(), set(), state=state, map_names=MAP_NAMES,
                            context=f"{what}: ")
    etest.log(f"{what}: exit 73 before attaching: {err[0]}")


def test_errors(args, mode, tmp):
    expect_cantcreat(args, mode, os.path.join(tmp, "no-such-dir", NAME),
                     "--textfile in a directory that does not exist")
    afile = os.path.join(tmp, "a-file")
    etest.write_text(afile, "not a directory\n")
    expect_cantcreat(args, mode, os.path.join(afile, NAME),
                     "--textfile below a regular file")
    ro = os.path.join(tmp, "read-only")
    os.mkdir(ro, 0o755)
    script = (f"mount -o bind,ro {shlex.quote(ro)} {shlex.quote(ro)} || exit 98; "
              f"if touch {shlex.quote(ro)}/.etest-writable 2>/dev/null; then "
              "echo 'etest: the read-only bind mount is writable' >&2; exit 99; fi; "
              'exec "$0" "$@"')
    expect_cantcreat(args, mode, os.path.join(ro, NAME),
                     "--textfile in a directory on a read-only mount",
                     prefix=["unshare", "--mount", "--propagation", "private", "sh", "-c",
                             script])
    etest.check(os.listdir(ro) == [], f"the read-only case left {os.listdir(ro)} in {ro}")

    rc, out, err = etest.run_tool(args.tool, ["--textfile", "", "1"])
    etest.check(rc == 64 and out == "", "--textfile '': expected exit 64 and nothing on stdout\n"
                + etest.describe_run([args.tool, "--textfile", "", "1"], rc, out, err))
    etest.log("--textfile '': exit 64")

    # a write failing later: the directory removed under the running tool
    d = os.path.join(tmp, "removed")
    os.mkdir(d, 0o755)
    path = os.path.join(d, NAME)
    what = f"--attach {mode} --textfile {path}, its directory removed while the tool runs"
    with etest.Tool(args.tool, ["--attach", mode, "--format", "json", "--textfile", path,
                                "1"]) as t:
        t.wait_start(mode)
        deadline = time.monotonic() + 10 * etest.slowness()
        while not os.path.exists(path):
            etest.check(time.monotonic() < deadline, f"{what}: no {path} after 10 s\n"
                        + t.describe())
            time.sleep(0.05)
        before = t.stderr().splitlines()
        shutil.rmtree(d)
        time.sleep(3.5 * etest.slowness())  # 3 intervals: 3 failing writes
        etest.check(t.proc.poll() is None, f"{what}: expected the tool to keep counting, it "
                    f"exited\n" + t.describe())
        new_lines = t.stderr().splitlines()[len(before):]
        etest.check(len(new_lines) == 1 and new_lines[0].startswith(etest.PREFIX),
                    f"{what}: expected one warning on stderr for 3 failing writes, got "
                    f"{new_lines}\n" + t.describe())
        os.mkdir(d, 0o755)
        etest.run_helper(args.helper, etest.UID_PLAIN, 321)
        deadline = time.monotonic() + 10 * etest.slowness()
        while True:
            try:
                expo = etest.parse_exposition(etest.read_bytes(path), f"{what}: {path}")
            except FileNotFoundError:
                expo = None
            got = expo and expo.execs(("uid",)).get((str(etest.UID_PLAIN),
                                                    etest.user_name(etest.UID_PLAIN) or ""))
            if got == {"ok": 0, "failed": 321}:
                break
            etest.check(time.monotonic() < deadline, f"{what}: after the directory came back, "
                        f"expected {path} written again with uid {etest.UID_PLAIN}'s 321 failed "
                        f"execs within 10 s; got {got}\n" + t.describe())
            time.sleep(0.1)
        t.send(signal.SIGINT)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n" + t.describe())
        final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]))
        etest.check_row(t, final, etest.UID_PLAIN, what, count=321, ok=0, failed=321)
    etest.log(f"{what}: one warning ({new_lines[0]}), counting went on, the file came back "
              "with the directory")


def test(args):
    etest.require_root()
    etest.require_bpftool()
    etest.require_program("prometheus-node-exporter", "prometheus-node-exporter")
    mode = etest.attach_modes()[0]
    tmp = tempfile.mkdtemp(prefix="etest-textfile-")
    try:
        os.chmod(tmp, 0o755)
        etest.run_parts([lambda p=p: p(args, mode, tmp) for p in (test_counting, test_errors)])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    etest.main(test)
