"""Subscribers and the delivery ledger, in one embedded SQLite database.

One file beside mkdocs.yml (git-ignored) holds who receives the digests and,
for every digest, who has already received it.  The ledger is what makes a
send "exactly once": a message is recorded, and committed, the moment the
relay accepts it, so a second run, or a run after a crash, skips it.
Addresses are validated and normalised with the email-validator package.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC

from email_validator import EmailNotValidError, validate_email

from ..content import clock
from ..content.problems import did_you_mean

ACTIVE, UNSUBSCRIBED, BOUNCED = "active", "unsubscribed", "bounced"
SCHEMA = """
CREATE TABLE IF NOT EXISTS subscribers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'unsubscribed', 'bounced')),
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    status_changed TEXT,
    status_reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS deliveries (
    digest TEXT NOT NULL,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    sent TEXT NOT NULL,
    PRIMARY KEY (digest, subscriber_id)
);
"""


class StoreError(Exception):
    """The database cannot be used (missing, or not a tipsheet database); one line for the user."""


class SubscriberError(ValueError):
    """Bad input for the list (an address, a name, a tag, a CSV row): one line for the user."""


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    name: str
    tags: tuple[str, ...]
    status: str
    created: str
    updated: str

    @property
    def audience(self) -> frozenset[str] | None:
        """The tags this reader wants, or None for every tip."""
        return frozenset(self.tags) if self.tags else None


def normalise_email(text: str) -> str:
    try:
        result = validate_email(text.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise SubscriberError(f"email: expected an address like name@example.org, got {text.strip()!r} ({exc})") \
            from None
    return str(result.ascii_email or result.normalized)


def clean_name(text: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise SubscriberError(f"name: expected one line of text, got {text!r}")
    name = " ".join(text.split())
    if len(name) > 200:
        raise SubscriberError(f"name: expected at most 200 characters, got {len(name)}")
    return name


def clean_tags(text: str | Iterable[str], vocabulary: Iterable[str]) -> tuple[str, ...]:
    known = {k.lower(): k for k in vocabulary}
    items = text.split(",") if isinstance(text, str) else list(text)
    tags: list[str] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        key = known.get(item.lower())
        if key is None:
            raise SubscriberError(f"tags: expected tags of the site, got {item!r} "
                                  f"({did_you_mean(item, known.values(), 'tags')})")
        if key not in tags:
            tags.append(key)
    return tuple(tags)


def _now() -> str:
    return clock.now().astimezone(UTC).isoformat(timespec="seconds")


class Store:
    """The subscriber list and the ledger; one connection, short transactions."""

    def __init__(self, path: str, create: bool = False) -> None:
        """Open the database at ``path``; only ``create`` makes a new one (see :meth:`create`)."""
        self.path = path
        if not create and not os.path.isfile(path):
            raise StoreError("no file there (create the list once with 'tipsheet subscribers init')")
        if create:
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)  # the list is personal data: owner only
            os.close(fd)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)  # explicit transactions below
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        # Each ledger row is its own commit.  In WAL mode NORMAL survives a killed process (the case
        # that matters: a send interrupted and re-run); only a power cut could lose the last few.
        self.db.execute("PRAGMA synchronous = NORMAL")
        if create:
            self.db.executescript(SCHEMA)
        elif not self._has_schema():
            self.db.close()
            raise StoreError("a database without tipsheet's tables (create the list with 'tipsheet subscribers "
                             "init', or point TIPSHEET_DB at the right file)")

    @classmethod
    def create(cls, path: str) -> Store:
        """A new, empty list (or the existing one, unchanged: creating twice is harmless)."""
        return cls(path, create=True)

    def _has_schema(self) -> bool:
        names = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {"subscribers", "deliveries"} <= names

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _row(row: sqlite3.Row) -> Subscriber:
        tags = tuple(t for t in row["tags"].split(",") if t)
        return Subscriber(row["id"], row["email"], row["name"], tags, row["status"], row["created"], row["updated"])

    # -- the list --------------------------------------------------------------
    def get(self, email: str) -> Subscriber | None:
        row = self.db.execute("SELECT * FROM subscribers WHERE email = ?", (email,)).fetchone()
        return self._row(row) if row else None

    def upsert(self, email: str, name: str, tags: Sequence[str], reactivate: bool = False) -> tuple[Subscriber, bool]:
        """Add a subscriber, or update the one with this address; (subscriber, created)."""
        now = _now()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            created = self._upsert(email, name, tags, reactivate, now)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        subscriber = self.get(email)
        assert subscriber is not None
        return subscriber, created

    def _upsert(self, email: str, name: str, tags: Sequence[str], reactivate: bool, now: str) -> bool:
        existing = self.get(email)
        if existing is None:
            self.db.execute("INSERT INTO subscribers (email, name, tags, created, updated) VALUES (?, ?, ?, ?, ?)",
                            (email, name, ",".join(tags), now, now))
            return True
        self.db.execute("UPDATE subscribers SET name = ?, tags = ?, updated = ? WHERE id = ?",
                        (name or existing.name, ",".join(tags), now, existing.id))
        if reactivate and existing.status != ACTIVE:
            self.set_status(existing.id, ACTIVE, "added again", now)
        return False

    def import_rows(self, rows: Sequence[tuple[str, str, tuple[str, ...]]]) -> tuple[int, int]:
        """All rows in one transaction: (added, updated).  Rows are already validated."""
        now = _now()
        added = 0
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for email, name, tags in rows:
                added += self._upsert(email, name, tags, False, now)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return added, len(rows) - added

    def remove(self, email: str) -> bool:
        """Forget the address entirely, with its ledger rows (a request to be erased)."""
        cursor = self.db.execute("DELETE FROM subscribers WHERE email = ?", (email,))
        return cursor.rowcount > 0

    def set_status(self, subscriber_id: int, status: str, reason: str = "", when: str | None = None) -> None:
        stamp = when or _now()
        self.db.execute("UPDATE subscribers SET status = ?, status_changed = ?, status_reason = ?, updated = ? "
                        "WHERE id = ?", (status, stamp, reason, stamp, subscriber_id))

    def unsubscribe(self, email: str, reason: str) -> Subscriber | None:
        """Idempotent: an address already unsubscribed stays so, with its first date."""
        subscriber = self.get(email)
        if subscriber is not None and subscriber.status != UNSUBSCRIBED:
            self.set_status(subscriber.id, UNSUBSCRIBED, reason)
        return self.get(email)

    def all(self, status: str | None = None) -> Iterator[Subscriber]:
        sql = "SELECT * FROM subscribers"
        args: tuple[str, ...] = ()
        if status:
            sql, args = sql + " WHERE status = ?", (status,)
        for row in self.db.execute(sql + " ORDER BY email", args):
            yield self._row(row)

    def count(self, status: str = ACTIVE) -> int:
        return int(self.db.execute("SELECT count(*) FROM subscribers WHERE status = ?", (status,)).fetchone()[0])

    # -- the ledger ------------------------------------------------------------
    def pending(self, digest: str, batch: int = 500) -> Iterator[Subscriber]:
        """Active subscribers without a delivery of ``digest``, in batches: memory stays flat."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT * FROM subscribers s WHERE s.id > ? AND s.status = 'active' AND NOT EXISTS "
                "(SELECT 1 FROM deliveries d WHERE d.digest = ? AND d.subscriber_id = s.id) ORDER BY s.id LIMIT ?",
                (last, digest, batch)).fetchall()
            if not rows:
                return
            for row in rows:
                yield self._row(row)
            last = rows[-1]["id"]

    def delivered(self, digest: str, subscriber_id: int, message_id: str) -> None:
        """Record one accepted message; committed at once, so a crash a moment later cannot resend it."""
        self.db.execute("INSERT OR IGNORE INTO deliveries (digest, subscriber_id, message_id, sent) VALUES "
                        "(?, ?, ?, ?)", (digest, subscriber_id, message_id, _now()))

    def delivered_count(self, digest: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM deliveries WHERE digest = ?", (digest,)).fetchone()[0])


def read_csv(text: str, vocabulary: Iterable[str]) -> list[tuple[str, str, tuple[str, ...]]]:
    """Rows of an import file, all checked before anything is written; errors name their line."""
    vocabulary = list(vocabulary)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "email" not in header:
        raise SubscriberError(f"line 1: header: expected email,name,tags, got {','.join(header) or 'nothing'}")
    reader.fieldnames = header
    rows: list[tuple[str, str, tuple[str, ...]]] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        try:
            email = normalise_email(row.get("email") or "")
            name = clean_name(row.get("name") or "")
            tags = clean_tags(row.get("tags") or "", vocabulary)
        except SubscriberError as exc:
            errors.append(f"line {line}: {exc}")
            continue
        if email.lower() in first_line:
            errors.append(f"line {line}: email: expected each address once, got {email!r} again "
                          f"(first on line {first_line[email.lower()]})")
            continue
        first_line[email.lower()] = line
        rows.append((email, name, tags))
    if errors:
        raise SubscriberError("\n".join(errors))
    return rows


def export_csv(subscribers: Iterable[Subscriber]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["email", "name", "tags", "status", "created"])
    for s in subscribers:
        writer.writerow([s.email, s.name, ",".join(s.tags), s.status, s.created])
    return out.getvalue()

