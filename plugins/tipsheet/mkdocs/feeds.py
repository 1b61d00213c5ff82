"""``tipsheet/feeds``: RSS, Atom and JSON Feed files, autodiscovery and subscribe links.

Feed files are MkDocs files made in memory (``File.generated``) in
``on_files`` and filled in ``on_env``, once every tip has been rendered, from
the shared catalog and each tip's one rendering.  MkDocs then writes them
like any other file.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from ..feeds import build as feeds
from ..site.jinja import make_env
from ..site.urls import absolute
from ..site.views import Link
from .config import FeedsConfig, require_site_url
from .pages import IndexPage
from .state import shared_state


class FeedsPlugin(BasePlugin[FeedsConfig]):
    def __init__(self) -> None:
        self._files: dict[str, File] = {}
        self._scopes: list[feeds.Scope] = []
        self._site_name = ""
        self._head = make_env().get_template("fragments/feed_links.html")
        self._heads: dict[tuple[tuple[str, str, str], ...], str] = {}  # the same links: the same <link>s

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Present so that ``mkdocs serve`` keeps this object; state is reset in ``on_config``."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self._files = {}
        self._scopes = []
        self._heads = {}
        if self.config.enabled:
            require_site_url(config, "tipsheet/feeds")
            if self.config.limit < 1:
                raise PluginError(f"tipsheet/feeds: limit: expected 1 or more entries, got {self.config.limit}")
        return config

    @property
    def options(self) -> feeds.FeedOptions:
        return feeds.FeedOptions(limit=self.config.limit, full_content=self.config.content == "full",
                                 per_tag=self.config.per_tag, per_series=self.config.per_series,
                                 json=self.config.json)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return files
        state = shared_state(config, "tipsheet/feeds")
        self._scopes = feeds.scopes(state.catalog, state.urls, self.options)
        self._site_name = state.settings.site_name
        for scope in self._scopes:
            for kind in scope.kinds(self.options):
                file = File.generated(config, scope.path(kind), content=b"")
                files.append(file)
                self._files[file.src_uri] = file
        state.feed_links.append(self.links)
        return files

    def links(self, scope: str, key: str | None) -> list[Link]:
        """Feed links a page offers: its own scope's, or all of them on the subscribe page."""
        def wanted(s: feeds.Scope) -> bool:
            if scope == "all":
                return True
            if scope in ("tag", "series"):
                return s.kind == scope and s.key == key
            return s.kind == "site"

        out = []
        for s in filter(wanted, self._scopes):
            group = s.title.removeprefix(f"{config_title}: ") if (config_title := self._site_name) else s.title
            for kind in s.kinds(self.options):
                label = feeds.LABELS[kind]
                title = label if scope == "all" or label.endswith("Feed") else f"{label} feed"
                out.append(Link(title, s.path(kind), kind=kind, group=group if s.kind != "site" else "Every tip"))
        return out

    def on_env(self, env: object, *, config: MkDocsConfig, files: Files) -> None:
        if not self.config.enabled:
            return
        state = shared_state(config, "tipsheet/feeds")
        built = feeds.build_all(state.catalog, state.urls, self.options, state.rendered,
                                lambda tip: state.summaries.get(tip.slug, tip.summary or ""))
        for path, data in built.items():
            self._files[path].content_bytes = data

    @event_priority(-50)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Autodiscovery: every page links the site's feeds; tag and series pages also their own."""
        if not self.config.enabled or not self._scopes:
            return output
        wanted = [s for s in self._scopes if s.kind == "site"]
        if isinstance(page, IndexPage) and page.spec.kind in ("tag", "series"):
            wanted += [s for s in self._scopes if s.kind == page.spec.kind and s.key == page.spec.key]
        site_url = config.site_url or ""
        links = [(f"{s.title} ({feeds.LABELS[k]})", feeds.MEDIA_TYPES[k], absolute(site_url, s.path(k)))
                 for s in wanted for k in s.kinds(self.options)]
        head = self._heads.get(tuple(links))
        if head is None:
            head = self._heads[tuple(links)] = self._head.render(links=links)
        return output.replace("</head>", head + "</head>", 1)

