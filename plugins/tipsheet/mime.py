"""A rendered digest addressed to one reader, as a MIME message (``email.message.EmailMessage``).

``multipart/alternative`` with the plain text first and the HTML last (mail
clients show the last part they can), both quoted-printable; headers for
bulk mail as Gmail and Yahoo require them (``List-Id``,
``List-Unsubscribe`` with an https and a mailto address,
``List-Unsubscribe-Post`` for one-click, RFC 8058).  The ``Date`` comes from
the digest's period, in UTC, never from the clock.  Header values go through
the email package's own header classes, so a name or title with a line break
cannot add a header.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from urllib.parse import quote

from .digest_mail import RenderedDigest


class AddressError(ValueError):
    pass


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
                  token: str = "") -> EmailMessage:
    text, html = rendered.for_recipient(unsubscribe_url)
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = rendered.subject
    msg["From"] = envelope.sender
    msg["To"] = to
    if envelope.reply_to is not None:
        msg["Reply-To"] = envelope.reply_to
    msg["Date"] = format_datetime(rendered.digest.period.end.astimezone(UTC))
    msg["Message-ID"] = message_id(rendered, to.addr_spec, envelope.sender.domain)
    msg["List-Id"] = f"{envelope.list_name} <{envelope.list_id}>"
    targets = [f"<{unsubscribe_url}>"]
    if envelope.unsubscribe_mailto:
        subject = quote(f"unsubscribe {token}".strip())
        targets.append(f"<mailto:{envelope.unsubscribe_mailto}?subject={subject}>")
    msg["List-Unsubscribe"] = ", ".join(targets)
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, subtype="plain", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    # A fixed boundary keeps the output byte-identical; "=_" cannot occur in quoted-printable text.
    msg.set_boundary(f"=_tipsheet_{_fingerprint(rendered, to.addr_spec)}")
    return msg
