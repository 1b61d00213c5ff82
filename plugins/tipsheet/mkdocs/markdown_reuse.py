"""Render every tip with one ``markdown.Markdown`` instance per build, not one per page.

MkDocs' ``Page.render`` builds a new ``Markdown`` object, with every
extension set up again, for each page; on a 3,000-tip site that set-up is a
large share of the build.  Python-Markdown is made to be reused: ``reset()``
clears every extension's state between documents.  This does what
``Page.render`` does, step for step, including MkDocs' own link rewriting,
anchor and title processors (registered anew for each page, replacing the
previous page's), on a shared instance.  A test renders sites both ways and
compares every output byte.
"""

from __future__ import annotations

import logging

import markdown
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

_mkdocs_log = logging.getLogger(mkdocs_pages.__name__)


class SharedMarkdown:
    def __init__(self, config: MkDocsConfig) -> None:
        self._md = markdown.Markdown(extensions=config["markdown_extensions"],
                                     extension_configs=config["mdx_configs"] or {})

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        """What ``Page.render`` does (MkDocs 1.6), on the shared instance."""
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
        page.content = md.convert(page.markdown)
        page.toc = get_toc(getattr(md, "toc_tokens", []))
        page._title_from_render = title.title
        page.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
        if _mkdocs_log.getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = relative.links_to_anchors
