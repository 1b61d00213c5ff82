"""The list's own mail (confirmation links, preferences links), queued and sent beside the web service.

A reader who signs up never waits on the relay: the request records the mail
in the ``outbox`` table and answers; a thread of each service process sends
what is due, over one connection to the same relay as ``tipsheet send``.
Rows are claimed atomically, one at a time just before each is sent, so two
worker processes never send the same one; a claim left by a process that
died is taken over after thirty minutes.
A failure is tried again later (1, 5, 30 minutes, then 2 hours) up to six
times; a refusal of the mailbox itself is not retried.  The mail is minimal
and transactional: the site's name, one link, what to do if it was not you,
and nothing the reader typed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from functools import lru_cache

from jinja2 import Template

from ..content import clock
from ..mail.render import inline_css
from ..site.jinja import make_env
from .db import stamp
from .delivery import Transport
from .replies import Verdict, classify
from .signup import CONFIRMATION, Signups
from .smtp import DeliveryError
from .store import Store

log = logging.getLogger("tipsheet.list")
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=2), timedelta(hours=2))
CLAIM_FOR = timedelta(minutes=30)  # longer than any one message can take (10 minutes for its final reply)
PURGE_EVERY = 3600.0  # seconds between housekeeping runs (expired sign-ups, old limit records)


@dataclass(frozen=True)
class ListMail:
    """Who the list's mail is from and where its links go."""

    site_name: str
    site_url: str
    list_url: str  # the service's public address, ending in '/'
    sender: Address
    language: str = "en"
    confirm_hours: int = 72
    template_dirs: tuple[str, ...] = ()


@lru_cache(maxsize=8)
def _templates(template_dirs: tuple[str, ...]) -> tuple[Template, Template]:
    env = make_env(template_dirs)
    return env.get_template("list/mail.txt"), env.get_template("list/mail.html")


def message(mail: ListMail, kind: str, to: str, link: str) -> EmailMessage:
    """A confirmation mail, or a mail with the preferences link: plain text and HTML, nothing the reader typed."""
    text_template, html_template = _templates(mail.template_dirs)
    context = dict(site_name=mail.site_name, site_url=mail.site_url, link=link, kind=kind,
                   hours=mail.confirm_hours, language=mail.language)
    subject = (f"Confirm your subscription to {mail.site_name}" if kind == CONFIRMATION
               else f"Your subscription to {mail.site_name}")
    msg = EmailMessage(policy=SMTP)  # CRLF line ends, as the relay expects
    msg["Subject"] = subject
    msg["From"] = mail.sender
    msg["To"] = to
    msg["Date"] = format_datetime(clock.wall())
    msg["Message-ID"] = make_msgid(domain=mail.sender.domain)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies back, please
    msg.set_content(text_template.render(subject=subject, **context), cte="quoted-printable")
    html = inline_css(html_template.render(subject=subject, **context))
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    return msg


class Outbox:
    """Sends the queued mail of one database; ``drain`` is safe to call from several processes at once."""

    def __init__(self, db_path: str, signer_signups: Callable[[Store], Signups], mail: ListMail,
                 transport: Callable[[], Transport], bounce_address: str) -> None:
        self.db_path, self.signups, self.mail = db_path, signer_signups, mail
        self.transport_factory, self.bounce_address = transport, bounce_address
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._purged = 0.0

    def drain(self, limit: int = 50) -> int:
        """Send what is due, one claimed row at a time (up to ``limit``); the number sent."""
        sent = 0
        transport: Transport | None = None
        with Store(self.db_path) as store:
            store.scrub_if_owed()
            if clock.now().timestamp() - self._purged > PURGE_EVERY:  # housekeeping, even on a quiet day
                self._purged = clock.now().timestamp()
                self.signups(store).purge()
            try:
                for _ in range(limit):
                    row = self._claim(store)
                    if row is None:
                        break
                    transport = transport or self.transport_factory()
                    sent += self._send(store, transport, row)
            finally:
                if transport is not None:
                    transport.close()
        return sent

    @staticmethod
    def _claim(store: Store) -> dict[str, object] | None:
        """The next due row, claimed: no other process takes it unless this one died holding it (CLAIM_FOR)."""
        now = clock.now()
        with store.transaction():
            row = store.db.execute(
                "UPDATE outbox SET claimed = ? WHERE id = (SELECT id FROM outbox WHERE sent IS NULL AND next_try <= ? "
                "AND (claimed IS NULL OR claimed < ?) ORDER BY id LIMIT 1) RETURNING *",
                (stamp(now), stamp(now), stamp(now - CLAIM_FOR))).fetchone()
        return dict(row) if row is not None else None

    def _send(self, store: Store, transport: Transport, row: dict[str, object]) -> int:
        signups = self.signups(store)
        to, link = self._target(store, signups, row)
        if to is None:  # the sign-up expired or the reader was erased meanwhile: nothing to send
            self._done(store, row, "no longer needed")
            return 0
        try:
            reply = transport.send(self.bounce_address, to, message(self.mail, str(row["kind"]), to, link).as_bytes())
        except DeliveryError as exc:
            self._retry(store, row, str(exc))
            return 0
        if reply is None:
            self._done(store, row, "")
            return 1
        if classify(reply) is Verdict.HARD:
            self._done(store, row, f"not sent: {reply.line()}")
            return 0
        self._retry(store, row, reply.line())
        return 0

    def _target(self, store: Store, signups: Signups, row: dict[str, object]) -> tuple[str | None, str]:
        if row["kind"] == CONFIRMATION:
            found = store.db.execute("SELECT email, nonce, confirmed FROM signups WHERE id = ?",
                                     (row["signup_id"],)).fetchone()
            if found is None or found["confirmed"]:
                return None, ""
            token = signups.confirm_token(int(str(row["signup_id"])), found["nonce"])
            return found["email"], f"{self.mail.list_url}confirm?token={token}"
        subscriber = store.by_id(int(str(row["subscriber_id"])))
        if subscriber is None:
            return None, ""
        return subscriber.email, f"{self.mail.list_url}preferences?token={signups.preferences_token(subscriber)}"

    @staticmethod
    def _done(store: Store, row: dict[str, object], error: str) -> None:
        with store.transaction():
            store.db.execute("UPDATE outbox SET sent = ?, claimed = NULL, error = ? WHERE id = ?",
                             (stamp(), error, row["id"]))

    @staticmethod
    def _retry(store: Store, row: dict[str, object], error: str) -> None:
        attempts = int(str(row["attempts"])) + 1
        if attempts >= len(BACKOFF):
            log.warning(f"list mail {row['id']} ({row['kind']}): gave up after {attempts} attempts: {error}")
            Outbox._done(store, row, f"gave up: {error}")
            return
        with store.transaction():
            store.db.execute("UPDATE outbox SET attempts = ?, next_try = ?, claimed = NULL, error = ? WHERE id = ?",
                             (attempts, stamp(clock.now() + BACKOFF[attempts - 1]), error[:300], row["id"]))

    # -- the sending thread ----------------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    def start(self, every: float = 30.0) -> None:
        """A daemon thread that sends when woken (after each sign-up) and every ``every`` seconds."""
        if self._thread is not None:
            return

        def loop() -> None:
            while not self._stop.is_set():
                self._wake.wait(every)
                self._wake.clear()
                try:
                    while self.drain() and not self._stop.is_set():
                        pass
                except Exception as exc:  # the service goes on; the rows stay due and are tried again
                    log.error(f"list mail: {type(exc).__name__}: {exc}")

        self._thread = threading.Thread(target=loop, name="tipsheet-outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
