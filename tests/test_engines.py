"""The same site from MkDocs 1.6.1 and from ProperDocs 1.6.7 (its maintained drop-in fork), by their real commands.

ProperDocs answers every ``import mkdocs`` with its own package, so tipsheet's
plugins and every shortcut run unchanged; the one difference in the output is
the theme's generator tag.  Nothing is mocked: each engine's command line
builds the repository's own sample site in a new process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sitekit import differences, tip, write_project
from test_build_shortcuts import files

REPO = Path(__file__).resolve().parent.parent
GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')
ENGINES = ("mkdocs", "properdocs")


def command(engine: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    return subprocess.run([sys.executable, "-m", engine, "build", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_sample_site_is_byte_identical_under_mkdocs_and_properdocs_but_for_the_generator_tag(tmp_path):
    outputs = {}
    for engine in ENGINES:
        done = command(engine, REPO, "--strict", "-f", "mkdocs.yml", "-d", str(tmp_path / engine))
        assert done.returncode == 0, done.stderr[-3000:]
        assert " is off for this build" not in done.stderr and "rendered for each page" not in done.stderr
        outputs[engine] = tree(tmp_path / engine)
    mkdocs, properdocs = outputs["mkdocs"], outputs["properdocs"]
    assert len(mkdocs) > 100
    differing = differences(mkdocs, properdocs)
    assert differing and all(name.endswith(".html") for name in differing)
    beyond_the_tag = [n for n in differing if GENERATOR.sub(b"", mkdocs[n]) != GENERATOR.sub(b"", properdocs[n])]
    assert beyond_the_tag == []
    assert b'content="mkdocs-1.6.1, mkdocs-material-9.8.2"' in mkdocs["index.html"]
    assert b'content="mkdocs-ProperDocs 1.6.7, mkdocs-material-9.8.2"' in properdocs["index.html"]


@pytest.mark.parametrize("engine", ENGINES)
def test_strict_counts_warnings_from_forked_workers_and_keeps_the_last_site(tmp_path, engine):
    """The command line stops its logger's records at its own handler: the workers' warnings must reach it."""
    many = files(80)
    many.pop("about.md")  # its footnote needs an extension this site does not load
    write_project(tmp_path, many)
    first = command(engine, tmp_path, "-v")
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stdout.count("started a build worker") + first.stderr.count("started a build worker") >= 2
    before = tree(tmp_path / "site")
    (tmp_path / "content" / "tips" / "t79.md").write_text(tip("Tip 79", date="2026-11-01",
                                                              body="See [this](nothere.md)."))  # a worker's share
    failed = command(engine, tmp_path, "--strict", "-v")
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output[-3000:]
    assert "started a build worker" in output
    assert "'tips/nothere.md' is not found among documentation files" in output
    assert "Aborted with 1 warnings in strict mode!" in output
    assert tree(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "mkdocs.yml", "site"]
