"""MkDocs pages for tips and for generated index pages.

A :class:`TipPage` takes its Markdown and fields from the already-parsed
:class:`~tipsheet.model.Tip` instead of reading the file again.  An
:class:`IndexPage` has no Markdown at all: its HTML is rendered by the core
once every tip is rendered.  Titles are handed to the theme already escaped,
because MkDocs renders theme templates without autoescape.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from ..model import Tip
from ..pages import PageSpec

TIP_TEMPLATE = "tipsheet/tip.html"


def safe(text: str) -> Markup:
    """Text the theme may print as it is: escaped once, and never again."""
    return text if isinstance(text, Markup) else escape(text)


class TipPage(Page):
    def __init__(self, tip: Tip, file: File, config: MkDocsConfig) -> None:
        super().__init__(None, file, config)
        self.tip = tip
        self.update_date = (tip.updated or tip.date).date().isoformat()

    def read_source(self, config: MkDocsConfig) -> None:
        meta: dict[str, Any] = dict(self.tip.extra)
        meta["title"] = safe(self.tip.title)
        meta.setdefault("template", TIP_TEMPLATE)
        self.meta = meta
        self.markdown = self.tip.body


class IndexPage(Page):
    """An archive, tag, series or digest page, made in memory and filled in ``on_env``."""

    def __init__(self, spec: PageSpec, file: File, config: MkDocsConfig, update_date: str) -> None:
        super().__init__(None, file, config)
        self.spec = spec
        self.update_date = update_date

    def read_source(self, config: MkDocsConfig) -> None:
        self.meta = {"title": safe(self.spec.heading), "search": {"exclude": True}}
        self.markdown = ""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = ""
        self.toc = get_toc([])
        self.present_anchor_ids = set()
