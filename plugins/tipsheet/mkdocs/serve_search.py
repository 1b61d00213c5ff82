"""Material's search index entries of unchanged pages, kept across ``mkdocs serve`` rebuilds.

Material's search plugin parses every page's HTML into index entries on every
rebuild; at 1,000 tips that is a fifth of a rebuild.  An entry is made from
the page's HTML, table of contents, URL, title and front matter only, so a
page whose values are all unchanged gets a copy of the entries it got last
time, appended in the same order, and ``search_index.json`` comes out the same.

This reaches into Material's ``SearchIndex``: it stands on the methods that
decide what an entry is made from being the ones it was checked against
(Material 9.8.2); otherwise the search plugin indexes every page itself, as
usual, and one INFO line says so.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.pages import Page

from .fingerprint import Unknown, plain, toc_value
from .ground import source_hash

log = get_plugin_logger(__name__)
SEARCH_INDEX = "material.plugins.search.plugin.SearchIndex"
KNOWN = {"add_entry_from_context": {"301c3ee235d36eb1"}, "create_entry_for_section": {"b2d3cbff9d3bff46"},
         "_find_toc_by_id": {"f0da4638e8d150f3"}, "_segment_chinese": {"91021bb58a4cbc77"}}


def ground(index: object) -> str | None:
    """Why a search index's entries cannot be reused (None: they can)."""
    cls = type(index)
    if f"{cls.__module__}.{cls.__qualname__}" != SEARCH_INDEX:
        return None if index is None else f"the search index is {cls.__qualname__}, not Material's"
    for name, known in KNOWN.items():
        if source_hash(getattr(cls, name, None) or ground) not in known:
            return f"Material's SearchIndex.{name} is not the one tipsheet was checked against"
    return None


class SearchEntries:
    """The entries each page added to Material's search index in the last rebuild."""

    def __init__(self) -> None:
        self._kept: dict[Any, list[dict[str, Any]]] = {}
        self._used: dict[Any, list[dict[str, Any]]] = {}

    def install(self, config: MkDocsConfig) -> None:
        """``on_env``: every Material search index of this build reuses the entries of unchanged pages."""
        self._kept, self._used = self._used or self._kept, {}
        for plugin in config.plugins.values():
            index = getattr(plugin, "search_index", None)
            if index is None or type(index).__qualname__ != "SearchIndex":
                continue
            why = ground(index)
            if why is not None:
                log.info(f"reuse_on_serve: the search index is built from every page: {why}")
                continue
            index.add_entry_from_context = self._wrap(index, index.add_entry_from_context)

    def _wrap(self, index: Any, add: Callable[[Page], None]) -> Callable[[Page], None]:
        def add_entry_from_context(page: Page) -> None:
            try:
                key = (page.url, str(page.title), plain(page.content), toc_value(page.toc), plain(page.meta))
            except Unknown:
                add(page)
                return
            entries = self._used.get(key)
            if entries is None:
                entries = self._kept.get(key)
            if entries is None:
                before = len(index.entries)
                add(page)
                entries = copy.deepcopy(index.entries[before:])
            else:
                index.entries.extend(copy.deepcopy(entries))
            self._used[key] = entries

        return add_entry_from_context
