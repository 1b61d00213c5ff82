"""The import ledger: which post became which file, so importing again is safe.

``.tipsheet/import-ledger.json`` (beside mkdocs.yml; commit it) maps each
imported post (``wordpress:<host>:<id>``, ``feed:<host>:<entry id>``) to the
file written for it, its slug and the SHA-256 of the bytes written.  On the
next run the same post goes to the same file; a file that still has those
bytes is the importer's to update, one a writer has changed since is kept
(``--force`` overwrites it), one a writer deleted is not brought back, and a
post gone from the export is reported, never deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from enum import StrEnum

LEDGER_PATH = os.path.join(".tipsheet", "import-ledger.json")


class LedgerError(Exception):
    """A ledger that cannot be read (the message names the file)."""


class Outcome(StrEnum):
    NEW = "new"  # written for the first time
    UPDATED = "updated"  # the export changed and the file was still as imported
    UNCHANGED = "unchanged"  # already exactly this
    KEPT_EDITED = "kept-edited"  # a writer changed the file since the import: left alone
    KEPT_DELETED = "kept-deleted"  # a writer deleted the file: not brought back
    FORCED = "forced"  # a writer's change overwritten (--force)


@dataclass(frozen=True)
class Entry:
    path: str  # relative to the project folder, with '/'
    slug: str
    written: str  # sha256 of the bytes written


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Ledger:
    def __init__(self, root: str, entries: dict[str, Entry] | None = None) -> None:
        self.root = root
        self.entries: dict[str, Entry] = entries or {}

    @property
    def path(self) -> str:
        return os.path.join(self.root, LEDGER_PATH)

    @classmethod
    def load(cls, root: str) -> Ledger:
        ledger = cls(root)
        try:
            with open(ledger.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return ledger
        except (OSError, ValueError) as exc:
            raise LedgerError(f"{LEDGER_PATH}: expected the ledger of earlier imports, got {exc} (restore it "
                              "from version control; without it every post would be imported as new)") from None
        try:
            ledger.entries = {str(k): Entry(str(v["path"]), str(v["slug"]), str(v["written"]))
                              for k, v in data["posts"].items()}
        except (KeyError, TypeError, AttributeError) as exc:
            raise LedgerError(f"{LEDGER_PATH}: expected {{'posts': {{key: {{path, slug, written}}}}}}, got a "
                              f"file missing {exc}") from None
        return ledger

    def save(self) -> None:
        data = {"version": 1, "posts": {k: vars(v) for k, v in sorted(self.entries.items())}}
        text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        write_if_changed(self.path, text.encode("utf-8"))

    def owned_paths(self) -> set[str]:
        return {entry.path for entry in self.entries.values()}

    def decide(self, key: str, path: str, data: bytes, force: bool) -> tuple[str, Outcome]:
        """(the path to use, what to do) for one post's file; nothing is written here."""
        entry = self.entries.get(key)
        if entry is not None:
            path = entry.path
        absolute = os.path.join(self.root, *path.split("/"))
        current = _read(absolute)
        if entry is None:
            if current is None:
                return path, Outcome.NEW
            return path, Outcome.UNCHANGED if current == data else Outcome.KEPT_EDITED
        if current is None:
            return path, Outcome.FORCED if force else Outcome.KEPT_DELETED
        if current == data:
            return path, Outcome.UNCHANGED
        if digest(current) == entry.written:
            return path, Outcome.UPDATED
        return path, Outcome.FORCED if force else Outcome.KEPT_EDITED

    def record(self, key: str, path: str, slug: str, data: bytes) -> None:
        self.entries[key] = Entry(path, slug, digest(data))


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def write_if_changed(path: str, data: bytes) -> bool:
    """Write ``data`` (through a temporary file, then a rename) unless the file already holds it."""
    if _read(path) == data:
        return False
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    temporary = f"{path}.tipsheet-tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)
    return True
