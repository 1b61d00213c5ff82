"""``tipsheet send``, ``tipsheet unsubscribe`` and ``tipsheet unsubscribe-server``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from ..delivery import DeliveryError, Policy, Sender, SmtpTransport, send_lock, smtp_settings
from ..digest_mail import DigestTooLarge
from ..digests import PeriodError
from ..subscribers import SubscriberError, normalise_email
from ..tokens import TokenError
from ..unsubscribe_app import UnsubscribeApp
from .project import CliError, open_project

SEND_HELP = """Send a digest to every active subscriber who has not had it yet, through your SMTP relay.

Safe to run again: each message is recorded the moment the relay accepts it, so a second run,
or a run after a crash, sends only what is missing. Without --period it sends the latest
complete period (a week is complete once it is over), never the back catalogue.

environment (each overrides mkdocs.yml; the password is only ever read from here):
  TIPSHEET_SMTP_HOST  TIPSHEET_SMTP_PORT  TIPSHEET_SMTP_SECURITY (none, starttls, tls)
  TIPSHEET_SMTP_USER  TIPSHEET_SMTP_PASSWORD  TIPSHEET_DB  TIPSHEET_SECRET (the unsubscribe token key)

examples:
  tipsheet send --dry-run                      who would get what; sends nothing
  TIPSHEET_SECRET=... TIPSHEET_SMTP_PASSWORD=... tipsheet send
  tipsheet send --period 2026-W46
"""


def register(commands: Any) -> None:
    from . import add_config_option

    send = commands.add_parser("send", help="send a digest to the subscribers, exactly once", description=SEND_HELP,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    send.add_argument("--period", default="latest", help="latest (the newest complete period) or an id like 2026-W46")
    send.add_argument("--dry-run", action="store_true", help="print who would get what; send nothing")
    add_config_option(send)
    send.set_defaults(run=run_send)

    unsub = commands.add_parser("unsubscribe", help="unsubscribe an address or a token from an email",
                                description="Unsubscribe someone by address, or by the token in their link.\n\n"
                                            "examples:\n  tipsheet unsubscribe ana@example.org\n"
                                            "  tipsheet unsubscribe YW5hQGV4YW1wbGUub3Jn.Xc0...",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    unsub.add_argument("who", metavar="TOKEN_OR_EMAIL")
    add_config_option(unsub)
    unsub.set_defaults(run=run_unsubscribe)

    server = commands.add_parser(
        "unsubscribe-server", help="serve the one-click unsubscribe endpoint",
        description="Serve the unsubscribe links of the emails (RFC 8058 one-click POST and a confirmation page).\n"
                    "Behind your web server, point digests: unsubscribe_url: at it. For production any WSGI\n"
                    "server can run tipsheet.unsubscribe_app:application instead.\n\n"
                    "example:\n  TIPSHEET_SECRET=... tipsheet unsubscribe-server --host 127.0.0.1 --port 8025",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=8025)
    add_config_option(server)
    server.set_defaults(run=run_server)


def run_send(args: argparse.Namespace) -> int:
    project = open_project(args.config_file)
    config = project.digests()
    catalog = project.catalog()
    index = project.digest_index(catalog)
    try:
        digest = index.find(None if args.period == "latest" else args.period, None, complete_only=True)
    except PeriodError as exc:
        raise CliError(str(exc)) from None
    signer = transport = None
    if not args.dry_run:
        signer = project.signer()
        try:
            transport = SmtpTransport(smtp_settings(dict(config.smtp), os.environ))
        except DeliveryError as exc:
            raise CliError(str(exc), 2) from None
    project.unsubscribe_url("check")
    policy = Policy(rate=config.rate, retries=config.retries, retry_delay=config.retry_delay)
    with contextlib.ExitStack() as stack:
        if not args.dry_run:
            try:
                stack.enter_context(send_lock(project.db_path()))
            except DeliveryError as exc:
                raise CliError(str(exc)) from None
        return _send(project, config, digest, args, signer, transport, policy)


def _send(project: Any, config: Any, digest: Any, args: argparse.Namespace, signer: Any, transport: Any,
          policy: Policy) -> int:
    with project.store() as store:
        active = store.count()
        print(f"{'dry run: ' if args.dry_run else ''}digest {digest.id}: {len(digest.tips)} tips, "
              f"{active} active subscribers, {store.delivered_count(digest.id)} already sent"
              + (f", via {transport.settings.describe()}" if transport else ""))
        sender = Sender(store, project.digest_renderer(), project.envelope(), project.unsubscribe_url, signer,
                        transport, policy, print, frozenset(config.tags))
        try:
            summary = sender.run(digest, dry_run=args.dry_run)
        except DigestTooLarge as exc:
            raise CliError(str(exc)) from None
        except DeliveryError as exc:
            done = getattr(exc, "summary", None)
            if done is not None:
                print(f"stopped: {done.line()}")
            raise CliError(str(exc)) from None
    print(("would have: " if args.dry_run else "") + summary.line())
    return 1 if summary.failed else 0


def run_unsubscribe(args: argparse.Namespace) -> int:
    project = open_project(args.config_file)
    try:
        email = normalise_email(args.who) if "@" in args.who else project.signer().verify(args.who)
    except (SubscriberError, TokenError) as exc:
        raise CliError(str(exc)) from None
    with project.store() as store:
        before = store.get(email)
        if before is None:
            raise CliError(f"email: expected a subscriber, got {email!r}, which is not on the list")
        store.unsubscribe(email, "command line")
    print(f"{email} was already unsubscribed" if before.status == "unsubscribed" else f"unsubscribed {email}")
    return 0


class _QuietHandler(WSGIRequestHandler):
    """Logs requests without their query string: the token identifies a reader."""

    def log_message(self, format: str, *args: Any) -> None:
        line = (format % args).split("?", 1)[0]
        sys.stderr.write(f"{self.address_string()} {line}\n")


def run_server(args: argparse.Namespace) -> int:
    project = open_project(args.config_file)
    app = UnsubscribeApp(project.db_path(), project.signer(), project.settings.site_name,
                         project.mkdocs.site_url or "")
    with make_server(args.host, args.port, app, handler_class=_QuietHandler) as server:
        print(f"unsubscribe endpoint on http://{args.host}:{server.server_port}/?token=... (Ctrl-C to stop)",
              flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0
