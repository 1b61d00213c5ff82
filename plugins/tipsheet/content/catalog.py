"""The catalog: every tip of one build, indexed once for every page, feed and digest.

Built once per build from the loaded tips.  Each index (by tag, series, year,
position, related tips) is computed here in one pass, so rendering a page
looks things up instead of scanning the archive: the cost of a page does not
grow with the number of tips.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from . import clock
from .loader import Loaded
from .model import Settings, Tip
from .problems import ContentError
from .topics import starting_tips

K = TypeVar("K")


@dataclass(frozen=True)
class SeriesPosition:
    key: str
    number: int  # 1-based
    total: int
    previous: Tip | None
    next: Tip | None


class Catalog:
    """Tips sorted and indexed.

    ``listed`` is what the site's pages show; ``published`` is what feeds and
    digests may carry.  They differ only in a preview (``mkdocs serve``), where
    drafts and scheduled tips are listed, marked, but still never published.
    """

    def __init__(self, tips: Iterable[Tip], settings: Settings, now: datetime, preview: bool = False) -> None:
        self.settings = settings
        self.now = now
        self.preview = preview
        ordered = sorted(tips, key=Tip.sort_key)
        self.all: tuple[Tip, ...] = tuple(ordered)
        self.published: tuple[Tip, ...] = tuple(t for t in ordered if self.is_published(t))
        self.listed: tuple[Tip, ...] = self.all if preview else self.published
        self.by_slug = {t.slug: t for t in self.all}
        self._position = {t.slug: i for i, t in enumerate(self.listed)}
        self.by_tag = self._group(lambda t: t.tags)
        self.by_year = self._group(lambda t: (t.date.astimezone(settings.timezone).year,))
        series = self._group(lambda t: (t.series,) if t.series else ())
        self.by_series = {k: tuple(reversed(v)) for k, v in series.items()}  # oldest first
        self._series_index = {t.slug: i for parts in self.by_series.values() for i, t in enumerate(parts)}
        self._related = _RelatedIndex(self.listed, self.by_tag)
        self.start_here = {key: starting_tips(info.start_here, self.by_tag.get(key, ()), self._position, self.by_slug)
                           for key, info in settings.tags.items()}  # tag -> its starting tips

    def _group(self, keys_of: Callable[[Tip], Iterable[K]]) -> dict[K, tuple[Tip, ...]]:
        groups: dict[K, list[Tip]] = defaultdict(list)
        for tip in self.listed:
            for key in keys_of(tip):
                groups[key].append(tip)
        return {k: tuple(v) for k, v in groups.items()}

    def is_published(self, tip: Tip) -> bool:
        return not tip.draft and tip.date <= self.now

    def status(self, tip: Tip) -> str:
        """'published', 'draft' or 'scheduled': what a preview marks on the tip."""
        if tip.draft:
            return "draft"
        return "scheduled" if tip.date > self.now else "published"

    def tips_for_tag(self, key: str) -> tuple[Tip, ...]:
        return self.by_tag.get(key, ())

    def years(self) -> list[int]:
        return sorted(self.by_year, reverse=True)

    def newer(self, tip: Tip) -> Tip | None:
        index = self._position.get(tip.slug)
        return self.listed[index - 1] if index else None

    def older(self, tip: Tip) -> Tip | None:
        index = self._position.get(tip.slug)
        if index is None or index + 1 >= len(self.listed):
            return None
        return self.listed[index + 1]

    def series_position(self, tip: Tip) -> SeriesPosition | None:
        if not tip.series or tip.series not in self.by_series:
            return None
        parts = self.by_series[tip.series]
        index = self._series_index.get(tip.slug)
        if index is None:
            return None
        return SeriesPosition(tip.series, index + 1, len(parts),
                              parts[index - 1] if index else None,
                              parts[index + 1] if index + 1 < len(parts) else None)

    def related(self, tip: Tip, count: int | None = None) -> list[Tip]:
        """Up to ``count`` other tips: most tags in common first, then the most recent."""
        return self._related.lookup(tip, self.settings.related_count if count is None else count)


def publishable(tips: Iterable[Tip], excluded: Callable[[str], bool], drafted: Callable[[str], bool]) -> list[Tip]:
    """The tips a site generator will build: less those it excludes, with those it treats as drafts marked so.

    ``excluded`` and ``drafted`` answer for a tip's ``src_uri`` (MkDocs' ``exclude_docs`` and
    ``draft_docs``), so a tip the generator leaves out never shows on a card, in a feed or in
    a digest that would link to a page that is not there.
    """
    out = []
    for tip in tips:
        if excluded(tip.src_uri):
            continue
        out.append(replace(tip, draft=True) if drafted(tip.src_uri) and not tip.draft else tip)
    return out


def catalog_of(loaded: Loaded, settings: Settings, preview: bool = False,
               tips: Iterable[Tip] | None = None) -> Catalog:
    """The catalog of a site whose tips all loaded, as of now (``SOURCE_DATE_EPOCH`` when set).

    ``tips`` is the loaded tips less what the site generator leaves out (see
    :func:`publishable`); by default, all of them.  Raises :class:`ContentError`
    with every content error at once, or :class:`~tipsheet.content.clock.ClockError`
    for a bad ``SOURCE_DATE_EPOCH``.
    """
    if loaded.errors:
        raise ContentError(loaded.errors)
    return Catalog(loaded.tips if tips is None else tips, settings, clock.now(), preview=preview)


class _RelatedIndex:
    """Related tips without comparing every pair of tips.

    Tips are grouped by their exact set of tags (a vocabulary of a dozen tags
    gives a few hundred sets at most, however long the archive).  For each set,
    the groups it shares tags with are ranked once; a tip's related tips are
    then the newest members of the best groups.
    """

    def __init__(self, listed: Sequence[Tip], by_tag: dict[str, tuple[Tip, ...]]) -> None:
        groups: dict[frozenset[str], list[Tip]] = defaultdict(list)
        for tip in listed:  # newest first, so each group is too
            groups[frozenset(tip.tags)].append(tip)
        self._groups = groups
        self._by_tag_groups: dict[str, set[frozenset[str]]] = defaultdict(set)
        for tags in groups:
            for tag in tags:
                self._by_tag_groups[tag].add(tags)
        self._ranked: dict[tuple[frozenset[str], int], list[Tip]] = {}

    def lookup(self, tip: Tip, count: int) -> list[Tip]:
        if count <= 0:
            return []
        key = frozenset(tip.tags)
        best = self._ranked.get((key, count))
        if best is None:
            best = self._rank(key, count + 1)  # one spare: the tip itself may be among them
            self._ranked[(key, count)] = best
        return [t for t in best if t is not tip][:count]

    def _rank(self, tags: frozenset[str], limit: int) -> list[Tip]:
        by_shared: dict[int, list[list[Tip]]] = defaultdict(list)
        candidates: set[frozenset[str]] = set()
        for tag in tags:
            candidates |= self._by_tag_groups.get(tag, set())
        for other in candidates:
            by_shared[len(other & tags)].append(self._groups[other])
        chosen: list[Tip] = []
        for shared in sorted(by_shared, reverse=True):
            merged = heapq.merge(*by_shared[shared], key=Tip.sort_key)
            for tip in merged:
                chosen.append(tip)
                if len(chosen) >= limit:
                    return chosen
        return chosen
