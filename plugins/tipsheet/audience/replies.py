"""What an SMTP reply means for the list: a delivered message, a retry, a subscriber's dead mailbox, or a stop.

Read with RFC 3463's enhanced status codes.  Only a permanent failure *of
the mailbox* (5.1.x such as 5.1.1 "user unknown", 5.2.1 "disabled", or a
550 with no enhanced code at RCPT) is the subscriber's: it marks them
bounced.  A refusal about the sender, the message or the relay (5.7.x
policy, spam, authentication, DMARC; 5.3.4 or 552 too big; 5.5.x syntax;
5.6.x content; any other 5xx at MAIL FROM or after DATA) marks nobody: the
run stops, because every next message would meet the same refusal, and
marking the list for it would lose the publisher their audience one reader
at a time.  4xx is tried again later, and 421 or a dropped connection
opens a new connection.  A full mailbox (5.2.2) counts as a soft bounce.

Mailman marked members for spam refusals (gitlab mailman#624); listmonk
records none of the session's refusals (#2623).  This module is where the
difference is decided, in one table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

RCPT, MAIL, DATA, CONNECT = "RCPT TO", "MAIL FROM", "DATA", "connect"
_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")


class Verdict(StrEnum):
    RETRY = "retry"  # try this subscriber again after a pause (4xx)
    RECONNECT = "reconnect"  # the connection is gone: open another, try again
    HARD = "hard"  # the subscriber's mailbox is gone: mark them bounced
    SOFT = "soft"  # the subscriber's mailbox refuses for now (full): count it
    STOP = "stop"  # about us, the message or the relay: mark nobody, stop the run


@dataclass(frozen=True)
class Reply:
    stage: str
    code: int
    text: str

    @property
    def enhanced(self) -> str:
        """The RFC 3463 code at the start of the text (``5.1.1``), or ''."""
        match = _ENHANCED.match(self.text)
        return ".".join(match.groups()) if match else ""

    def line(self) -> str:
        return f"{self.code} {self.text}".strip()

    @property
    def kind(self) -> str:
        """What the circuit breaker counts as "the same kind of failure": the verdict and the most precise code."""
        return f"{classify(self).value} {self.enhanced or self.code}"


def classify(reply: Reply) -> Verdict:
    code, enhanced, stage = reply.code, reply.enhanced, reply.stage
    if code == 421 or stage == CONNECT:
        return Verdict.RECONNECT
    if 400 <= code < 500:
        return Verdict.RETRY
    if not 500 <= code < 600:
        return Verdict.STOP  # a reply no RFC gives: stop rather than guess
    subject, _, detail = enhanced.partition(".")[2].partition(".") if enhanced else ("", "", "")
    if enhanced:
        if subject == "1" or (subject == "2" and detail == "1"):
            return Verdict.HARD  # bad mailbox or address (5.1.x), mailbox disabled (5.2.1): at any stage
        if subject == "2" and detail in ("2", "0"):
            return Verdict.SOFT if stage == RCPT or detail == "2" else Verdict.STOP  # mailbox full
        return Verdict.STOP  # 5.3.x system, 5.4.x routing, 5.5.x protocol, 5.6.x content, 5.7.x policy
    if stage == RCPT and code in (550, 551, 553):
        return Verdict.HARD  # no enhanced code: "mailbox unavailable", "not local", "name not allowed"
    if stage == RCPT and code == 552:
        return Verdict.SOFT  # "exceeded storage allocation"
    return Verdict.STOP  # 554 at RCPT ("transaction failed": often relay access), any 5xx at MAIL or DATA


def advice(reply: Reply) -> str:
    """What to check when a reply stops the run: one sentence for the publisher."""
    enhanced = reply.enhanced
    if reply.stage == MAIL:
        return "the relay refused the sender: check from_address, bounce_address and that the relay lets you send"
    if enhanced.startswith("5.7.") or "relay" in reply.text.lower():
        return ("the relay refused on policy (relaying, authentication, SPF/DKIM/DMARC or spam): check the relay's "
                "login (TIPSHEET_SMTP_USER/PASSWORD), that it may send for your From domain, and its logs")
    if enhanced in ("5.3.4", "5.2.3") or reply.code == 552:
        return "the relay refused the message's size: shorten the digest or raise the relay's limit"
    if enhanced.startswith("5.5.") or enhanced.startswith("5.6."):
        return "the relay refused the message's form: check the relay's log for what it did not accept"
    return "the relay refused for a reason that is not the subscriber's: check its log before sending again"
