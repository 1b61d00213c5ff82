"""Readers signing up themselves: double opt-in, the limits that stop list bombing, and the reader's own choices.

Everything here is the list's logic, without HTTP (the web service in
:mod:`.service` is a thin layer over it), so the form, the JSON entry point and
the tests all go through the same checks:

- An address is validated and normalised; topics must be the site's tags.
- A filled honeypot, a suppressed address (bounced, complained, or stopped by
  the publisher) and an address past its mail limit (one confirmation an
  hour, three a day) get the same answer as everyone else and no mail: the
  answer never says whether an address is known.  An active subscriber who
  signs up again is sent their preferences link instead of a confirmation.
- A sign-up is *pending* (its own table: nobody pending is ever mailed a
  digest) until the link in the confirmation mail is followed and its
  **Confirm** button pressed (a GET never confirms: mail scanners follow
  links).  Unconfirmed sign-ups are deleted after ``pending_days``.
- Per-client (a hash of the client's address keyed with TIPSHEET_SECRET, never the address) and
  global hourly limits are kept in the database, so every worker process of
  the service sees the same counts; a limit that trips is logged.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from ..content import clock
from .addresses import SubscriberError, clean_tags, email_hash, normalise_email
from .db import stamp
from .store import ACTIVE, ERASED, PAUSED, Store, Subscriber
from .tokens import CONFIRM, FORM, PREFERENCES, Signer, TokenError

log = logging.getLogger("tipsheet.list")
CONFIRMATION, WELCOME_BACK = "confirm", "preferences-link"
ACCEPTED, HONEYPOT, SUPPRESSED, MAIL_LIMIT, CLIENT_LIMIT, GLOBAL_LIMIT = (
    "accepted", "honeypot", "suppressed", "mail-limit", "client-limit", "global-limit")
ALLOWED_BACK = (ERASED, "unsubscribe")  # suppressions a person lifts by confirming again themselves


class Refused(Exception):
    """A sign-up the service must refuse out loud (bad input, a limit): ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Limits:
    per_client_hourly: int = 5  # sign-ups from one client in an hour; 0: no limit
    global_hourly: int = 300  # sign-ups from everyone in an hour; 0: no limit
    per_address_hourly: int = 1  # mails (confirmation or link) to one address
    per_address_daily: int = 3
    confirm_hours: int = 72
    pending_days: int = 7
    require_form_token: bool = False


@dataclass(frozen=True)
class Request:
    """What a sign-up says, from a form or JSON alike."""

    email: str
    topics: Sequence[str] = ()
    form: str = ""
    wording: str = ""
    honeypot: str = ""
    form_token: str = ""
    client: str = ""  # the client's address as the service sees it: hashed before anything is kept


@dataclass
class Outcome:
    outcome: str
    mail: str | None = None  # CONFIRMATION or WELCOME_BACK: what was queued
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Signups:
    store: Store
    signer: Signer
    tags: Mapping[str, str]  # key -> title: the topics a reader may choose
    limits: Limits = field(default_factory=Limits)

    # -- signing up -------------------------------------------------------------------------
    def check(self, request: Request) -> tuple[str, tuple[str, ...]]:
        """The normalised address and topics, or Refused with the one line the reader sees."""
        try:
            email = normalise_email(request.email)
            topics = clean_tags(request.topics, self.tags)
        except SubscriberError as exc:
            raise Refused(str(exc)) from None
        if self.limits.require_form_token or request.form_token:
            try:
                self.signer.verify(request.form_token, FORM, clock.now())
            except TokenError:
                raise Refused("form: expected a sign-up from the form on our site, got one without its token "
                              "(reload the page and try again)") from None
        return email, topics

    def subscribe(self, request: Request) -> Outcome:
        """Record a sign-up and queue its mail; the same answer whatever the address's story."""
        if request.honeypot.strip():
            log.info("sign-up refused quietly: the honeypot field was filled")
            self._log(request.client, HONEYPOT)
            return Outcome(HONEYPOT)
        email, topics = self.check(request)
        client = self.signer.digest("client", request.client or "-")
        with self.store.transaction():  # counting and recording in one write lock: workers cannot race past
            refused = self._limit(client)
            if refused is None:
                outcome = self._accept(client, email, topics, request)
        if refused is not None:
            log.warning(refused[1])
            raise refused[0]
        if outcome.outcome == SUPPRESSED:
            log.info("sign-up of a suppressed address: no mail sent")
        elif outcome.outcome == MAIL_LIMIT:
            log.warning("sign-up: an address reached its mail limit (list bombing?): no mail sent")
        return outcome

    def _accept(self, client: str, email: str, topics: tuple[str, ...], request: Request) -> Outcome:
        db = self.store.db
        db.execute("INSERT INTO signup_log (client, at, outcome) VALUES (?, ?, ?)", (client, stamp(), ACCEPTED))
        reason = self.store.suppressed(email)
        if reason is not None and not reason.startswith(ALLOWED_BACK):
            return Outcome(SUPPRESSED)
        if not self._may_mail(email):
            db.execute("INSERT INTO signup_log (client, at, outcome) VALUES (?, ?, ?)", (client, stamp(), MAIL_LIMIT))
            return Outcome(MAIL_LIMIT)
        existing = self.store.get(email)
        if existing is not None and existing.status in (ACTIVE, PAUSED):
            self._queue(WELCOME_BACK, email, subscriber_id=existing.id)
            return Outcome(ACCEPTED, WELCOME_BACK)
        signup_id = self._pending(email, topics, request)
        self._queue(CONFIRMATION, email, signup_id=signup_id)
        return Outcome(ACCEPTED, CONFIRMATION, {"signup": signup_id})

    def _limit(self, client: str) -> tuple[Refused, str] | None:
        """Inside the sign-up's transaction: the refusal (recorded) and its log line when a limit is reached."""
        hour_ago = stamp(clock.now() - timedelta(hours=1))
        db = self.store.db
        limits = self.limits
        tripped = None
        if limits.per_client_hourly:
            count = db.execute("SELECT count(*) FROM signup_log WHERE client = ? AND at > ? AND outcome = ?",
                               (client, hour_ago, ACCEPTED)).fetchone()[0]
            if count >= limits.per_client_hourly:
                tripped = (CLIENT_LIMIT, Refused("Too many sign-ups from your connection in the last hour: please "
                                                 "try again later.", 429),
                           f"sign-up limit reached: {count} from one client in the last hour")
        if tripped is None and limits.global_hourly:
            count = db.execute("SELECT count(*) FROM signup_log WHERE at > ? AND outcome = ?",
                               (hour_ago, ACCEPTED)).fetchone()[0]
            if count >= limits.global_hourly:
                tripped = (GLOBAL_LIMIT, Refused("We are getting more sign-ups than usual: please try again in an "
                                                 "hour.", 429),
                           f"sign-up limit reached: {count} sign-ups in the last hour (global_hourly)")
        if tripped is None:
            return None
        db.execute("INSERT INTO signup_log (client, at, outcome) VALUES (?, ?, ?)", (client, stamp(), tripped[0]))
        return tripped[1], tripped[2]

    def _log(self, client: str, outcome: str) -> None:
        key = self.signer.digest("client", client or "-")
        with self.store.transaction():
            self.store.db.execute("INSERT INTO signup_log (client, at, outcome) VALUES (?, ?, ?)",
                                  (key, stamp(), outcome))

    def _may_mail(self, email: str) -> bool:
        key = email_hash(email, self.store.salt)
        now = clock.now()
        hourly, daily = (self.store.db.execute("SELECT count(*) FROM mail_log WHERE email_hash = ? AND at > ?",
                                               (key, stamp(now - span))).fetchone()[0]
                         for span in (timedelta(hours=1), timedelta(days=1)))
        return bool(hourly < self.limits.per_address_hourly and daily < self.limits.per_address_daily)

    def _pending(self, email: str, topics: tuple[str, ...], request: Request) -> int:
        """The pending sign-up for this address (kept with its nonce, so an earlier link still works)."""
        db = self.store.db
        row = db.execute("SELECT id FROM signups WHERE email = ? AND confirmed IS NULL", (email,)).fetchone()
        if row is not None:
            db.execute("UPDATE signups SET tags = ?, form = ?, wording = ? WHERE id = ?",
                       (",".join(topics), request.form[:60], request.wording[:60], row[0]))
            return int(row[0])
        db.execute("DELETE FROM signups WHERE email = ?", (email,))  # a confirmed one from before
        cursor = db.execute("INSERT INTO signups (email, tags, form, wording, created, nonce) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            (email, ",".join(topics), request.form[:60], request.wording[:60], stamp(),
                             secrets.token_hex(8)))
        return int(cursor.lastrowid or 0)

    def _queue(self, kind: str, email: str, signup_id: int | None = None, subscriber_id: int | None = None) -> None:
        now = stamp()
        self.store.db.execute("INSERT INTO mail_log (email_hash, kind, at) VALUES (?, ?, ?)",
                              (email_hash(email, self.store.salt), kind, now))
        self.store.db.execute("INSERT INTO outbox (kind, signup_id, subscriber_id, created, next_try) VALUES "
                              "(?, ?, ?, ?, ?)", (kind, signup_id, subscriber_id, now, now))

    def form_token(self) -> str:
        return self.signer.token(FORM, 0, clock.now() + timedelta(minutes=30), secrets.token_hex(4))

    # -- confirming ---------------------------------------------------------------------------
    def confirm_token(self, signup_id: int, nonce: str) -> str:
        return self.signer.token(CONFIRM, signup_id, clock.now() + timedelta(hours=self.limits.confirm_hours), nonce)

    def pending_of(self, token: str) -> dict[str, object]:
        """The sign-up a confirmation link is for; TokenError (``expired`` set) for one that cannot be used."""
        claims = self.signer.verify(token, CONFIRM, clock.now())
        row = self.store.db.execute("SELECT * FROM signups WHERE id = ?", (claims.subject,)).fetchone()
        if row is None or row["nonce"] != claims.nonce:
            raise TokenError("token: expected a confirmation link of a sign-up we still have, got one for a "
                             "sign-up that has expired", expired=True)
        return dict(row)

    def confirm(self, token: str) -> tuple[Subscriber, bool]:
        """Make the sign-up's subscriber active: (subscriber, whether this request did it)."""
        signup = self.pending_of(token)
        email = str(signup["email"])
        if signup["confirmed"]:
            found = self.store.get(email)
            if found is not None:
                return found, False
        now = stamp()
        with self.store.transaction():
            reason = self.store.suppressed(email)
            if reason is not None:
                if not reason.startswith(ALLOWED_BACK):
                    raise TokenError("token: expected a sign-up that may be confirmed, got one for an address that "
                                     "may not be mailed")
                self.store.unsuppress(email)
            self.store.upsert(email, "", tuple(t for t in str(signup["tags"]).split(",") if t), reactivate=True,
                              source=f"form:{signup['form'] or 'site'}")
            self.store.db.execute(
                "UPDATE subscribers SET consent_at = ?, consent_form = ?, consent_wording = ?, confirmed_at = ?, "
                "status = 'active', status_reason = 'confirmed', paused_until = NULL WHERE email = ?",
                (signup["created"], signup["form"], signup["wording"], now, email))
            self.store.db.execute("UPDATE signups SET confirmed = ? WHERE id = ?", (now, signup["id"]))
        subscriber = self.store.get(email)
        assert subscriber is not None
        return subscriber, True

    def purge(self) -> int:
        """Delete sign-ups never confirmed within ``pending_days`` (and finished ones as old): their count.

        The records kept only for the limits go too, once no limit looks at them: the per-address mail
        log after two days (its window is one), list mail sent more than 30 days ago.
        """
        now = clock.now()
        before = stamp(now - timedelta(days=self.limits.pending_days))
        with self.store.transaction():
            cursor = self.store.db.execute("DELETE FROM signups WHERE created < ?", (before,))
            self.store.db.execute("DELETE FROM signup_log WHERE at < ?", (before,))
            self.store.db.execute("DELETE FROM mail_log WHERE at < ?", (stamp(now - timedelta(days=2)),))
            self.store.db.execute("DELETE FROM outbox WHERE sent IS NOT NULL AND sent < ?",
                                  (stamp(now - timedelta(days=30)),))
        return cursor.rowcount

    # -- the reader's own page ----------------------------------------------------------------
    def preferences_token(self, subscriber: Subscriber) -> str:
        return self.signer.token(PREFERENCES, subscriber.id, nonce=subscriber.nonce)

    def reader(self, token: str) -> Subscriber:
        """The subscriber a preferences link is for; TokenError for anything else (or someone erased)."""
        claims = self.signer.verify(token, PREFERENCES, clock.now())
        subscriber = self.store.by_id(claims.subject)
        if subscriber is None or subscriber.nonce != claims.nonce:
            raise TokenError("token: expected a link to your preferences, got one for a subscription we no longer "
                             "hold")
        return subscriber

    def set_topics(self, subscriber: Subscriber, topics: Sequence[str]) -> Subscriber:
        tags = clean_tags(topics, self.tags)
        with self.store.transaction():
            self.store.db.execute("UPDATE subscribers SET tags = ?, updated = ? WHERE id = ?",
                                  (",".join(tags), stamp(), subscriber.id))
        found = self.store.by_id(subscriber.id)
        assert found is not None
        return found

    def resume(self, subscriber: Subscriber) -> Subscriber:
        if subscriber.status == PAUSED:
            self.store.set_status(subscriber.id, ACTIVE, "resumed by the reader")
        found = self.store.by_id(subscriber.id)
        assert found is not None
        return found

    def held(self, subscriber: Subscriber) -> str:
        """Everything the list holds about one reader, as JSON: what "download my data" gives them."""
        db = self.store.db
        row = dict(db.execute("SELECT * FROM subscribers WHERE id = ?", (subscriber.id,)).fetchone())
        row.pop("nonce", None)
        data = {
            "subscriber": row,
            "deliveries": [dict(r) for r in db.execute(
                "SELECT digest, message_id, sent FROM deliveries WHERE subscriber_id = ? ORDER BY sent",
                (subscriber.id,))],
            "bounces_and_complaints": [dict(r) for r in db.execute(
                "SELECT kind, status, at, source FROM bounce_events WHERE subscriber_id = ? ORDER BY at",
                (subscriber.id,))],
            "pending_sign_ups": [dict(r) for r in db.execute(
                "SELECT tags, form, wording, created, confirmed FROM signups WHERE email = ?", (subscriber.email,))],
            "note": "This is everything this list keeps about you. Erasing it keeps only a one-way hash of your "
                    "address, so that it is never mailed again unless you sign up again yourself.",
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def erase(self, subscriber: Subscriber) -> None:
        """Forget the reader: the row, its history, its pending sign-ups; the address stays only as a hash."""
        with self.store.transaction():
            self.store.db.execute("DELETE FROM bounce_events WHERE subscriber_id = ?", (subscriber.id,))
            self.store.delete_rows(subscriber.email, ERASED)
        self.store.forget_history()

    def unsubscribe(self, subscriber: Subscriber, how: str) -> Subscriber:
        found = self.store.unsubscribe(subscriber.email, how)
        assert found is not None
        return found

