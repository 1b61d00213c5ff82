"""Keep the last good site until a new build has fully succeeded.

``mkdocs build`` empties ``site_dir`` before it writes anything, so a build
that fails halfway (bad content, ``--strict`` warnings, a crash) would leave
a half-built site where a good one was.  We point MkDocs at a sibling folder
and swap it into place at the very end of ``on_post_build``, unless the
build is failing: an exception on the way (``on_build_error``), or warnings
that ``--strict`` is about to turn into an abort (counted here, the way
MkDocs counts them).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from concurrent.futures import ThreadPoolExecutor

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger

log = get_plugin_logger(__name__)


def remove_tree(path: str, threads: int = 4) -> None:
    """``shutil.rmtree``, with the folders just below ``path`` removed by a few threads at once.

    Removing a big site is thousands of ``unlink`` calls, which wait on the file
    system rather than on Python; a few threads finish it in about two thirds
    of the time.
    """
    if os.path.islink(path):
        os.unlink(path)  # a link is removed, never followed
        return
    if not os.path.isdir(path):
        return
    parts: list[str] = []
    for entry in os.scandir(path):
        if entry.is_dir(follow_symlinks=False):
            parts.extend(e.path for e in os.scandir(entry.path))
        else:
            parts.append(entry.path)

    def remove(part: str) -> None:
        if os.path.isdir(part) and not os.path.islink(part):
            shutil.rmtree(part, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(part)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(remove, parts))
    shutil.rmtree(path, ignore_errors=True)


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class Staging:
    SUFFIX = ".tipsheet-new"

    def __init__(self) -> None:
        self.final: str | None = None
        self.staging: str | None = None
        self.strict = False
        self._counter: _Counter | None = None

    def begin(self, config: MkDocsConfig) -> None:
        """Redirect this build's output; called from ``on_config``.

        A ``site_dir`` that is a symbolic link (to a web server's folder, say) is built in
        place, as MkDocs would: swapping would replace the link with a plain folder.
        """
        if self.final is None:
            self.final = os.path.abspath(config.site_dir)
            self.staging = self.final.rstrip(os.sep) + self.SUFFIX
        if os.path.islink(self.final):
            self.final = self.staging = None
            return
        config.site_dir = self.staging  # type: ignore[assignment]
        self.strict = bool(config.strict)
        self._stop_counting()
        self._counter = _Counter()
        logging.getLogger("mkdocs").addHandler(self._counter)

    def _stop_counting(self) -> int:
        counter, self._counter = self._counter, None
        if counter is None:
            return 0
        logging.getLogger("mkdocs").removeHandler(counter)
        return counter.count

    def finish(self) -> None:
        """The build got to its end: swap the new site in, unless --strict is about to fail it."""
        warnings = self._stop_counting()
        if self.final is None or self.staging is None:
            return
        if self.strict and warnings:
            self.abandon()
            return
        old = self.final.rstrip(os.sep) + ".tipsheet-old"
        if os.path.isdir(old):
            remove_tree(old)
        if os.path.isdir(self.final):
            self._keep_hidden_entries()
            os.replace(self.final, old)
        os.replace(self.staging, self.final)
        remove_tree(old)
        log.info(f"The new site replaced the previous one in {self.final}")

    def _keep_hidden_entries(self) -> None:
        """Carry over what MkDocs itself never cleans out of site_dir: entries whose name starts with a dot
        (the ``.git`` of a deployment checkout, ``.htaccess``, ``.well-known``)."""
        assert self.final is not None and self.staging is not None
        for entry in os.scandir(self.final):
            target = os.path.join(self.staging, entry.name)
            if entry.name.startswith(".") and not os.path.lexists(target):
                os.replace(entry.path, target)

    def abandon(self) -> None:
        """The build failed: drop what it wrote and keep the previous site."""
        self._stop_counting()
        if self.staging and os.path.isdir(self.staging):
            shutil.rmtree(self.staging, ignore_errors=True)
        if self.final and os.path.isdir(self.final):
            log.info(f"The previous site in {self.final} was kept as it was")
