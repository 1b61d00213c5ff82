"""``tipsheet new``: start this week's tip with complete front matter, in the right place."""

from __future__ import annotations

import argparse
import os
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import yaml

from ..content import clock
from ..content.fields import slugify
from ..content.problems import did_you_mean
from .common import CliError, add_config_option

if TYPE_CHECKING:
    from .project import Project

HELP = """Create content/tips/<year>/<slug>.md with complete front matter, a summary to fill in
and the <!-- more --> marker, then print its path. Nothing is overwritten.

The date defaults to the next publishing day (publish_day in mkdocs.yml) that has no tip yet.

examples:
  tipsheet new "Answer within the hour" --tags responsiveness,complaints
  tipsheet new "Greet by name" --tags training --series first-five-minutes --date 2026-12-08
"""

BODY = """Start with the situation your reader meets at work. This first paragraph is the teaser on the
home page and in the email when there is no summary.

<!-- more -->

## What to do

The rest of the tip: one habit, one example, one sentence they can say tomorrow.
"""


def register(commands: Any) -> None:
    parser = commands.add_parser("new", help="start a new tip", description=HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("title", help="the tip's title, in quotes")
    parser.add_argument("--tags", required=True, help="comma-separated tag keys, e.g. sports,government")
    parser.add_argument("--date", help="YYYY-MM-DD (default: the next publishing day)")
    parser.add_argument("--series", help="a series key from mkdocs.yml")
    parser.add_argument("--author", help="an author key from mkdocs.yml (default: the site's default author)")
    parser.add_argument("--slug", help="the URL name (default: made from the title)")
    add_config_option(parser)
    parser.set_defaults(run=run)


def _key(value: str, known: Any, option: str, what: str) -> str:
    lowered = {k.lower(): k for k in known}
    if value.strip().lower() not in lowered:
        raise CliError(f"{option}: expected one of the site's {what}, got {value!r} "
                       f"({did_you_mean(value, known, what)})")
    key: str = lowered[value.strip().lower()]
    return key


def next_publishing_day(project: Project, today: date) -> date:
    """The first publishing weekday from today on that has no tip yet."""
    weekday = project.settings.publish_weekday
    taken = {t.date.astimezone(project.settings.timezone).date() for t in project.load().tips}
    day = today
    for _ in range(400):
        if (weekday is None or day.weekday() == weekday) and day not in taken:
            return day
        day += timedelta(days=1)
    return today


def run(args: argparse.Namespace) -> int:
    from .project import open_project

    project = open_project(args.config_file)
    settings = project.settings
    title = " ".join(args.title.split())
    if not title:
        raise CliError("title: expected a title in plain text, got an empty text")
    tags = [_key(t, settings.tags, "--tags", "tags") for t in args.tags.split(",") if t.strip()]
    if not tags:
        raise CliError("--tags: expected 1 or more tags, like --tags sports,government, got nothing")
    if len(set(tags)) != len(tags):
        raise CliError(f"--tags: expected each tag once, got {args.tags!r}")
    series = _key(args.series, settings.series, "--series", "series") if args.series else None
    author = _key(args.author, settings.authors, "--author", "authors") if args.author else None
    if args.date:
        try:
            when = date.fromisoformat(args.date)
        except ValueError:
            raise CliError(f"--date: expected a date as YYYY-MM-DD, got {args.date!r}") from None
    else:
        today = clock.now().astimezone(settings.timezone).date()
        when = next_publishing_day(project, today)
    slug = args.slug or slugify(title)
    if not slug or slugify(slug) != slug:
        raise CliError(f"--slug: expected lowercase letters, digits and hyphens, got {slug!r}")
    for tip in project.load().tips:
        if tip.slug == slug:
            raise CliError(f"slug: expected a slug no other tip uses, got {slug!r}, already used by {tip.path} "
                           "(choose another title, or pass --slug)")
    folder = os.path.join(project.mkdocs.docs_dir, settings.tips_dir, str(when.year))
    path = os.path.join(folder, f"{slug}.md")
    if os.path.exists(path):
        raise CliError(f"{os.path.relpath(path)}: expected a new file, got an existing one (nothing was changed)")
    fields: dict[str, Any] = {"title": title, "date": when, "tags": tags}
    if author:
        fields["author"] = author
    if series:
        fields["series"] = series
    os.makedirs(folder, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(front_matter(fields) + "\n" + BODY)
    print(os.path.relpath(path))
    return 0


def front_matter(fields: dict[str, Any]) -> str:
    """YAML written by PyYAML (so quoting is always right), with a summary line left to fill in."""
    lines = ["---"]
    for name, value in fields.items():
        if isinstance(value, list):  # tags: [a, b], the way writers write them
            lines.append(f"{name}: " + yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip())
        else:
            dumped = yaml.safe_dump({name: value}, allow_unicode=True, default_flow_style=False, width=10_000)
            lines.append(dumped.rstrip("\n"))
    lines.append("summary:  # one or two sentences: what will the reader be able to do?")
    lines.append("---")
    return "\n".join(lines) + "\n"
