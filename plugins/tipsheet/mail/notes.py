"""Editor's notes: a few words from the publisher above the tips of one digest.

A note is an optional Markdown file named after its period,
``content/digests/2026-12-01.md`` (``notes_dir`` under the docs folder), with
optional front matter (``title:``).  It is checked as a tip is (UTF-8, size,
front matter, a name that is a period of the site's schedule) and shown above
the tips on the digest's page and in both parts of its email, in every digest
of that period (the site's, each tag's, each reader's).  Relative links work
as in a tip: to another tip's file, to a page, to an image beside it.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import lxml.html
from lxml import etree
from markdownify import markdownify  # type: ignore[import-untyped]

from ..content.problems import Problem, describe
from ..content.tipfile import read_text, split
from ..site.lint import check_links, local_path
from ..site.urls import Urls
from ..site.views import ROOT_MARK
from .schedule import PeriodError, Schedule

FIELDS = ("title",)


@dataclass(frozen=True)
class Note:
    period_id: str
    path: str  # as the writer knows it: content/digests/2026-12-01.md
    src_uri: str  # relative to the docs folder: digests/2026-12-01.md
    title: str
    body: str  # Markdown


@dataclass
class Notes:
    by_period: dict[str, Note] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)  # src_uri of every note file, good or bad: never a page

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def load_notes(docs_dir: str, project_dir: str, notes_dir: str, schedule: Schedule, max_bytes: int) -> Notes:
    """Every ``<notes_dir>/<period>.md`` (subfolders, images and other files are left alone)."""
    notes = Notes()
    folder = os.path.join(docs_dir, notes_dir.strip("/"))
    if not os.path.isdir(folder):
        return notes
    for name in sorted(os.listdir(folder)):
        abs_path = os.path.join(folder, name)
        if not name.endswith(".md") or name.startswith(".") or not os.path.isfile(abs_path):
            continue
        src_uri = posixpath.join(*os.path.relpath(abs_path, docs_dir).split(os.sep))
        path = "/".join(os.path.relpath(abs_path, project_dir).split(os.sep))
        notes.sources.add(src_uri)
        note, problems = _read(abs_path, path, src_uri, name[:-3], schedule, max_bytes)
        notes.problems += problems
        if note is not None:
            notes.by_period[note.period_id] = note
    return notes


def _read(abs_path: str, path: str, src_uri: str, stem: str, schedule: Schedule,
          max_bytes: int) -> tuple[Note | None, list[Problem]]:
    try:
        period = schedule.parse(stem)
    except PeriodError:
        period = None
    if period is None or period.id != stem:
        return None, [Problem(path, "file", f"a name like {schedule.example}.md, the period whose digest it "
                              "introduces", repr(stem + ".md"), "see 'tipsheet digest --list' for the periods")]
    text, problems = read_text(abs_path, path, max_bytes)
    if text is None:
        return None, problems
    title = ""
    body = text
    if text.startswith("---"):
        source, problems = split(text, path)
        if source is None:
            return None, problems
        body = source.body
        for key, value in source.meta.items():
            if key not in FIELDS:
                problems.append(Problem(path, key, "one of the fields of a note (title)", repr(key),
                                        "the period comes from the file's name"))
            elif not isinstance(value, str) or not value.strip():
                problems.append(Problem(path, key, "one line of text", describe(value)))
            else:
                title = " ".join(value.split())
        if problems:
            return None, problems
    if not body.strip():
        return None, [Problem(path, "body", "the note's text", "nothing", "write it, or delete the file")]
    return Note(period.id, path, src_uri, title, body.strip() + "\n"), []


def check_note_links(notes: Notes, docs_dir: str, tip_sources: set[str], published: set[str]) -> list[Problem]:
    """Warnings for relative links of the notes that point at nothing, or at a tip nobody can read yet."""
    return [problem for note in notes.by_period.values()
            for problem in check_links(note, docs_dir, tip_sources, published)]


@dataclass(frozen=True)
class NoteView:
    """A note rendered once: its HTML has ``ROOT_MARK`` where the path to the site root goes."""

    title: str
    html: str

    def on_page(self, root: str) -> str:
        """For a page of the site: ``root`` is the relative way to the site root (``../../``)."""
        return self.html.replace(ROOT_MARK, root)

    def absolute(self, site_url: str) -> str:
        """For an email: every link absolute."""
        return self.html.replace(ROOT_MARK, site_url.rstrip("/") + "/")

    def text(self, site_url: str) -> str:
        """For the plain-text part: Markdown-style text with absolute links (markdownify)."""
        text: str = markdownify(self.absolute(site_url), heading_style="ATX", bullets="-", strip=["img"])
        lines = [line.rstrip() for line in text.strip().splitlines()]
        return "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1])) + "\n"


def render_notes(notes: Mapping[str, Note], to_html: Callable[[str], str], urls: Urls,
                 tip_slugs: Mapping[str, str]) -> dict[str, NoteView]:
    """Each note's HTML with its relative links turned into site links (``tip_slugs``: src_uri -> slug)."""
    return {period: NoteView(note.title, _site_links(to_html(note.body), note.src_uri, urls, tip_slugs))
            for period, note in notes.items()}


def _site_links(html: str, src_uri: str, urls: Urls, tip_slugs: Mapping[str, str]) -> str:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for anchor in root.xpath('.//a[contains(concat(" ", normalize-space(@class), " "), " headerlink ")]'):
        anchor.drop_tree()  # heading permalinks mean nothing above a digest's tips
    folder = posixpath.dirname(src_uri)
    for element, attribute in (*((a, "href") for a in root.iter("a")), *((i, "src") for i in root.iter("img"))):
        value = element.get(attribute)
        if value:
            element.set(attribute, _site_link(value, folder, urls, tip_slugs))
    head = root.text or ""
    return head + "".join(etree.tostring(child, encoding="unicode", method="html") for child in root)


def _site_link(target: str, folder: str, urls: Urls, tip_slugs: Mapping[str, str]) -> str:
    try:
        local = local_path(target)
    except ValueError:  # not an address at all: `tipsheet check` says so; the page keeps it as written
        return target
    if local is None:
        return target
    parts = urlsplit(target)
    resolved = posixpath.normpath(posixpath.join(folder, local))
    if resolved in tip_slugs:
        path = urls.page(Urls.tip(tip_slugs[resolved]))
    elif resolved.endswith(".md"):
        stem = resolved[:-3]
        path = urls.page(stem[: -len("/index")] if stem.endswith("/index") else "" if stem == "index" else stem)
    else:
        path = resolved
    return ROOT_MARK + urlunsplit(("", "", path, parts.query, parts.fragment))
