"""Sending one digest to every subscriber, exactly once, through the publisher's SMTP relay.

For each active subscriber without a ledger entry for this digest: their
version of the digest (only their tags, when they chose some; nothing when
no tip matches), addressed to them with their own unsubscribe link.  A
version is rendered once per distinct choice of tags, never per subscriber.
One SMTP connection is reused.  A 4xx reply is retried with back-off; a 5xx
for a recipient marks them bounced and the run goes on.  Every accepted
message is committed to the ledger at once, so a second run, or a run after a
crash, sends only what is missing.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from ..mail.digests import Digest
from ..mail.mime import BulkPolicy, Envelope, address, build_message, message_id
from ..mail.render import DigestRenderer, RenderedDigest
from .store import BOUNCED, Store, Subscriber
from .tokens import Signer

SECURITY = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


class DeliveryError(RuntimeError):
    """The run cannot go on (no relay, refused login, refused sender); one line for the user."""


@contextlib.contextmanager
def send_lock(db_path: str) -> Iterator[None]:
    """One ``tipsheet send`` at a time per subscriber database.

    Two overlapping runs (a cron job and a hand-started one) would both find the same
    subscribers pending and both mail them; the second run waits for nothing and stops
    with one line instead.  The lock is the kernel's (``flock``): it goes away with the
    process, so a crashed run never leaves a stale lock behind.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (documented)
        yield
        return
    with open(db_path + ".send-lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise DeliveryError(f"{db_path}: expected no other 'tipsheet send' on this database, got one "
                                "still running (wait for it to finish)") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # only ever from the environment
    timeout: float = 30.0

    def describe(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"smtp {who}{self.host}:{self.port} ({self.security})"


def smtp_settings(config: Mapping[str, object], environ: Mapping[str, str]) -> SmtpSettings:
    """Config values, each overridden by its TIPSHEET_SMTP_* variable; the password only from the environment."""
    security = environ.get("TIPSHEET_SMTP_SECURITY") or str(config.get("security") or "starttls")
    if security not in SECURITY:
        raise DeliveryError(f"TIPSHEET_SMTP_SECURITY: expected none, starttls or tls, got {security!r}")
    raw_port = environ.get("TIPSHEET_SMTP_PORT") or config.get("port") or DEFAULT_PORTS[security]
    try:
        port = int(str(raw_port))
    except ValueError:
        raise DeliveryError(f"TIPSHEET_SMTP_PORT: expected a port number, got {raw_port!r}") from None
    host = environ.get("TIPSHEET_SMTP_HOST") or str(config.get("host") or "localhost")
    user = environ.get("TIPSHEET_SMTP_USER") or (str(config["user"]) if config.get("user") else None)
    password = environ.get("TIPSHEET_SMTP_PASSWORD") or None
    if user and not password:
        raise DeliveryError(f"TIPSHEET_SMTP_PASSWORD: expected the password of {user!r} in the environment, "
                            "got nothing")
    timeout = float(str(config.get("timeout") or 30))
    return SmtpSettings(host, port, security, user, password, timeout)


class SmtpTransport:
    """One connection to the relay, opened on first use and reopened if the relay hangs up."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"{s.describe()}: login refused ({exc.smtp_code})") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{s.describe()}: cannot connect ({type(exc).__name__}: {exc})") from None
        return smtp

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.sendmail(sender, [recipient], data)
        except smtplib.SMTPServerDisconnected:
            self._smtp = None
            raise
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the relay is closing the connection: open a new one next time
                self._drop()
            raise
        except smtplib.SMTPException:  # an OSError too, but the relay's answer: the caller decides
            raise
        except OSError as exc:  # a timeout or a reset in the middle of a message: like a hang-up
            self._drop()
            raise smtplib.SMTPServerDisconnected(f"{type(exc).__name__}: {exc}") from None

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                smtp.close()

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None


@dataclass
class Summary:
    sent: int = 0
    skipped: int = 0  # already delivered before this run
    empty: int = 0  # no tip of this digest matches their tags
    retried: int = 0
    bounced: int = 0
    failed: int = 0

    def line(self) -> str:
        return (f"sent {self.sent}, skipped {self.skipped} (already sent), no matching tips {self.empty}, "
                f"retried {self.retried}, bounced {self.bounced}, failed {self.failed}")


@dataclass
class Policy:
    rate: float = 0.0  # messages per second; 0: as fast as the relay takes them
    retries: int = 3
    retry_delay: float = 2.0  # doubled after each attempt
    progress_every: int = 100


class Sender:
    def __init__(self, store: Store, renderer: DigestRenderer, envelope: Envelope,
                 unsubscribe_url: Callable[[str], str], signer: Signer | None, transport: SmtpTransport | None,
                 policy: Policy, say: Callable[[str], None], tags_with_pages: frozenset[str] = frozenset(),
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self.store, self.renderer, self.envelope = store, renderer, envelope
        self.unsubscribe_url, self.signer, self.transport = unsubscribe_url, signer, transport
        self.policy, self.say, self.tags_with_pages = policy, say, tags_with_pages
        self.sleep, self.clock = sleep, clock
        self._versions: dict[frozenset[str] | None, RenderedDigest | None] = {}
        self._policy = BulkPolicy()

    def version(self, digest: Digest, audience: frozenset[str] | None) -> RenderedDigest | None:
        """The digest as this audience gets it, rendered on first need; None when no tip matches."""
        if audience not in self._versions:
            tips = digest.tips if audience is None else tuple(t for t in digest.tips if audience & set(t.tags))
            only = next(iter(audience)) if audience and len(audience) == 1 else None
            tag = only if only in self.tags_with_pages else None
            self._versions[audience] = self.renderer.render(Digest(digest.period, tips, tag)) if tips else None
        return self._versions[audience]

    def run(self, digest: Digest, dry_run: bool = False) -> Summary:
        summary = Summary(skipped=self.store.delivered_count(digest.id))
        total = sum(1 for _ in self.store.pending(digest.id))
        started = self.clock()
        next_slot = started
        interval = 1.0 / self.policy.rate if self.policy.rate > 0 else 0.0
        try:
            for done, subscriber in enumerate(self.store.pending(digest.id), start=1):
                rendered = self.version(digest, subscriber.audience)
                if rendered is None:
                    summary.empty += 1
                    if dry_run:
                        self.say(f"would skip {subscriber.email}: no tip of {digest.id} has their tags")
                    continue
                if dry_run:
                    self.say(f"would send {digest.id} to {subscriber.email}: {len(rendered.digest.tips)} tips, "
                             f"{rendered.subject!r}")
                    continue
                if interval:
                    wait = next_slot - self.clock()
                    if wait > 0:
                        self.sleep(wait)
                    next_slot = max(next_slot, self.clock()) + interval
                try:
                    self._deliver(digest, rendered, subscriber, summary)
                except DeliveryError as exc:
                    exc.summary = summary  # type: ignore[attr-defined]
                    raise
                if done % self.policy.progress_every == 0 or done == total:
                    rate = done / max(self.clock() - started, 1e-9)
                    self.say(f"{digest.id}: {done}/{total} processed ({rate:.0f} msg/s)")
        finally:
            if self.transport is not None:
                self.transport.close()
        return summary

    def _deliver(self, digest: Digest, rendered: RenderedDigest, subscriber: Subscriber, summary: Summary) -> None:
        assert self.transport is not None and self.signer is not None
        token = self.signer.token(subscriber.email)
        to = address(subscriber.email, subscriber.name)
        msg = build_message(rendered, self.envelope, to, self.unsubscribe_url(token), token, self._policy)
        data = msg.as_bytes()
        delay = self.policy.retry_delay
        for attempt in range(self.policy.retries + 1):
            try:
                self.transport.send(self.envelope.sender.addr_spec, to.addr_spec, data)
            except smtplib.SMTPServerDisconnected as exc:
                outcome, code, text = "retry", 421, str(exc)
            except smtplib.SMTPRecipientsRefused as exc:
                code, raw = next(iter(exc.recipients.values()))
                outcome, text = ("retry" if 400 <= code < 500 else "bounce"), _text(raw)
            except smtplib.SMTPSenderRefused as exc:
                if exc.smtp_code >= 500:  # no message can go out from this address: stop the run
                    raise DeliveryError(f"the relay refused the sender {self.envelope.sender.addr_spec}: "
                                        f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
                outcome, code, text = "retry", exc.smtp_code, _text(exc.smtp_error)  # throttling: try again
            except smtplib.SMTPResponseException as exc:
                code, text = exc.smtp_code, _text(exc.smtp_error)
                outcome = "retry" if 400 <= code < 500 else "bounce"
            else:
                self.store.delivered(digest.id, subscriber.id, message_id(rendered, to.addr_spec,
                                                                          self.envelope.sender.domain))
                summary.sent += 1
                return
            if outcome == "bounce":
                self.store.set_status(subscriber.id, BOUNCED, f"{code} {text}"[:500])
                summary.bounced += 1
                self.say(f"bounced: {subscriber.email}: {code} {text}")
                return
            if attempt < self.policy.retries:
                summary.retried += 1
                self.say(f"retrying {subscriber.email} in {delay:g} s: {code} {text}")
                self.sleep(delay)
                delay *= 2
        summary.failed += 1
        self.say(f"failed: {subscriber.email}: {code} {text} (left for the next run)")


def _text(raw: bytes | str) -> str:
    return (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw).replace("\n", " ").strip()

