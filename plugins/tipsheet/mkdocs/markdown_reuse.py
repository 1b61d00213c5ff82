"""Render every tip with one ``markdown.Markdown`` instance per build, not one per page.

MkDocs' ``Page.render`` builds a new ``Markdown`` object, with every
extension set up again, for each page; on a 3,000-tip site that set-up is a
large share of the build.  Python-Markdown is made to be reused: ``reset()``
clears every extension's state between documents.  This does what
``Page.render`` does, step for step, including MkDocs' own link rewriting,
anchor and title processors (registered anew for each page, replacing the
previous page's), on a shared instance.  A test renders sites both ways and
compares every output byte.

A rendering is kept as a plain :class:`Rendition` (text, tokens, sets), so it
can also be produced in another process (:mod:`.parallel_markdown`) and
applied here, with the warnings it logged replayed in order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import markdown
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .forking import Capture, Records, replay

_mkdocs_log = logging.getLogger(mkdocs_pages.__name__)


@dataclass
class Rendition:
    """Everything ``Page.render`` leaves on a page, in picklable form."""

    markdown: str
    content: str
    toc_tokens: list[Any]
    title: str | None
    anchors: set[str]
    links: dict[str, dict[str, str]] | None  # linked file's src_uri -> {anchor: original link}
    records: Records = field(default_factory=list)  # (logger, level, message)


class SharedMarkdown:
    def __init__(self, config: MkDocsConfig) -> None:
        self._md = markdown.Markdown(extensions=config["markdown_extensions"],
                                     extension_configs=config["mdx_configs"] or {})

    def convert(self, page: Page, config: MkDocsConfig, files: Files) -> Rendition:
        """What ``Page.render`` (MkDocs 1.6) computes, on the shared instance."""
        if page.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        md = self._md
        md.reset()
        raw_html = mkdocs_pages._RawHTMLPreprocessor()
        raw_html._register(md)
        anchors = mkdocs_pages._ExtractAnchorsTreeprocessor(page.file, files, config)
        anchors._register(md)
        relative = mkdocs_pages._RelativePathTreeprocessor(page.file, files, config)
        relative._register(md)
        title = mkdocs_pages._ExtractTitleTreeprocessor()
        title._register(md)
        content = md.convert(page.markdown)
        links = None
        if _mkdocs_log.getEffectiveLevel() > logging.DEBUG:
            links = {f.src_uri: dict(v) for f, v in relative.links_to_anchors.items()}
        return Rendition(page.markdown, content, list(getattr(md, "toc_tokens", [])), title.title,
                         anchors.present_anchor_ids | raw_html.present_anchor_ids, links)

    @staticmethod
    def apply(page: Page, rendition: Rendition, files: Files) -> None:
        replay(rendition.records)
        page.content = rendition.content
        page.toc = get_toc(rendition.toc_tokens)
        page._title_from_render = rendition.title
        page.present_anchor_ids = rendition.anchors
        if rendition.links is not None:
            linked = {files.get_file_from_path(uri): v for uri, v in rendition.links.items()}
            page.links_to_anchors = {f: v for f, v in linked.items() if f is not None}

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        self.apply(page, self.convert(page, config, files), files)


class RenditionCache:
    """Renditions kept from one ``mkdocs serve`` rebuild to the next.

    A tip's HTML depends on its Markdown, its own URL, the Markdown settings
    and the URL of every file it may link to.  The key holds the first three
    and a fingerprint of all files' URLs, so an edited tip is rendered again,
    and adding, removing or moving any file renders everything again.  The
    warnings a rendering logged are stored and logged again on reuse.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str, int], Rendition] = {}
        self._fingerprint = 0

    def start_build(self, config: MkDocsConfig, files: Files) -> None:
        settings = repr((config["markdown_extensions"], config["mdx_configs"], config.use_directory_urls,
                         config.validation))
        self._fingerprint = hash((settings, tuple((f.src_uri, f.url) for f in files)))
        self._entries = {k: v for k, v in self._entries.items() if k[3] == self._fingerprint}

    def render(self, shared: SharedMarkdown, page: Page, config: MkDocsConfig, files: Files) -> None:
        key = (page.file.src_uri, page.url, page.markdown or "", self._fingerprint)
        cached = self._entries.get(key)
        if cached is not None:
            shared.apply(page, cached, files)
            return
        capture = Capture()
        loggers = [logging.getLogger("mkdocs"), logging.getLogger("MARKDOWN")]
        for logger in loggers:
            logger.addHandler(capture)
        try:
            rendition = shared.convert(page, config, files)
        finally:
            for logger in loggers:
                logger.removeHandler(capture)
        shared.apply(page, rendition, files)  # its warnings were logged as it rendered
        rendition.records = capture.records  # to be logged again whenever it is reused
        self._entries[key] = rendition


class CachedMarkdown:
    """A SharedMarkdown that reuses the previous rebuild's renditions (``mkdocs serve``)."""

    def __init__(self, shared: SharedMarkdown, cache: RenditionCache) -> None:
        self.shared = shared
        self.cache = cache
        self.started = False

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        if not self.started:  # every plugin's on_files is done: the files and their URLs are final
            self.cache.start_build(config, files)
            self.started = True
        self.cache.render(self.shared, page, config, files)
