"""The content model: what a tip is, once it has been read and checked.

Every tip is read from disk exactly once per build into a frozen :class:`Tip`;
everything else (pages, feeds, digests, the writer's tools) works from these
objects and never looks at the file again.  Nothing here knows about MkDocs,
so a move to another site generator keeps this module as it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class TagInfo:
    """One entry of the site's tag vocabulary (``tags:`` in the plugin config).

    ``start_here`` names, by slug, the tips a reader new to the topic should read first.
    """

    key: str
    title: str
    description: str
    start_here: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeriesInfo:
    """A named run of tips, read in date order ("part 2 of 4")."""

    key: str
    title: str
    description: str


@dataclass(frozen=True)
class Author:
    key: str
    name: str
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Settings:
    """The site-level facts the core needs, independent of where they were configured."""

    site_name: str
    site_url: str | None
    site_description: str
    language: str
    timezone: ZoneInfo
    tags: Mapping[str, TagInfo]
    authors: Mapping[str, Author]
    default_author: str
    series: Mapping[str, SeriesInfo] = field(default_factory=dict)
    tips_dir: str = "tips"
    use_directory_urls: bool = True
    page_size: int = 10
    home_count: int = 5
    related_count: int = 3
    words_per_minute: int = 200
    max_tip_bytes: int = 1_000_000
    publish_weekday: int | None = 1  # Tuesday; None: any day

    def author(self, key: str) -> Author:
        return self.authors.get(key) or Author(key=key, name=key)


@dataclass(frozen=True, eq=False)
class Tip:
    """One tip as the writer wrote it, validated.

    ``path`` is the file as the writer knows it (relative to the project, e.g.
    ``content/tips/2024/x.md``) and is what every message names; ``src_uri`` is
    the same file relative to the docs folder, which is how the site generator
    knows it.  Identity is the object itself: two tips are never "equal".
    """

    path: str
    src_uri: str
    slug: str
    title: str
    date: datetime
    tags: tuple[str, ...]
    author: str
    body: str
    summary: str | None = None
    series: str | None = None
    updated: datetime | None = None
    draft: bool = False
    pinned: bool = False  # a starting tip of each of its tags
    words: int = 0
    has_more: bool = False
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY)

    def reading_minutes(self, words_per_minute: int) -> int:
        return max(1, math.ceil(self.words / max(1, words_per_minute)))

    @property
    def last_changed(self) -> datetime:
        """The last significant change: ``updated`` when the writer gave one, else the tip's date."""
        return self.updated or self.date

    @property
    def last_changed_day(self) -> str:
        """``last_changed`` as ``YYYY-MM-DD``: the date a sitemap and a page's footer show."""
        return self.last_changed.date().isoformat()

    def sort_key(self) -> tuple[float, str]:
        """Newest first, then by slug, so that equal dates still sort the same way every build."""
        return (-self.date.timestamp(), self.slug)
