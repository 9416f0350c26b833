#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""training_doc: docs/training.md works as written.

The guide's shell blocks are fenced with an info string that says what the test does with them:

  ```sh {test expect="text" expect="more text" timeout=60}
      run, in order, each in its own `bash -e` (not -o pipefail: `... | head` is fine, as in a
      terminal), as root, in one scratch directory shared by all blocks, with the tool's
      directory first on PATH; it must exit 0 within timeout seconds (default 60) and its
      output (stdout and stderr together, as on a terminal) must contain every expect text
  ```sh {setup}
      not run: it puts the built tool on PATH and makes the scratch directory, which the test
      does itself with the build it is given (the block must still say so: it must export PATH
      with build/ first and cd into a directory)

Every other ```sh block is an error (a command the test would not run), and so is a guide with no
test block.  Each expect text must also appear in the ```text block that follows its command
block in the guide (the output the reader is shown): what is checked is what is shown.

Commands that run long (the tool, the original script) are bounded in the guide itself (COUNT,
`timeout -s INT`), so no command is replaced here.  A block still running at its timeout is
killed with its process group, and the test fails.
"""
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile

import etest

FENCE = re.compile(r"^```(\S*)\s*(?:\{(.*)\})?\s*$")
DEFAULT_TIMEOUT = 120


def parse_blocks(path):
    """[(line number, language, attributes dict, body)] of every fenced block."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group(1):
            i += 1
            continue
        start, lang, attrs_text = i + 1, m.group(1), m.group(2)
        body = []
        i += 1
        while i < len(lines) and lines[i] != "```":
            body.append(lines[i])
            i += 1
        etest.check(i < len(lines), f"{os.path.basename(path)}:{start}: the block never ends")
        attrs = {"words": [], "expect": []}
        if attrs_text is not None:
            try:
                tokens = shlex.split(attrs_text)
            except ValueError as e:
                etest.fail(f"{os.path.basename(path)}:{start}: bad attributes {attrs_text!r}: {e}")
            for token in tokens:
                key, eq, value = token.partition("=")
                if not eq:
                    attrs["words"].append(token)
                elif key == "expect":
                    attrs["expect"].append(value)
                elif key == "timeout":
                    attrs["timeout"] = float(value)
                else:
                    etest.fail(f"{os.path.basename(path)}:{start}: unknown attribute {key!r}")
        blocks.append((start, lang, attrs, "\n".join(body) + "\n"))
        i += 1
    return blocks


def plan(path):
    """The test blocks, each with the text block shown after it (or None); checks the rules."""
    blocks = parse_blocks(path)
    name = os.path.basename(path)
    steps = []
    setups = 0
    for n, (line, lang, attrs, body) in enumerate(blocks):
        if lang != "sh":
            continue
        if attrs["words"] == ["setup"]:
            setups += 1
            etest.check(re.search(r'export PATH="\$PWD/build:\$PATH"', body)
                        and re.search(r"^.*\bcd \S+", body, re.M),
                        f"{name}:{line}: the setup block should put $PWD/build first on PATH and "
                        f"cd into the demo's directory (the test does the same)")
            continue
        etest.check(attrs["words"] == ["test"], f"{name}:{line}: a ```sh block must be marked "
                    "{test ...} or {setup}: every command in the guide is run by this test")
        shown = None
        if n + 1 < len(blocks) and blocks[n + 1][1] == "text":
            shown = blocks[n + 1][3]
        for text in attrs["expect"]:
            etest.check(shown is not None and text in shown,
                        f"{name}:{line}: expects {text!r}, which the output shown after the "
                        "block (a ```text block) does not contain: the guide must show what is "
                        "checked")
        steps.append((line, attrs, body))
    etest.check(setups == 1, f"{name}: expected one ```sh {{setup}} block, found {setups}")
    etest.check(steps, f"{name}: no ```sh {{test}} block")
    return steps


def run_block(path, line, attrs, body, cwd, env):
    what = f"{os.path.basename(path)}:{line}"
    timeout = attrs.get("timeout", DEFAULT_TIMEOUT) * etest.slowness()
    proc = subprocess.Popen(["bash", "-e", "-c", body], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        etest.fail(f"{what}: still running after {timeout:.0f} s (killed)\n--- block:\n{body}"
                   f"--- output:\n{out.decode('utf-8', 'replace')}")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)   # anything the block left in the background
        except ProcessLookupError:
            pass
    text = out.decode("utf-8", "replace")
    missing = [t for t in attrs["expect"] if t not in text]
    etest.check(proc.returncode == 0 and not missing,
                f"{what}: expected exit 0" + (f" and {missing} in the output" if missing else "")
                + f", got exit {proc.returncode}\n--- block:\n{body}--- output:\n{text}--- end")
    etest.log(f"ok: {what}: exit 0, {len(attrs['expect'])} expected text(s) found")


def test(args):
    etest.require_root()
    for program, package in (("bpftool", "bpftool"), ("setpriv", "util-linux"),
                             ("timeout", "coreutils")):
        etest.require_program(program, package)
    if subprocess.run(["/usr/bin/python3", "-c", "import bcc"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        etest.skip("Debian's python3 cannot import bcc: the guide's original script needs "
                   "python3-bpfcc (apt-get install python3-bpfcc)")
    etest.check(args.source_dir, "--source-dir is required (the tree with docs/training.md)")
    path = os.path.join(args.source_dir, "docs", "training.md")
    steps = plan(path)
    tmp = tempfile.mkdtemp(prefix="etest-training-")
    try:
        env = dict(os.environ, PATH=os.path.dirname(args.tool) + os.pathsep
                   + os.environ.get("PATH", ""))
        for line, attrs, body in steps:
            run_block(path, line, attrs, body, tmp, env)
        left = os.listdir(tmp)
        etest.check(not left, f"the guide's last block should remove what it made; left: {left}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    etest.main(test)
