"""The build's side of indexing: hand the records to an indexing process, and wait for it at the end.

:class:`IndexJob` starts ``python -m tipsheet.search.indexer`` (see there for why a process)
with the job in a private temporary folder, and only waits for it when the build is about to
finish, so Pagefind indexes while MkDocs renders the pages.  Starting a process creates no
thread here, so the build may still fork its own workers afterwards.
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
from collections.abc import Sequence
from dataclasses import dataclass

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

    def __init__(self, job: Job) -> None:
        self.folder = tempfile.mkdtemp(prefix="tipsheet-search-")
        self.expected = len(job.records)
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
            if status != 0:
                raise IndexFailed(self._reason(status))
            with open(os.path.join(self.folder, "outcome.json"), encoding="utf-8") as handle:
                data = json.load(handle)
            return Outcome(int(data["pages"]), float(data["seconds"]))
        except (OSError, ValueError, KeyError) as exc:
            raise IndexFailed(f"an unreadable outcome ({exc})") from None
        finally:
            self._end()

    def _reason(self, status: int) -> str:
        with contextlib.suppress(OSError):
            self._errors.flush()
            with open(os.path.join(self.folder, "errors.txt"), encoding="utf-8", errors="replace") as handle:
                lines = [line.strip() for line in handle if line.strip()]
            if lines:
                return lines[-1]
        return f"the indexing process ended with status {status}"

    def cancel(self) -> None:
        """Stop the process (a failed build, or a newer rebuild in ``mkdocs serve``) and clean up."""
        process = self.process
        if process is not None and process.poll() is None:
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
        self._end()

    def _end(self) -> None:
        self.process = None
        self._errors.close()
        shutil.rmtree(self.folder, ignore_errors=True)
