"""On ``mkdocs serve``, pages an edit did not change are neither rendered nor written again.

``mkdocs serve`` rebuilds the whole site after every save: it empties the
served folder, renders every page through the theme and writes every file.
At 1,000 tips that is some 2,700 pages, although an edit changes a handful.
Here the same work is done for what changed only, and the served folder ends
up byte for byte what a full rebuild would write:

- Rendering: when a page's template context (:mod:`.fingerprint`: the page,
  what plugins added, mkdocs.yml, the nav, the theme's files) is what it was in
  the last rebuild, the theme's ``base.html`` outputs the HTML it rendered then,
  instead of rendering it again.  Plugins still see the page in every event.
  The first reused page of each kind in every rebuild is rendered anyway and
  compared with the kept HTML: on any difference reuse is off for the session,
  with one INFO line.
- Writing: the served folder keeps the last rebuild's files through MkDocs'
  emptying it (:mod:`.serve_files`); a page whose final HTML is what its file
  holds is not written again, and files no longer part of the site are deleted.

It stands on MkDocs' ``build``, ``_build_page`` and ``clean_directory`` as
known (:func:`.ground.serve_reuse`) and on every page hook being known
(:func:`.ground.unsafe_page_hooks`); otherwise every rebuild is a full one.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from jinja2 import BaseLoader, Environment
from markupsafe import Markup
from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .fingerprint import SiteInputs, Unknown, context_inputs, page_inputs, start_build
from .serve_files import ServedFolder

log = get_plugin_logger(__name__)
ROOT_TEMPLATE = "base.html"
REUSED = "tipsheet_reused"  # the context variable that holds a page's kept HTML


class _Loader(BaseLoader):
    """The theme's loader, with ``base.html`` able to output a page's kept HTML, noting every template read."""

    def __init__(self, inner: BaseLoader, note: Callable[[Environment, str, str, str | None], None]) -> None:
        self.inner = inner
        self.note = note

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None,
                                                                             Callable[[], bool] | None]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        self.note(environment, template, source, filename)
        if template == ROOT_TEMPLATE:
            body, end = (source[:-1], "\n") if source.endswith("\n") else (source, "")  # Jinja drops one final \n
            source = "{% if " + REUSED + " is defined %}{{ " + REUSED + " }}{% else %}" + body + "{% endif %}" + end
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


class _SkipNotices(logging.Filter):
    """MkDocs says "Page skipped" for a page whose output is empty: not news for a page moved back."""

    def __init__(self) -> None:
        super().__init__()
        self.uris: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Page skipped: '") and message.split("'")[1] in self.uris)


class ServeReuse:
    """Kept for the whole ``mkdocs serve`` session by the tips plugin."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[int, str]] = {}  # page's dest path -> (inputs' hash, template output)
        self.written: dict[str, int] = {}  # page's dest path -> hash of the HTML in that file
        self.site = SiteInputs()
        self.off: str | None = None  # why reuse is off for the rest of the session
        self.active = False  # whether pages may be reused in this build
        self.moving = False  # whether the last rebuild's files are kept through this one
        self.folder = ServedFolder()
        self._shared: Any = None
        self._inputs: dict[str, int] = {}  # this build: dest path -> inputs' hash
        self._checked: set[str] = set()  # kinds of page compared with their kept HTML in this build
        self._back: set[str] = set()  # dest paths of pages whose file was not written again
        self._seen: set[str] = set()
        self._notices = _SkipNotices()
        self.stats: Counter[str] = Counter()  # this build: pages reused, files not written again

    # -- the build's start and end ---------------------------------------------------------------
    def begin(self, config: MkDocsConfig, allowed: bool) -> None:
        """``on_pre_build``, before MkDocs empties the site folder: put its files aside."""
        self.active = allowed and self.off is None
        self._inputs, self._checked, self._back, self._seen = {}, set(), set(), set()
        self._notices.uris = set()
        self.stats = Counter()
        if not self.active:
            self.kept.clear()
            self.written.clear()
        self.moving = self.active and bool(self.written) and self.folder.put_aside(config.site_dir)

    def emptied(self) -> None:
        """``on_files``, first: MkDocs has emptied the site folder; the last rebuild's files go back."""
        if self.moving:
            self.folder.put_back(set(self.written))

    def prepare(self, env: Environment, config: MkDocsConfig, files: Files, nav: Navigation) -> None:
        """``on_env``, last: wrap the theme's loader and fingerprint what every page shares."""
        if not self.active:
            return
        start_build()
        if not self.site.theme_unchanged(env):
            self.kept.clear()
        try:  # with what the last build's templates read: a template that changed since cleared the pages
            self._shared = self.site.value(config, nav, files.documentation_pages())
        except Unknown as exc:
            log.debug(f"serve: every page is rendered again ({exc})")
            self._shared = None
        self.site.templates = {}
        assert env.loader is not None
        env.loader = _Loader(env.loader, self.site.note_template)
        logging.getLogger(mkdocs_build.__name__).addFilter(self._notices)

    def finish(self) -> None:
        """``on_post_build``, last: delete what the last rebuild wrote and this one did not."""
        logging.getLogger(mkdocs_build.__name__).removeFilter(self._notices)
        if self.moving:
            self.folder.drop_stale(self._back)
        for gone in set(self.written) - self._seen:
            del self.written[gone]
            self.kept.pop(gone, None)

    def fail(self) -> None:
        """The build failed: what is on disk is unknown, so the next rebuild starts afresh."""
        logging.getLogger(mkdocs_build.__name__).removeFilter(self._notices)
        self.folder.abandon()
        self.moving = False
        self.kept.clear()
        self.written.clear()

    # -- each page -------------------------------------------------------------------------------
    def page_context(self, context: dict[str, Any], page: Page) -> None:
        """``on_page_context``, last: hand the template the kept HTML if nothing it would read changed."""
        if not self.active or self._shared is None:
            return
        dest = page.file.dest_uri
        try:
            inputs = hash((self._shared, page_inputs(page), context_inputs(context)))
        except Unknown:
            return
        self._inputs[dest] = inputs
        kept = self.kept.get(dest)
        if kept is None or kept[0] != inputs:
            return
        kind = type(page).__qualname__
        if kind in self._checked:
            context[REUSED] = Markup(kept[1])  # type: ignore[literal-required]
            self.stats["reused"] += 1
        self._checked.add(kind)  # the first reusable page of each kind is rendered anyway, then compared

    def template_output(self, output: str, page: Page) -> None:
        """``on_post_page``, first: keep what the template rendered (compare it, when it was not reused)."""
        if not self.active:
            return
        dest = page.file.dest_uri
        inputs = self._inputs.get(dest)
        if inputs is None:
            self.kept.pop(dest, None)
            return
        kept = self.kept.get(dest)
        if kept is not None and kept[0] == inputs and kept[1] != output:
            self.off = (f"{page.file.src_uri} rendered differently from its kept HTML although nothing its "
                        "template reads had changed")
            log.info(f"reuse on mkdocs serve is off until serve restarts: {self.off}")
            self.active = False
            self.kept.clear()
            return
        self.kept[dest] = (inputs, output)

    def final_output(self, output: str, page: Page) -> str:
        """``on_post_page``, last: '' (not written) when the file put aside already holds exactly this."""
        dest = page.file.dest_uri
        self._seen.add(dest)
        if not self.active and not self.moving:
            return output
        digest = hash(output)
        if self.moving and self.written.get(dest) == digest and self.folder.holds(dest):
            self._back.add(dest)
            self._notices.uris.add(page.file.src_uri)
            self.stats["unwritten"] += 1
            return ""
        self.written[dest] = digest
        return output
