"""The list's SQLite database: its schema, how it is created, opened and brought up to date.

A database is only ever created by the publisher (``tipsheet subscribers
init``); opening one that is missing, or that has no tipsheet tables, is an
error and never makes an empty file where a list was expected, so a typo in
``TIPSHEET_DB`` cannot tell a reader "you are unsubscribed" from an empty
list.  The file is created readable by its owner only.  A database made by
an earlier tipsheet is migrated in one transaction when it is opened.
WAL mode lets the web service, a send and the publisher's commands use it at
once; each write is a short transaction.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Self

from ..content import clock

VERSION = 2
STATUSES = ("pending", "active", "paused", "unsubscribed", "bounced")
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subscribers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN {STATUSES!r}),
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    status_changed TEXT,
    status_reason TEXT NOT NULL DEFAULT '',
    paused_until TEXT,
    source TEXT NOT NULL DEFAULT 'publisher',
    consent_at TEXT,
    consent_form TEXT,
    consent_wording TEXT,
    confirmed_at TEXT,
    nonce TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS subscribers_status ON subscribers (status);
CREATE TABLE IF NOT EXISTS deliveries (
    digest TEXT NOT NULL,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    sent TEXT NOT NULL,
    PRIMARY KEY (digest, subscriber_id)
);
CREATE INDEX IF NOT EXISTS deliveries_sent ON deliveries (sent);
CREATE TABLE IF NOT EXISTS suppressions (
    email_hash TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    created TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS bounce_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subscriber_id INTEGER REFERENCES subscribers(id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('hard', 'soft', 'complaint')),
    status TEXT NOT NULL,
    day TEXT NOT NULL,
    at TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bounce_events_at ON bounce_events (at);
CREATE TABLE IF NOT EXISTS reports (
    key TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    subscriber_id INTEGER
);
CREATE TABLE IF NOT EXISTS sends (
    digest TEXT PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    sent INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    bounced INTEGER NOT NULL DEFAULT 0,
    stopped TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS mail_log (
    email_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mail_log_hash ON mail_log (email_hash, at);
CREATE TABLE IF NOT EXISTS signups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    tags TEXT NOT NULL DEFAULT '',
    form TEXT NOT NULL DEFAULT '',
    wording TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    nonce TEXT NOT NULL,
    confirmed TEXT
);
CREATE INDEX IF NOT EXISTS signups_created ON signups (created);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    signup_id INTEGER,
    subscriber_id INTEGER,
    created TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try TEXT NOT NULL,
    claimed TEXT,
    sent TEXT,
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (sent, next_try);
CREATE TABLE IF NOT EXISTS signup_log (
    client TEXT NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS signup_log_at ON signup_log (at);
"""
REQUIRED = {"meta", "subscribers", "deliveries"}  # a list; the other tables are added when it is opened
ALL_TABLES = set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA))
V1_COLUMNS = ("id", "email", "name", "tags", "status", "created", "updated", "status_changed", "status_reason")


class StoreError(Exception):
    """The database cannot be used (missing, or not a tipsheet database); one line for the user."""


def stamp(when: datetime | None = None) -> str:
    """A moment as the database keeps it: UTC, to the second, ISO 8601 (sorts as text)."""
    return (when or clock.now()).astimezone(UTC).isoformat(timespec="seconds")


class Database:
    """One connection to the list's database; explicit, short transactions."""

    def __init__(self, path: str, create: bool = False, timeout: float = 30.0) -> None:
        """Open the database at ``path``; only ``create`` makes a new one (see :meth:`create`)."""
        self.path = path
        if not create and not os.path.isfile(path):
            raise StoreError("no file there (create the list once with 'tipsheet subscribers init')")
        if create and not os.path.exists(path):
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # personal data: its owner only
        try:
            self.db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA secure_delete = ON")  # an erased address leaves no bytes behind in the file
            self.db.execute("PRAGMA journal_mode = WAL")
            # Each ledger row is its own commit.  In WAL mode NORMAL survives a killed process (the case
            # that matters: a send interrupted and re-run); only a power cut could lose the last few.
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._prepare(create)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"not a database SQLite can read ({exc})") from None
        self.salt = self.meta("salt")

    def _prepare(self, create: bool) -> None:
        names = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "subscribers" in names and "meta" not in names:
            self._migrate_v1()
        elif not create and not names >= REQUIRED:
            self.db.close()
            raise StoreError("a database without tipsheet's tables (create the list with 'tipsheet subscribers "
                             "init', or point TIPSHEET_DB at the right file)")
        if names >= ALL_TABLES:
            return  # complete: opening writes nothing (the web service opens it for every request)
        with self.transaction():
            self._create_tables()
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('version', ?)", (str(VERSION),))
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('salt', ?)", (secrets.token_hex(16),))

    def _migrate_v1(self) -> None:
        """tipsheet's first list (statuses active, unsubscribed, bounced): same rows, the new tables beside."""
        columns = ", ".join(V1_COLUMNS)
        with self.transaction():
            self.db.execute("ALTER TABLE subscribers RENAME TO subscribers_v1")
            self.db.execute("ALTER TABLE deliveries RENAME TO deliveries_v1")
            self._create_tables()
            self.db.execute(f"INSERT INTO subscribers ({columns}) SELECT {columns} FROM subscribers_v1")
            self.db.execute("INSERT INTO deliveries SELECT * FROM deliveries_v1")
            self.db.execute("DROP TABLE deliveries_v1")
            self.db.execute("DROP TABLE subscribers_v1")

    def _create_tables(self) -> None:
        # one statement at a time: executescript() would commit the transaction we are in
        for statement in SCHEMA.split(";"):
            if statement.strip():
                self.db.execute(statement)

    @classmethod
    def create(cls, path: str) -> Self:
        """A new, empty list (or the existing one, unchanged: creating twice is harmless)."""
        return cls(path, create=True)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``: the write is in the file before the caller goes on."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def forget_history(self) -> None:
        """Fold the write-ahead log into the file and empty it: after an erasure, no old copy stays in the log."""
        with contextlib.suppress(sqlite3.Error):  # another connection reading: the next checkpoint does it
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def meta(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else ""
