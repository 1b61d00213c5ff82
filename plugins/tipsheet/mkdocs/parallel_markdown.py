"""Render the last tips' Markdown in forked processes while MkDocs renders the first ones.

Markdown is the largest single cost of a big build, each tip's rendering is
independent of the others, and build machines have more than one core.  When
MkDocs asks for the first tip's HTML (files, nav and every other plugin's
``on_files``/``on_nav`` are done by then), the tips are split in MkDocs' own
order: the parent keeps the first share and renders it as usual; forked
children render the rest with the same code (:class:`SharedMarkdown`) and
write plain results to a temporary file.  When MkDocs reaches a tip of a
child's share, the parent takes the child's rendition, if the Markdown it was
given is exactly the one MkDocs now holds (another plugin's
``on_page_markdown`` may have changed it); otherwise, or if a child failed in
any way, the tip is rendered in the parent as usual.  Warnings a child logged
are replayed in the parent, in page order, so ``--strict`` counts them.

Only in ``mkdocs build``: ``mkdocs serve`` runs threads, and forking a
threaded process is unsafe.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import threading
from collections.abc import Sequence
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from .markdown_reuse import Rendition, SharedMarkdown

log = get_plugin_logger(__name__)
MIN_PAGES = 200  # below this, forking costs more than it saves


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def workers() -> int:
    """Processes to use (the parent included): the CPUs this process may run on, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


class ParallelMarkdown:
    """One build's split of the tips between the parent and forked children."""

    def __init__(self, shared: SharedMarkdown, processes: int) -> None:
        self.shared = shared
        self.processes = processes
        self.started = False
        self._children: list[tuple[int, str, set[str]]] = []  # pid, result file, src_uris
        self._results: dict[str, Rendition] = {}

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        if not self.started:
            self.started = True
            self._start(page, config, files)
        rendition = self._take(page)
        if rendition is not None and rendition.markdown == page.markdown:
            self.shared.apply(page, rendition, files)
        else:
            self.shared.render(page, config, files)

    def _start(self, first: Page, config: MkDocsConfig, files: Files) -> None:
        from .pages import TipPage

        order = [f.page for f in files.documentation_pages() if isinstance(f.page, TipPage) and f.page is not first]
        if (self.processes < 2 or len(order) < MIN_PAGES or not hasattr(os, "fork")
                or threading.active_count() > 1):
            return
        share = len(order) // self.processes
        for n in range(1, self.processes):
            chunk = order[n * share:] if n == self.processes - 1 else order[n * share:(n + 1) * share]
            self._fork(chunk, config, files)

    def _fork(self, chunk: Sequence[Page], config: MkDocsConfig, files: Files) -> None:
        handle, path = tempfile.mkstemp(prefix="tipsheet-markdown-", suffix=".pickle")
        os.close(handle)
        pid = os.fork()
        if pid == 0:  # the child: render, write, leave without running the parent's exit handlers
            status = 1
            try:
                self._render_chunk(chunk, config, files, path)
                status = 0
            finally:
                os._exit(status)
        self._children.append((pid, path, {p.file.src_uri for p in chunk}))

    def _render_chunk(self, chunk: Sequence[Page], config: MkDocsConfig, files: Files, path: str) -> None:
        capture = _Capture()
        logging.getLogger("mkdocs").handlers = []  # warnings travel back to the parent instead
        root = logging.getLogger()
        root.handlers = [capture]
        out: dict[str, Rendition] = {}
        for page in chunk:
            page.read_source(config)  # a TipPage's source is its parsed tip: no file is read
            capture.records = []
            rendition = self.shared.convert(page, config, files)
            rendition.records = capture.records
            out[page.file.src_uri] = rendition
        with open(path, "wb") as handle:
            pickle.dump(out, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def _take(self, page: Page) -> Rendition | None:
        uri = page.file.src_uri
        if uri not in self._results:
            for child in list(self._children):
                if uri in child[2]:
                    self._collect(child)
        return self._results.pop(uri, None)

    def _collect(self, child: tuple[int, str, set[str]]) -> None:
        pid, path, _ = child
        self._children.remove(child)
        try:
            _, status = os.waitpid(pid, 0)
            if status == 0:
                with open(path, "rb") as handle:
                    results: Any = pickle.load(handle)
                self._results.update(results)
            else:
                log.debug(f"a Markdown worker ended with status {status}; its tips are rendered here instead")
        except (OSError, pickle.UnpicklingError, EOFError) as exc:
            log.debug(f"a Markdown worker's results could not be read ({exc}); its tips are rendered here")
        finally:
            if os.path.exists(path):
                os.unlink(path)

    def close(self) -> None:
        """Reap every child not waited for (a build that stopped early)."""
        for child in list(self._children):
            self._collect(child)
        self._results.clear()
