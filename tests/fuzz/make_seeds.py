#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpora tests/fuzz/corpus/<target>/ (committed; run again after changing how a
fuzzer reads its input: fuzz.h's fuzz_u8/fuzz_u64/fuzz_bytes, fuzz_snapshot.h's order of fields).

    python3 tests/fuzz/make_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

UID, COMM, EXE, CGROUP = 0, 1, 2, 3


def u8(v):
    return bytes([v & 0xff])


def u64(v):
    """fuzz_u64: a length byte (0-8), then that many bytes, big-endian."""
    if v == 0:
        return u8(0)
    raw = v.to_bytes(8, "big").lstrip(b"\0")
    return u8(len(raw)) + raw


def text(b):
    """fuzz_bytes: a length byte (0xf0 + the high 4 bits of a two-byte length), then the bytes."""
    if len(b) < 0xf0:
        return u8(len(b)) + b
    return u8(0xf0 + (len(b) >> 8)) + u8(len(b) & 0xff) + b


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def cli_seeds():
    seeds = {
        "empty": [],
        "interval-count": ["2", "3"],
        "by-top-sort": ["-b", "uid,comm,exe,cgroup", "--top", "10", "-s", "failed"],
        "json-uids": ["-f", "json", "--uid", "0,1000,65534", "--syscalls", "execve"],
        "classic": ["-f", "classic", "-a", "tracepoint", "1", "1"],
        "listen": ["--listen", "[::1]:9435", "--max-series", "100", "--textfile", "/tmp/x.prom"],
        "errors": ["--by", "comm,,exe", "--top", "-1", "--max-keys", "99999999999999999999"],
        "help": ["--help"],
        "probe": ["-p", "mine.c", "-k", "/usr/src/linux", "-C", "-r", "5", "-v", "--print-probe"],
    }
    for name, argv in seeds.items():
        write("cli", name, b"\0".join(a.encode() for a in argv))
    # the listen parser sees the whole input too
    write("cli", "listen-v4", b"0.0.0.0:9400")


def case(by, rows, sort=0, top=0, interval=5, max_keys=10240, max_series=10000, final=1,
         kprobe=0, dropped=0, prev_ops=(), names=()):
    """fuzz_case_build's input: config, time, rows, previous-snapshot edits, names."""
    mask = 0
    for f in by:
        mask |= 1 << f
    b = u8(mask - 1)
    left = sorted(by)
    for f in by:  # the picks that give this --by order
        i = left.index(f)
        b += u8(i)
        left[i] = left[-1]
        left.pop()
    b += u8(sort) + u64(top) + u64(interval - 1) + u64(max_keys - 1) + u64(max_series - 1)
    b += u64(1764045000) + u64(123456789) + u8(final) + u8(kprobe) + u64(dropped)
    b += u8(len(rows))
    for r in rows:
        b += u64(r.get("cgroup", 0)) + u64(r.get("uid", 0)) + u8(r.get("pad", 0))
        if COMM in by:
            b += text(r.get("comm", b""))
        if EXE in by:
            b += text(r.get("exe", b""))
        for k in ("execve", "execveat", "ok", "failed"):
            b += u64(r.get(k, 0))
    # one edit per row left after merging equal keys (as key_decode sees them); unlisted: keep
    def decoded(r):
        return tuple(r.get(k, 0 if k in ("uid", "cgroup") else b"").split(b"\0")[0]
                     if k in ("comm", "exe") else r.get(k, 0)
                     for f, k in ((UID, "uid"), (COMM, "comm"), (EXE, "exe"), (CGROUP, "cgroup"))
                     if f in by)
    merged = len({decoded(r) for r in rows})
    ops = list(prev_ops)[:merged]
    for op in ops + [u8(0)] * (merged - len(ops)):
        b += op
    for n in names:
        b += u8(0) if n is None else u8(1) + text(n)
    return b


def output_seeds(target):
    rows = [
        dict(uid=1000, comm=b"bash", exe=b"/usr/bin/ls", cgroup=4242, execve=10, ok=9, failed=1),
        dict(uid=0, comm=b"cron", exe=b"/bin/sh", cgroup=1, execve=3, execveat=2, ok=5),
        dict(uid=65534, comm=b"\xff\xfe\x01\x1b[2J", exe=b"/tmp/\"q\",\r\n\\x\xc3\x28",
             cgroup=7, execve=1, failed=1),
        dict(uid=3000000001, comm=b"0123456789abcdef", exe=b"a" * 255, cgroup=2 ** 63,
             execve=2 ** 64 - 2, execveat=1, ok=2 ** 63, failed=2 ** 63),
        dict(uid=1000, comm=b"bash\0junk", exe=b"/usr/bin/ls", cgroup=4242, execve=1, ok=1),
    ]
    names = [b"alice", None, b"/system.slice/cron.service", b"\xe2\x80\xae\xc2\x85evil\n",
             b"\x7f\x9b", b"other", None, b"/user.slice/\"x\"", b"nobody", b"/"]
    write(target, "uid", case([UID], rows[:3], names=names[:3]))
    write(target, "all-fields", case([UID, COMM, EXE, CGROUP], rows, sort=1, top=3,
                                     prev_ops=[u8(0), u8(1), u8(2) + u64(5), u8(3) + u64(1)],
                                     names=names))
    write(target, "exe-cgroup", case([CGROUP, EXE], rows, sort=10, max_series=2,
                                     dropped=17, names=names[3:]))
    write(target, "comm-sorted", case([COMM, UID], rows, sort=8, top=1, kprobe=1, final=0,
                                      max_series=1, names=names))
    write(target, "empty", case([UID], []))


def keys_seeds():
    for mask in (1, 2, 4, 8, 15, 0):
        size = {0: 0, 1: 4, 2: 16, 4: 256, 8: 8, 15: 288}[mask]
        b = u8(mask)
        # a fresh key, the same with one byte changed, a copy of the first, another fresh one
        b += u8(0) + text(bytes((i * 37) & 0xff for i in range(size))) + u64(3) * 4 + u64(1)
        b += u8(1) + u8(size // 2 if size else 0) + u8(0) + u64(1) * 4 + u64(0)
        b += u8(2) + u8(0) + u64(5) * 4 + u64(2)
        b += u8(0) + text(b"\xff" * size) + u64(2 ** 64 - 1) * 4 + u64(7)
        write("keys", f"mask-{mask}", b)


def typedesc_seeds():
    # libbcc 0.26's descriptions of the built-in probe's tables, and a few shapes it can write
    u64, u32 = '"unsigned long long"', '"unsigned int"'
    seeds = {
        "counts-key-uid": '["execcount_key", [["uid",%s] ], "struct_packed"]' % u32,
        "counts-key-all": ('["execcount_key", [["cgroup",%s], ["uid",%s], ["comm","char", [16]], '
                           '["exe","char", [256]], ["__pad_end","char",[4]] ], "struct_packed"]'
                           % (u64, u32)),
        "counts-value": ('["execcount_value", [["execve_ok",%s], ["execve_failed",%s], '
                         '["execveat_ok",%s], ["execveat_failed",%s] ], "struct_packed"]'
                         % ((u64,) * 4)),
        "self-value": ('["execcount_self", [["pidns_dev",%s], ["pidns_ino",%s], ["tgid",%s], '
                       '["global_tgid",%s], ["entries",%s], ["exits",%s] ], "struct_packed"]'
                       % (u64, u64, u32, u32, u64, u64)),
        "index": '"int"',
        "nested": ('["o", [["a","char"], ["__pad_1","char",[7]], ["in", ["i", [["x","int"]], '
                   '"struct_packed"], [2]], ["", [["p","int"], ["q","long"]], "union"]], '
                   '"struct_packed"]'),
        "bitfield": '["b", [["a","int", 3], ["e", ["en", ["A","B"], "enum"]]], "struct"]',
    }
    for name, desc in seeds.items():
        # the first byte also picks the --by set of the counts key compared with
        write("typedesc", name, desc.encode("ascii"))


if __name__ == "__main__":
    cli_seeds()
    output_seeds("output")
    output_seeds("metrics")
    keys_seeds()
    typedesc_seeds()
