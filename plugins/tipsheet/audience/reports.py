"""Reading mail that comes back: delivery status notifications, the bounce formats servers still send, complaints.

What a returned message says, as :class:`Finding` objects (hard, soft,
delay, complaint or unknown), and whom it is about.  The subscriber is found
first from our own artefacts, which no guesswork can confuse: the VERP
token in the address the report was sent to (``bounces+<token>@...``), then
the unsubscribe token or VERP return path in the original message's headers
that a complaint report carries (the recipient may be redacted, RFC 6590),
and only then from the addresses the report names.

Formats, in order: complaint reports (ARF, RFC 5965), delivery status
notifications (RFC 3464, read with the standard library, which splits
``message/delivery-status`` into one block per recipient), and the
non-standard shapes that real servers still send, through flufl.bounce
(Mailman's detectors).  A refusal on policy (5.7.x: spam, authentication,
DMARC) is not the subscriber's fault and is reported as unknown, as is
anything that names no subscriber of this list: neither changes anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import HeaderParser

from flufl.bounce import all_failures

from .replies import RCPT, Reply, Verdict, classify
from .tokens import TokenError

HARD, SOFT, DELAY, COMPLAINT, UNKNOWN = "hard", "soft", "delay", "complaint", "unknown"
ADDRESSED_TO = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "Apparently-To", "To")
_VERP = re.compile(r"[\w.!#$%&'*/=?^`{|}~-]+\+([a-z2-7]{8,40})@", re.IGNORECASE)
_TOKEN = re.compile(r"[?&]token=(t1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)")
_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE = re.compile(r"\b([245]\d\d)[ :-]")
_DELAYED = re.compile(r"delayed|still trying|will (?:continue|keep) trying|not yet been delivered|"
                      r"could not be delivered for the past", re.IGNORECASE)
COMPLAINT_TYPES = ("abuse", "fraud", "virus", "other")


@dataclass(frozen=True)
class Finding:
    kind: str  # hard, soft, delay, complaint or unknown
    status: str  # an RFC 3463 code, a Feedback-Type, or why it is unknown
    address: str = ""  # the address the report names, if any
    subscriber_id: int | None = None


class Identify:
    """Finds the subscriber a report is about: VERP and tokens first, then the address (see the module)."""

    def __init__(self, verp: Callable[[str], int | None], unsubscribe: Callable[[str], int | str],
                 by_address: Callable[[str], int | None]) -> None:
        self.verp, self.unsubscribe, self.by_address = verp, unsubscribe, by_address

    def from_headers(self, headers: Message, names: tuple[str, ...]) -> int | None:
        for name in names:
            for value in headers.get_all(name) or []:
                for token in _VERP.findall(str(value)):
                    found = self.verp(token.lower())
                    if found is not None:
                        return found
        for value in headers.get_all("List-Unsubscribe") or []:
            for token in _TOKEN.findall(str(value)):
                try:
                    target = self.unsubscribe(token)
                except TokenError:
                    continue
                found = target if isinstance(target, int) else self.by_address(target)
                if found is not None:
                    return found
        return None

    def from_address(self, address: str) -> int | None:
        return self.by_address(address) if "@" in address else None


def _address(value: str | None) -> str:
    """``rfc822; a@b.org`` -> ``a@b.org``."""
    text = str(value or "").split(";", 1)[-1].strip().strip("<>").strip()
    return text


def _status_of(status: str, diagnostic: str) -> Reply:
    """The most precise reply a report gives: the diagnostic's own codes win over a generic ``5.0.0``."""
    diag = diagnostic.split(";", 1)[-1].strip()
    code_match = _SMTP_CODE.search(diag)
    enhanced = _ENHANCED.search(diag)
    status = status.strip()
    if enhanced is None and status and not status.endswith(".0.0"):
        text = f"{status} {diag}".strip()
    elif enhanced is not None:
        text = diag[enhanced.start():]
    else:
        text = diag or status
    code = int(code_match.group(1)) if code_match else (550 if status.startswith("5") else 450)
    return Reply(RCPT, code, text)


def _verdict_kind(reply: Reply) -> tuple[str, str]:
    verdict = classify(reply)
    code = reply.enhanced or str(reply.code)
    if verdict is Verdict.HARD:
        return HARD, code
    if verdict in (Verdict.SOFT, Verdict.RETRY, Verdict.RECONNECT):
        return SOFT, code
    return UNKNOWN, f"{code}: a refusal that is not the subscriber's (policy, relay or message)"


def _parts(msg: Message, content_type: str) -> Iterator[Message]:
    for part in msg.walk():
        if part.get_content_type() == content_type:
            yield part


def _original_headers(msg: Message) -> Message | None:
    """The returned message's headers: a ``message/rfc822`` part, or a ``text/rfc822-headers`` part parsed."""
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        if part.get_content_type() == "text/rfc822-headers":
            return HeaderParser().parsestr(_text(part))
    return None


def _text(part: Message) -> str:
    raw = part.get_payload(decode=True)
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(part.get_payload())


def _complaints(msg: Message, who: Identify) -> list[Finding]:
    for part in _parts(msg, "message/feedback-report"):
        fields = _report_fields(part)
        kind = fields.get("feedback-type", "").strip().lower()
        original = _original_headers(msg)
        sid = who.from_headers(msg, ADDRESSED_TO)
        if sid is None and original is not None:
            sid = who.from_headers(original, ("Return-Path", "To"))
        rcpt = _address(fields.get("original-rcpt-to"))
        if sid is None:
            sid = who.from_address(rcpt)
        if kind not in COMPLAINT_TYPES:
            return [Finding(UNKNOWN, f"feedback-type {kind or 'missing'}: not a complaint", rcpt, sid)]
        return [Finding(COMPLAINT, kind, rcpt, sid)]
    return []


def _report_fields(part: Message) -> dict[str, str]:
    """A ``message/feedback-report`` body's fields (the email package keeps it as one header block)."""
    payload = part.get_payload()
    block = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(block, Message):
        return {k.lower(): str(v) for k, v in block.items()}
    fields: dict[str, str] = {}
    for line in _text(part).splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields.setdefault(name.strip().lower(), value.strip())
    return fields


def _delivery_status(msg: Message, who: Identify) -> list[Finding]:
    findings: list[Finding] = []
    verp = who.from_headers(msg, ADDRESSED_TO)
    for part in _parts(msg, "message/delivery-status"):
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            continue
        for block in blocks[1:]:  # the first block is about the message, the others each about a recipient
            if not isinstance(block, Message):
                continue
            action = str(block.get("Action", "")).strip().lower()
            rcpt = _address(block.get("Original-Recipient")) or _address(block.get("Final-Recipient"))
            final = _address(block.get("Final-Recipient"))
            sid = verp if verp is not None else (who.from_address(rcpt) or who.from_address(final))
            status = str(block.get("Status", "")).strip()
            if action == "delayed":
                findings.append(Finding(DELAY, status or "delayed", final or rcpt, sid))
            elif action == "failed":
                kind, code = _verdict_kind(_status_of(status, str(block.get("Diagnostic-Code", ""))))
                findings.append(Finding(kind, code, final or rcpt, sid))
    return findings


def _other_formats(msg: Message, who: Identify) -> list[Finding]:
    temporary, permanent = all_failures(msg)
    verp = who.from_headers(msg, ADDRESSED_TO)
    body = " ".join(_text(part) for part in msg.walk() if part.get_content_maintype() == "text")
    subject = str(msg.get("Subject", ""))
    delayed = bool(_DELAYED.search(subject)) or (not permanent and bool(_DELAYED.search(body)))
    findings: list[Finding] = []
    for raw, kind in [(a, SOFT) for a in sorted(temporary)] + [(a, HARD) for a in sorted(permanent)]:
        address = raw.decode("utf-8", "replace")
        sid = verp if verp is not None else who.from_address(address)
        if delayed and kind == SOFT:
            findings.append(Finding(DELAY, "delayed", address, sid))
            continue
        found = _ENHANCED.search(body)
        code = _SMTP_CODE.search(body)
        if found is not None:  # an RFC 3463 code says whose failure it is (5.7.x: not the subscriber's)
            verdict_kind, status = _verdict_kind(Reply(RCPT, int(code.group(1)) if code else 550,
                                                       body[found.start():]))
            if kind == SOFT and verdict_kind == HARD:
                verdict_kind = SOFT  # the detector says temporary: trust it over a stray code in the text
        else:  # no such code: the detector that recognised the format knows permanent from temporary
            verdict_kind, status = kind, code.group(1) if code else f"{'permanent' if kind == HARD else 'temporary'} " \
                "failure, no status code"
        findings.append(Finding(verdict_kind, status, address, sid))
    if not findings and verp is not None and delayed:
        findings.append(Finding(DELAY, "delayed", "", verp))
    return findings


def examine(msg: EmailMessage | Message, who: Identify) -> list[Finding]:
    """What one returned message says; at least one finding, ``unknown`` when it says nothing we can use."""
    findings = _complaints(msg, who) or _delivery_status(msg, who) or _other_formats(msg, who)
    if not findings:
        return [Finding(UNKNOWN, "not a bounce or complaint tipsheet can read")]
    return [f if f.subscriber_id is not None or f.kind == UNKNOWN
            else Finding(UNKNOWN, f"{f.kind} {f.status}, for no subscriber of this list", f.address)
            for f in findings]
