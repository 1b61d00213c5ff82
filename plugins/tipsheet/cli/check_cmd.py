"""``tipsheet check``: every tip checked as the build checks it, plus advice, without building."""

from __future__ import annotations

import argparse
import json
import sys
from itertools import groupby
from typing import TYPE_CHECKING, Any

from ..content import clock
from ..content.catalog import Catalog
from ..content.problems import Problem, sort_key
from ..mail.notes import check_note_links, load_notes
from ..site.lint import lint
from .common import add_config_option

if TYPE_CHECKING:
    from .project import Project

HELP = """Check every tip without building the site: the build's errors, plus warnings for a
summary over 300 characters, a tip with no summary and no <!-- more -->, two tips with the
same title, and links or images that point at nothing.  Editor's notes of digests
(content/digests/<period>.md) are checked too.

Exit status: 0 clean (warnings allowed), 1 errors (or warnings with --strict).

examples:
  tipsheet check
  tipsheet check --strict
  tipsheet check --format json > problems.json
"""


def register(commands: Any) -> None:
    parser = commands.add_parser("check", help="check every tip without building", description=HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    add_config_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .project import open_project

    project = open_project(args.config_file)
    try:
        problems, files = check_problems(project)
    except clock.ClockError as exc:
        print(f"tipsheet check: {exc}", file=sys.stderr)
        return 2
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    failed = bool(errors) or (args.strict and bool(warnings))
    if args.format == "json":
        print(json.dumps({"tips": files, "errors": len(errors), "warnings": len(warnings),
                          "ok": not failed, "problems": [p.as_dict() for p in problems]}, indent=2))
    else:
        print_text(problems, files, len(errors), len(warnings), args.strict)
    return 1 if failed else 0


def check_problems(project: Project) -> tuple[list[Problem], int]:
    """Every problem of the tips and the editor's notes, sorted, and the number of tip files read.

    What ``tipsheet check`` prints and ``tipsheet publish`` checks first.  Raises ClockError.
    """
    loaded = project.load()
    now = clock.now()
    published = Catalog(project.tips(), project.settings, now).published
    problems = loaded.problems + lint(loaded, project.mkdocs.docs_dir, published)
    config = project.digests_config
    if config is not None and config.enabled:
        notes = load_notes(project.mkdocs.docs_dir, project.root, config.notes_dir, project.schedule(),
                           project.settings.max_tip_bytes)
        problems += notes.problems + check_note_links(notes, project.mkdocs.docs_dir,
                                                      {t.src_uri for t in loaded.tips},
                                                      {t.src_uri for t in published})
    return sorted(problems, key=sort_key), len(loaded.files)


def print_text(problems: list[Problem], files: int, errors: int, warnings: int, strict: bool) -> None:
    for path, group in groupby(problems, key=lambda p: p.path):
        print(path)
        for problem in group:
            label = "error" if problem.is_error or strict else "warning"
            where = f" (line {problem.line})" if problem.line else ""
            print(f"  {label}: {problem.message()}{where}")
    noun = "tip" if files == 1 else "tips"
    if not problems:
        print(f"{files} {noun} checked: all good")
        return
    print(f"{files} {noun} checked: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
