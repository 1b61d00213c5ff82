"""Processing returned mail from an mbox file, a Maildir or an IMAP folder: what each message does to the list.

Each message is read (:mod:`.reports`) and acted on: a hard bounce marks
the subscriber bounced and suppresses the address; a soft bounce adds to
their score (bounced after 3 on different days within 30 days); a delay
warning does nothing; a complaint unsubscribes and suppresses; a message
that names no subscriber of this list changes nothing.  The change is
committed before the line about it is printed.

It is idempotent: a processed message is remembered by its Message-ID (or
the hash of its bytes), so reading the same mailbox twice changes nothing
more.  Nothing is ever deleted: IMAP moves handled messages to a folder and
leaves the rest unread where they were; an mbox file or a Maildir is only
read, unless ``move_to`` names where handled messages go.
"""

from __future__ import annotations

import email
import hashlib
import imaplib
import mailbox
import os
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Protocol

from ..content import clock
from .reports import COMPLAINT, HARD, SOFT, UNKNOWN, Finding, Identify, examine
from .smtp import DeliveryError, is_loopback
from .store import Store
from .tokens import Signer

SOURCE = "mailbox"


@dataclass
class Returned:
    label: str  # the Message-ID, or the file it came from
    key: str  # what makes reading it twice harmless
    message: Message
    handle: Any  # the source's own key, to move it


class Source(Protocol):
    def messages(self) -> Iterator[Returned]: ...

    def handled(self, item: Returned) -> None: ...

    def close(self) -> None: ...


def returned(raw: bytes, handle: Any, fallback_label: str) -> Returned:
    message = email.message_from_bytes(raw)
    message_id = str(message.get("Message-ID", "")).strip()
    key = message_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    return Returned(message_id or fallback_label, key, message, handle)


class FileSource:
    """An mbox file or a Maildir, read only; with ``move_to``, handled messages are moved to another one."""

    def __init__(self, path: str, kind: str, move_to: str | None = None) -> None:
        self.path, self.kind = path, kind
        try:
            self.box: mailbox.Mailbox = mailbox.mbox(path, create=False) if kind == "mbox" else \
                mailbox.Maildir(path, factory=None, create=False)
        except (OSError, mailbox.Error) as exc:
            raise DeliveryError(f"{path}: expected {'an mbox file' if kind == 'mbox' else 'a Maildir'}, got {exc}") \
                from None
        self.target: mailbox.Mailbox | None = None
        if move_to:
            self.target = mailbox.mbox(move_to) if kind == "mbox" else mailbox.Maildir(move_to, factory=None)
        if kind == "mbox" and not os.path.isfile(path):
            raise DeliveryError(f"{path}: expected an mbox file, got nothing there")

    def messages(self) -> Iterator[Returned]:
        for key in list(self.box.keys()):
            yield returned(self.box.get_bytes(key), key, f"{self.path}#{key}" if self.kind == "mbox" else
                           os.path.join(self.path, str(key)))

    def handled(self, item: Returned) -> None:
        if self.target is None:
            return
        if self.kind == "mbox":
            self.box.lock()
        try:
            self.target.add(self.box.get_bytes(item.handle))  # first the copy, then the original goes
            self.target.flush()
            self.box.remove(item.handle)
            self.box.flush()
        finally:
            if self.kind == "mbox":
                self.box.unlock()

    def close(self) -> None:
        self.box.close()
        if self.target is not None:
            self.target.close()


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str
    user: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    processed: str = "tipsheet-processed"


def imap_settings(config: Mapping[str, object], environ: Mapping[str, str]) -> ImapSettings:
    """``imap:`` of mkdocs.yml, each value overridden by its TIPSHEET_IMAP_* variable; the password only from there."""
    def value(name: str, default: object = "") -> str:
        return environ.get(f"TIPSHEET_IMAP_{name.upper()}") or str(config.get(name) or default)

    security = value("security", "tls")
    if security not in ("none", "starttls", "tls"):
        raise DeliveryError(f"TIPSHEET_IMAP_SECURITY: expected none, starttls or tls, got {security!r}")
    host, user = value("host"), value("user")
    if not host or not user:
        raise DeliveryError("imap: expected host and user (tipsheet/digests: imap: in mkdocs.yml, or "
                            "TIPSHEET_IMAP_HOST and TIPSHEET_IMAP_USER), got " + ("no host" if not host else "no user"))
    password = environ.get("TIPSHEET_IMAP_PASSWORD", "")
    if not password:
        raise DeliveryError(f"TIPSHEET_IMAP_PASSWORD: expected the password of {user!r} in the environment, "
                            "got nothing")
    if security == "none" and not is_loopback(host):
        raise DeliveryError(f"TIPSHEET_IMAP_SECURITY: expected starttls or tls to log in to {host}, got none")
    port = value("port", 993 if security == "tls" else 143)
    if not port.isdigit():
        raise DeliveryError(f"TIPSHEET_IMAP_PORT: expected a port number, got {port!r}")
    return ImapSettings(host, int(port), security, user, password, value("folder", "INBOX"),
                        value("processed_folder", "tipsheet-processed"))


class ImapSource:
    """One IMAP folder: messages read without marking them seen; handled ones moved to ``processed``."""

    def __init__(self, settings: ImapSettings, read_only: bool) -> None:
        self.settings, self.read_only = settings, read_only
        try:
            if settings.security == "tls":
                self.imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(settings.host, settings.port,
                                                             ssl_context=ssl.create_default_context())
            else:
                self.imap = imaplib.IMAP4(settings.host, settings.port)
                if settings.security == "starttls":
                    self.imap.starttls(ssl.create_default_context())
            self.imap.login(settings.user, settings.password)
            status, _ = self.imap.select(self._quote(settings.folder), readonly=read_only)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise DeliveryError(f"imap {settings.user}@{settings.host}:{settings.port}: expected to log in and open "
                                f"{settings.folder!r}, got {type(exc).__name__}: {exc}") from None
        if status != "OK":
            raise DeliveryError(f"imap {settings.host}: expected a folder {settings.folder!r}, got none")
        _, data = self.imap.capability()  # after login: servers announce more (MOVE, UIDPLUS) than before
        self._capabilities = set(data[0].decode("ascii", "replace").upper().split()) if data and data[0] else set()
        self._moves = "MOVE" in self._capabilities
        self._created = False

    @staticmethod
    def _quote(folder: str) -> str:
        return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def messages(self) -> Iterator[Returned]:
        status, data = self.imap.uid("SEARCH", "ALL")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for uid in uids:
            status, parts = self.imap.uid("FETCH", uid, "(BODY.PEEK[])")  # PEEK: not marked as read
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None) if status == "OK" else None
            if isinstance(raw, bytes):
                yield returned(raw, uid, f"{self.settings.folder}/{uid.decode()}")

    def handled(self, item: Returned) -> None:
        if self.read_only:
            return
        folder = self._quote(self.settings.processed)
        if not self._created:
            self.imap.create(folder)  # "already exists" is fine
            self._created = True
        if self._moves:
            status, _ = self.imap.uid("MOVE", item.handle, folder)
        else:  # copy, then flag the original; it is expunged only when the server can expunge just it
            status, _ = self.imap.uid("COPY", item.handle, folder)
            if status == "OK":
                self.imap.uid("STORE", item.handle, "+FLAGS", "(\\Deleted)")
                if "UIDPLUS" in self._capabilities:
                    self.imap.uid("EXPUNGE", item.handle)
        if status != "OK":
            raise DeliveryError(f"imap: expected to move {item.label} to {self.settings.processed!r}, got {status}")

    def close(self) -> None:
        try:
            self.imap.close()
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


@dataclass(frozen=True)
class Outcome:
    message: str
    address: str
    kind: str
    status: str

    def line(self) -> str:
        return f"{self.message}: {self.address or '-'}: {self.kind} ({self.status})"

    def as_dict(self) -> dict[str, str]:
        return {"message": self.message, "address": self.address, "kind": self.kind, "status": self.status}


def identify(store: Store, signer: Signer) -> Identify:
    def by_address(address: str) -> int | None:
        found = store.get(address)
        return found.id if found else None

    return Identify(signer.verp_subject, lambda token: signer.unsubscribe_target(token, clock.now()), by_address)


def process(source: Source, store: Store, who: Identify, dry_run: bool) -> Iterator[Outcome]:
    """Each message's findings, acted on (unless ``dry_run``) before they are yielded."""
    for item in source.messages():
        findings = examine(item.message, who)
        seen = store.report_seen(item.key)
        handled = any(f.kind != UNKNOWN for f in findings)
        outcomes = []
        for finding in findings:
            subscriber = store.by_id(finding.subscriber_id) if finding.subscriber_id is not None else None
            if subscriber is not None and not seen and not dry_run:
                apply(store, finding, subscriber.id)
            status = finding.status + (", already processed" if seen and handled else "")
            outcomes.append(Outcome(item.label, subscriber.email if subscriber else finding.address, finding.kind,
                                    status))
        if handled and not dry_run:
            if not seen:
                store.remember_report(item.key, ",".join(sorted({f.kind for f in findings})),
                                      next((f.subscriber_id for f in findings if f.subscriber_id), None))
            yield from outcomes
            source.handled(item)
        else:
            yield from outcomes


def apply(store: Store, finding: Finding, subscriber_id: int) -> None:
    if finding.kind == HARD:
        store.mark_bounced(subscriber_id, finding.status, SOURCE)
    elif finding.kind == SOFT:
        store.soft_bounce(subscriber_id, finding.status, SOURCE)
    elif finding.kind == COMPLAINT:
        store.complaint(subscriber_id, finding.status, SOURCE)
