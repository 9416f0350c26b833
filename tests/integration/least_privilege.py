#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""least_privilege: the capabilities docs/privileges.md names are enough, and a long-running tool
keeps only what reading its maps needs.

  root, bounding set {CAP_BPF, CAP_PERFMON}              counts the test's execs exactly
  uid 65534, ambient {CAP_BPF, CAP_PERFMON,
                      CAP_DAC_READ_SEARCH}                counts exactly (tracefs is root's, 0700)
  uid 65534, ambient {CAP_BPF, CAP_PERFMON}               exit 77, names CAP_DAC_READ_SEARCH,
                                                          nothing on stdout
  --listen, once counting: every thread of the tool (the HTTP thread too) has exactly CAP_BPF
  effective, permitted and in its bounding set, no ambient capability, no_new_privs set; /metrics
  still answers and the counts stay exact (the maps are read without the dropped capabilities)
  --textfile: CAP_BPF and CAP_DAC_OVERRIDE (it writes into node_exporter's directory), the rest
  as above
(tracefs must be mounted beforehand: mounting it needs CAP_SYS_ADMIN, which the test does not
give; the tool is run once as root first, which mounts it.)
"""
import glob
import os
import shutil
import signal
import tempfile

import etest

CAP_DAC_OVERRIDE = 1
CAP_BPF = 39
UID = etest.UID_PLAIN


def setpriv(*opts):
    return ["setpriv"] + list(opts)


def thread_caps(pid):
    """{tid: {"CapEff": int, ..., "NoNewPrivs": int}} for every thread of pid."""
    out = {}
    for status in glob.glob(f"/proc/{pid}/task/*/status"):
        fields = {}
        with open(status, encoding="utf-8") as f:
            for line in f:
                name, _, value = line.partition(":")
                if name in ("CapEff", "CapPrm", "CapBnd", "CapAmb", "CapInh"):
                    fields[name] = int(value.strip(), 16)
                elif name == "NoNewPrivs":
                    fields[name] = int(value.strip())
        out[status.split("/")[4]] = fields
    return out


def counts_exactly(args, mode, what, prefix):
    def work():
        etest.run_helper(args.helper, UID, 5, mode="ok")
        etest.run_helper(args.helper, UID, 777, mode="fail")

    t, final = etest.counting_run(args, mode, work, prefix=prefix, uids=[UID])
    etest.check_row(t, final, UID, what, count=782, ok=5, failed=777, execve=782, execveat=0)
    etest.log(f"{what}: counts exactly")


def refused_without_dac_read_search(args, mode):
    what = "uid 65534 with CAP_BPF and CAP_PERFMON only"
    argv = setpriv("--reuid", "65534", "--regid", "65534", "--clear-groups",
                   "--inh-caps", "+bpf,+perfmon", "--ambient-caps", "+bpf,+perfmon")
    rc, out, err = etest.run_tool(args.tool, ["--attach", mode, "-f", "json", "1", "1"],
                                  prefix=argv)
    etest.check(rc == 77 and out == "" and "CAP_DAC_READ_SEARCH" in err,
                f"{what}: expected exit 77, nothing on stdout, a message naming "
                "CAP_DAC_READ_SEARCH\n" + etest.describe_run(argv + [args.tool], rc, out, err))
    etest.log(f"{what}: exit 77, the missing capability named")


def dropped(args, mode, extra, want_caps, what):
    def work():
        etest.run_helper(args.helper, UID, 321, mode="fail")

    with etest.Tool(args.tool, ["--attach", mode, "-f", "json", "--uid", str(UID)] + extra
                    + ["1"]) as t:
        t.wait_start(mode)
        t.wait_stderr("serving metrics at" if "--listen" in extra else "counting execs via",
                      etest.start_timeout())
        caps = thread_caps(t.pid)
        etest.check(len(caps) >= (2 if "--listen" in extra else 1),
                    f"{what}: expected the main thread and the HTTP thread, got {caps}\n"
                    + t.describe())
        for tid, c in caps.items():
            etest.check(c["CapEff"] == want_caps and c["CapPrm"] == want_caps
                        and c["CapBnd"] == want_caps and c["CapAmb"] == 0
                        and c["CapInh"] == 0 and c["NoNewPrivs"] == 1,
                        f"{what}: thread {tid}: expected effective, permitted and bounding "
                        f"{want_caps:#x}, no ambient or inheritable, no_new_privs 1; got "
                        f"{ {k: hex(v) for k, v in c.items()} }\n" + t.describe())
        work()
        if "--listen" in extra:
            port = int(extra[extra.index("--listen") + 1].rsplit(":", 1)[1])
            expo, _ = etest.fetch_metrics(port, what=f"{what}: GET /metrics")
            etest.check_families(expo, f"{what}: GET /metrics")
        t.send(signal.SIGINT)
        rc = t.wait_exit(30 * etest.slowness())
        etest.check(rc == 0, f"{what}: expected exit 0 after SIGINT, got {rc}\n" + t.describe())
        final = etest.check_stream(etest.parse_json_lines(t, t.lines[1:]))
    etest.check_row(t, final, UID, what, count=321, ok=0, failed=321, execve=321, execveat=0)
    etest.log(f"{what}: every thread keeps {want_caps:#x} only, counts exact")


def test(args):
    etest.require_root()
    if not shutil.which("setpriv"):
        etest.skip("setpriv (util-linux) is needed to run the tool with chosen capabilities")
    mode = etest.attach_modes()[0]
    # mount tracefs if need be: the capability sets below cannot
    etest.run_tool(args.tool, ["--attach", mode, "-f", "json", "1", "1"])
    tmp = tempfile.mkdtemp(prefix="etest-privs-")
    try:
        port = etest.free_port()
        etest.run_parts([
            lambda: counts_exactly(args, mode, "root with only CAP_BPF and CAP_PERFMON",
                                   setpriv("--bounding-set", "-all,+bpf,+perfmon",
                                           "--inh-caps", "-all")),
            lambda: counts_exactly(args, mode, "uid 65534 with CAP_BPF, CAP_PERFMON and "
                                   "CAP_DAC_READ_SEARCH",
                                   setpriv("--reuid", "65534", "--regid", "65534",
                                           "--clear-groups",
                                           "--inh-caps", "+bpf,+perfmon,+dac_read_search",
                                           "--ambient-caps", "+bpf,+perfmon,+dac_read_search")),
            lambda: refused_without_dac_read_search(args, mode),
            lambda: dropped(args, mode, ["--listen", f"127.0.0.1:{port}"], 1 << CAP_BPF,
                            "--listen"),
            lambda: dropped(args, mode, ["--textfile", os.path.join(tmp, "x.prom")],
                            (1 << CAP_BPF) | (1 << CAP_DAC_OVERRIDE), "--textfile"),
        ])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    etest.main(test)
