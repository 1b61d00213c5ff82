"""The publisher's SMTP relay: its settings, and one connection that answers every message with a :class:`Reply`.

Settings come from mkdocs.yml, each overridden by its ``TIPSHEET_SMTP_*``
variable; the password is only ever read from the environment, and is never
sent in clear to a relay that is not on this machine.  A connection is opened
on first use and again after the relay hangs up; every outcome of a message
is a :class:`~tipsheet.audience.replies.Reply` naming the stage it came
from, so the caller decides what it means (:mod:`.replies`).
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import smtplib
import ssl
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from .replies import CONNECT, DATA, MAIL, RCPT, Reply

SECURITY = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


class DeliveryError(RuntimeError):
    """The run cannot go on (no relay, refused login, a refusal that is not a subscriber's): one line for the user."""


@contextlib.contextmanager
def send_lock(db_path: str) -> Iterator[None]:
    """One ``tipsheet send`` at a time per subscriber database.

    Two overlapping runs (a cron job and a hand-started one) would both find the same
    subscribers pending and both mail them; the second run stops with one line instead.
    The lock is the kernel's (``flock``): it goes away with the process, so a crashed run
    never leaves a stale lock behind.
    """
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


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
    if password and security == "none" and not is_loopback(host):
        raise DeliveryError(f"TIPSHEET_SMTP_SECURITY: expected starttls or tls to send a password to {host}, got "
                            "none (the password would cross the network in clear; 'none' is only for a relay on "
                            "this machine)")
    timeout = float(str(config.get("timeout") or 30))
    return SmtpSettings(host, port, security, user, password, timeout)


def _text(raw: bytes | str) -> str:
    return (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw).replace("\n", " ").strip()


class SmtpTransport:
    """One connection to the relay, opened on first use and reopened after the relay hangs up."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self.dsn = False  # whether the relay offers DSN (RFC 3461): ENVID and NOTIFY are then sent

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
            smtp.ehlo_or_helo_if_needed()
            self.dsn = smtp.has_extn("dsn")
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"{s.describe()}: login refused ({exc.smtp_code})") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{s.describe()}: cannot connect ({type(exc).__name__}: {exc})") from None
        return smtp

    def send(self, sender: str, recipient: str, data: bytes, envelope_id: str = "") -> Reply | None:
        """None when the relay accepted the message; else its reply, with the stage it came from.

        Raises DeliveryError only when no connection can be made at all.
        """
        if self._smtp is None:
            self._smtp = self._connect()
        mail_options: Sequence[str] = ()
        rcpt_options: Sequence[str] = ()
        if self.dsn and envelope_id:
            mail_options = ("RET=HDRS", f"ENVID={envelope_id}")
            rcpt_options = ("NOTIFY=FAILURE,DELAY", f"ORCPT=rfc822;{recipient}")
        try:
            self._smtp.sendmail(sender, [recipient], data, mail_options, rcpt_options)
        except smtplib.SMTPRecipientsRefused as exc:
            code, raw = next(iter(exc.recipients.values()))
            return Reply(RCPT, code, _text(raw))
        except smtplib.SMTPSenderRefused as exc:
            return self._after(Reply(MAIL, exc.smtp_code, _text(exc.smtp_error)))
        except smtplib.SMTPDataError as exc:
            return self._after(Reply(DATA, exc.smtp_code, _text(exc.smtp_error)))
        except smtplib.SMTPResponseException as exc:
            return self._after(Reply(DATA, exc.smtp_code, _text(exc.smtp_error)))
        except (smtplib.SMTPServerDisconnected, OSError) as exc:  # a hang-up, a timeout, a reset mid-message
            self._drop()
            return Reply(CONNECT, 421, f"{type(exc).__name__}: {exc}")
        except smtplib.SMTPException as exc:
            self._drop()
            return Reply(CONNECT, 421, f"{type(exc).__name__}: {exc}")
        return None

    def _after(self, reply: Reply) -> Reply:
        if reply.code == 421:  # the relay is closing the connection: open a new one next time
            self._drop()
        return reply

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
