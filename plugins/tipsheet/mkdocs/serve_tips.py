"""Tips kept across ``mkdocs serve`` rebuilds: a file read again is parsed again only if its bytes changed.

Parsing front matter is most of what reading a tip costs.  A tip is an
immutable object made from its file's bytes and the site's settings only, so
while both are unchanged the same object serves the next rebuild, and every
page that shows it can be recognised as unchanged (:mod:`.serve_templates`).
"""

from __future__ import annotations

from ..content.loader import TipFile, load_file
from ..content.model import Settings, Tip
from ..content.problems import Problem

Read = tuple[Tip | None, list[Problem]]


class TipCache:
    def __init__(self) -> None:
        self._kept: dict[TipFile, tuple[bytes, str, Read]] = {}
        self._used: dict[TipFile, tuple[bytes, str, Read]] = {}
        self._settings: Settings | None = None
        self._wanted = ""  # repr() of those settings, made once per build rather than once per tip

    def start_build(self) -> None:
        """Keep only the files the last rebuild read (a deleted tip is forgotten)."""
        self._kept, self._used = self._used or self._kept, {}

    def read(self, tip_file: TipFile, settings: Settings) -> Read:
        """:func:`~tipsheet.content.loader.load_file`, or what it returned for the same bytes and settings."""
        try:
            with open(tip_file.abs_path, "rb") as handle:
                raw = handle.read()
        except OSError:
            return load_file(tip_file, settings)
        if settings is not self._settings:
            self._settings, self._wanted = settings, repr(settings)
        wanted = self._wanted
        kept = self._kept.get(tip_file)
        if kept is not None and kept[0] == raw and kept[1] == wanted:
            self._used[tip_file] = kept
            return kept[2][0], list(kept[2][1])
        tip, problems = load_file(tip_file, settings)
        self._used[tip_file] = (raw, wanted, (tip, list(problems)))
        return tip, problems
