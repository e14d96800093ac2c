#!/usr/bin/env python3
"""Fill (or check) the ```console blocks of the documentation with real output.

Each ```console block holds command lines starting with "$ "; everything else in the block is
the output of the command above it. The block runs in one bash session from the repository root
with build/ on the PATH, stderr merged into stdout.
Usage: tools/readme_examples.py fill|check [FILE.md ...]
Without files: README.md, CONTRIBUTING.md and every docs/*.md.
"""
import os
import re
import subprocess
import sys

mode = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the repository root
paths = sys.argv[2:] or (["README.md", "CONTRIBUTING.md"] +
                         sorted(os.path.join("docs", f) for f in os.listdir(os.path.join(root, "docs"))
                                if f.endswith(".md")))
env = dict(os.environ, PATH=os.path.join(root, "build") + ":" + os.environ["PATH"],
           COLUMNS="100", LC_ALL="C.UTF-8")

pattern = re.compile(r"```console\n(.*?)```", re.S)
failures = 0


def run_block(body):
    commands = [line[2:] for line in body.splitlines() if line.startswith("$ ")]
    script = "__rc=0\n"
    for i, cmd in enumerate(commands):
        script += (f"printf '%s\\n' {sh_quote('$ ' + cmd)}\n(exit $__rc)\n"
                   f"{{ {cmd}\n}} 2>&1\n__rc=$?\n")
    out = subprocess.run(["bash", "-c", script], cwd=root, env=env, capture_output=True,
                         text=True).stdout
    return out


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def replace_in(name):
    def replace(m):
        global failures
        body = m.group(1)
        out = run_block(body)
        if mode == "check" and out != body:
            failures += 1
            import difflib
            sys.stdout.writelines(difflib.unified_diff(body.splitlines(True), out.splitlines(True),
                                                       name, "now"))
        return "```console\n" + out + "```"
    return replace


blocks = 0
for path in paths:
    full = os.path.join(root, path)
    text = open(full, encoding="utf-8").read()
    blocks += len(pattern.findall(text))
    new = pattern.sub(replace_in(path), text)
    if mode == "fill":
        open(full, "w", encoding="utf-8").write(new)
if mode == "fill":
    print("filled", blocks, "blocks in", len(paths), "files")
else:
    print(f"blocks differing: {failures} of {blocks} in {len(paths)} files")
    sys.exit(1 if failures else 0)
