"""What an import knows of each post before it has read a body, and of the project it writes into.

Importers (WordPress, feeds) make one :class:`Post` per post in their first
pass; the session places it (slug, file) and writes it in the second.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime

from .wxr import Term


@dataclass(frozen=True)
class Site:
    """What an import needs to know of the tipsheet project it writes into."""

    root: str
    docs_dir: str
    tips_dir: str = "tips"
    tags: frozenset[str] = frozenset()
    authors: frozenset[str] = frozenset()
    series: frozenset[str] = frozenset()
    redirects_option: str | None = None

    def rel(self, path: str) -> str:
        return os.path.relpath(path, self.root).replace(os.sep, "/")

    @property
    def docs_rel(self) -> str:
        return self.rel(self.docs_dir)


@dataclass(slots=True)
class Post:
    """One post to import, with everything but its body (slots: an archive has thousands)."""

    key: str  # the ledger's key: wordpress:<host>:<id>
    ref: str  # how messages name it: "post 123"
    title: str
    date: datetime
    kind: str = "tip"  # or "page"
    status: str = "published"  # published, draft, pending, scheduled
    wanted_slug: str = ""
    slug_fallback: str = ""
    updated: datetime | None = None
    author: tuple[str, str] | None = None  # (key, display name)
    terms: list[Term] = field(default_factory=list)
    summary: str | None = None
    summary_shortened: bool = False
    title_fallback: bool = False
    old_paths: list[str] = field(default_factory=list)  # paths the old site served it at
    server_only: list[str] = field(default_factory=list)  # /?p=123
    ids: list[str] = field(default_factory=list)  # for ?p= links
    slug: str = ""
    path: str = ""  # relative to the project folder
    source: str = ""  # relative to the docs folder

    @property
    def draft(self) -> bool:
        return self.status in ("draft", "pending")

    @property
    def published(self) -> bool:
        return self.status == "published"
