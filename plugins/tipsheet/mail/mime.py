"""A rendered digest addressed to one reader, as a MIME message (``email.message.EmailMessage``).

``multipart/alternative`` with the plain text first and the HTML last (mail
clients show the last part they can), both quoted-printable; headers for
bulk mail as Gmail and Yahoo require them (``List-Id``,
``List-Unsubscribe`` with an https and a mailto address,
``List-Unsubscribe-Post`` for one-click, RFC 8058; ``Feedback-ID``).  A sent
message is dated when it is sent; a preview at the end of its period.  Header values go through
the email package's own header classes, so a name or title with a line break
cannot add a header.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage, MIMEPart
from email.policy import SMTP, EmailPolicy
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .render import RenderedDigest


class AddressError(ValueError):
    pass


if TYPE_CHECKING:
    _Policy = EmailPolicy[EmailMessage]
else:
    _Policy = EmailPolicy  # generic only in the type stubs


class _Registry(HeaderRegistry):
    """The standard header registry, remembering the class it composes for each header name."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().__getitem__(name)
        return found


class BulkPolicy(_Policy):
    """``email.policy.SMTP``, remembering the headers it has already parsed and folded.

    A send writes thousands of messages whose Subject, From, Date, List-Id and
    part headers are the same; parsing and folding them is most of the cost of
    a message.  The output is byte-for-byte what SMTP gives (a test compares
    them).  The headers that differ for every reader (To, Message-ID,
    List-Unsubscribe) are never kept, and the cache of the others is emptied
    when full, so memory stays flat however long the list.  The header classes
    themselves are made once (the standard registry builds a new class for
    every header it parses).
    """

    LIMIT = 512
    PER_READER = frozenset({"to", "message-id", "list-unsubscribe"})

    def __init__(self, **kw: Any) -> None:
        base = {name: getattr(SMTP, name) for name in ("linesep", "utf8", "max_line_length", "cte_type",
                                                        "raise_on_defect", "mangle_from_", "refold_source",
                                                        "header_factory", "content_manager")}
        base["header_factory"] = _Registry()
        super().__init__(**{**base, **kw})
        object.__setattr__(self, "_tipsheet_parsed", {})
        object.__setattr__(self, "_tipsheet_folded", {})

    @staticmethod
    def _remember(cache: dict[Any, Any], key: Any, make: Any) -> Any:
        found = cache.get(key)
        if found is None:
            if len(cache) >= BulkPolicy.LIMIT:
                cache.clear()
            found = cache[key] = make()
        return found

    def header_store_parse(self, name: str, value: Any) -> Any:
        if not isinstance(value, str) or name.lower() in self.PER_READER:
            return super().header_store_parse(name, value)
        return self._remember(self._tipsheet_parsed,  # type: ignore[attr-defined]
                              (name, value, self.max_line_length),
                              lambda: super(BulkPolicy, self).header_store_parse(name, value))

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() in self.PER_READER:
            return super().fold_binary(name, value)
        folded: bytes = self._remember(self._tipsheet_folded,  # type: ignore[attr-defined]
                                       (name, str(value), self.max_line_length),
                                       lambda: super(BulkPolicy, self).fold_binary(name, value))
        return folded


def address(text: str, name: str = "") -> Address:
    """An ``Address`` from ``"Name <a@b.org>"`` or ``"a@b.org"``; a line break anywhere is refused."""
    if any(c in text + name for c in "\r\n"):
        raise AddressError(f"expected an address on one line, got {text!r}")
    parsed_name, addr = parseaddr(text)
    if "@" not in addr:
        raise AddressError(f"expected an address like name@example.org, got {text!r}")
    user, domain = addr.rsplit("@", 1)
    return Address(display_name=name or parsed_name, username=user, domain=domain)


@dataclass(frozen=True)
class Envelope:
    """What is the same for every message of one list: who sends, which list, how to leave by mail."""

    sender: Address
    list_name: str
    list_id: str  # e.g. "weekly.frontline.example.org"
    unsubscribe_mailto: str | None = None
    reply_to: Address | None = None


def _fingerprint(rendered: RenderedDigest, recipient: str) -> str:
    return hashlib.sha256(f"{rendered.digest.id}\n{recipient.lower()}".encode()).hexdigest()[:24]


def message_id(rendered: RenderedDigest, recipient: str, domain: str) -> str:
    """Deterministic: the same digest to the same reader always has the same Message-ID."""
    return f"<{rendered.digest.id}.{_fingerprint(rendered, recipient)}@{domain}>"


def build_message(rendered: RenderedDigest, envelope: Envelope, to: Address, unsubscribe_url: str,
                  token: str = "", policy: EmailPolicy[EmailMessage] = SMTP, sent: datetime | None = None,
                  feedback_id: str = "", preferences_url: str = "") -> EmailMessage:
    """The message for one reader.

    ``sent`` is when it goes out (RFC 5322's Date: "the date and time at which the creator of the
    message indicated that [it] was complete and ready to enter the mail delivery system"); a
    preview, which is not sent, is dated at the end of its period so that it stays byte-identical.
    Headers are folded at RFC 5322's 998-character limit rather than 78, so that a long
    unsubscribe URL stays one literal ``<https://...>`` (folded to 78 the email package would
    write it as an RFC 2047 encoded word, which one-click unsubscribe does not decode).  The
    text and HTML parts are encoded with quoted-printable lines of at most 76 characters.
    """
    text, html = rendered.for_recipient(unsubscribe_url, preferences_url)
    msg = EmailMessage(policy=policy.clone(max_line_length=998))
    msg["Subject"] = rendered.subject
    msg["From"] = envelope.sender
    msg["To"] = to
    if envelope.reply_to is not None:
        msg["Reply-To"] = envelope.reply_to
    msg["Date"] = format_datetime((sent or rendered.digest.period.end).astimezone(UTC).replace(microsecond=0))
    msg["Message-ID"] = message_id(rendered, to.addr_spec, envelope.sender.domain)
    msg["List-Id"] = f"{envelope.list_name} <{envelope.list_id}>"
    targets = [f"<{unsubscribe_url}>"]
    if envelope.unsubscribe_mailto:
        subject = quote(f"unsubscribe {token}".strip())
        targets.append(f"<mailto:{envelope.unsubscribe_mailto}?subject={subject}>")
    msg["List-Unsubscribe"] = ", ".join(targets)
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if feedback_id:
        msg["Feedback-ID"] = feedback_id  # Gmail's feedback loop: complaint rates by digest and list
    msg["MIME-Version"] = "1.0"
    msg.make_alternative()
    body_policy = policy.clone(max_line_length=76)  # RFC 2045: quoted-printable lines of 76 at most
    for subtype, body in (("plain", text), ("html", html)):  # plain text first: clients show the last they can
        part = MIMEPart(policy=body_policy)
        part.set_content(body, subtype=subtype, cte="quoted-printable")
        msg.attach(part)  # type: ignore[arg-type]  # the stubs want EmailMessage; any MIMEPart is right
    # A fixed boundary keeps the output byte-identical; "=_" cannot occur in quoted-printable text.
    msg.set_boundary(f"=_tipsheet_{_fingerprint(rendered, to.addr_spec)}")
    return msg
