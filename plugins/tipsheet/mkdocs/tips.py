"""``tipsheet/tips``: tips as pages, plus the archive, year, tag and series pages.

A thin adapter: the core reads, checks and indexes the tips and renders every
fragment; this plugin maps them onto MkDocs files and pages.  Tips stay out of
the nav, so the nav (rendered into every page) does not grow with the archive.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from itertools import groupby
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..content import clock
from ..content.catalog import Catalog, publishable
from ..content.clock import ClockError
from ..content.loader import Loaded, discover, load_file, load_tips
from ..content.model import Settings, Tip
from ..content.problems import ContentError
from ..site.excerpts import summary_of
from ..site.plan import plan
from ..site.urls import Urls
from ..site.views import Link, Views
from .config import TipsConfig, check_keys, project_dir, settings_from, voice_from
from .forking import workers
from .fragment_cache import FragmentCache
from .pages import IndexPage, TipPage, add_generated_page, safe
from .parallel_markdown import ParallelMarkdown
from .parallel_tips import ParallelReader
from .redirects import add_redirects
from .serve_session import ServeSession
from .shortcuts import Shortcuts
from .staging import Staging
from .state import BuildState, StateHolder

log = get_plugin_logger(__name__)
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THEME_DIR = os.path.join(HERE, "theme")
CSS_SRC = os.path.join(HERE, "assets", "tipsheet.css")
CSS_URI = "assets/tipsheet/tipsheet.css"


class TipsPlugin(BasePlugin[TipsConfig], StateHolder):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.state: BuildState | None = None
        self.command = "build"
        self.staging: Staging | None = None
        self.session = ServeSession()  # mkdocs serve: what a rebuild reuses where nothing it depends on changed
        self.shortcuts: Shortcuts | None = None  # this build's shortcuts, each checked against its ground
        self.dirty = False
        self._loaded: Loaded | None = None  # this build's tips, read in on_pre_build
        self._settings: Settings | None = None
        self._now = datetime.fromtimestamp(0, UTC)

    @property
    def holds_state(self) -> bool:
        return bool(self.config.enabled)

    # -- lifecycle -------------------------------------------------------------
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command
        self.dirty = dirty
        self.session = ServeSession()  # a new session (MkDocs keeps plugin objects for the process)
        self.staging = Staging() if command == "build" and not dirty else None  # also `serve --clean`

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.state = None  # mkdocs serve: nothing survives from the previous build
        if not self.config.enabled:
            return config
        problems = check_keys(self.config)
        if problems:
            raise PluginError("tipsheet/tips: mkdocs.yml:\n" + "\n".join(f"  {p}" for p in problems))
        if THEME_DIR not in config.theme.dirs:
            config.theme.dirs.append(THEME_DIR)
        if CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        if self.staging is not None:
            self.staging.begin(config)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Read and check every tip before MkDocs empties the site folder (the catalog waits for the files)."""
        self._loaded = None
        if not self.config.enabled:
            return
        self._settings = settings_from(self.config, config)
        shortcuts = self.shortcuts = Shortcuts(self.config, self.command, config)
        read, reader, found = load_file, None, None
        if self.command == "serve" and self.config.reuse_on_serve:
            self.session.tips.start_build()
            read = self.session.tips.read
        elif shortcuts.fork:
            found = discover(config.docs_dir, project_dir(config), self._settings.tips_dir)
            reader = ParallelReader(found[0], self._settings, workers())
            read = reader.read
        try:
            loaded = load_tips(config.docs_dir, project_dir(config), self._settings, read, found)
        finally:
            if reader is not None:
                reader.close()
        for warning in loaded.warnings:
            log.warning(str(warning))
        if loaded.errors:
            raise PluginError(str(ContentError(loaded.errors)))
        try:
            self._now = clock.now()
        except ClockError as exc:
            raise PluginError(str(exc)) from None
        self._loaded = loaded
        self.session.pages.begin(config, shortcuts.serve_pages and not self.dirty)

    def _catalog(self, files: Files) -> Catalog:
        """The loaded tips as MkDocs will build them: ``exclude_docs`` leaves a tip out, ``draft_docs`` drafts it.

        A tip whose file is gone from MkDocs' files (a plugin before this one removed it) is left out
        too, with a warning: a card, a feed entry or a digest must never link to a page that is not built.
        """
        assert self._loaded is not None and self._settings is not None
        excluded: list[Tip] = []
        missing: list[Tip] = []
        for tip in self._loaded.tips:
            file = files.get_file_from_path(tip.src_uri)
            if file is None:
                missing.append(tip)
            elif file.inclusion == InclusionLevel.EXCLUDED:
                excluded.append(tip)
        if excluded:
            log.info(f"{len(excluded)} tips left out by exclude_docs: {', '.join(t.path for t in excluded)}")
        for tip in missing:
            log.warning(f"{tip.path}: file: expected MkDocs to build it, got no such file among its documentation "
                        "files (a plugin listed before tipsheet/tips removed it); left out of every page and feed")
        gone = {t.src_uri for t in excluded + missing}

        def drafted(src_uri: str) -> bool:
            file = files.get_file_from_path(src_uri)
            return file is not None and file.inclusion == InclusionLevel.DRAFT

        tips = publishable(self._loaded.tips, gone.__contains__, drafted)
        preview = self.command == "serve" and self.config.preview_on_serve
        return Catalog(tips, self._settings, self._now, preview=preview)

    def on_build_error(self, *, error: Exception) -> None:
        if self.state is not None and self.state.parallel is not None:
            self.state.parallel.close()
        if self.state is not None:
            self.state.offloaded.abandon()
        self.session.pages.fail()
        if self.staging is not None:
            self.staging.abandon()

    @event_priority(100)  # first: the pages are all in place before any other plugin reads the site
    def _on_post_build_pages(self, *, config: MkDocsConfig) -> None:
        if self.state is not None and self.state.parallel is not None:
            self.state.parallel.close()
        if self.state is not None:
            self.state.offloaded.finish()

    @event_priority(-100)  # last: every other plugin has written its files
    def _on_post_build_swap(self, *, config: MkDocsConfig) -> None:
        self.session.pages.finish()  # mkdocs serve: what no one wrote again is not part of the site any more
        if self.staging is not None and self.config.enabled:
            self.staging.finish()

    on_post_build = CombinedEvent(_on_post_build_pages, _on_post_build_swap)

    # -- files and pages -------------------------------------------------------
    @event_priority(100)  # first: MkDocs has just emptied the site folder (mkdocs serve keeps the last files)
    def _on_files_served(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        self.session.pages.emptied()
        return files

    def _on_files_pages(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if self._loaded is None:
            return files
        catalog = self._catalog(files)
        root = project_dir(config)
        assert self._settings is not None
        state = self.state = BuildState(self._settings, Urls(config.use_directory_urls), catalog, root)
        state.voice = voice_from(self.config)
        if self.config.templates:
            state.template_dirs = [os.path.join(root, self.config.templates)]
        assert self.shortcuts is not None
        shared = self.shortcuts.renderer(self.session.renditions)
        if isinstance(shared, ParallelMarkdown):
            state.parallel = shared
        for tip in catalog.all:
            file = files.get_file_from_path(tip.src_uri)
            if file is None:
                continue
            file.dest_uri = Urls.dest_uri(Urls.tip(tip.slug))
            for cached in ("url", "abs_dest_path"):
                file.__dict__.pop(cached, None)
            if catalog.is_published(tip):
                file.inclusion = InclusionLevel.NOT_IN_NAV
            else:
                file.inclusion = InclusionLevel.DRAFT if catalog.preview else InclusionLevel.EXCLUDED
            state.pages[tip.slug] = TipPage(tip, file, config, shared)
        newest = catalog.published[0] if catalog.published else None
        state.update_date = newest.last_changed_day if newest else None
        for spec in plan(catalog):
            add_generated_page(files, config, spec, state.update_date)
        files.append(File.generated(config, CSS_URI, abs_src_path=CSS_SRC))
        if self.config.redirects:
            add_redirects(files, config, self.config.redirects, root)
        return files

    on_files = CombinedEvent(_on_files_served, _on_files_pages)

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        """A title given in mkdocs.yml's nav wins in the nav, as for any page (MkDocs skips it for ours)."""
        titles = dict(_nav_titles(config.nav or []))
        for page in nav.pages:
            if isinstance(page, IndexPage) and page.file.src_uri in titles:
                page.title = safe(titles[page.file.src_uri])
        if self.state is not None:
            self.state.nav = nav
        return nav

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Titles reach the theme escaped: Material prints ``page.title`` as it is."""
        if self.state is not None:
            title = page.meta.get("title")
            if isinstance(title, str) and not isinstance(title, Markup):
                page.meta["title"] = safe(title)
            if not isinstance(page, (TipPage, IndexPage)) and self.state.update_date:
                page.update_date = self.state.update_date
        return markdown

    @event_priority(50)  # before the feeds and digests plugins, which read what this fills in
    def _on_env_fill(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment | None:
        state = self.state
        if state is None:
            return env
        if self.config.cache_theme_fragments:
            FragmentCache(env)
        serving = self.shortcuts is not None and self.shortcuts.serve_pages
        if serving:
            env.bytecode_cache = self.session.templates.theme
            self.session.search.install(config)
        for slug, page in state.pages.items():
            if page.content is not None:
                tip = state.catalog.by_slug[slug]
                state.html[slug] = page.content
                state.summaries[slug] = summary_of(tip, page.content)
                page.meta["description"] = safe(state.summaries[slug])
        make_views = self.session.templates.views if serving else Views
        state.views = make_views(state.catalog, state.urls, state.summaries, state.template_dirs, state.subscribe,
                                 state.signup)
        subscribe = files.get_file_from_path(self.config.subscribe_page)
        if subscribe is not None and subscribe.page is not None:
            state.email_link = Link("Weekly email", subscribe.page.url)
        views = state.views
        for file in files.documentation_pages(inclusion=InclusionLevel.is_in_serve):
            index = file.page
            if isinstance(index, IndexPage) and index.content == "" and index.fill is None:
                index.defer(partial(lambda spec, url: str(views.index_page(spec, url)), index.spec, index.url))
        self.fill_home(files, state)
        return env

    def fill_home(self, files: Files, state: BuildState) -> None:
        views = state.require_views()
        home = files.get_file_from_path(self.config.home.page) if self.config.home.enabled else None
        if home is not None and home.page is not None and home.page.content is not None:
            home.page.content = home.page.content + str(views.latest(home.page.url))
        subscribe = files.get_file_from_path(self.config.subscribe_page)
        page = subscribe.page if subscribe is not None else None
        if page is not None and page.content is not None:
            offer = state.subscribe("all", None)
            feeds = [Link(f.title, views.to(f.url, page.url), kind=f.kind, group=f.group) for f in offer.feeds]
            groups = [(name, list(links)) for name, links in groupby(feeds, key=lambda f: f.group)]
            extra = [Link(x.title, views.to(x.url, page.url), kind=x.kind) for x in state.extra_subscribe]
            block = views.render("fragments/subscribe_page.html", groups=groups, extra=extra,
                                 form=views.signup_form("subscribe-page"))
            page.content = page.content + str(block)  # str first: Markup + str would escape the page

    @event_priority(-100)  # last: every plugin has filled in the generated pages
    def _on_env_offload(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment | None:
        """Hand the generated pages to a forked worker (``mkdocs build`` only; see parallel_pages)."""
        state = self.state
        if state is None or state.nav is None:
            return env
        self.session.pages.prepare(env, config, files, state.nav)
        pages = [f.page for f in files.documentation_pages() if isinstance(f.page, IndexPage)]
        worker = self.shortcuts is not None and self.shortcuts.page_worker
        if worker and state.offloaded.start(pages, config, files, state.nav, env):
            return env
        for page in pages:  # built here: their HTML is made now
            page.filled()
        return env

    on_env = CombinedEvent(_on_env_fill, _on_env_offload)

    def _on_page_context_fill(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                              nav: Navigation) -> TemplateContext | None:
        state = self.state
        if state is not None and page.is_homepage and state.signup is not None:
            form = state.require_views().signup_form("home")
            context["tipsheet"] = {"signup": form}  # type: ignore[typeddict-unknown-key]
        if state is not None and isinstance(page, TipPage):
            views = state.require_views()
            comments = self.config.comments
            context["tipsheet"] = {  # type: ignore[typeddict-unknown-key]
                "header": views.tip_header(page.tip, page.url),
                "footer": views.tip_footer(page.tip, page.url),
                "call_to_action": views.call_to_action(state.voice.for_tags(page.tip.tags)),
                "comments": views.comments(page.tip, page.url, comments.url or "", self._thread(config, page.url),
                                           comments.load) if comments.enabled else "",
            }
        return context

    @event_priority(-100)  # last: every plugin has added what it adds
    def _on_page_context_reuse(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                               nav: Navigation) -> TemplateContext | None:
        self.session.pages.page_context(context, page)  # type: ignore[arg-type]
        return context

    on_page_context = CombinedEvent(_on_page_context_fill, _on_page_context_reuse)

    @event_priority(100)  # first: what the theme rendered, before any plugin changes it
    def _on_post_page_keep(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        self.session.pages.template_output(output, page)
        return output

    @event_priority(-100)  # last: the page's final HTML
    def _on_post_page_write(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        return self.session.pages.final_output(output, page)

    on_post_page = CombinedEvent(_on_post_page_keep, _on_post_page_write)


    @staticmethod
    def _thread(config: MkDocsConfig, url: str) -> str:
        """A tip's comment thread: its path on the public site (``/tips/slug/``), wherever the site is served."""
        return urlsplit(config.site_url or "/").path.rstrip("/") + "/" + url


def _nav_titles(items: Any) -> Iterator[tuple[str, str]]:
    """(path, title) pairs of mkdocs.yml's nav, at any depth."""
    if isinstance(items, list):
        for item in items:
            yield from _nav_titles(item)
    elif isinstance(items, dict):
        for title, value in items.items():
            if isinstance(value, str):
                yield value, str(title)
            else:
                yield from _nav_titles(value)
