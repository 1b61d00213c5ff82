"""From what an old system stored to tipsheet's fields: titles, dates, slugs, summaries, keys.

Each function is small and total: any input gives a value or ``None``,
never an exception, because one odd post must not stop a 1,400-post import.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

from ..content.fields import KEY, LINE_BREAKS, slugify
from ..site.lint import MAX_SUMMARY
from .htmltomd import plain_text

TITLE_FALLBACK_CHARS = 70
_WP_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")


def one_line(text: str) -> str:
    """Whitespace collapsed, control characters and line separators out: what a title or summary may hold."""
    kept = "".join(" " if unicodedata.category(c) == "Cc" or c in LINE_BREAKS else c for c in text)
    return " ".join(kept.split())


def clean_title(raw: str) -> str:
    """``<title>`` as WordPress stores it (HTML): markup out, entities decoded, one line."""
    return one_line(plain_text(raw)) if "<" in raw or "&" in raw else one_line(raw)


def shorten(text: str, limit: int) -> str:
    """``text`` cut at the last sentence (else word) end within ``limit`` characters, with '…' if cut mid-sentence."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    ends = [m.start() for m in _SENTENCE_END.finditer(head + " ")]
    if ends and ends[-1] >= limit // 3:
        return head[: ends[-1]].rstrip()
    cut = head[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
    return (cut or head[: limit - 1]) + "…"


def title_from_body(body_text: str) -> str:
    """A title for a post that had none: its first sentence, shortened."""
    first = _SENTENCE_END.split(body_text.strip(), 1)[0] if body_text.strip() else ""
    return shorten(first, TITLE_FALLBACK_CHARS) if first else ""


def summary_from(excerpt_html: str) -> tuple[str | None, bool]:
    """(summary, shortened): a non-empty excerpt as one line of at most 300 characters."""
    text = one_line(plain_text(excerpt_html)) if excerpt_html.strip() else ""
    if not text:
        return None, False
    short = shorten(text, MAX_SUMMARY)
    return short, short != text


def wp_datetime(local: str, gmt: str = "") -> datetime | None:
    """``wp:post_date`` with its real offset (local minus ``post_date_gmt``); naive when GMT is unknown."""
    when = _parse(local)
    if when is None:
        return None
    utc = _parse(gmt)
    if utc is None:
        return when
    minutes = round((when - utc).total_seconds() / 60)
    if abs(minutes) > 18 * 60:
        return when
    return when.replace(tzinfo=timezone(timedelta(minutes=minutes)))


def _parse(value: str) -> datetime | None:
    match = _WP_DATE.match(value.strip())
    if not match or match.group(1) == "0000":
        return None
    try:
        year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def later_day(updated: datetime | None, date: datetime) -> datetime | None:
    """``updated`` when it falls on a later day than ``date``: a same-day typo fix is no revision."""
    if updated is None or updated.date() <= date.date():
        return None
    if (updated.tzinfo is None) != (date.tzinfo is None):
        return None
    return updated


def slug_from(post_name: str, title: str) -> str:
    """The tip's slug: the old slug decoded (``caf%c3%a9`` is 'café', then 'cafe'), else the title's."""
    return slugify(unquote(post_name)) or slugify(title)


def key_from(*candidates: str) -> str:
    """A vocabulary key from a term's or author's names, the first that gives one."""
    for candidate in candidates:
        key = slugify(unquote(candidate))
        if key and KEY.match(key):
            return key
    return ""
