"""Build the generated pages (archive, tags, series, digests) in a forked process beside MkDocs.

A big site has as many generated pages as tips, and putting each one through
the theme is most of what tipsheet adds to a build.  These pages are ours:
made in memory, without Markdown, kept out of the search index.  So at the
very end of ``on_env`` (everything they show is known by then) a forked child
(:mod:`.forking`) builds them with MkDocs' own ``_build_page``, the same
plugins and the same theme, and writes them, while the parent goes on with
the tips.  In the parent those pages get an empty template: MkDocs does not
write a page whose output is empty, so the child's files stand.  Its
"Page skipped" notices for them are filtered out.  ``on_post_build`` waits
for the child; if it failed, the parent builds the pages itself.

A page whose source a writer provides, or any page of another plugin, is
never handed to the child: it is built by MkDocs as usual.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from jinja2 import Environment
from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from . import forking
from .forking import ForkJob, can_fork, replay
from .pages import IndexPage

EMPTY_TEMPLATE = "tipsheet/built-elsewhere.html"


class _SkipNotices(logging.Filter):
    def __init__(self, uris: set[str]) -> None:
        super().__init__()
        self.uris = uris

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Page skipped: '") and message.split("'")[1] in self.uris)


class OffloadedPages:
    def __init__(self) -> None:
        self._job: ForkJob | None = None
        self._pages: Sequence[Page] = ()
        self._templates: dict[str, str | None] = {}
        self._filter: _SkipNotices | None = None
        self._args: tuple[MkDocsConfig, Sequence[object], Navigation, Environment] | None = None

    def start(self, pages: Sequence[Page], config: MkDocsConfig, files: Files, nav: Navigation,
              env: Environment) -> bool:
        """Fork a child that builds ``pages``; in this process they will render to nothing."""
        if len(pages) < forking.MIN_PAGES or not can_fork():
            return False
        doc_files = files.documentation_pages()
        self._args = (config, doc_files, nav, env)
        self._job = ForkJob(lambda: self._build(pages))
        self._pages = pages
        for page in pages:  # here, an empty page that MkDocs does not write; the worker makes the real one
            self._templates[page.file.src_uri] = page.meta.get("template")
            page.meta["template"] = EMPTY_TEMPLATE
            if isinstance(page, IndexPage) and page.fill is not None:
                page.content = ""
        self._filter = _SkipNotices({p.file.src_uri for p in pages})
        logging.getLogger(mkdocs_build.__name__).addFilter(self._filter)
        return True

    def _build(self, pages: Sequence[Page]) -> int:
        assert self._args is not None
        config, doc_files, nav, env = self._args
        for page in pages:
            if isinstance(page, IndexPage):
                page.filled()
            mkdocs_build._build_page(page, config, doc_files, nav, env)  # type: ignore[arg-type]
        return len(pages)

    def finish(self) -> None:
        """Wait for the child; build its pages here if it did not."""
        job, self._job = self._job, None
        if self._filter is not None:
            logging.getLogger(mkdocs_build.__name__).removeFilter(self._filter)
            self._filter = None
        if job is None:
            return
        done = job.result()
        for page in self._pages:
            template = self._templates.get(page.file.src_uri)
            if template is None:
                page.meta.pop("template", None)
            else:
                page.meta["template"] = template
        if done is not None:
            replay(done[1])
            return
        assert self._args is not None
        config, doc_files, nav, env = self._args
        for page in self._pages:
            if isinstance(page, IndexPage):
                page.filled()
            mkdocs_build._build_page(page, config, doc_files, nav, env)  # type: ignore[arg-type]

    def abandon(self) -> None:
        """The build failed: reap the child, leave its files to be dropped with the staging folder."""
        if self._filter is not None:
            logging.getLogger(mkdocs_build.__name__).removeFilter(self._filter)
            self._filter = None
        if self._job is not None:
            self._job.result()
            self._job = None
