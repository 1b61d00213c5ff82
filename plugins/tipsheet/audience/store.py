"""The subscriber list, the delivery ledger and the suppression list, over the list's database.

A subscriber's choice is recorded, and committed, before anyone is told it
happened: every method that changes a row returns only after its transaction
is in the file.  The ledger is what makes a send "exactly once": a message
is recorded the moment the relay accepts it.  The suppression list keeps a
salted hash of every address that bounced hard, complained or asked to be
erased; such an address is never mailed again, even when it is added or
imported again, until the publisher clears it.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from ..content import clock
from .addresses import SubscriberError, email_hash
from .db import Database, StoreError, stamp

PENDING, ACTIVE, PAUSED, UNSUBSCRIBED, BOUNCED = "pending", "active", "paused", "unsubscribed", "bounced"
HARD_BOUNCE, COMPLAINT, ERASED, MANUAL = "hard bounce", "complaint", "erased", "publisher"
SOFT_LIMIT, SOFT_WINDOW_DAYS = 3, 30  # soft bounces on 3 different days within 30 days make a hard one

__all__ = ["ACTIVE", "BOUNCED", "PAUSED", "PENDING", "UNSUBSCRIBED", "Store", "StoreError", "Subscriber",
           "SubscriberError", "Suppressed"]


class Suppressed(SubscriberError):
    """The address is on the suppression list: it may not be added, imported or mailed."""


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    name: str
    tags: tuple[str, ...]
    status: str
    created: str
    updated: str
    status_reason: str = ""
    paused_until: str | None = None
    source: str = "publisher"
    confirmed_at: str | None = None
    nonce: str = ""

    @property
    def audience(self) -> frozenset[str] | None:
        """The tags this reader wants, or None for every tip."""
        return frozenset(self.tags) if self.tags else None

    def receives(self, now: str) -> bool:
        """Whether a digest goes to them now: active, or paused until a moment that has passed."""
        return self.status == ACTIVE or (self.status == PAUSED and (self.paused_until or "") <= now)


class Store(Database):
    """The list, the ledger and the suppression list; one connection, short transactions."""

    @staticmethod
    def _row(row: sqlite3.Row) -> Subscriber:
        return Subscriber(row["id"], row["email"], row["name"], tuple(t for t in row["tags"].split(",") if t),
                          row["status"], row["created"], row["updated"], row["status_reason"] or "",
                          row["paused_until"], row["source"], row["confirmed_at"], row["nonce"])

    # -- reading ----------------------------------------------------------------
    def get(self, email: str) -> Subscriber | None:
        row = self.db.execute("SELECT * FROM subscribers WHERE email = ?", (email,)).fetchone()
        return self._row(row) if row else None

    def by_id(self, subscriber_id: int) -> Subscriber | None:
        row = self.db.execute("SELECT * FROM subscribers WHERE id = ?", (subscriber_id,)).fetchone()
        return self._row(row) if row else None

    def all(self, status: str | None = None) -> Iterator[Subscriber]:
        sql, args = "SELECT * FROM subscribers", tuple[str, ...]()
        if status:
            sql, args = sql + " WHERE status = ?", (status,)
        for row in self.db.execute(sql + " ORDER BY email", args).fetchall():
            yield self._row(row)

    def count(self, status: str = ACTIVE) -> int:
        return int(self.db.execute("SELECT count(*) FROM subscribers WHERE status = ?", (status,)).fetchone()[0])

    def counts(self) -> dict[str, int]:
        """Subscribers by status, plus ``suppressed``: what the publisher's status shows."""
        found = {status: 0 for status in (ACTIVE, PENDING, PAUSED, UNSUBSCRIBED, BOUNCED)}
        for status, count in self.db.execute("SELECT status, count(*) FROM subscribers GROUP BY status"):
            found[status] = count
        found[PENDING] += int(self.db.execute("SELECT count(*) FROM signups WHERE confirmed IS NULL").fetchone()[0])
        found["suppressed"] = int(self.db.execute("SELECT count(*) FROM suppressions").fetchone()[0])
        return found

    # -- the list -----------------------------------------------------------------
    def upsert(self, email: str, name: str, tags: Sequence[str], reactivate: bool = False,
               source: str = "publisher") -> tuple[Subscriber, bool]:
        """Add a subscriber, or update the one with this address; (subscriber, created).

        Raises :class:`Suppressed` for an address on the suppression list, whatever ``reactivate`` says.
        """
        with self.transaction():
            created = self._upsert(email, name, tags, reactivate, source, stamp())
        subscriber = self.get(email)
        assert subscriber is not None
        return subscriber, created

    def _upsert(self, email: str, name: str, tags: Sequence[str], reactivate: bool, source: str, now: str) -> bool:
        reason = self.suppressed(email)
        if reason is not None:
            raise Suppressed(f"email: expected an address that may be mailed, got {email!r}, on the suppression "
                             f"list ({reason}; only if the person asks to come back: 'tipsheet subscribers "
                             f"unsuppress {email}')")
        existing = self.get(email)
        if existing is None:
            self.db.execute("INSERT INTO subscribers (email, name, tags, created, updated, source, nonce) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (email, name, ",".join(tags), now, now, source, secrets.token_hex(8)))
            return True
        self.db.execute("UPDATE subscribers SET name = ?, tags = ?, updated = ? WHERE id = ?",
                        (name or existing.name, ",".join(tags), now, existing.id))
        if reactivate and existing.status != ACTIVE:
            self._set_status(existing.id, ACTIVE, "added again", now)
        return False

    def import_rows(self, rows: Sequence[tuple[str, str, tuple[str, ...], str]]) -> tuple[int, int, list[str]]:
        """All rows in one transaction: (added, updated, suppressed addresses left out).

        A row's status (an export's column) is kept for an address new to the list: restoring an
        export never resubscribes anyone who left; a bounced one is suppressed too.  An address
        already on the list keeps its own status: an import never reactivates anyone.
        """
        now = stamp()
        added, left_out = 0, []
        with self.transaction():
            for email, name, tags, status in rows:
                if self.suppressed(email) is not None:
                    left_out.append(email)
                    continue
                created = self._upsert(email, name, tags, False, "import", now)
                added += created
                if created and status in (UNSUBSCRIBED, BOUNCED):
                    subscriber = self.get(email)
                    assert subscriber is not None
                    self._set_status(subscriber.id, status, "imported as " + status, now)
                    if status == BOUNCED:
                        self._suppress(email, HARD_BOUNCE, "imported as bounced")
        return added, len(rows) - added - len(left_out), left_out

    def _set_status(self, subscriber_id: int, status: str, reason: str, now: str) -> None:
        self.db.execute("UPDATE subscribers SET status = ?, status_changed = ?, status_reason = ?, updated = ?, "
                        "paused_until = NULL WHERE id = ?", (status, now, reason[:500], now, subscriber_id))

    def set_status(self, subscriber_id: int, status: str, reason: str = "") -> None:
        with self.transaction():
            self._set_status(subscriber_id, status, reason, stamp())

    def unsubscribe(self, email: str, reason: str) -> Subscriber | None:
        """Idempotent: an address already unsubscribed stays so, with its first date."""
        with self.transaction():
            subscriber = self.get(email)
            if subscriber is not None and subscriber.status != UNSUBSCRIBED:
                self._set_status(subscriber.id, UNSUBSCRIBED, reason, stamp())
        return self.get(email)

    def pause(self, subscriber_id: int, weeks: int) -> Subscriber | None:
        until = stamp(clock.now() + timedelta(weeks=weeks))
        with self.transaction():
            now = stamp()
            self.db.execute("UPDATE subscribers SET status = 'paused', paused_until = ?, status_changed = ?, "
                            "status_reason = ?, updated = ? WHERE id = ? AND status IN ('active', 'paused')",
                            (until, now, f"paused for {weeks} weeks", now, subscriber_id))
        return self.by_id(subscriber_id)

    def remove(self, email: str, reason: str = ERASED) -> bool:
        """Forget the address entirely, with its ledger rows; only its salted hash stays, suppressed."""
        with self.transaction():
            removed = self.delete_rows(email, reason)
        self.forget_history()
        return removed

    def delete_rows(self, email: str, reason: str) -> bool:
        """:meth:`remove`'s deletes, in the caller's transaction; the caller then calls :meth:`forget_history`."""
        self.db.execute("DELETE FROM signups WHERE email = ?", (email,))
        cursor = self.db.execute("DELETE FROM subscribers WHERE email = ?", (email,))
        self._suppress(email, reason, "")
        return cursor.rowcount > 0

    # -- suppression --------------------------------------------------------------------
    def suppressed(self, email: str) -> str | None:
        """Why the address may not be mailed (``hard bounce on 2026-11-20``), or None."""
        row = self.db.execute("SELECT reason, created FROM suppressions WHERE email_hash = ?",
                              (email_hash(email, self.salt),)).fetchone()
        return f"{row[0]} on {row[1][:10]}" if row else None

    def _suppress(self, email: str, reason: str, detail: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO suppressions (email_hash, reason, created, detail) VALUES (?, ?, ?, ?)",
                        (email_hash(email, self.salt), reason, stamp(), detail[:500]))

    def suppress(self, email: str, reason: str, detail: str = "") -> None:
        with self.transaction():
            self._suppress(email, reason, detail)

    def unsuppress(self, email: str) -> str | None:
        """Clear the address (the publisher's explicit decision); why it was suppressed, or None if it was not."""
        with self.transaction():
            reason = self.suppressed(email)
            self.db.execute("DELETE FROM suppressions WHERE email_hash = ?", (email_hash(email, self.salt),))
        return reason

    # -- bounces and complaints ----------------------------------------------------------
    def mark_bounced(self, subscriber_id: int, detail: str, source: str) -> None:
        """A hard bounce: the subscriber is bounced and the address suppressed, in one transaction."""
        with self.transaction():
            self._event(subscriber_id, "hard", detail, source)
            self._hard(subscriber_id, detail)

    def _hard(self, subscriber_id: int, detail: str) -> None:
        subscriber = self.by_id(subscriber_id)
        if subscriber is None:
            return
        if subscriber.status != BOUNCED:
            self._set_status(subscriber_id, BOUNCED, detail, stamp())
        self._suppress(subscriber.email, HARD_BOUNCE, detail)

    def complaint(self, subscriber_id: int, detail: str, source: str) -> None:
        """A complaint (a spam report): unsubscribed and suppressed at once."""
        with self.transaction():
            self._event(subscriber_id, "complaint", detail, source)
            subscriber = self.by_id(subscriber_id)
            if subscriber is not None:
                if subscriber.status not in (UNSUBSCRIBED, BOUNCED):
                    self._set_status(subscriber_id, UNSUBSCRIBED, f"complaint: {detail}", stamp())
                self._suppress(subscriber.email, COMPLAINT, detail)

    def soft_bounce(self, subscriber_id: int, detail: str, source: str) -> bool:
        """Count a soft bounce; True when it made the subscriber bounced (3 different days in 30)."""
        with self.transaction():
            self._event(subscriber_id, "soft", detail, source)
            since = (clock.now() - timedelta(days=SOFT_WINDOW_DAYS)).date().isoformat()
            days = self.db.execute("SELECT count(DISTINCT day) FROM bounce_events WHERE subscriber_id = ? AND "
                                   "kind = 'soft' AND day > ?", (subscriber_id, since)).fetchone()[0]
            if days >= SOFT_LIMIT:
                self._hard(subscriber_id, f"{days} soft bounces in {SOFT_WINDOW_DAYS} days, the last: {detail}")
                return True
        return False

    def _event(self, subscriber_id: int, kind: str, detail: str, source: str) -> None:
        now = clock.now()
        self.db.execute("INSERT INTO bounce_events (subscriber_id, kind, status, day, at, source) VALUES "
                        "(?, ?, ?, ?, ?, ?)", (subscriber_id, kind, detail[:200], now.date().isoformat(),
                                               stamp(now), source))

    def report_seen(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM reports WHERE key = ?", (key,)).fetchone() is not None

    def remember_report(self, key: str, kind: str, subscriber_id: int | None) -> None:
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO reports (key, at, kind, subscriber_id) VALUES (?, ?, ?, ?)",
                            (key, stamp(), kind, subscriber_id))

    def rates(self, days: int = 30) -> dict[str, float | int]:
        """Messages sent, hard bounces and complaints over the last ``days``: what mailbox providers watch."""
        since = stamp(clock.now() - timedelta(days=days))
        sent = int(self.db.execute("SELECT count(*) FROM deliveries WHERE sent > ?", (since,)).fetchone()[0])
        counts = dict(self.db.execute("SELECT kind, count(*) FROM bounce_events WHERE at > ? GROUP BY kind",
                                      (since,)).fetchall())
        bounced, complaints = int(counts.get("hard", 0)), int(counts.get("complaint", 0))
        return {"sent": sent, "bounces": bounced, "complaints": complaints,
                "bounce_rate": bounced / sent if sent else 0.0, "complaint_rate": complaints / sent if sent else 0.0}

    # -- the ledger ---------------------------------------------------------------------
    def recipients(self, digest: str, batch: int = 500) -> Iterator[Subscriber]:
        """Subscribers who receive digests now and have no delivery of ``digest``, in batches: flat memory."""
        last, now = 0, stamp()
        while True:
            rows = self.db.execute(
                "SELECT * FROM subscribers s WHERE s.id > ? AND (s.status = 'active' OR (s.status = 'paused' AND "
                "s.paused_until <= ?)) AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.digest = ? AND "
                "d.subscriber_id = s.id) ORDER BY s.id LIMIT ?", (last, now, digest, batch)).fetchall()
            if not rows:
                return
            for row in rows:
                yield self._row(row)
            last = rows[-1]["id"]

    def may_mail(self, subscriber: Subscriber) -> bool:
        """Checked again just before each message: a reader who left, bounced or was suppressed during a run is
        not mailed by it."""
        current = self.by_id(subscriber.id)
        return current is not None and current.receives(stamp()) and self.suppressed(current.email) is None

    def delivered(self, digest: str, subscriber_id: int, message_id: str) -> None:
        """Record one accepted message; committed at once, so a crash a moment later cannot resend it."""
        self.db.execute("INSERT OR IGNORE INTO deliveries (digest, subscriber_id, message_id, sent) VALUES "
                        "(?, ?, ?, ?)", (digest, subscriber_id, message_id, stamp()))

    def delivered_count(self, digest: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM deliveries WHERE digest = ?", (digest,)).fetchone()[0])

    def send_started(self, digest: str) -> None:
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO sends (digest, started) VALUES (?, ?)", (digest, stamp()))

    def send_finished(self, digest: str, sent: int, failed: int, bounced: int, stopped: str = "") -> None:
        with self.transaction():
            self.db.execute("UPDATE sends SET finished = ?, sent = sent + ?, failed = ?, bounced = bounced + ?, "
                            "stopped = ? WHERE digest = ?", (stamp(), sent, failed, bounced, stopped[:500], digest))

    def signup_guards(self, hours: int = 24) -> dict[str, int]:
        """How often each guard of the sign-up form acted in the last ``hours`` (by outcome)."""
        since = stamp(clock.now() - timedelta(hours=hours))
        rows = self.db.execute("SELECT outcome, count(*) FROM signup_log WHERE at > ? GROUP BY outcome", (since,))
        return {str(outcome): int(count) for outcome, count in rows}

    def last_sends(self, limit: int = 5) -> list[dict[str, object]]:
        rows = self.db.execute("SELECT * FROM sends ORDER BY started DESC LIMIT ?", (limit,)).fetchall()
        return [dict(row) for row in rows]

    # -- read-only, for tipsheet publish and status (issue 16) ---------------------------------
    def send_record(self, digest: str) -> dict[str, object] | None:
        """The ``sends`` row of one digest (started, finished, sent, failed, bounced, stopped), or None."""
        row = self.db.execute("SELECT * FROM sends WHERE digest = ?", (digest,)).fetchone()
        return dict(row) if row else None


def finished_cleanly(record: Mapping[str, object] | None) -> bool:
    """A ``sends`` row of a run that finished with no stop and no failure: nothing is left to send."""
    return record is not None and bool(record.get("finished")) and not record.get("stopped") \
        and not record.get("failed")
