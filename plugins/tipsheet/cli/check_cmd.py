"""``tipsheet check``: every tip checked as the build checks it, plus advice, without building."""

from __future__ import annotations

import argparse
import json
import sys
from itertools import groupby
from typing import Any

from ..content import clock
from ..content.catalog import Catalog
from ..content.problems import Problem, sort_key
from ..site.lint import lint
from .common import add_config_option

HELP = """Check every tip without building the site: the build's errors, plus warnings for a
summary over 300 characters, a tip with no summary and no <!-- more -->, two tips with the
same title, and links or images that point at nothing.

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
    loaded = project.load()
    try:
        now = clock.now()
    except clock.ClockError as exc:
        print(f"tipsheet check: {exc}", file=sys.stderr)
        return 2
    published = Catalog(project.tips(), project.settings, now).published
    problems = sorted(loaded.problems + lint(loaded, project.mkdocs.docs_dir, published), key=sort_key)
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    failed = bool(errors) or (args.strict and bool(warnings))
    if args.format == "json":
        print(json.dumps({"tips": len(loaded.files), "errors": len(errors), "warnings": len(warnings),
                          "ok": not failed, "problems": [p.as_dict() for p in problems]}, indent=2))
    else:
        print_text(problems, len(loaded.files), len(errors), len(warnings), args.strict)
    return 1 if failed else 0


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
