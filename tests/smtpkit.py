"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests, with scripted replies per recipient."""

from __future__ import annotations

import asyncio
import email
import re
import socket
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


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
    data_delay: float = 0.0  # seconds more before the reply to a message (a relay scanning it)
    attempts: list[str] = field(default_factory=list)  # every RCPT TO, accepted or not
    dsn: bool = False  # offer DSN (RFC 3461) and check its parameters as Postfix does
    dsn_params: list[str] = field(default_factory=list)  # the DSN parameters of every MAIL and RCPT, as sent
    sessions: int = 0  # connections open now
    most_sessions: int = 0  # the most open at once

    async def _wait(self) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        await self._wait()
        session.host_name = hostname
        if self.dsn:
            responses.insert(-1, "250-DSN")
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
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
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


XTEXT = re.compile(r"^(?:[!-*,-<>-~]|\+[0-9A-F]{2})*$")  # RFC 3461 4.1: '+' and '=' only as +XX


class DsnSMTP(SMTP):
    """aiosmtpd's server, which knows no DSN parameters: these are taken off, checked and kept first."""

    def _take_dsn(self, arg: str | None, names: tuple[str, ...]) -> tuple[str | None, str | None]:
        sink: Sink = self.event_handler
        if not sink.dsn or not arg:
            return arg, None
        kept, error = [], None
        for word in arg.split(" "):
            name, _, value = word.partition("=")
            if name.upper() in names:
                sink.dsn_params.append(word)
                xtext = value.split(";", 1)[1] if name.upper() == "ORCPT" else value
                if name.upper() in ("ORCPT", "ENVID") and not XTEXT.match(xtext):
                    error = f"501 5.5.4 Error: Bad {name.upper()} parameter syntax"
            else:
                kept.append(word)
        return " ".join(kept), error

    async def smtp_MAIL(self, arg: str | None) -> None:
        arg, error = self._take_dsn(arg, ("RET", "ENVID"))
        if error:
            await self.push(error)
            return
        await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg: str | None) -> None:
        arg, error = self._take_dsn(arg, ("NOTIFY", "ORCPT"))
        if error:
            await self.push(error)
            return
        await super().smtp_RCPT(arg)

    def connection_made(self, transport: Any) -> None:
        sink: Sink = self.event_handler
        sink.sessions += 1
        sink.most_sessions = max(sink.most_sessions, sink.sessions)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self.event_handler.sessions -= 1
        super().connection_lost(error)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return DsnSMTP(self.handler, **self.SMTP_kwargs)


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
            self.controller = _Controller(self.sink, hostname="127.0.0.1", port=self.port, **self.kwargs)
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
