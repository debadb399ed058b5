"""Every fenced command of the README runs, in order, in a copy of the project: bash blocks line by
line, Python blocks as scripts. Installing (pip, venv) and the test suite itself are what the
install already did; a block marked ``<!-- not run by tests/test_readme.py: … -->`` needs what the
test environment has not (a cluster, a folder of the reader's own)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"(<!-- not run by tests/test_readme\.py:[^>]*-->\n)?```(bash|python)\n(.*?)```", re.S)
SKIPPED_STEPS = ("pip install", "python3 -m venv", "-m pytest")


def blocks() -> list[tuple[str, str, bool]]:
    return [(lang, body, bool(marker)) for marker, lang, body in FENCE.findall(README.read_text(encoding="utf-8"))]


def bash_steps(body: str) -> list[str]:
    """A block's command lines, each split at ``&&`` and without the install steps."""
    steps = []
    for line in body.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for step in line.split(" && "):
            if not any(s in step for s in SKIPPED_STEPS):
                steps.append(step)
    return steps


def test_the_readme_has_commands_to_run_and_names_what_it_leaves_out():
    found = blocks()
    run = [b for b in found if not b[2]]
    assert len(run) >= 10 and sum(lang == "python" for lang, _, _ in run) >= 3
    assert sum(skip for _, _, skip in found) == 4  # Dask (two), Spark, a reviewed REFI-QDA project
    steps = [s for lang, body, skip in run if lang == "bash" for s in bash_steps(body)]
    for command in ("extract", "show", "compare", "evaluate", "themes"):
        assert any(f"directives {command}" in s for s in steps), command
    assert any("--manifest" in s for s in steps) and any("--dedupe" in s for s in steps)
    assert "../shared" not in README.read_text(encoding="utf-8")


def test_every_fenced_command_runs_in_a_copy_of_the_project(tmp_path: Path):
    for name in ("seeds", "tests", "docs"):
        (tmp_path / name).symlink_to(ROOT / name)
    python = shlex.quote(sys.executable)
    ran = 0
    for i, (lang, body, skip) in enumerate(blocks()):
        if skip:
            continue
        if lang == "python":
            script = tmp_path / f"block{i}.py"
            script.write_text(body, encoding="utf-8")
            commands = [f"{python} {script.name}"]
        else:
            tools = {"directives": f"{python} -m extractor", "python": python}
            commands = [re.sub(r"\.venv/bin/(directives|python)\b", lambda m: tools[m.group(1)], s)
                        for s in bash_steps(body)]
        for command in commands:
            done = subprocess.run(["bash", "-c", f"mkdir -p out && {command}"], cwd=tmp_path, capture_output=True,
                                  text=True, timeout=300)
            assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            ran += 1
    assert ran >= 15
    # what the commands claim they write
    for name in ("directives.csv", "directives.documents.csv", "directives.xlsx", "unique.csv",
                 "with_manifest.csv", "003.html", "by_month.xlsx", "themes.png", "d.csv"):
        assert (tmp_path / "out" / name).stat().st_size > 0, name
    with_manifest = (tmp_path / "out" / "with_manifest.documents.csv").read_text(encoding="utf-8-sig")
    assert "http://www.example.gov.cn/4.html" in with_manifest
