"""The build's side of indexing: hand the records to an indexing process, and wait for it at the end.

:class:`IndexJob` starts ``python -m tipsheet.search.indexer`` (see there for why a process)
with the job in a private temporary folder, and only waits for it when the build is about to
finish, so Pagefind indexes while MkDocs renders the pages.  Starting a process creates no
thread here, so the build may still fork its own workers afterwards.

``mkdocs serve`` does not wait: a writer should see an edit as soon as its pages are
written.  There the bundle is written into the private folder and a thread moves it into
the served folder when it is complete (:meth:`IndexJob.finish_in_background`), so the served
folder never holds half an index; a newer rebuild cancels it before touching the folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from .records import Record

TIMEOUT = 600  # seconds: a 3,000-tip site takes a few


@dataclass(frozen=True)
class Job:
    records: Sequence[Record]
    output: str  # the folder Pagefind writes its bundle to: <site>/pagefind
    language: str
    keep_index_url: bool  # use_directory_urls: false keeps index.html in result URLs
    template_dirs: Sequence[str] = ()


@dataclass(frozen=True)
class Outcome:
    pages: int
    seconds: float


class IndexFailed(Exception):
    """The index could not be built; the message says why, in one line."""


class IndexJob:
    """One build's indexing process."""

    def __init__(self, job: Job, *, deliver: bool = False) -> None:
        """``deliver``: Pagefind writes into the private folder; :meth:`finish_in_background` moves it."""
        self.folder = tempfile.mkdtemp(prefix="tipsheet-search-")
        self.expected = len(job.records)
        self.destination = job.output
        if deliver:
            job = replace(job, output=os.path.join(self.folder, "bundle"))
        self._lock = threading.Lock()
        self._cancelled = False
        self._thread: threading.Thread | None = None
        path = os.path.join(self.folder, "job.pickle")
        with open(path, "wb") as handle:
            pickle.dump(job, handle, protocol=pickle.HIGHEST_PROTOCOL)
        self._errors = open(os.path.join(self.folder, "errors.txt"), "wb")  # noqa: SIM115 (closed in _end)
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", "tipsheet.search.indexer", path],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._errors, close_fds=True)

    def wait(self, timeout: float = TIMEOUT) -> Outcome:
        """Wait for the index; raises :class:`IndexFailed` with the reason when there is none."""
        process = self.process
        if process is None:
            raise IndexFailed("the indexing process was already stopped")
        try:
            status = process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.cancel()
            raise IndexFailed(f"no index after {timeout:.0f} s") from None
        try:
            return self._outcome(status)
        finally:
            self._end()

    def _outcome(self, status: int) -> Outcome:
        try:
            if status != 0:
                raise IndexFailed(self._reason(status))
            with open(os.path.join(self.folder, "outcome.json"), encoding="utf-8") as handle:
                data = json.load(handle)
            return Outcome(int(data["pages"]), float(data["seconds"]))
        except (OSError, ValueError, KeyError) as exc:
            raise IndexFailed(f"an unreadable outcome ({exc})") from None

    def finish_in_background(self, done: Callable[[Outcome | None, str | None], None]) -> None:
        """Wait in a thread; move the complete bundle to its place, then ``done(outcome, None)``.

        ``done(None, reason)`` when it failed; never called when the job was cancelled (a newer
        rebuild), so a cancelled index is neither reported nor moved into the folder.
        """
        process = self.process
        if process is None:
            done(None, "the indexing process was already stopped")
            return

        def finish() -> None:
            try:
                status = process.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                status = None
            with self._lock:
                if self._cancelled:
                    return
                try:
                    if status is None:
                        process.kill()
                        raise IndexFailed(f"no index after {TIMEOUT:.0f} s")
                    outcome = self._outcome(status)
                    shutil.rmtree(self.destination, ignore_errors=True)
                    shutil.move(os.path.join(self.folder, "bundle"), self.destination)
                except (IndexFailed, OSError) as exc:
                    self._end()
                    done(None, str(exc))
                    return
                self._end()
            done(outcome, None)

        self._thread = threading.Thread(target=finish, name="tipsheet-search-index", daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for :meth:`finish_in_background`'s thread; False if it is still running."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _reason(self, status: int) -> str:
        with contextlib.suppress(OSError):
            self._errors.flush()
            with open(os.path.join(self.folder, "errors.txt"), encoding="utf-8", errors="replace") as handle:
                lines = [line.strip() for line in handle if line.strip()]
            if lines:
                return lines[-1]
        return f"the indexing process ended with status {status}"

    def cancel(self) -> None:
        """Stop the process (a failed build, or a newer rebuild in ``mkdocs serve``) and clean up.

        Once this returns nothing of this job is written into the site any more.
        """
        with self._lock:
            self._cancelled = True
            process = self.process
            if process is not None and process.poll() is None:
                process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(10)
            self._end()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(10)

    def _end(self) -> None:
        self.process = None
        if not self._errors.closed:
            self._errors.close()
        shutil.rmtree(self.folder, ignore_errors=True)
