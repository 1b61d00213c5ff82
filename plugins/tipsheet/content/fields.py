"""The writer's contract: front-matter fields checked one by one into a :class:`Tip`.

Each check says what it expected and what it got, and suggests the fix where
one is likely (the closest known tag, the ISO form of a date written the
European way).  All problems of a file are returned together.
"""

from __future__ import annotations

import calendar
import contextlib
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from .model import Settings, Tip
from .problems import Problem, Severity, describe, did_you_mean
from .tipfile import TipSource

TIP_FIELDS = ("title", "date", "tags", "summary", "author", "series", "slug", "updated", "draft", "pinned")
# Fields MkDocs and Material understand on any page; passed through untouched.
PAGE_FIELDS = ("description", "hide", "search", "icon", "status", "subtitle", "comments", "template")
MORE = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.MULTILINE)
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")  # a tag, series or author key in mkdocs.yml
DATE_FORMAT = "a date as YYYY-MM-DD (or an ISO date and time with offset)"
LINE_BREAKS = "\u0085\u2028\u2029"


def slugify(text: str) -> str:
    """ASCII, lower case, words joined by hyphens: 'Café & Co.' -> 'cafe-co'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def parse_when(value: Any, tz: ZoneInfo) -> tuple[datetime | None, str, str | None]:
    """(datetime, "", None) or (None, got, hint) for a date field's value."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=tz)), "", None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz), "", None
    if not isinstance(value, str) or not value.strip():
        return None, describe(value), None
    text = value.strip()
    day = _ISO_DAY.match(text)
    if day:
        year, month, dom = (int(g) for g in day.groups())
        try:
            return datetime(year, month, dom, tzinfo=tz), "", None
        except ValueError:
            return None, f"{text!r}, which is not a day of the calendar", _calendar_hint(year, month)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, describe(value), _dmy_hint(text)
    return (when if when.tzinfo else when.replace(tzinfo=tz)), "", None


def _calendar_hint(year: int, month: int) -> str | None:
    if 1 <= month <= 12:
        days = calendar.monthrange(year, month)[1]
        return f"{calendar.month_name[month]} {year} has {days} days"
    return "the month comes second: YYYY-MM-DD"


def _dmy_hint(text: str) -> str | None:
    match = _DMY.match(text)
    if not match:
        return None
    first, second, year = (int(g) for g in match.groups())
    options = []
    for month, dom in ((second, first), (first, second)):
        with contextlib.suppress(ValueError):
            options.append(date(year, month, dom).isoformat())
    if len(set(options)) == 1:
        return f"write it as {options[0]}"
    if options:
        return "write it as YYYY-MM-DD: " + " or ".join(dict.fromkeys(options))
    return None


class _Fields:
    """Collects the problems of one file while its fields are read."""

    def __init__(self, path: str, meta: Mapping[str, Any], settings: Settings) -> None:
        self.path = path
        self.meta = meta
        self.settings = settings
        self.problems: list[Problem] = []

    def error(self, field: str, expected: str, got: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, field, expected, got, hint))

    def warn(self, field: str, expected: str, got: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, field, expected, got, hint, Severity.WARNING))

    def text(self, field: str, required: bool) -> str | None:
        value = self.meta.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(field, "a title in plain text", "nothing" if value is None else "an empty text",
                           f"add '{field}: ...' to the front matter")
            return None
        if not isinstance(value, str):
            hint = f"put it in quotes: {field}: \"{value}\"" if isinstance(value, (int, float)) else None
            self.error(field, "text", describe(value), hint)
            return None
        if "\n" in value.strip():
            self.error(field, "one line of text", f"{value.strip().count(chr(10)) + 1} lines")
            return None
        control = next((c for c in value.strip() if unicodedata.category(c) == "Cc" or c in LINE_BREAKS), None)
        if control is not None:
            # a carriage return would end an email's Subject line; no title needs one
            self.error(field, "one line of text without control characters",
                       f"{control!r} at character {value.strip().index(control) + 1}", "remove it")
            return None
        return " ".join(value.split())

    def when(self, field: str, required: bool) -> datetime | None:
        if field not in self.meta or self.meta[field] is None:
            if required:
                self.error(field, DATE_FORMAT, "nothing", f"add '{field}: YYYY-MM-DD'")
            return None
        when, got, hint = parse_when(self.meta[field], self.settings.timezone)
        if when is None:
            self.error(field, DATE_FORMAT, got, hint)
        return when

    def key(self, field: str, known: Mapping[str, Any], what: str) -> str | None:
        value = self.meta.get(field)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(field, f"one of the site's {what}", describe(value))
            return None
        lowered = {k.lower(): k for k in known}
        if value.strip().lower() not in lowered:
            self.error(field, f"one of the site's {what}", repr(value), did_you_mean(value, known, what))
            return None
        return lowered[value.strip().lower()]

    def tags(self) -> tuple[str, ...]:
        value = self.meta.get("tags")
        known = self.settings.tags
        if value is None or value == []:
            self.error("tags", "a list of 1 or more tags", "nothing", "add 'tags: [one, two]'")
            return ()
        if isinstance(value, str):
            words = [w.strip() for w in value.split(",") if w.strip()]
            self.error("tags", "a list like [a, b]", describe(value),
                       f"write tags: [{', '.join(words)}]" if words else None)
            return ()
        if not isinstance(value, list):
            self.error("tags", "a list of 1 or more tags", describe(value))
            return ()
        lowered = {k.lower(): k for k in known}
        keys: list[str] = []
        for item in value:
            if item is None or (isinstance(item, str) and not item.strip()):
                self.error("tags", "a tag name in each entry", "an empty entry")
                continue
            if not isinstance(item, str):
                self.error("tags", "tag names", describe(item))
                continue
            key = lowered.get(item.strip().lower())
            if key is None:
                self.error("tags", "a tag of the site's vocabulary", repr(item),
                           did_you_mean(item, known, "tags"))
            elif key in keys:
                self.error("tags", "each tag once", f"{key!r} twice")
            else:
                keys.append(key)
        return tuple(keys)

    def flag(self, field: str) -> bool:
        value = self.meta.get(field, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(field, "true or false", describe(value))
            return False
        return value

    def page_fields(self) -> dict[str, Any]:
        """The MkDocs/Material fields a tip may carry, checked: the theme fails on a wrong type."""
        checked: dict[str, Any] = {}
        for name in PAGE_FIELDS:
            if name not in self.meta:
                continue
            value = self.meta[name]
            if name == "hide":
                ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
                expected = "a list like [toc, navigation]"
            elif name == "search":
                ok = isinstance(value, dict) and all(k in ("exclude", "boost") for k in value)
                expected = "fields like {exclude: true} or {boost: 2}"
            elif name == "comments":
                ok, expected = isinstance(value, bool), "true or false"
            else:
                ok, expected = isinstance(value, str) and "\n" not in value.strip(), "one line of text"
            if ok:
                checked[name] = value
            else:
                self.error(name, expected, describe(value))
        return checked

    def unknown(self) -> None:
        for name in self.meta:
            if name not in TIP_FIELDS and name not in PAGE_FIELDS:
                self.warn(name, "a known field", "an unknown field",
                          did_you_mean(name, TIP_FIELDS + PAGE_FIELDS, "fields"))


def build_tip(source: TipSource, path: str, src_uri: str, settings: Settings) -> tuple[Tip | None, list[Problem]]:
    """Check every field of one file; a Tip only when there is no error."""
    fields = _Fields(path, source.meta, settings)
    for name, line in source.duplicates:
        fields.problems.append(Problem(path, name, "the field once", f"it twice (again on line {line})",
                                       line=line))
    title = fields.text("title", required=True)
    when = fields.when("date", required=True)
    updated = fields.when("updated", required=False)
    tags = fields.tags()
    summary = fields.text("summary", required=False) if source.meta.get("summary") is not None else None
    author = fields.key("author", settings.authors, "authors") or settings.default_author
    series = fields.key("series", settings.series, "series")
    draft = fields.flag("draft")
    pinned = fields.flag("pinned")
    slug = _slug(fields, src_uri)
    if when and updated and updated < when:
        fields.error("updated", f"a date on or after the tip's date ({when.date().isoformat()})",
                     updated.date().isoformat())
    extra = fields.page_fields()
    fields.unknown()
    if any(p.is_error for p in fields.problems) or title is None or when is None or not slug:
        return None, fields.problems
    tip = Tip(path=path, src_uri=src_uri, slug=slug, title=title, date=when, tags=tags,
              author=author, body=source.body, summary=summary, series=series, updated=updated,
              draft=draft, pinned=pinned, words=len(source.body.split()), has_more=bool(MORE.search(source.body)),
              extra=MappingProxyType(extra))
    return tip, fields.problems


def _slug(fields: _Fields, src_uri: str) -> str | None:
    value = fields.meta.get("slug")
    if value is None:
        stem = src_uri.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        slug = slugify(stem)
        if not slug:
            fields.error("slug", "a file name with letters or digits", repr(stem), "add 'slug: some-words'")
        return slug or None
    if not isinstance(value, (str, int)) or not _SLUG.match(str(value)):
        hint = f"try {slugify(str(value))!r}" if slugify(str(value)) else None
        fields.error("slug", "lowercase letters, digits and hyphens", describe(value), hint)
        return None
    return str(value)
