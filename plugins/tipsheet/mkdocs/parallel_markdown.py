"""Render the last tips' Markdown in forked processes while MkDocs renders the first ones.

Markdown is the largest single cost of a big build and each tip's rendering
is independent of the others.  When MkDocs asks for the first tip's HTML
(files, nav and every other plugin's ``on_files``/``on_nav`` are done by then),
the tips are split in MkDocs' own order: the parent keeps the first share and
renders it as usual; forked children (:mod:`.forking`) render the rest with
the same code and return plain :class:`Rendition` objects.  When MkDocs
reaches a tip of a child's share, the parent takes the child's rendition if
the Markdown it was given is exactly the one MkDocs now holds (another
plugin's ``on_page_markdown`` may have changed it); otherwise, or if a child
failed, the tip is rendered in the parent as usual (as it is, too, when the
shared instance stepped aside in the parent).  Warnings a child logged are
replayed in page order, so ``--strict`` counts them.
"""

from __future__ import annotations

from collections.abc import Sequence

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from . import forking
from .forking import ForkJob, can_fork, capture_logs
from .markdown_reuse import Rendition, SharedMarkdown


class ParallelMarkdown:
    """One build's split of the tips between the parent and forked children."""

    def __init__(self, shared: SharedMarkdown, processes: int) -> None:
        self.shared = shared
        self.processes = processes
        self.started = False
        self._jobs: list[tuple[ForkJob, set[str]]] = []
        self._results: dict[str, Rendition] = {}

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        if not self.started:
            self.started = True
            self._start(page, config, files)
        rendition = self._take(page)
        if rendition is not None and rendition.markdown == page.markdown and self.shared.broken is None:
            self.shared.apply(page, rendition, files)
        else:
            self.shared.render(page, config, files)

    def _start(self, first: Page, config: MkDocsConfig, files: Files) -> None:
        from .pages import TipPage

        order = [f.page for f in files.documentation_pages() if isinstance(f.page, TipPage) and f.page is not first]
        if self.processes < 2 or len(order) < forking.MIN_PAGES or not can_fork():
            return
        share = len(order) // self.processes
        for n in range(1, self.processes):
            chunk = order[n * share:] if n == self.processes - 1 else order[n * share:(n + 1) * share]
            job = ForkJob(lambda chunk=chunk: self._render_chunk(chunk, config, files))  # type: ignore[misc]
            self._jobs.append((job, {p.file.src_uri for p in chunk}))

    def _render_chunk(self, chunk: Sequence[Page], config: MkDocsConfig, files: Files) -> dict[str, Rendition]:
        capture = capture_logs()
        out: dict[str, Rendition] = {}
        for page in chunk:
            page.read_source(config)  # a TipPage's source is its parsed tip: no file is read
            capture.records = []
            rendition = self.shared.convert(page, config, files)
            rendition.records = capture.records  # replayed when the parent reaches this page
            out[page.file.src_uri] = rendition
        return out

    def _take(self, page: Page) -> Rendition | None:
        uri = page.file.src_uri
        if uri not in self._results:
            for job, uris in list(self._jobs):
                if uri in uris:
                    self._jobs.remove((job, uris))
                    done = job.result()
                    if done is not None:
                        self._results.update(done[0])
        return self._results.pop(uri, None)

    def close(self) -> None:
        """Reap every child not waited for (a build that stopped early)."""
        for job, _ in self._jobs:
            job.result()
        self._jobs.clear()
        self._results.clear()
