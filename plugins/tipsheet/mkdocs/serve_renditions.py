"""Tips' Markdown renditions kept from one ``mkdocs serve`` rebuild to the next.

A tip's HTML depends on its Markdown, its own file (URL, whether it is a
draft), the site's Markdown settings, and what each of its relative links
found among the site's files.  A rendition is kept with all of these, the
lookups included (:class:`.markdown_reuse.Rendition`), and reused only when
every one is still the same: editing a tip renders that tip again; adding,
removing or moving a tip renders again only the tips whose links looked for
it.  The warnings a rendering logged are kept too, and logged again each
time it is reused, so a rebuild reports what a clean build would.
"""

from __future__ import annotations

import logging

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from . import engine
from .forking import Capture
from .markdown_reuse import Rendition, SharedMarkdown, still_found

Key = tuple[str, str, bool]  # the page's URL, its Markdown, whether it is excluded (a draft in serve)


class RenditionCache:
    """The latest rendition of each tip file, for as long as the ``mkdocs serve`` process lives."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Key, Rendition]] = {}  # src_uri -> the latest rendition
        self._settings = ""

    def start_build(self, config: MkDocsConfig) -> None:
        """Forget everything when the Markdown settings changed (mkdocs.yml was edited)."""
        settings = repr((config["markdown_extensions"], config["mdx_configs"], config.use_directory_urls,
                         config.validation, engine.describe()))
        if settings != self._settings:
            self._entries.clear()
            self._settings = settings

    def render(self, shared: SharedMarkdown, page: Page, config: MkDocsConfig, files: Files) -> None:
        key: Key = (page.url, page.markdown or "", page.file.inclusion.is_excluded())
        kept = self._entries.get(page.file.src_uri)
        if kept is not None and kept[0] == key and still_found(files, kept[1].lookups):
            shared.apply(page, kept[1], files)
            return
        capture = Capture()
        loggers = [*engine.loggers(), logging.getLogger("MARKDOWN")]
        for logger in loggers:
            logger.addHandler(capture)
        try:
            rendition = shared.rendition(page, config, files)
        finally:
            for logger in loggers:
                logger.removeHandler(capture)
        if rendition is None:  # MkDocs rendered it (the shortcut stepped aside): nothing to keep
            self._entries.pop(page.file.src_uri, None)
            return
        shared.apply(page, rendition, files)  # its warnings were logged as it rendered
        rendition.records = capture.records  # to be logged again whenever it is reused
        self._entries[page.file.src_uri] = (key, rendition)


class CachedMarkdown:
    """A SharedMarkdown that reuses the previous rebuild's renditions (``mkdocs serve``)."""

    def __init__(self, shared: SharedMarkdown, cache: RenditionCache) -> None:
        self.shared = shared
        self.cache = cache
        self.started = False

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        if not self.started:
            self.cache.start_build(config)
            self.started = True
        self.cache.render(self.shared, page, config, files)
