"""Keep the last good site, and everything else in its folder, until a new build has fully succeeded.

``mkdocs build`` empties ``site_dir`` before it writes anything, so a build
that fails halfway (bad content, ``--strict`` warnings, a crash) would leave
a half-built site where a good one was.  We point MkDocs at a sibling folder
and swap it into place at the very end of ``on_post_build``, unless the
build is failing: an exception on the way (``on_build_error``), or warnings
that ``--strict`` is about to turn into an abort (counted here, the way
MkDocs counts them: on the engine's logger, ``mkdocs`` or ``properdocs``).

It stands on ``build`` writing nothing after ``on_post_build`` and counting
warnings as it does in MkDocs 1.6.1 and ProperDocs 1.6.7
(:func:`.ground.staging`); otherwise the site is built in place, as MkDocs
does, and one INFO line says so.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from concurrent.futures import ThreadPoolExecutor

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from . import engine, ground

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
    """The build writes into a sibling of the site folder, swapped in only when the whole build succeeded.

    Nothing that was in the site folder is ever deleted before the new site is in place: the
    previous site is renamed aside, the new one renamed in, and only then are the previous
    site's dot-entries (the ``.git`` of a deployment checkout, ``.htaccess``, ``.well-known``,
    which MkDocs itself never cleans) moved into the new one.  If any step fails, the previous
    site is put back as it was.  A ``site_dir`` that is a symbolic link (to a web server's
    folder, say) keeps its link: the staging folder sits beside the link's target, and the
    target is what is swapped.
    """

    SUFFIX = ".tipsheet-new"
    OLD = ".tipsheet-old"

    def __init__(self) -> None:
        self.final: str | None = None  # the real folder the site ends up in (a link's target)
        self.staging: str | None = None
        self.strict = False
        self._counter: _Counter | None = None

    def begin(self, config: MkDocsConfig) -> None:
        """Redirect this build's output; called from ``on_config``."""
        if self.final is None:
            moved = ground.staging()
            if moved is not None:
                log.info(f"the site is built in place, as MkDocs does: {moved}, so a failed build can leave "
                         "it half-built")
                return
            self.final = os.path.realpath(config.site_dir)
            self.staging = self.final.rstrip(os.sep) + self.SUFFIX
            parent = os.path.dirname(self.final)
            if not os.access(parent, os.W_OK):
                log.info(f"{parent} is not writable: the site is built in place, so a failed build can leave "
                         "it half-built")
                self.final = self.staging = None
                return
        old = self.final.rstrip(os.sep) + self.OLD
        if os.path.lexists(old):
            raise PluginError(f"{old}: expected no such folder, got one: it holds what a previous build could not "
                              "move into the new site (see that build's warning); take what you need from it, "
                              "then delete it")
        config.site_dir = self.staging  # type: ignore[assignment]
        self.strict = bool(config.strict)
        self._stop_counting()
        self._counter = _Counter()
        engine.logger().addHandler(self._counter)

    def _stop_counting(self) -> int:
        counter, self._counter = self._counter, None
        if counter is None:
            return 0
        engine.logger().removeHandler(counter)
        return counter.count

    def finish(self) -> None:
        """The build got to its end: swap the new site in, unless --strict is about to fail it."""
        warnings = self._stop_counting()
        if self.final is None or self.staging is None:
            return
        if self.strict and warnings:
            self.abandon()
            return
        final, staging, old = self.final, self.staging, self.final.rstrip(os.sep) + self.OLD
        had_site = os.path.isdir(final)
        try:
            if had_site:
                os.replace(final, old)  # if this fails nothing has moved
            try:
                os.replace(staging, final)
            except OSError:
                if had_site:
                    os.replace(old, final)  # put the previous site back exactly as it was
                raise
        except OSError as exc:
            kept = "was kept as it was" if os.path.isdir(final) else f"is in {old}"
            raise PluginError(f"{final}: expected to put the new site in place, got {exc}; the previous site "
                              f"{kept}") from None
        if had_site and self._carry_hidden_entries(old, final):
            remove_tree(old)
        log.info(f"The new site replaced the previous one in {final}")

    @staticmethod
    def _carry_hidden_entries(old: str, final: str) -> bool:
        """Move the previous site's dot-entries into the new one, as MkDocs keeps them in place.

        As in a build without staging, a file the new site has too is the new site's; folders
        are merged.  Returns False if anything could not be moved: then ``old`` is kept, named
        in a warning, and the next build refuses to start until someone has looked at it.
        """
        moved_all = True

        def carry(source: str, target: str) -> None:
            nonlocal moved_all
            try:
                if os.path.isdir(source) and not os.path.islink(source) and os.path.isdir(target):
                    for entry in os.scandir(source):
                        carry(entry.path, os.path.join(target, entry.name))
                elif not os.path.lexists(target):
                    os.replace(source, target)
            except OSError as exc:
                moved_all = False
                log.warning(f"{source}: expected to move it into the new site, got {exc}; the previous "
                            f"site is kept in {old}")

        for entry in os.scandir(old):
            if entry.name.startswith("."):
                carry(entry.path, os.path.join(final, entry.name))
        return moved_all

    def abandon(self) -> None:
        """The build failed: drop what it wrote (only ever the staging folder) and keep the previous site."""
        self._stop_counting()
        if self.staging and os.path.isdir(self.staging):
            shutil.rmtree(self.staging, ignore_errors=True)
        if self.final and os.path.isdir(self.final):
            log.info(f"The previous site in {self.final} was kept as it was")
