"""``tipsheet/search``: a Pagefind index of the tips and the site's own pages, a header box and a /search/ page.

The records come from memory in ``on_env``, once every page's HTML is known:
each tip's one rendering and each of the site's own pages (never the archive,
tag, series or digest lists).  A separate process indexes them while MkDocs
renders the pages (:mod:`tipsheet.search.job`); ``on_post_build`` waits for it
before the new site is swapped in, so a site never has pages without their index.
``mkdocs serve`` does not wait: the index is started once the pages are
written and follows them (a newer rebuild cancels it), so a writer sees an edit
as soon as without search.

Nothing is downloaded before the reader opens search: the header box is a
link to /search/ with a small inline script; Pagefind's Component UI and the
index load only when the reader clicks it, presses ``/`` or Ctrl+K, or opens
the search page.  The box goes where Material puts its own search box, found
in the page's HTML; if Material's header ever changes shape, the box is left
out (with one INFO line) and search stays at /search/.
"""

from __future__ import annotations

import os

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from ..search.job import IndexFailed, IndexJob, Job, Outcome
from ..search.records import Record, excluded, tip_records
from ..site.jinja import make_env
from ..site.urls import Urls, root_of
from .config import SearchConfig
from .pages import IndexPage, TipPage
from .state import BuildState, shared_state

log = get_plugin_logger(__name__)
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSS_SRC = os.path.join(HERE, "assets", "search.css")
CSS_URI = "assets/tipsheet/search.css"

SEARCH_FOLDER = "search"
HEADER_NAV = '<nav class="md-header__inner md-grid"'  # Material's header bar
HEADER_SOURCE = '<div class="md-header__source">'  # the repository link, which Material puts after its search


class SearchPage(Page):
    """The /search/ page, made in memory: the search form, filled in when the page is rendered."""

    def __init__(self, file: File, config: MkDocsConfig, plugin: SearchPlugin) -> None:
        super().__init__(None, file, config)
        self.plugin = plugin

    def read_source(self, config: MkDocsConfig) -> None:
        self.meta = {"title": "Search", "search": {"exclude": True}}
        self.markdown = ""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = str(self.plugin.render("search/page.html", self.url))
        self.toc = get_toc([])
        self.present_anchor_ids = set()


def insert_header_box(output: str, box: str) -> str | None:
    """``output`` with ``box`` where Material puts its search box; None when the header is not there."""
    start = output.find(HEADER_NAV)
    end = output.find("</nav>", start) if start >= 0 else -1
    if end < 0:
        return None
    source = output.find(HEADER_SOURCE, start, end)
    at = source if source >= 0 else end
    return output[:at] + box + output[at:]


class SearchPlugin(BasePlugin[SearchConfig]):
    def __init__(self) -> None:
        self.command = "build"
        self.job: IndexJob | None = None
        self._pending: Job | None = None  # mkdocs serve: the records, indexed after the pages are written
        self._active = False
        self._env = make_env()
        self._boxes: dict[str, str] = {}
        self._header_missing = False
        self._urls = Urls()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self._cancel()  # mkdocs serve: a rebuild starts before the previous index is done
        self._boxes = {}
        self._header_missing = False
        self._active = bool(self.config.enabled) and (self.command != "serve" or self.config.on_serve)
        if self.config.enabled and not self._active:
            log.info("search is off in mkdocs serve (on_serve: false): no search box, no index")
        if self._active and any(name in ("search", "material/search") for name in config.plugins):
            log.warning("tipsheet/search: Material's 'search' plugin is enabled too; it downloads the whole "
                        "index on every page view: remove '- search' from plugins in mkdocs.yml")
        self._urls = Urls(config.use_directory_urls)
        if self._active and CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self._active:
            return files
        state = shared_state(config, "tipsheet/search")
        self._env = make_env(state.template_dirs)
        files.append(File.generated(config, CSS_URI, abs_src_path=CSS_SRC))
        src = Urls.src_uri(SEARCH_FOLDER)
        if files.get_file_from_path(src) is not None:
            log.warning(f"{src} replaces the generated search page; rename it to get the search page back")
            return files
        file = File.generated(config, src, content="", inclusion=InclusionLevel.NOT_IN_NAV)
        files.append(file)
        SearchPage(file, config, self)
        return files

    def render(self, template: str, current: str) -> Markup:
        root = root_of(current)
        return Markup(self._env.get_template(template).render(
            root=root or "./", search_url=(root + self._urls.page(SEARCH_FOLDER)) or "./"))

    # -- the index ---------------------------------------------------------------
    @event_priority(40)  # right after tipsheet/tips has every tip's HTML and summary (50), before the rest
    def on_env(self, env: object, *, config: MkDocsConfig, files: Files) -> None:
        """Hand this build's records to the indexing process (every page's HTML is known by now)."""
        if not self._active:
            return
        state = shared_state(config, "tipsheet/search")
        records = self.records(state, files)
        job = Job(records, output=f"{config.site_dir}/pagefind", language=state.settings.language,
                  keep_index_url=not config.use_directory_urls, template_dirs=state.template_dirs)
        if self.command == "serve":  # started once the pages are written, so they are not slowed by it
            self._pending = job
        else:
            self.job = IndexJob(job)

    @staticmethod
    def records(state: BuildState, files: Files) -> list[Record]:
        views = state.require_views()
        paths = {slug: page.file.dest_uri for slug, page in state.pages.items()}
        tips = tip_records(state.catalog, state.html, lambda tip: paths[tip.slug],
                           lambda tip: views.date_text(tip.date), state.summaries)
        own: list[Record] = []
        for file in files.documentation_pages():
            page = file.page
            if page is None or isinstance(page, (TipPage, IndexPage, SearchPage)) or page.content is None:
                continue
            if excluded(page.meta):
                continue
            title = page.title or ""
            plain = title.unescape() if isinstance(title, Markup) else str(title)
            own.append(Record(file.dest_uri, plain, page.content))
        return tips + own

    @event_priority(-50)  # after the other plugins have changed the page
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if not self._active or not self.config.header or not output:
            return output
        root = root_of(page.url)
        box = self._boxes.get(root)
        if box is None:
            box = self._boxes[root] = str(self.render("search/box.html", page.url))
        placed = insert_header_box(output, box)
        if placed is None:
            if not self._header_missing:
                self._header_missing = True
                log.info(f"{page.file.src_uri} has no Material header bar (the theme changed?): the search box "
                         "is left out of such pages; search stays at /search/")
            return output
        return placed

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:  # mkdocs serve: the writer sees the pages now; the index follows
            self.job = IndexJob(pending, deliver=True)
            self.job.finish_in_background(self._indexed)
            return
        job, self.job = self.job, None
        if job is None:
            return
        try:
            outcome = job.wait()
        except IndexFailed as exc:
            raise PluginError(f"tipsheet/search: expected Pagefind to index the site, got {exc} "
                              "(is the 'pagefind[bin]' package installed?)") from None
        log.info(f"search: indexed {outcome.pages} pages in {outcome.seconds:.1f} s")

    @staticmethod
    def _indexed(outcome: Outcome | None, reason: str | None) -> None:
        """``mkdocs serve``: the index of the last rebuild is in place (or could not be made)."""
        if outcome is None:
            log.warning(f"search: expected Pagefind to index the site, got {reason}; the preview "
                        "has no search index until the next rebuild")
        else:
            log.info(f"search: indexed {outcome.pages} pages in {outcome.seconds:.1f} s")

    def wait_for_index(self, timeout: float | None = None) -> bool:
        """``mkdocs serve``: wait until the last rebuild's index is in place (False: still working)."""
        job = self.job
        return job is None or job.join(timeout)

    def on_build_error(self, *, error: Exception) -> None:
        self._cancel()

    def on_shutdown(self) -> None:
        self._cancel()

    def _cancel(self) -> None:
        self._pending = None
        job, self.job = self.job, None
        if job is not None:
            job.cancel()
