"""Read the last share of the tips in a forked worker while the parent reads the first (``mkdocs build``).

Parsing every tip's front matter is the first thing a build does, before
anything else can start.  The files are split in their sorted order: the
parent reads the first share as usual while a forked child (:mod:`.forking`)
reads the rest with the same code and hands back each file's tip and
problems; :func:`~tipsheet.content.loader.load_tips` then takes them in order,
so messages and slugs come out as a single read would give them.  A child that
fails only means the parent reads its share too.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..content.loader import TipFile, load_file
from ..content.model import Settings, Tip
from ..content.problems import Problem
from . import forking
from .forking import ForkJob, can_fork, replay

Read = tuple[Tip | None, list[Problem]]


class ParallelReader:
    def __init__(self, files: Sequence[TipFile], settings: Settings, processes: int) -> None:
        self._job: ForkJob | None = None
        self._theirs: set[TipFile] = set()
        self._read: dict[TipFile, Read] | None = None
        if processes < 2 or len(files) < forking.MIN_PAGES or not can_fork():
            return
        theirs = list(files[len(files) // 2:])  # one worker: reading is a small share of a build
        self._theirs = set(theirs)
        self._job = ForkJob(lambda: {f: load_file(f, settings) for f in theirs})

    def read(self, tip_file: TipFile, settings: Settings) -> Read:
        """:func:`~tipsheet.content.loader.load_file`, or what the worker read of the same file."""
        if tip_file in self._theirs:
            if self._read is None:
                done = self._job.result() if self._job is not None else None
                self._read = done[0] if done is not None else {}
                if done is not None:
                    replay(done[1])
            kept = self._read.get(tip_file)
            if kept is not None:
                return kept
        return load_file(tip_file, settings)

    def close(self) -> None:
        """Reap the worker if nothing asked for its share (a build that stopped early)."""
        if self._job is not None and self._read is None:
            self._job.result()
