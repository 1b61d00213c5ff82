"""What the search index holds: one record per tip and per page of the site's own, never the generated lists.

Archive, year, tag, series and digest pages only repeat tips, so indexing them
would return every tip several times.  A tip's record carries what a result
shows and what a reader narrows by: its title, date, tags, series and summary
as metadata, its tags, year and series as filters.  Records are plain data: a
separate process turns them into the documents Pagefind indexes
(:mod:`tipsheet.search.indexer`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..content.catalog import Catalog
from ..content.model import Tip

# Pagefind's filter names, shown capitalised ("Tag", "Year", "Series") by its filter pane.
TAG, YEAR, SERIES = "tag", "year", "series"


@dataclass(frozen=True)
class Record:
    """One page to index.

    ``path`` is the page's file in the site (``tips/answer-fast/index.html``): Pagefind makes
    the result's URL from it.  ``body`` is the page's own HTML as the site renders it.
    """

    path: str
    title: str
    body: str
    meta: Mapping[str, str] = field(default_factory=dict)
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def excluded(fields: Mapping[str, Any]) -> bool:
    """A page's ``search: {exclude: true}`` (Material's front-matter switch), honoured here too."""
    search = fields.get("search")
    return isinstance(search, Mapping) and search.get("exclude") is True


def tip_records(catalog: Catalog, html: Mapping[str, str], path_of: Callable[[Tip], str],
                date_text: Callable[[Tip], str], summaries: Mapping[str, str]) -> list[Record]:
    """A record for every tip the site lists, newest first, less those a writer excluded from search."""
    settings = catalog.settings
    records = []
    for tip in catalog.listed:
        if excluded(tip.extra):
            continue
        tags = tuple(settings.tags[key].title for key in tip.tags)
        meta = {"date": date_text(tip), "tags": ", ".join(tags)}
        filters: dict[str, tuple[str, ...]] = {TAG: tags, YEAR: (str(tip.date.astimezone(settings.timezone).year),)}
        if tip.series and tip.series in settings.series:
            meta["series"] = settings.series[tip.series].title
            filters[SERIES] = (meta["series"],)
        summary = summaries.get(tip.slug) or tip.summary or ""
        if summary:
            meta["summary"] = summary
        records.append(Record(path_of(tip), tip.title, html.get(tip.slug, ""), meta, filters))
    return records
