"""Finding and reading every tip of a site, once, with every problem collected.

This is the only place that reads tip files.  The build, ``tipsheet check``,
``tipsheet digest`` and ``tipsheet send`` all call :func:`load_tips` and get
the same tips and the same messages.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

from .fields import build_tip
from .model import Settings, Tip
from .problems import Problem, Severity
from .tipfile import read_text, split
from .topics import start_here_problems

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")


@dataclass(frozen=True)
class TipFile:
    abs_path: str
    path: str  # as the writer knows it, relative to the project: content/tips/x.md
    src_uri: str  # relative to the docs folder: tips/x.md


@dataclass
class Loaded:
    tips: list[Tip] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[TipFile] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def discover(docs_dir: str, project_dir: str, tips_dir: str) -> tuple[list[TipFile], list[Problem]]:
    """Every Markdown file under ``docs_dir/tips_dir``, sorted, following links but not loops."""
    root = os.path.join(docs_dir, tips_dir)
    problems: list[Problem] = []
    found: list[TipFile] = []
    if not os.path.isdir(root):
        return found, problems
    seen: set[tuple[int, int]] = set()
    for current, dirs, names in os.walk(root, followlinks=True):
        info = os.stat(current)
        if (info.st_dev, info.st_ino) in seen or _loops_back(current):
            dirs[:] = []
            rel = _display(current, project_dir)
            target = _display(os.path.realpath(current), project_dir)
            problems.append(Problem(rel, "folder", "a folder of tips", f"a link back to {target} (a loop)",
                                    "remove the link", Severity.ERROR))
            continue
        seen.add((info.st_dev, info.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or not name.lower().endswith(MARKDOWN_SUFFIXES):
                continue
            abs_path = os.path.join(current, name)
            if not name.endswith(MARKDOWN_SUFFIXES):  # MkDocs would publish 'Tip.MD' as a raw file
                stem, suffix = os.path.splitext(name)
                problems.append(Problem(_display(abs_path, project_dir), "file", "a name ending in .md",
                                        repr(name), f"rename it to {stem}{suffix.lower()}"))
                continue
            if not os.path.isfile(abs_path):
                problems.append(Problem(_display(abs_path, project_dir), "file", "a file",
                                        "a broken link", "remove it or fix its target"))
                continue
            src_uri = posixpath.join(*os.path.relpath(abs_path, docs_dir).split(os.sep))
            found.append(TipFile(abs_path, _display(abs_path, project_dir), src_uri))
    return found, problems


def _loops_back(path: str) -> bool:
    """A link to a folder that contains it: following it would walk the same tips forever."""
    if not os.path.islink(path):
        return False
    target = os.path.realpath(path)
    parent = os.path.realpath(os.path.dirname(path))
    return parent == target or parent.startswith(target.rstrip(os.sep) + os.sep)


def _display(abs_path: str, project_dir: str) -> str:
    return "/".join(os.path.relpath(abs_path, project_dir).split(os.sep))


def load_file(tip_file: TipFile, settings: Settings) -> tuple[Tip | None, list[Problem]]:
    text, problems = read_text(tip_file.abs_path, tip_file.path, settings.max_tip_bytes)
    if text is None:
        return None, problems
    source, problems = split(text, tip_file.path)
    if source is None:
        return None, problems
    return build_tip(source, tip_file.path, tip_file.src_uri, settings)


ReadTip = Callable[[TipFile, Settings], tuple[Tip | None, list[Problem]]]


def load_tips(docs_dir: str, project_dir: str, settings: Settings, read: ReadTip = load_file,
              discovered: tuple[list[TipFile], list[Problem]] | None = None) -> Loaded:
    """Read every tip; check what can only be checked across files (unique slugs, the tags' start_here).

    ``read`` reads one file (``mkdocs serve`` passes one that reuses an unchanged file's tip);
    ``discovered`` is :func:`discover`'s answer when the caller already has it.
    """
    files, problems = discovered if discovered is not None else discover(docs_dir, project_dir, settings.tips_dir)
    loaded = Loaded(problems=problems, files=files)
    by_slug: dict[str, Tip] = {}
    for tip_file in files:
        tip, found = read(tip_file, settings)
        loaded.problems.extend(found)
        if tip is None:
            continue
        first = by_slug.get(tip.slug)
        if first is not None:
            loaded.problems.append(Problem(tip.path, "slug", "a slug no other tip uses",
                                           f"{tip.slug!r}, already used by {first.path}",
                                           "set 'slug:' to something else"))
            continue
        by_slug[tip.slug] = tip
        loaded.tips.append(tip)
    loaded.problems.extend(start_here_problems(loaded.tips, settings))
    return loaded
