#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""probe_layout: the contract check reads libbcc's type descriptions, field by field
(issue 14, item 6: a value with ok and failed swapped was accepted and counted backwards).

  `counts` value with execve_ok/execve_failed (and the execveat pair) swapped: same sizes
      -> 65, stderr names the table, the field, the offset found and the one expected
  `counts` key with uid before cgroup (--by cgroup,uid: the same 16 bytes) -> 65, names 'cgroup'
  the unmodified probe given with --probe, and a copy with its structs renamed (the same
      fields): counted, ok and failed each exactly
  a cache hit whose kept description of `counts`' value has been swapped (the entry resealed)
      -> 65 with the same line: a hit is checked as a compile is
  an entry in the previous cache format (1, without descriptions) -> ignored, compiled, counted
For each refusal: nothing on stdout, nothing left loaded, nothing stored in the cache.
"""
import hashlib
import os
import re
import shutil
import sys
import tempfile

import etest

MAP_NAMES = ("counts", "stats", "calls", "scratch", "execveats", "self")
PROG_PREFIXES = ("execve", "exit_", "exec_")
# this test's own uid (no passwd entry): other tests' execs, counted by this tool too, use others
UID = 1234661
OK_EXECS = 2
FAIL_EXECS = 5
VALUE = ("\tu64 execve_ok;\n\tu64 execve_failed;\n\tu64 execveat_ok;\n\tu64 execveat_failed;\n")
SWAPPED = ("\tu64 execve_failed;\n\tu64 execve_ok;\n\tu64 execveat_failed;\n\tu64 execveat_ok;\n")
VALUE_LINE = ("bcc-execcount: probe table 'counts' value (struct execcount_value): field "
              "'execve_ok' is at offset 8, the host reads it at offset 0 -- ")
KEY_LINE = ("bcc-execcount: probe table 'counts' key (struct execcount_key): field 'cgroup' is at "
            "offset 8, the host reads it at offset 0 -- ")
# libbcc's description of the value as the cache keeps it, and the same with the names swapped
DESC_OK = b'["execve_ok","unsigned long long"], ["execve_failed","unsigned long long"]'
DESC_SWAPPED = b'["execve_failed","unsigned long long"], ["execve_ok","unsigned long long"]'
SHA256_LEN = 32


def refused(args, argv, want_texts, what, cache_dir):
    """Exit 65, every text on stderr, nothing on stdout, nothing loaded, nothing new cached.
    (A tool that accepts the probe counts one interval, of UID only, and exits 0.)"""
    argv = argv + ["--uid", str(UID), "1", "1"]
    state = etest.KernelState()
    before = sorted(os.listdir(cache_dir))
    with etest.Tool(args.tool, argv) as t:
        rc = t.wait_exit(etest.start_timeout())
        err = t.stderr()
        etest.check(rc == 65, f"{what}: expected exit 65, got {rc}\n" + t.describe())
        etest.check(not t.lines, f"{what}: expected nothing on stdout\n" + t.describe())
        for text in want_texts:
            etest.check(text in err, f"{what}: expected {text!r} on stderr\n" + t.describe())
    etest.wait_nothing_left(t.pid, set(), set(), state=state, map_names=MAP_NAMES,
                            prog_prefixes=PROG_PREFIXES, context=f"{what}: ")
    etest.check(sorted(os.listdir(cache_dir)) == before,
                f"{what}: expected nothing stored in {cache_dir}, it holds "
                f"{sorted(os.listdir(cache_dir))}")
    etest.log(f"ok: {what}: exit 65, named")


def counted(args, probe, what, by=None, extra_args=()):
    """A counting run: OK_EXECS successes and FAIL_EXECS failures under UID, each exactly."""
    mode = etest.attach_modes()[0]

    def work():
        etest.run_helper(args.helper, UID, OK_EXECS, mode="ok")
        etest.run_helper(args.helper, UID, FAIL_EXECS, mode="fail")

    t, final = etest.counting_run(args, mode, work, probe=probe, by=by, uids=[UID],
                                  extra_args=extra_args)
    etest.check_row(t, final, UID, f"{what} (--attach {mode})",
                    count=OK_EXECS + FAIL_EXECS, ok=OK_EXECS, failed=FAIL_EXECS)
    etest.log(f"ok: {what}: ok {OK_EXECS}, failed {FAIL_EXECS}")
    return t


def reseal(data):
    """The entry's SHA-256 (of everything before it, at its end) made right after an edit."""
    body = data[:-SHA256_LEN]
    return body + hashlib.sha256(body).digest()


def entry_of(cache_dir):
    entries = [n for n in os.listdir(cache_dir) if n.endswith(".probe")]
    etest.check(len(entries) == 1, f"expected one entry in {cache_dir}, found {entries}")
    return os.path.join(cache_dir, entries[0])


def rewrite(path, data):
    with open(path, "r+b") as f:
        f.write(data)
        f.truncate()


def test(args):
    etest.require_root()
    etest.require_bpftool()
    shipped = etest.read_bytes(etest.builtin_probe_path(args)).decode("utf-8")
    tmp = tempfile.mkdtemp(prefix="execcount-layout-")
    cache_dir = os.path.join(tmp, "cache")
    os.mkdir(cache_dir, 0o755)
    os.chmod(tmp, 0o755)
    cache = ["--cache-dir", cache_dir]
    try:
        path = os.path.join(tmp, "swapped.c")
        etest.write_text(path, etest.replace_once(shipped, VALUE, SWAPPED, "the value struct"))
        refused(args, cache + ["--probe", path, "--format", "json"], [VALUE_LINE],
                "counts' value with ok and failed swapped", cache_dir)

        key = "#ifdef EXECCOUNT_BY_CGROUP\n\tu64 cgroup; /* cgroup v2 id of the caller */\n#endif\n"
        uid = ("#ifdef EXECCOUNT_BY_UID\n"
               "\tu32 uid; /* real uid, as seen from the initial user namespace */\n#endif\n")
        reordered = etest.replace_once(shipped, key + uid, uid + key, "the key struct")
        path = os.path.join(tmp, "reordered.c")
        etest.write_text(path, reordered)
        refused(args, cache + ["--probe", path, "--by", "cgroup,uid", "--format", "json"],
                [KEY_LINE], "counts' key with uid before cgroup", cache_dir)

        path = os.path.join(tmp, "same.c")
        etest.write_text(path, shipped)
        counted(args, path, "the unmodified probe as --probe", extra_args=["--no-cache"])

        renamed, n = re.subn(r"\bexeccount_(key|value)\b", r"renamed_\1", shipped)
        etest.check(n >= 4, "expected the probe to use struct execcount_key and execcount_value")
        path = os.path.join(tmp, "renamed.c")
        etest.write_text(path, renamed)
        counted(args, path, "the probe with its structs renamed", extra_args=["--no-cache"])

        # the built-in probe, stored; then its kept description of counts' value swapped
        counted(args, None, "the built-in probe, stored in the cache", extra_args=cache)
        entry = entry_of(cache_dir)
        data = etest.read_bytes(entry)
        etest.check(data.count(DESC_OK) == 1,
                    f"{entry}: expected libbcc's description of counts' value, {DESC_OK!r}, once")
        rewrite(entry, reseal(data.replace(DESC_OK, DESC_SWAPPED)))
        refused(args, cache + ["--verbose", "--format", "json"],
                ["bcc-execcount: cache: hit ", VALUE_LINE],
                "a cache hit whose kept value description is swapped", cache_dir)

        # the previous format: the version after the 16-byte magic
        data = bytearray(data)
        data[16:20] = (1).to_bytes(4, sys.byteorder)
        rewrite(entry, reseal(bytes(data)))
        t = counted(args, None, "an entry of cache format 1", extra_args=cache)
        etest.check("ignored: written by another version of the cache format -- compiling the "
                    "probe" in t.stderr(),
                    "expected the format-1 entry to be ignored, named\n" + t.describe())
        version = etest.read_bytes(entry)[16:20]
        etest.check(version == (2).to_bytes(4, sys.byteorder),
                    f"{entry}: expected it stored anew in format 2, its version is {version!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    etest.main(test)
