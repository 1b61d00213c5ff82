"""Render every tip with one ``markdown.Markdown`` instance per build, not one per page.

MkDocs' ``Page.render`` builds a new ``Markdown`` object, with every
extension set up again, for each page; on a 3,000-tip site that set-up is a
large share of the build.  Python-Markdown is made to be reused: ``reset()``
clears every extension's state between documents.  This does what
``Page.render`` does, step for step, including MkDocs' own link rewriting,
anchor and title processors (registered anew for each page, replacing the
previous page's), on a shared instance.

It stands on ground that is checked once per build (:func:`.ground.markdown_reuse`):
a ``Page.render`` this copy was made from (MkDocs 1.6.1 or ProperDocs 1.6.7,
which differ in when they keep links to anchors), and extensions known to
reset fully (``footnotes`` with ``UNIQUE_IDS`` does not).  Should the shared
instance still fail on a page that MkDocs' own rendering renders, it steps
aside for the rest of the build with one INFO line; a page that MkDocs cannot
render either is the tip's own error.  Tests render sites both ways and
compare every output byte.

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
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .forking import Records, replay
from .ground import RENDER_LINKS_ALWAYS

log = get_plugin_logger(__name__)
_mkdocs_log = logging.getLogger(mkdocs_pages.__name__)
Lookup = tuple[str, "str | None", bool]  # a path a page's links looked up: (src_uri, its URL or None, excluded)


@dataclass
class Rendition:
    """Everything ``Page.render`` leaves on a page, in picklable form."""

    markdown: str
    content: str
    toc_tokens: list[Any]
    title: str | None
    anchors: set[str]
    links: dict[str, dict[str, str]] | None  # linked file's src_uri -> {anchor: original link}
    lookups: tuple[Lookup, ...] = ()  # what the rendering looked up among the site's files, and found
    records: Records = field(default_factory=list)  # (logger, level, message)


class _RecordingFiles:
    """The site's files as a page's link processor sees them, noting every path it looks up."""

    def __init__(self, files: Files) -> None:
        self._files = files
        self.lookups: dict[str, Lookup] = {}

    def get_file_from_path(self, path: str) -> File | None:
        found = self._files.get_file_from_path(path)
        self.lookups[path] = _lookup(path, found)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._files, name)


def _lookup(path: str, found: File | None) -> Lookup:
    return (path, None, False) if found is None else (path, found.url, found.inclusion.is_excluded())


def still_found(files: Files, lookups: tuple[Lookup, ...]) -> bool:
    """Whether every path a rendering looked up is still found as it was (same URL, same inclusion)."""
    return all(_lookup(seen[0], files.get_file_from_path(seen[0])) == seen for seen in lookups)


class SharedMarkdown:
    def __init__(self, config: MkDocsConfig, variant: str) -> None:
        self._md = markdown.Markdown(extensions=config["markdown_extensions"],
                                     extension_configs=config["mdx_configs"] or {})
        self._links_always = variant == RENDER_LINKS_ALWAYS
        self.broken: str | None = None  # why the shared instance stepped aside in this build

    def convert(self, page: Page, config: MkDocsConfig, files: Files) -> Rendition:
        """What ``Page.render`` computes, on the shared instance."""
        if page.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        md = self._md
        md.reset()
        seen = _RecordingFiles(files)
        raw_html = mkdocs_pages._RawHTMLPreprocessor()
        raw_html._register(md)
        anchors = mkdocs_pages._ExtractAnchorsTreeprocessor(page.file, seen, config)  # type: ignore[arg-type]
        anchors._register(md)
        relative = mkdocs_pages._RelativePathTreeprocessor(page.file, seen, config)  # type: ignore[arg-type]
        relative._register(md)
        title = mkdocs_pages._ExtractTitleTreeprocessor()
        title._register(md)
        content = md.convert(page.markdown)
        links = None
        if self._links_always or _mkdocs_log.getEffectiveLevel() > logging.DEBUG:
            links = {f.src_uri: dict(v) for f, v in relative.links_to_anchors.items()}
        return Rendition(page.markdown, content, list(getattr(md, "toc_tokens", [])), title.title,
                         anchors.present_anchor_ids | raw_html.present_anchor_ids, links,
                         tuple(seen.lookups.values()))

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

    def rendition(self, page: Page, config: MkDocsConfig, files: Files) -> Rendition | None:
        """The page's rendition; None when MkDocs' own ``Page.render`` rendered it instead.

        If the shared instance fails where MkDocs' own rendering does not, the
        failure is this shortcut's, not the tip's: it steps aside for the rest
        of the build.  If MkDocs fails too, that error is the page's.
        """
        if self.broken is None:
            try:
                return self.convert(page, config, files)
            except Exception as exc:  # tried again below, the way MkDocs renders
                failure = exc
            mkdocs_pages.Page.render(page, config, files)
            self.broken = f"{type(failure).__name__}: {failure}"
            log.info(f"reuse_markdown is off for the rest of this build: the shared Markdown instance failed on "
                     f"{page.file.src_uri} ({self.broken}), which MkDocs' own rendering renders")
            return None
        mkdocs_pages.Page.render(page, config, files)
        return None

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        rendition = self.rendition(page, config, files)
        if rendition is not None:
            self.apply(page, rendition, files)
