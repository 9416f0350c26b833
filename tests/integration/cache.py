#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""cache: the compiled-program cache (--cache-dir, --no-cache): a probe compiled once is loaded
from DIR/<sha256 of the key>.probe by the next start, exactly as if compiled, and anything odd
about the directory or an entry is refused, never trusted.

Every counting run below makes its own execs (3 successful, 5 failing) under a uid of its own
(4242301 and up, no other test uses them) and must count them exactly; each works in a fresh
temporary --cache-dir (root's, mode 0755), never the real /var/cache.  Hit and miss are told apart by
the --verbose lines (`cache: hit|miss|stored PATH`, the stage line `compile   N ms` on a miss,
`cache     N ms` on a hit); on neither does the running tool map libLLVM or libbcc.so.0
(/proc/PID/maps; libbcc_bpf is fine): a miss compiles in a process of its own.

- hit == compile, for each attach mode: DIR does not exist; the first start makes it (0755,
  root's), compiles, stores one entry (a regular file, root's, 0644, one link; no temporary file
  left); the second start is a hit, counts exactly the same way, leaves the entry as it was, and
  the kernel holds the same thing: the programs attached through the tool's perf events (bpftool
  prog show: kernel name, type, tag, license, size) and their maps (name, type, sizes,
  max_entries) equal the compiled run's (the programs from the cache carry no BTF, so bpftool
  shows the kernel's 15-byte names, not the function names: docs/design.md);
- the key: a baseline entry, then --by comm, --max-keys 2048 (the counts map has 2048 entries),
  --uid (another uid's execs not counted), an edited probe (adds 1000 per exec: the counts prove
  which program ran), and the same probe with one comment more: each a miss with a new entry
  name, then a hit on that name, and the baseline still a hit at the end;
- refused entries: at the baseline entry's path the test plants the good entry owned by 65534,
  group-writable (0664), writable by all (0666, run without --verbose: the line is printed
  anyway), a symlink to a copy of the good entry elsewhere, a second hard link to it, a FIFO,
  one byte flipped in the middle, the first byte (the magic) flipped, half of it, all but its
  last byte, one byte appended, an empty file, 1 GiB (a hole after the good bytes), and a valid
  entry of another key (the --max-keys 2048 one); each start prints exactly one line
  `bcc-execcount: cache entry PATH ignored: <reason> -- compiling the probe`, compiles, counts
  exactly, exits 0, and leaves a good entry (a regular file, root's, 0644, one link): the next
  start is a hit; the symlink's target and the other hard link keep their bytes;
- an unusable explicit --cache-dir (mode 0777, mode 0775, owned by 65534, a symlink to a good
  directory holding a valid entry, a regular file, a missing parent): exit 73, one line
  `bcc-execcount: cache directory DIR ...: <reason> -- <hint>`, nothing on stdout, nothing left
  loaded, nothing written anywhere (with --verbose: no compile, load or attach stage);
- --no-cache and the default directory, in a private mount namespace where /var/cache is a
  directory of the test's (a bind mount): --no-cache does not create /var/cache/bcc-execcount;
  without it the first start creates it and stores, the second hits (so the namespace works);
  then, with a valid entry and a file of the test's there, --no-cache compiles (LLVM mapped,
  `cache: off (--no-cache)`), and with the entry corrupted prints no refusal: the directory's
  listing, inodes, modes, owners, mtimes and contents are unchanged each time; and the default
  directory made writable by all is ignored with one warning, the run uncached and exact; with
  /var hidden (the default directory's parent missing) the run is uncached without a word, and
  --verbose says why in a `cache: ` line;
- a store killed between its temporary file and its rename (strace injects SIGKILL at the
  tool's one rename(), that of the entry: the strace log shows it was the entry's, after the
  programs were loaded and their perf events opened): the tool dies by SIGKILL, its temporary
  file `.<hash>.probe.XXXXXX` is left (the only file there), nothing of it is left in the kernel;
  aged an hour (os.utime) the next start removes it (`cache: removed PATH, left by a store
  that did not finish (written N s ago)`), stores, counts exactly, and leaves everything else: a
  younger temporary file of the same pattern (another instance's store in progress), and,
  aged too, files outside the pattern (`notes.txt`, `.notes.txt.abcdef`, `.<hash>.probe`,
  `.<hash>.probe.abc`, `.<hash>.probe.abcdef~`, uppercase hex) and a symlink and a directory
  that fit it (their targets untouched); aged in turn, the younger one is removed by the next
  start, a hit, as is one dated an hour ahead (the clock set back), while one a minute ahead
  stays.

"""
import os
import re
import shlex
import shutil
import signal
import stat
import tempfile
import time

import etest

OK_EXECS = 3
FAIL_EXECS = 5
UID_FIRST, UID_LAST = 4242301, 4242399   # this test's uids, one per counting run
FACTOR = 1000
ADD_LINE = "__sync_fetch_and_add(counter, 1);"
DEFAULT_DIR = "/var/cache/bcc-execcount"
MAP_NAMES = ("counts", "stats", "calls", "scratch", "execveats", "self")

CACHE_LINE = re.compile(r"^bcc-execcount: cache: (hit|miss|stored) (.+)$")
OFF_LINE = "bcc-execcount: cache: off (--no-cache)"
COMPILE_STAGE = re.compile(r"^bcc-execcount: compile\s+\d+(\.\d+)? ms")
CACHE_STAGE = re.compile(r"^bcc-execcount: cache\s+\d+(\.\d+)? ms")
LATER_STAGES = re.compile(r"^bcc-execcount: (compile|verify|load|attach|self-test)\s+\d")
REFUSED_LINE = re.compile(r"^bcc-execcount: cache entry (.+?) ignored: (.+) -- compiling the "
                          r"probe$")
DIR_LINE_PREFIX = "bcc-execcount: cache directory "
REMOVED_LINE = re.compile(r"^bcc-execcount: cache: removed (.+), left by a store that did not "
                          r"finish \((?:written \d+ s ago|dated \d+ s ahead: the clock was set "
                          r"back)\)$")
# atomic_write()'s temporary file of an entry: ".<entry name>.XXXXXX"
TEMP_NAME = re.compile(r"^\.([0-9a-f]{64}\.probe)\.[A-Za-z0-9]{6}$")
STALE_AGE = 3600   # seconds: far past the tool's 10 minutes (CACHE_TEMP_STALE_SECONDS)
# what a compile maps into the process; a start from the cache must not have any of them
COMPILER_LIBS = ("libLLVM", "libbcc.so", "libclang")


class Ctx:
    def __init__(self, args, mode, top):
        self.args, self.mode, self.top = args, mode, top
        self.uid = UID_FIRST - 1
        self.probe_text = None

    def next_uid(self):
        self.uid += 1
        etest.check(self.uid <= UID_LAST, f"the test ran out of its uids ({UID_FIRST}-"
                    f"{UID_LAST}): a bug in the test")
        return self.uid

    def path(self, *names):
        return os.path.join(self.top, *names)


class Result:
    """One counting run: the tool (for describe()), the entry path its cache lines named (or
    None), the libraries it had mapped, what it had loaded in the kernel."""

    def __init__(self, t, entry, libs, loaded):
        self.t, self.entry, self.libs, self.loaded = t, entry, libs, loaded


# --- what the running tool has -----------------------------------------------------------------

def mapped_libs(pid):
    """The file names of everything mapped in the process (basenames)."""
    names = set()
    with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as f:
        for line in f:
            fields = line.split(None, 5)
            if len(fields) == 6 and fields[5].startswith("/"):
                names.add(os.path.basename(fields[5].strip()))
    return names


def compiler_libs(libs):
    return sorted(n for n in libs if n.startswith(COMPILER_LIBS))


def loaded(t, state, mode):
    """The programs the tool attached (through its perf events, bpftool perf show) as bpftool
    prog show describes them, and their maps: comparable between two runs."""
    prog_ids, map_ids = etest.tool_objects(t, state, mode)
    progs = etest.bpf_progs()
    maps = etest.bpf_maps()
    # the kernel keeps 15 bytes of a program's name; bpftool shows the whole function name
    # when the program was loaded with BTF (its func_info), the kernel's otherwise
    p = sorted((progs[i].get("name", "")[:15], progs[i].get("type"), progs[i].get("tag"),
                progs[i].get("gpl_compatible"), progs[i].get("bytes_xlated"))
               for i in prog_ids if i in progs)
    m = sorted((maps[i].get("name"), maps[i].get("type"), maps[i].get("bytes_key"),
                maps[i].get("bytes_value"), maps[i].get("max_entries"), maps[i].get("flags"))
               for i in map_ids if i in maps)
    return {"progs": p, "maps": m}


def kernel_view(objects):
    """What the kernel runs: the programs (kernel name, type, tag, license, size) and maps."""
    return {"progs": objects["progs"], "maps": objects["maps"]}


def counts_max_entries(result):
    sizes = [m[4] for m in result.loaded["maps"] if m[0] == "counts"]
    etest.check(len(sizes) == 1, f"expected one map named counts among the tool's, got "
                f"{result.loaded['maps']}\n" + result.t.describe())
    return sizes[0]


# --- the cache's lines on stderr ---------------------------------------------------------------

def entry_regex(cache_dir):
    return re.compile(re.escape(cache_dir.rstrip("/")) + r"/[0-9a-fA-F]{64}\.probe")


def check_cache_lines(t, what, expect, verbose, cache_dir, entry=None):
    """The tool's stderr says what expect says happened with the cache:
      hit      `cache: hit P`, the `cache N ms` stage, no compile
      miss     `cache: miss P`, a compile, `cache: stored P`
      refused  one `cache entry P ignored: <reason> -- compiling the probe` (printed with or
               without --verbose), a compile, `cache: stored P`
      off      `cache: off (--no-cache)`, a compile, nothing else about the cache
      uncached one warning `cache directory <DIR> ignored: ... -- ...` (printed with or without
               --verbose), a compile, no hit, miss or store
      absent   (the default directory's parent missing) nothing at all without --verbose; with
               it a `cache: ...` line naming <DIR>; a compile, no hit, miss or store
    Without --verbose: none of the `cache:` or stage lines.  P (DIR/<64 hex>.probe; entry if
    given) is returned, or None."""
    lines = t.stderr().splitlines()
    found = {"hit": [], "miss": [], "stored": []}
    for line in lines:
        m = CACHE_LINE.match(line)
        if m:
            found[m.group(1)].append(m.group(2))
    offs = [line for line in lines if line == OFF_LINE]
    compiles = [line for line in lines if COMPILE_STAGE.match(line)]
    cache_stages = [line for line in lines if CACHE_STAGE.match(line)]
    refusals = [REFUSED_LINE.match(line) for line in lines if REFUSED_LINE.match(line)]
    dir_lines = [line for line in lines if line.startswith(DIR_LINE_PREFIX)]
    # messages about the cache that fit no pattern (a refusal worded otherwise, say)
    stray = [line for line in lines if line.startswith("bcc-execcount: cache entry ")
             and not REFUSED_LINE.match(line)]
    context = f"{what}: expected a cache {expect}"
    problems = []

    def want(cond, text):
        if not cond:
            problems.append(text)

    want(not stray, f"a line about a cache entry not of the form `cache entry PATH ignored: "
         f"REASON -- compiling the probe`: {stray}")
    if expect == "refused":
        want(len(refusals) == 1, f"exactly one `cache entry ... ignored` line, got "
             f"{[r.group(0) for r in refusals]}")
    else:
        want(not refusals, f"no `cache entry ... ignored` line, got "
             f"{[r.group(0) for r in refusals]}")
    if expect == "uncached":
        want(len(dir_lines) == 1 and f"{DIR_LINE_PREFIX}{cache_dir} ignored: " in dir_lines[0]
             and " -- " in dir_lines[0],
             f"exactly one warning `{DIR_LINE_PREFIX}{cache_dir} ignored: <reason> -- ...`, got "
             f"{dir_lines}")
    else:
        want(not dir_lines, f"no `{DIR_LINE_PREFIX}...` line, got {dir_lines}")

    path = None
    if verbose:
        if expect == "hit":
            want(len(found["hit"]) == 1, f"one `cache: hit PATH` line, got {found['hit']}")
            want(not found["miss"] and not found["stored"],
                 f"no miss or store, got {found['miss'] + found['stored']}")
            want(not compiles, f"no compile stage line, got {compiles}")
            want(len(cache_stages) == 1, f"one `cache   N ms` stage line, got {cache_stages}")
            path = found["hit"][0] if found["hit"] else None
        elif expect in ("miss", "refused"):
            if expect == "miss":
                want(len(found["miss"]) == 1, f"one `cache: miss PATH` line, got "
                     f"{found['miss']}")
            else:
                want(len(found["miss"]) <= 1, f"at most one `cache: miss PATH` line, got "
                     f"{found['miss']}")
            want(len(found["stored"]) == 1, f"one `cache: stored PATH` line, got "
                 f"{found['stored']}")
            want(not found["hit"], f"no hit, got {found['hit']}")
            want(len(compiles) == 1, f"one compile stage line, got {compiles}")
            want(not cache_stages, f"no `cache   N ms` stage line, got {cache_stages}")
            named = set(found["miss"] + found["stored"])
            want(len(named) == 1, f"miss and stored naming the one entry, got {sorted(named)}")
            path = found["stored"][0] if found["stored"] else None
        else:  # off, uncached, absent
            want(not any(found.values()), f"no `cache: hit|miss|stored` line, got {found}")
            if expect == "absent":
                said = [line for line in lines if line.startswith("bcc-execcount: cache: ")
                        and cache_dir in line]
                want(len(said) == 1, f"one `cache: ...` line naming {cache_dir} (--verbose says "
                     f"why there is no cache), got {said}")
            want(len(compiles) == 1, f"one compile stage line, got {compiles}")
            want(not cache_stages, f"no `cache   N ms` stage line, got {cache_stages}")
        if expect == "off":
            want(len(offs) == 1, f"one line {OFF_LINE!r}, got {offs}")
        else:
            want(not offs, f"no line {OFF_LINE!r}")
    else:
        want(not any(found.values()) and not offs and not compiles and not cache_stages,
             "without --verbose, none of the `cache:` and stage lines")
    if expect == "refused" and len(refusals) == 1:
        refused_path = refusals[0].group(1)
        if path is not None:
            want(refused_path == path, f"the refused entry {refused_path} and the stored one "
                 f"{path} to be the same")
        path = refused_path
    if path is not None:
        want(entry_regex(cache_dir).fullmatch(path) is not None,
             f"the entry to be {cache_dir}/<64 hex digits>.probe, got {path}")
        if entry is not None:
            want(path == entry, f"the entry {entry}, got {path}")
    if problems:
        etest.fail(f"{context}; " + "; ".join(problems) + "\n" + t.describe())
    return path


def check_libs(result, what, expect):
    """A counting process never maps the compiler: a hit loads the entry, a compile happens in a
    process of its own that hands the probe over (issue 14, item 7)."""
    found = compiler_libs(result.libs)
    how = ("a start from the cache must not map the compiler" if expect == "hit" else
           "a compile happens in a process of its own: the counting one must not map the compiler")
    etest.check(not found, f"{what}: {how}; /proc/{result.t.pid}/maps has {found}\n"
                + result.t.describe())


# --- counting runs ------------------------------------------------------------------------------

def counting(ctx, what, cache_opts, expect, cache_dir, entry=None, verbose=True, by=None,
             max_keys=None, filter_uid=None, probe=None, factor=1, prefix=(), mode=None):
    """Start the tool with cache_opts, make the run's execs under its own uid, SIGINT; exit 0,
    the exact counts, the cache lines of expect (check_cache_lines) and the libraries mapped
    (hit: no compiler; otherwise: the compiler).  by=("comm",): the helper sets a comm of the
    run, the row of that comm is checked.  filter_uid: (uid, other uid): --uid UID, and the
    other uid makes execs that must not be counted (the uids are part of the key: a second start
    must use the same)."""
    mode = mode or ctx.mode
    if filter_uid:
        uid, other = filter_uid
    else:
        uid, other = ctx.next_uid(), None
    comm = f"etcache{uid}"[:15] if by == ("comm",) else None
    argv = ["--attach", mode, "--format", "json"] + (["--verbose"] if verbose else [])
    argv += list(cache_opts)
    argv += etest.tool_options(by=by, max_keys=max_keys, uids=[uid] if filter_uid else None)
    if probe:
        argv += ["--probe", probe]
    argv.append("1")
    state = etest.KernelState()
    with etest.Tool(ctx.args.tool, argv, prefix=prefix) as t:
        t.wait_start(mode, probe=probe or "builtin", by=by or ("uid",),
                     max_keys=max_keys or etest.DEFAULT_MAX_KEYS)
        libs = mapped_libs(t.pid)
        objects = loaded(t, state, mode)
        etest.run_helper(ctx.args.helper, uid, OK_EXECS, mode="ok", comm=comm)
        etest.run_helper(ctx.args.helper, uid, FAIL_EXECS, mode="fail", comm=comm)
        if other is not None:
            etest.run_helper(ctx.args.helper, other, OK_EXECS + FAIL_EXECS, mode="fail")
        t.send(signal.SIGINT)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"{what}: after SIGINT expected exit 0, got {rc}\n" + t.describe())
        try:
            final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]),
                                       by=by or ("uid",))
        except etest.Failure as e:
            etest.fail(f"{what}: {e}\n" + t.describe())
    key = comm if comm is not None else uid
    n = OK_EXECS + FAIL_EXECS
    etest.check_row(t, final, key, what, count=factor * n, execve=factor * n, execveat=0,
                    ok=factor * OK_EXECS, failed=factor * FAIL_EXECS)
    if filter_uid:
        etest.check(set(final) == {uid}, f"{what}: --uid {uid}: expected rows for uid {uid} "
                    f"only (uid {other}'s execs not counted), got {sorted(final)}\n"
                    + t.describe())
    path = check_cache_lines(t, what, expect, verbose, cache_dir, entry)
    result = Result(t, path, libs, objects)
    check_libs(result, what, expect)
    return result


def check_entry_file(path, what, t=None):
    """A good entry: a regular file, root's, mode 0644, one link, not empty."""
    try:
        st = os.lstat(path)
    except OSError as e:
        etest.fail(f"{what}: expected the entry {path}: {e}" + ("\n" + t.describe() if t else ""))
    etest.check(stat.S_ISREG(st.st_mode) and st.st_uid == 0 and st.st_nlink == 1
                and stat.S_IMODE(st.st_mode) == 0o644 and st.st_size > 0,
                f"{what}: expected {path} a regular file of root's, mode 0644, one link, not "
                f"empty; got {stat.filemode(st.st_mode)} ({stat.S_IMODE(st.st_mode):04o}) uid "
                f"{st.st_uid} links {st.st_nlink} size {st.st_size}"
                + ("\n" + t.describe() if t else ""))
    return st


def check_listing(d, want, what, t=None):
    got = sorted(os.listdir(d))
    etest.check(got == sorted(want), f"{what}: expected {d} to hold exactly {sorted(want)} (no "
                f"temporary file left), got {got}" + ("\n" + t.describe() if t else ""))


def file_state(path):
    """(inode, mode, uid, links, size, mtime_ns, bytes) of path, not following a symlink."""
    st = os.lstat(path)
    data = None
    if stat.S_ISREG(st.st_mode):
        data = etest.read_bytes(path)
    elif stat.S_ISLNK(st.st_mode):
        data = os.readlink(path).encode()
    return (st.st_ino, st.st_mode, st.st_uid, st.st_nlink, st.st_size, st.st_mtime_ns, data)


def tree_state(top):
    """Every entry below top and top itself: {relative path: file_state}."""
    result = {".": file_state(top)}
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            p = os.path.join(root, name)
            result[os.path.relpath(p, top)] = file_state(p)
    return result


def diff_states(before, after):
    out = []
    for p in sorted(set(before) | set(after)):
        if before.get(p) != after.get(p):
            b, a = before.get(p), after.get(p)
            if b is None or a is None:
                out.append(f"{p}: {'absent' if b is None else 'present'} -> "
                           f"{'absent' if a is None else 'present'}")
            else:
                fields = ("inode", "mode", "uid", "links", "size", "mtime_ns", "contents")
                out.append(f"{p}: " + ", ".join(f for f, x, y in zip(fields, b, a) if x != y)
                           + " changed")
    return out


def make_dir(path, mode=0o755):
    os.mkdir(path)
    os.chmod(path, mode)
    return path


# --- the parts ----------------------------------------------------------------------------------

def hit_equals_compile(ctx, mode):
    """A fresh DIR made by the first start (a miss), then a hit that counts the same and loads
    the same programs and maps."""
    d = ctx.path(f"made-{mode}")
    what = f"--attach {mode} --cache-dir {d} (missing)"
    miss = counting(ctx, f"{what}, the first start", ["--cache-dir", d], "miss", d, mode=mode)
    st = os.lstat(d)
    etest.check(stat.S_ISDIR(st.st_mode) and st.st_uid == 0
                and stat.S_IMODE(st.st_mode) == 0o755,
                f"{what}: expected the tool to make {d} a directory of root's, mode 0755; "
                f"got {stat.filemode(st.st_mode)} uid {st.st_uid}\n" + miss.t.describe())
    name = os.path.basename(miss.entry)
    check_listing(d, [name], what, miss.t)
    check_entry_file(miss.entry, what, miss.t)
    before = file_state(miss.entry)
    etest.log(f"{what}: compiled, stored {name}; LLVM mapped: "
              f"{compiler_libs(miss.libs)}")

    hit = counting(ctx, f"--attach {mode} --cache-dir {d}, the second start",
                   ["--cache-dir", d], "hit", d, entry=miss.entry, mode=mode)
    etest.check(kernel_view(hit.loaded) == kernel_view(miss.loaded),
                f"--attach {mode}: a hit must load what the compile loaded; bpftool shows\n"
                f"  compiled:   {kernel_view(miss.loaded)}\n"
                f"  from cache: {kernel_view(hit.loaded)}\n" + hit.t.describe())
    etest.check(file_state(miss.entry) == before,
                f"--attach {mode}: a hit changed the entry {miss.entry}: "
                f"{diff_states({'e': before}, {'e': file_state(miss.entry)})}")
    check_listing(d, [name], f"--attach {mode}: after the hit", hit.t)
    progs = ", ".join(f"{p[0]} {p[2]}" for p in hit.loaded["progs"])
    etest.log(f"--attach {mode}: a hit counted exactly with libbcc_bpf only "
              f"({sorted(n for n in hit.libs if n.startswith('libbcc'))}); the same "
              f"programs and tags as the compile: {progs}")
    # (bpftool shows a compiled program's whole function name from its BTF; one from the cache
    # has no BTF, so the kernel's 15 bytes: docs/design.md says so. Compared above as the kernel
    # keeps them.)


def key_changes(ctx):
    """Each setting that changes what is compiled gives another entry; the same setting again
    finds it."""
    d = make_dir(ctx.path("keys"))
    opts = ["--cache-dir", d]
    base = counting(ctx, f"--cache-dir {d}, the built-in probe", opts, "miss", d)
    etest.check(counts_max_entries(base) == etest.DEFAULT_MAX_KEYS,
                f"the counts map should have {etest.DEFAULT_MAX_KEYS} entries\n"
                + base.t.describe())
    names = {os.path.basename(base.entry)}

    edited = etest.replace_once(ctx.probe_text, ADD_LINE,
                                ADD_LINE.replace("1)", f"{FACTOR})"), "--print-probe")
    edited_path = ctx.path("edited.c")
    etest.write_text(edited_path, edited)
    commented_path = ctx.path("edited-commented.c")
    etest.write_text(commented_path, edited + "/* one comment more: another text, another key */\n")

    variants = [
        ("--by comm", dict(by=("comm",))),
        ("--max-keys 2048", dict(max_keys=2048)),
        ("--uid", dict(filter_uid=(ctx.next_uid(), ctx.next_uid()))),
        (f"--probe {edited_path} (adds {FACTOR} per exec)", dict(probe=edited_path,
                                                                 factor=FACTOR)),
        (f"--probe {commented_path} (the same, one comment more)",
         dict(probe=commented_path, factor=FACTOR)),
    ]
    for label, kw in variants:
        miss = counting(ctx, f"{label}, the first start", opts, "miss", d, **kw)
        name = os.path.basename(miss.entry)
        etest.check(name not in names, f"{label}: expected a new entry (another key), got "
                    f"{name}, which an earlier setting made (entries: {sorted(names)})\n"
                    + miss.t.describe())
        names.add(name)
        check_entry_file(miss.entry, label, miss.t)
        hit = counting(ctx, f"{label}, the second start", opts, "hit", d, entry=miss.entry, **kw)
        etest.check(kernel_view(hit.loaded) == kernel_view(miss.loaded),
                    f"{label}: a hit must load what the compile loaded: compiled "
                    f"{kernel_view(miss.loaded)}, from cache {kernel_view(hit.loaded)}\n"
                    + hit.t.describe())
        if kw.get("max_keys"):
            for r in (miss, hit):
                etest.check(counts_max_entries(r) == kw["max_keys"],
                            f"{label}: the counts map should have {kw['max_keys']} entries, "
                            f"has {counts_max_entries(r)}\n" + r.t.describe())
        check_listing(d, names, label, hit.t)
        etest.log(f"{label}: a miss ({name}), then a hit, each exact")
    counting(ctx, "the built-in probe again after the other settings", opts, "hit", d,
             entry=base.entry)
    check_listing(d, names, "at the end")
    etest.log(f"the built-in probe is still a hit; {len(names)} entries, one per setting")


def bad_entries(ctx):
    """Entries the tool must not trust, each planted at the path of the real one."""
    d = make_dir(ctx.path("refused"))
    opts = ["--cache-dir", d]
    base = counting(ctx, f"--cache-dir {d}", opts, "miss", d)
    path = base.entry
    good = etest.read_bytes(path)
    other = counting(ctx, f"--cache-dir {d} --max-keys 2048", opts, "miss", d, max_keys=2048)
    foreign = etest.read_bytes(other.entry)
    etest.check(os.path.basename(other.entry) != os.path.basename(path),
                f"--max-keys 2048 must have another entry than the default's\n"
                + other.t.describe())
    names = {os.path.basename(path), os.path.basename(other.entry)}
    elsewhere = make_dir(ctx.path("refused-elsewhere"))
    link_target = os.path.join(elsewhere, "target.probe")
    hard_link = os.path.join(d, "second-link-of-the-entry")

    def write(data, mode=0o644):
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)

    def flipped(at):
        data = bytearray(good)
        data[at] ^= 0xFF
        return bytes(data)

    def plant_symlink():
        with open(link_target, "wb") as f:
            f.write(good)
        os.chmod(link_target, 0o644)
        os.symlink(link_target, path)
        return file_state(link_target)

    def after_symlink(before):
        etest.check(file_state(link_target) == before and os.listdir(elsewhere) ==
                    ["target.probe"], f"the symlink's target {link_target} was changed: "
                    f"{diff_states({'t': before}, {'t': file_state(link_target)})}, "
                    f"{os.listdir(elsewhere)}")

    def plant_hard_link():
        with open(hard_link, "wb") as f:
            f.write(good)
        os.chmod(hard_link, 0o644)
        os.link(hard_link, path)
        return os.lstat(hard_link).st_ino

    def after_hard_link(ino):
        st = os.lstat(hard_link)
        etest.check(st.st_ino == ino and etest.read_bytes(hard_link) == good
                    and st.st_nlink == 1 and os.lstat(path).st_ino != ino,
                    f"the other hard link {hard_link} should keep its inode and bytes (the entry "
                    f"replaced by a new file, not written through the link)")

    cases = [
        ("owned by uid 65534", lambda: (write(good), os.chown(path, 65534, 65534)), None, True),
        ("group-writable (0664)", lambda: write(good, 0o664), None, True),
        ("writable by all (0666), without --verbose", lambda: write(good, 0o666), None, False),
        ("a symlink to a good entry elsewhere", plant_symlink, after_symlink, True),
        ("a second hard link", plant_hard_link, after_hard_link, True),
        ("a FIFO", lambda: os.mkfifo(path, 0o644), None, True),
        ("one byte in the middle flipped", lambda: write(flipped(len(good) // 2)), None, True),
        ("the first byte flipped", lambda: write(flipped(0)), None, True),
        ("cut to half", lambda: write(good[:len(good) // 2]), None, True),
        ("its last byte cut", lambda: write(good[:-1]), None, True),
        ("one byte appended", lambda: write(good + b"\0"), None, True),
        ("empty", lambda: write(b""), None, True),
        ("1 GiB long (the good bytes, then a hole)",
         lambda: (write(good), os.truncate(path, 1 << 30)), None, True),
        ("a valid entry of another key (--max-keys 2048's)", lambda: write(foreign), None, True),
    ]
    for label, plant, after, verbose in cases:
        what = f"an entry {label}"
        if os.path.lexists(path):
            os.unlink(path)
        planted = plant()
        extra = {os.path.basename(hard_link)} if after is after_hard_link else set()
        r = counting(ctx, what, opts, "refused", d, entry=path, verbose=verbose)
        reason = REFUSED_LINE.match(next(line for line in r.t.stderr().splitlines()
                                         if REFUSED_LINE.match(line))).group(2)
        check_entry_file(path, f"{what}: after the run", r.t)
        if after is not None:
            after(planted)
        check_listing(d, names | extra, what, r.t)
        counting(ctx, f"{what}: the next start", opts, "hit", d, entry=path)
        etest.log(f"{what}: refused ({reason}), compiled, exact, replaced: the next start hits")
        if extra:
            os.unlink(hard_link)


def unusable_dirs(ctx):
    """An explicit --cache-dir the tool must not use: exit 73 before anything is compiled or
    attached, and nothing written."""
    good = make_dir(ctx.path("unusable-good"))
    counting(ctx, f"--cache-dir {good} (for the symlink case)", ["--cache-dir", good], "miss",
             good)
    scratch = make_dir(ctx.path("unusable"))
    afile = os.path.join(scratch, "a-file")
    etest.write_text(afile, "not a directory\n")

    def plain(name, mode, owner=0):
        p = make_dir(os.path.join(scratch, name), mode)
        os.chown(p, owner, owner)
        return p

    symlink = os.path.join(scratch, "a-symlink")
    os.symlink(good, symlink)
    cases = [
        ("mode 0777", plain("mode-0777", 0o777)),
        ("mode 0775 (group-writable)", plain("mode-0775", 0o775)),
        ("owned by uid 65534", plain("owned-65534", 0o755, 65534)),
        ("a symlink to a good directory holding a valid entry", symlink),
        ("a regular file", afile),
        ("in a directory that does not exist", os.path.join(scratch, "no-such-dir", "cache")),
    ]
    for label, d in cases:
        what = f"--cache-dir {label}"
        before = (tree_state(scratch), tree_state(good))
        state = etest.KernelState()
        argv = ["--attach", ctx.mode, "--format", "json", "--cache-dir", d, "1"]
        with etest.Tool(ctx.args.tool, argv) as t:
            rc = t.wait_exit(etest.start_timeout())
        lines = [line for line in t.stderr().splitlines() if line.strip()]
        etest.check(rc == 73, f"{what}: expected exit 73, got {rc}\n" + t.describe())
        etest.check(not t.lines, f"{what}: expected nothing on stdout\n" + t.describe())
        etest.check(len(lines) == 1 and lines[0].startswith(f"{DIR_LINE_PREFIX}{d} ")
                    and " -- " in lines[0],
                    f"{what}: expected exactly one line on stderr, `{DIR_LINE_PREFIX}{d} ...: "
                    f"<reason> -- <hint>`\n" + t.describe())
        etest.wait_nothing_left(t.pid, set(), set(), state=state, map_names=MAP_NAMES,
                                context=f"{what}: ")
        after = (tree_state(scratch), tree_state(good))
        changed = diff_states(before[0], after[0]) + diff_states(before[1], after[1])
        etest.check(not changed, f"{what}: expected nothing created, removed or changed in "
                    f"{scratch} or {good}; changed: {changed}\n" + t.describe())
        etest.log(f"{what}: exit 73, nothing loaded or written: {lines[0]}")

    # and with --verbose: it stops before the compile (or the cache), the load and the attach
    d = cases[0][1]
    argv = ["--attach", ctx.mode, "--format", "json", "--verbose", "--cache-dir", d, "1"]
    with etest.Tool(ctx.args.tool, argv) as t:
        rc = t.wait_exit(etest.start_timeout())
    late = [line for line in t.stderr().splitlines()
            if LATER_STAGES.match(line) or CACHE_LINE.match(line) or CACHE_STAGE.match(line)]
    etest.check(rc == 73 and not late and not t.lines,
                f"--verbose --cache-dir (mode 0777): expected exit 73 before any compile, cache "
                f"look-up, load or attach; got exit {rc} and {late}\n" + t.describe())
    etest.log("--verbose --cache-dir (mode 0777): exit 73 before the compile")


def no_cache_and_default_dir(ctx):
    """--no-cache never looks at the default directory; the default directory is made, used,
    and ignored with a warning when unsafe.  /var/cache is a directory of the test's, bound over
    it in a private mount namespace."""
    if not os.path.isdir("/var/cache"):
        etest.log("SKIP part: /var/cache does not exist here, nothing to bind the test's "
                  "directory over")
        return
    var_cache = make_dir(ctx.path("var-cache"))
    script = (f"mount --bind {shlex.quote(var_cache)} /var/cache || exit 98; "
              'exec "$0" "$@"')
    prefix = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
    inside = os.path.join(var_cache, "bcc-execcount")   # /var/cache/bcc-execcount in there

    def outside(p):
        etest.check(p.startswith(DEFAULT_DIR + "/"), f"expected an entry in {DEFAULT_DIR}, got "
                    f"{p}")
        return os.path.join(inside, p[len(DEFAULT_DIR) + 1:])

    counting(ctx, "--no-cache, the default directory missing", ["--no-cache"], "off",
             DEFAULT_DIR, prefix=prefix)
    check_listing(var_cache, [], f"--no-cache: {DEFAULT_DIR} must not be made")
    etest.log(f"--no-cache: compiled, exact, {DEFAULT_DIR} not made")

    miss = counting(ctx, "no option, the default directory missing", [], "miss", DEFAULT_DIR,
                    prefix=prefix)
    st = os.lstat(inside)
    etest.check(stat.S_ISDIR(st.st_mode) and st.st_uid == 0
                and stat.S_IMODE(st.st_mode) == 0o755,
                f"expected {DEFAULT_DIR} made, a directory of root's with mode 0755, got "
                f"{stat.filemode(st.st_mode)} uid {st.st_uid}\n" + miss.t.describe())
    entry = outside(miss.entry)
    check_entry_file(entry, "the default directory's entry", miss.t)
    check_listing(inside, [os.path.basename(entry)], "the default directory", miss.t)
    counting(ctx, "no option, the second start", [], "hit", DEFAULT_DIR, entry=miss.entry,
             prefix=prefix)
    etest.log(f"the default {DEFAULT_DIR}: made, stored, then a hit")

    etest.write_text(os.path.join(inside, "notes.txt"), "a file of the test's\n")
    for label in ("a valid entry there", "its entry corrupted (a byte flipped)"):
        if label.startswith("its entry corrupted"):
            data = bytearray(etest.read_bytes(entry))
            data[len(data) // 2] ^= 0xFF
            with open(entry, "wb") as f:
                f.write(bytes(data))
        before = tree_state(var_cache)
        r = counting(ctx, f"--no-cache, {label}", ["--no-cache"], "off", DEFAULT_DIR,
                     prefix=prefix)
        changed = diff_states(before, tree_state(var_cache))
        etest.check(not changed, f"--no-cache, {label}: expected {DEFAULT_DIR} untouched "
                    f"(listing, inodes, modes, mtimes, contents); changed: {changed}\n"
                    + r.t.describe())
        etest.log(f"--no-cache, {label}: compiled, exact, the directory untouched")

    os.chmod(inside, 0o777)
    before = tree_state(var_cache)
    r = counting(ctx, "the default directory writable by all", [], "uncached", DEFAULT_DIR,
                 verbose=False, prefix=prefix)
    changed = diff_states(before, tree_state(var_cache))
    etest.check(not changed, f"the default directory writable by all: expected nothing "
                f"stored or changed in it; changed: {changed}\n" + r.t.describe())
    line = next(x for x in r.t.stderr().splitlines() if x.startswith(DIR_LINE_PREFIX))
    etest.log(f"the default directory writable by all: one warning ({line}), compiled, exact")

    # /var hidden under an empty directory: the default directory's parent does not exist
    empty_var = make_dir(ctx.path("empty-var"))
    script = (f"mount --bind {shlex.quote(empty_var)} /var || exit 98; "
              'exec "$0" "$@"')
    prefix = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
    for verbose in (False, True):
        what = (f"/var/cache missing{', --verbose' if verbose else ''}")
        r = counting(ctx, what, [], "absent", DEFAULT_DIR, verbose=verbose, prefix=prefix)
        check_listing(empty_var, [], f"{what}: nothing made", r.t)
        said = [x for x in r.t.stderr().splitlines() if x.startswith("bcc-execcount: cache: ")]
        etest.log(f"{what}: uncached{' silently' if not verbose else ''}, compiled, exact"
                  + (f" ({said[0]})" if said else ""))


def removed_lines(t):
    return [m.group(1) for m in map(REMOVED_LINE.match, t.stderr().splitlines()) if m]


def age(path, seconds):
    """Set path's times seconds in the past (negative: in the future), not following a link."""
    when = time.time() - seconds
    os.utime(path, (when, when), follow_symlinks=False)


def interrupted_store(ctx):
    """A store killed between its temporary file and its rename: the temporary file stays, the
    kernel holds nothing of the tool; once stale, the next start removes it, and only it."""
    etest.check(shutil.which("strace") is not None,
                "strace is needed to kill the tool at its rename(): scripts/setup.sh --tests "
                "installs it (apt-get install strace)")
    d = make_dir(ctx.path("interrupted"))
    opts = ["--cache-dir", d]
    first = counting(ctx, f"--cache-dir {d}, before the interrupted store", opts, "miss", d)
    entry, name = first.entry, os.path.basename(first.entry)
    os.unlink(entry)

    # the next start compiles again and is killed at the entry's rename
    log_path = ctx.path("interrupted.strace")
    prefix = ["strace", "-f", "-qq", "-o", log_path, "-e", "trace=/^rename,bpf,perf_event_open",
              "-e", "inject=/^rename:signal=SIGKILL:when=1"]
    argv = ["--attach", ctx.mode, "--format", "json", "--verbose"] + opts + ["1"]
    what = f"--cache-dir {d}, SIGKILL at the entry's rename()"
    state = etest.KernelState()
    with etest.Tool(ctx.args.tool, argv, prefix=prefix) as t:
        rc = t.wait_exit(etest.start_timeout())
    with open(log_path, encoding="utf-8", errors="replace") as f:
        trace = f.read().splitlines()
    renames = [re.match(r'^(\d+) +rename\w*\((?:[^"]*)"([^"]+)", (?:[^"]*)"([^"]+)"', line)
               for line in trace if re.match(r"^\d+ +rename", line)]
    context = f"{what}: strace log:\n  " + "\n  ".join(
        line for line in trace if not line.split(None, 1)[-1].startswith("bpf(")) + "\n"
    etest.check(rc == -signal.SIGKILL, f"{what}: expected the tool (under strace) killed by "
                f"SIGKILL, got {rc}\n" + context + t.describe())
    etest.check(len(renames) == 1 and renames[0] is not None,
                f"{what}: expected one rename() in the strace log\n" + context + t.describe())
    pid, src, dst = int(renames[0].group(1)), renames[0].group(2), renames[0].group(3)
    tmp_name = os.path.basename(src)
    m = TEMP_NAME.match(tmp_name)
    etest.check(dst == entry and os.path.dirname(src) == d and m and m.group(1) == name,
                f"{what}: expected the killed rename() to be of {d}/.{name}.XXXXXX to {entry}, "
                f"got {src} to {dst}\n" + context + t.describe())
    before = trace[:next(i for i, x in enumerate(trace) if re.match(r"^\d+ +rename", x))]
    loads = [x for x in before if re.search(r"bpf\(BPF_PROG_LOAD.*\) = \d+", x)]
    perfs = [x for x in before if re.search(r"perf_event_open\(.*\) = \d+", x)]
    etest.check(loads and perfs, f"{what}: expected programs loaded and perf events opened "
                f"before the rename (the kernel held something of the tool when it died)\n"
                + context + t.describe())
    etest.check(not t.lines, f"{what}: expected nothing on stdout (killed before the start "
                f"line)\n" + t.describe())
    check_listing(d, [tmp_name], f"{what}: the temporary file left", t)
    etest.wait_nothing_left(pid, set(), set(), state=state, map_names=MAP_NAMES,
                            context=f"{what}: ")
    etest.log(f"{what}: killed after {len(loads)} program loads and {len(perfs)} perf events; "
              f"{tmp_name} left, nothing in the kernel")

    # what must stay: a younger temporary file, and (aged too) what does not fit the pattern
    tmp = os.path.join(d, tmp_name)
    fresh = os.path.join(d, f".{name}.Fresh1")
    etest.write_text(fresh, "another instance's store in progress\n")
    others = ["notes.txt", ".notes.txt.abcdef", f".{name}", f".{name}.abc", f".{name}.abcdef~",
              f".{name.upper()[:64]}.probe.abcdef"]
    for other in others:
        etest.write_text(os.path.join(d, other), "not the cache's temporary file\n")
    elsewhere = make_dir(ctx.path("interrupted-elsewhere"))
    target = os.path.join(elsewhere, "target")
    etest.write_text(target, "a symlink's target\n")
    link = os.path.join(d, f".{name}.Link01")
    os.symlink(target, link)
    subdir = make_dir(os.path.join(d, f".{name}.Dir001"))
    kept = [fresh] + [os.path.join(d, o) for o in others] + [link, subdir]
    for p in [tmp, target] + kept[1:]:
        age(p, STALE_AGE)
    target_before = file_state(target)

    again = counting(ctx, f"--cache-dir {d}, the start after the interrupted store", opts,
                     "miss", d, entry=entry)
    removed = removed_lines(again.t)
    etest.check(removed == [tmp], f"the start after the interrupted store: expected one line "
                f"`cache: removed {tmp}, left by a store that did not finish (written N s "
                f"ago)`, got {removed}\n" + again.t.describe())
    check_listing(d, [name] + [os.path.basename(p) for p in kept],
                  "the start after the interrupted store: the stale temporary file removed, "
                  "the entry stored, nothing else touched", again.t)
    check_entry_file(entry, "the start after the interrupted store", again.t)
    etest.check(file_state(target) == target_before and os.path.isdir(subdir),
                f"the symlink's target {target} and the directory {subdir} must be untouched")
    etest.log(f"the next start: {tmp_name} removed (aged {STALE_AGE} s), stored, exact; a "
              f"younger temporary file and {len(kept) - 1} others kept")

    # the younger one once stale, one an hour ahead (the clock set back), one a minute ahead
    ahead = os.path.join(d, f".{name}.Ahead1")
    near = os.path.join(d, f".{name}.Near01")
    for p, seconds in ((fresh, STALE_AGE), (ahead, -STALE_AGE), (near, -60)):
        if p != fresh:
            etest.write_text(p, "a temporary file\n")
        age(p, seconds)
    hit = counting(ctx, f"--cache-dir {d}, a hit with stale temporary files", opts, "hit", d,
                   entry=entry)
    removed = removed_lines(hit.t)
    etest.check(sorted(removed) == sorted([fresh, ahead]),
                f"a hit: expected `cache: removed` lines for {fresh} and {ahead} (not {near}), "
                f"got {removed}\n" + hit.t.describe())
    check_listing(d, [name, os.path.basename(near)] + [os.path.basename(p) for p in kept[1:]],
                  "a hit with stale temporary files", hit.t)
    etest.log("a hit: the now stale temporary file and one dated an hour ahead removed, one a "
              "minute ahead kept")


def test(args):
    etest.require_root()
    rc, out, err = etest.run_tool(args.tool, ["--help"])
    etest.check(rc == 0, "--help: expected exit 0\n"
                + etest.describe_run([args.tool, "--help"], rc, out, err))
    if not re.search(r"^\s+--no-cache\b", out, re.M) or "--cache-dir" not in out:
        etest.skip("this bcc-execcount has no compiled-program cache (--help lists no "
                   "--no-cache and --cache-dir)")
    etest.require_bpftool()
    etest.require_program("unshare", "util-linux")
    rc, probe_text, err = etest.run_tool(args.tool, ["--print-probe"])
    etest.check(rc == 0 and ADD_LINE in probe_text,
                "--print-probe: expected exit 0 and the probe\n"
                + etest.describe_run([args.tool, "--print-probe"], rc, probe_text[:500], err))
    os.umask(0o022)
    top = tempfile.mkdtemp(prefix="etest-cache-")
    try:
        os.chmod(top, 0o755)
        ctx = Ctx(args, etest.attach_modes()[0], top)
        ctx.probe_text = probe_text
        parts = [lambda m=m: hit_equals_compile(ctx, m) for m in etest.attach_modes()]
        parts += [lambda p=p: p(ctx) for p in (key_changes, bad_entries, unusable_dirs,
                                               no_cache_and_default_dir, interrupted_store)]
        etest.run_parts(parts)
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    etest.main(test)
