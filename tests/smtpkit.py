"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests, with scripted replies per recipient."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Sink:
    """What the server received, and how it should answer.

    ``replies`` maps a recipient to the replies for its successive RCPT commands
    (e.g. ["451 4.7.1 try later"]: refused once, then accepted).
    ``hold_after``: after that many messages, hold the next DATA until ``release`` is set.
    """

    replies: dict[str, list[str]] = field(default_factory=dict)
    received: list[tuple[str, bytes]] = field(default_factory=list)
    hold_after: int | None = None
    release: threading.Event = field(default_factory=threading.Event)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)
    mail_replies: list[str] = field(default_factory=list)  # replies to the next MAIL FROM commands
    data_replies: list[str] = field(default_factory=list)  # replies to the next DATA (message not kept)
    rcpt_default: str | None = None  # a reply to every RCPT not scripted in ``replies`` (a relay refusing all)
    before_reply: Any = None  # called with the message in DATA before the 250 (after it was kept)
    envelopes: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (MAIL FROM, RCPT, its options)
    delay: float = 0.0  # seconds to wait before every reply (a relay across a network)
    attempts: list[str] = field(default_factory=list)  # every RCPT TO, accepted or not

    async def _wait(self) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        await self._wait()
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        await self._wait()
        if self.mail_replies:
            return self.mail_replies.pop(0)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        await self._wait()
        self.attempts.append(address)
        queue = self.replies.get(address.lower())
        if queue:
            return queue.pop(0)
        if self.rcpt_default is not None:
            return self.rcpt_default
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await self._wait()
        if self.hold_after is not None and len(self.received) >= self.hold_after:
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
            return "421 4.3.0 closing"
        if self.data_replies:
            return self.data_replies.pop(0)
        for rcpt in envelope.rcpt_tos:
            self.received.append((rcpt, envelope.original_content or envelope.content))
            self.envelopes.append((envelope.mail_from, rcpt, list(envelope.rcpt_options)))
        if self.before_reply is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.before_reply, envelope)
        return "250 OK queued"

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=policy.default) for _, raw in self.received]  # type: ignore[misc]

    def recipients(self) -> list[str]:
        return [rcpt for rcpt, _ in self.received]


class Server:
    """The sink on a free port of 127.0.0.1 (another port is tried if one is taken meanwhile)."""

    def __init__(self, sink: Sink, user: str | None = None, password: str | None = None) -> None:
        self.sink = sink
        self.kwargs: dict[str, Any] = {}
        if user:
            def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
                ok = isinstance(data, LoginPassword) and data.login == user.encode() and \
                    data.password == (password or "").encode()
                if isinstance(data, LoginPassword):
                    sink.logins.append((data.login, data.password))
                return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

            self.kwargs = {"authenticator": authenticate, "auth_require_tls": False, "auth_required": True,
                           "auth_exclude_mechanism": ["LOGIN"]}
        self.port = 0
        self.controller: Controller | None = None

    def __enter__(self) -> Server:
        for attempt in range(5):
            self.port = free_port()
            self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port, **self.kwargs)
            try:
                self.controller.start()
                return self
            except (OSError, RuntimeError):  # the port was taken between choosing and binding it
                if attempt == 4:
                    raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.sink.release.set()
        if self.controller is not None:
            self.controller.stop()
