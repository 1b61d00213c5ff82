"""``tipsheet import feed``: the entries of an RSS or Atom feed become tips (Substack, Ghost, Medium, Blogger...).

feedparser reads the feed (a file, or a URL it fetches); bodies are the
full content when the feed has it, else the summary, with a warning.  A feed
holds only its latest entries, which the command says.  The same tag map,
ledger, redirects (each entry's link path) and report as for WordPress.
Feed bodies are already rendered HTML: no paragraphs or shortcodes to add.
"""

from __future__ import annotations

import calendar
import contextlib
import email.utils
import posixpath
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from xml.sax import SAXParseException

import feedparser

from ..content.fields import slugify
from .fields import clean_title, key_from, later_day, one_line, slug_from, summary_from, title_from_body
from .htmltomd import plain_text
from .links import hosts_of
from .posts import Post
from .report import Note, Report, Skipped
from .wxr import SourceError, Term

USER_AGENT = "tipsheet-import (+https://pypi.org/project/feedparser/)"


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def read_feed(source: str, shown: str) -> Any:
    """feedparser's result, or :class:`SourceError` for a file or address that holds no feed."""
    if is_url(source):
        parsed = feedparser.parse(source, agent=USER_AGENT, sanitize_html=False)
        status = parsed.get("status")
        if isinstance(status, int) and status >= 400:
            raise SourceError(f"{shown}: expected a feed, got HTTP status {status}")
    else:
        try:
            with open(source, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise SourceError(f"{shown}: expected a readable file, got {exc.strerror or exc}") from None
        parsed = feedparser.parse(data, sanitize_html=False, response_headers={"content-location": source})
    problem = parsed.get("bozo_exception")
    if isinstance(problem, SAXParseException):
        raise SourceError(f"{shown}: line {problem.getLineNumber()}: {problem.getMessage()}")
    if parsed.get("bozo") and not parsed.entries:
        raise SourceError(f"{shown}: expected an RSS or Atom feed, got {problem or 'something else'}")
    if not parsed.get("version") and not parsed.entries:
        raise SourceError(f"{shown}: expected an RSS or Atom feed, got a file with no feed in it")
    return parsed


def _when(raw: Any, parsed: Any) -> datetime | None:
    """The entry's date with the offset it was written with (feedparser's own is in UTC)."""
    if isinstance(raw, str) and raw.strip():
        text = raw.strip()
        with contextlib.suppress(ValueError):
            when = datetime.fromisoformat(text)
            if when.tzinfo is not None:
                return when
        with contextlib.suppress(TypeError, ValueError, IndexError):
            when = email.utils.parsedate_to_datetime(text)
            if when.tzinfo is not None:
                return when
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None


def _content(entry: Any) -> tuple[str, bool]:
    """(body HTML, whether it is the full content)."""
    contents = entry.get("content") or []
    preferred = [c for c in contents if "html" in (c.get("type") or "")] or contents
    if preferred and (preferred[0].get("value") or "").strip():
        return preferred[0]["value"], True
    return entry.get("summary") or "", False


class FeedImport:
    def __init__(self, source: str, shown: str, report: Report) -> None:
        self.source = source
        self.shown = shown
        self.report = report
        self.posts: list[Post] = []
        self._bodies: dict[str, str] = {}
        self.summary_only = 0
        self.site = ""

    @property
    def host(self) -> str:
        return (urlsplit(self.site).hostname or "feed").lower().removeprefix("www.")

    @property
    def hosts(self) -> set[str]:
        return hosts_of(self.site)

    def read(self) -> list[Post]:
        parsed = read_feed(self.source, self.shown)
        self.site = parsed.feed.get("link") or (self.source if is_url(self.source) else "")
        self.report.site = self.site
        self.report.sources = [self.shown]
        self.report.versions = []
        seen: set[str] = set()
        for number, entry in enumerate(parsed.entries, start=1):
            self.report.count("entry", "published")
            ident = entry.get("id") or entry.get("link") or f"#{number}"
            ref = f"entry {entry.get('link') or ident}"
            if ident in seen:
                self.report.duplicates.append(f"{ref} appears twice")
                continue
            seen.add(ident)
            post = self._post(entry, ident, ref)
            if post is not None:
                self.posts.append(post)
        if self.summary_only:
            self.report.warnings.append(f"{self.summary_only} of {len(self.posts)} entries had only a summary, "
                                        "not the full text: import those from the full export if the old "
                                        "system has one")
        return self.posts

    def _post(self, entry: Any, ident: str, ref: str) -> Post | None:
        updated = _when(dict.get(entry, "updated"), dict.get(entry, "updated_parsed"))  # dict.get: no alias
        date = _when(entry.get("published"), entry.get("published_parsed")) or updated
        title = clean_title(entry.get("title") or "")
        if date is None:
            self.report.skipped.append(Skipped(ref, "entry", "published", title, "no date"))
            return None
        body, full = _content(entry)
        if not full:
            self.summary_only += 1
        fallback = not title
        if fallback:
            title = title_from_body(plain_text(body)) or f"Untitled ({date.date().isoformat()})"
            self.report.title_fallbacks.append(Note(ref, "", f"no title; it is {title!r}"))
        link = entry.get("link") or ""
        parts = urlsplit(link)
        last = posixpath.splitext(posixpath.basename(parts.path.rstrip("/")))[0]
        summary = None
        if full and entry.get("summary"):
            said = one_line(plain_text(entry["summary"]))
            prefix = min(30, len(said))
            if said and one_line(plain_text(body))[:prefix] != said[:prefix]:  # a subtitle, not the body's start
                summary, shortened = summary_from(entry["summary"])
                if shortened:
                    self.report.summaries_shortened.append(Note(ref, "", f"the summary had {len(said)} characters"))
        author_name = one_line(entry.get("author") or "")
        terms = [Term("category", slugify(t.get("term") or "") or (t.get("term") or ""),
                      t.get("label") or t.get("term") or "") for t in entry.get("tags") or [] if t.get("term")]
        post = Post(key=f"feed:{self.host}:{ident}", ref=ref, title=title, date=date,
                    wanted_slug=slug_from(last, title), slug_fallback=f"entry-{len(self.posts) + 1}",
                    updated=later_day(updated, date),
                    author=(key_from(author_name), author_name) if author_name and key_from(author_name) else None,
                    terms=terms, summary=summary, title_fallback=fallback)
        if parts.scheme in ("http", "https") and parts.path.strip("/"):
            if parts.query:
                post.server_only = [parts.path + "?" + parts.query]
            else:
                post.old_paths = [parts.path]
        self._bodies[post.key] = body
        return post

    def bodies(self) -> Iterator[tuple[Post, str]]:
        for post in self.posts:
            yield post, self._bodies[post.key]
