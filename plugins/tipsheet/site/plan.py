"""Which index pages a site has: the archive, years, tags and series, paginated.

A plan is computed once from the catalog; the site generator turns each
:class:`PageSpec` into a generated page.  Pagination keeps every page small:
a 3,000-tip archive is 300 pages of 10, never one page of 3,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from ..content.catalog import Catalog
from ..content.model import Tip
from .urls import Urls

ARCHIVE = "archive"
YEAR = "year"
TAGS = "tags"
TAG = "tag"
SERIES_INDEX = "series-index"
SERIES = "series"
DIGESTS = "digests"
DIGEST = "digest"
T = TypeVar("T")


@dataclass(frozen=True)
class PageSpec:
    """One generated page: what it lists and where it lives."""

    kind: str
    folder: str  # the page's folder, e.g. 'tags/sports/page/2'
    title: str
    tips: tuple[Tip, ...] = ()
    key: str | None = None
    number: int = 1
    count: int = 1
    first_folder: str = ""  # the folder of page 1 of the sequence
    entries: tuple[Any, ...] = ()  # what a page lists when it is not tips (digests)
    lead: tuple[Tip, ...] = ()  # a tag's starting tips, ahead of the rest on its first page

    def folder_of(self, number: int) -> str:
        return Urls.paged(self.first_folder or self.folder, number)

    @property
    def heading(self) -> str:
        return self.title if self.number == 1 else f"{self.title} (page {self.number} of {self.count})"


def chunks(items: Sequence[T], size: int) -> list[tuple[T, ...]]:
    """``items`` in pages of ``size``; an empty list is one empty page (a list page always exists)."""
    return [tuple(items[i:i + size]) for i in range(0, len(items), size)] or [()]


def paginate(kind: str, folder: str, title: str, tips: Sequence[Tip], size: int,
             key: str | None = None) -> list[PageSpec]:
    pages = chunks(tips, size)
    return [PageSpec(kind, Urls.paged(folder, n), title, chunk, key, n, len(pages), folder)
            for n, chunk in enumerate(pages, start=1)]


def plan(catalog: Catalog) -> list[PageSpec]:
    """Every index page of the site, in a stable order."""
    settings = catalog.settings
    size = settings.page_size
    specs = paginate(ARCHIVE, Urls.archive(), "Archive", catalog.listed, size)
    for year in catalog.years():
        specs += paginate(YEAR, Urls.year(year), f"Tips of {year}", catalog.by_year[year], size, str(year))
    specs.append(PageSpec(TAGS, Urls.TAGS, "Topics"))
    for key, info in settings.tags.items():
        lead = catalog.start_here[key]  # shown once, first, rather than again in date order
        rest = [tip for tip in catalog.tips_for_tag(key) if tip not in lead] if lead else catalog.tips_for_tag(key)
        pages = paginate(TAG, Urls.tag(key), info.title, rest, size, key)
        pages[0] = replace(pages[0], lead=lead)
        specs += pages
    if settings.series:
        specs.append(PageSpec(SERIES_INDEX, Urls.SERIES, "Series"))
    for key, series in settings.series.items():
        specs.append(PageSpec(SERIES, Urls.series(key), series.title, catalog.by_series.get(key, ()), key))
    return specs
