"""MkDocs pages for tips and for generated index pages.

A :class:`TipPage` takes its Markdown and fields from the already-parsed
:class:`~tipsheet.model.Tip` instead of reading the file again.  An
:class:`IndexPage` has no Markdown at all: its HTML is rendered by the core
once every tip is rendered.  Titles are handed to the theme already escaped,
because MkDocs renders theme templates without autoescape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from ..content.model import Tip
from ..site.plan import ARCHIVE, SERIES_INDEX, TAGS, PageSpec
from ..site.urls import Urls

log = get_plugin_logger(__name__)

TIP_TEMPLATE = "tipsheet/tip.html"


def safe(text: str) -> Markup:
    """Text the theme may print as it is: escaped once, and never again."""
    return text if isinstance(text, Markup) else escape(text)


class MarkdownRenderer(Protocol):
    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None: ...


class TipPage(Page):
    def __init__(self, tip: Tip, file: File, config: MkDocsConfig, shared: MarkdownRenderer | None = None) -> None:
        super().__init__(None, file, config)
        self.tip = tip
        self.shared = shared
        self.update_date = tip.last_changed_day

    def render(self, config: MkDocsConfig, files: Files) -> None:
        """The tip's HTML; a body that Markdown or MkDocs cannot render is the tip's error, not a traceback."""
        try:
            if self.shared is None:
                super().render(config, files)
            else:
                self.shared.render(self, config, files)
        except Exception as exc:  # e.g. MkDocs' link rewriting on "[x](http://[oops/)": ValueError
            raise PluginError(f"{self.tip.path}: body: expected Markdown that renders, got "
                              f"{type(exc).__name__}: {exc} (check its links and images)") from None

    def read_source(self, config: MkDocsConfig) -> None:
        meta: dict[str, Any] = dict(self.tip.extra)
        meta["title"] = safe(self.tip.title)
        meta.setdefault("template", TIP_TEMPLATE)
        self.meta = meta
        self.markdown = self.tip.body


class IndexPage(Page):
    """An archive, tag, series or digest page, made in memory and filled in ``on_env``.

    Its HTML may be made later (:meth:`defer`): when the generated pages are built by a
    forked worker, only the worker makes it (see parallel_pages).
    """

    def __init__(self, spec: PageSpec, file: File, config: MkDocsConfig, update_date: str) -> None:
        super().__init__(None, file, config)
        self.spec = spec
        self.update_date = update_date
        self.fill: Callable[[], str] | None = None

    def defer(self, fill: Callable[[], str]) -> None:
        """``fill()`` makes this page's HTML, when it is needed (:meth:`filled`)."""
        self.fill = fill

    def filled(self) -> None:
        """Make the page's HTML now, if it was deferred."""
        if self.fill is not None:
            self.content, self.fill = self.fill(), None

    def read_source(self, config: MkDocsConfig) -> None:
        self.meta = {"title": safe(self.spec.heading), "search": {"exclude": True}}
        self.markdown = ""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = ""
        self.toc = get_toc([])
        self.present_anchor_ids = set()


IN_NAV = (ARCHIVE, TAGS, SERIES_INDEX, "digests")  # page 1 of these may be put in the nav


def add_generated_page(files: Files, config: MkDocsConfig, spec: PageSpec, fallback_date: str | None,
                       page_class: type[IndexPage] = IndexPage) -> IndexPage | None:
    """A page made in memory for ``spec``; a writer's own page at the same place wins, with a warning."""
    src = Urls.src_uri(spec.folder)
    existing = files.get_file_from_path(src)
    if existing is not None:
        log.warning(f"{existing.src_uri} replaces the generated page {spec.title!r}; "
                    "rename it to get the generated one back")
        return None
    in_nav = spec.number == 1 and spec.kind in IN_NAV and spec.key is None
    file = File.generated(config, src, content="",
                          inclusion=InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV)
    files.append(file)
    newest = spec.tips[0] if spec.tips else None
    date = newest.last_changed_day if newest else fallback_date
    return page_class(spec, file, config, date or "1970-01-01")
