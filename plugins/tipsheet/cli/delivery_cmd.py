"""``tipsheet send``: one digest to every subscriber who has not had it, exactly once."""

from __future__ import annotations

import argparse
import contextlib
import os
import threading
from typing import TYPE_CHECKING, Any

from ..audience.delivery import Policy, Sender, Summary
from ..audience.smtp import DeliveryError, SmtpTransport, send_lock, smtp_settings
from ..mail.digests import Digest, PeriodError
from ..mail.render import DigestTooLarge
from .common import CliError, add_config_option

if TYPE_CHECKING:
    from .project import Project

SEND_HELP = """Send a digest to every active subscriber who has not had it yet, through your SMTP relay.

Safe to run again: each message is recorded the moment the relay accepts it, so a second run,
or a run after a crash, sends only what is missing. Without --period it sends the latest
complete period (a week is complete once it is over; with send_at, at its send time), never
the back catalogue. 'tipsheet publish' sends the same way, on the schedule, after deploying.

environment (each overrides mkdocs.yml; the password is only ever read from here):
  TIPSHEET_SMTP_HOST  TIPSHEET_SMTP_PORT  TIPSHEET_SMTP_SECURITY (none, starttls, tls)
  TIPSHEET_SMTP_USER  TIPSHEET_SMTP_PASSWORD  TIPSHEET_DB
  TIPSHEET_SECRET (signs the links in each message)  TIPSHEET_SECRET_OLD (earlier keys, comma-separated)

What a refusal means: a subscriber is marked bounced only when their mailbox is gone (5.1.x,
5.2.1); a refusal about the sender, the message or the relay (5.7.x, 552, 5xx at MAIL FROM or
after DATA) stops the run at once and marks nobody; 4xx is retried with back-off.

examples:
  tipsheet send --dry-run                      who would get what; sends nothing
  TIPSHEET_SECRET=... TIPSHEET_SMTP_PASSWORD=... tipsheet send
  tipsheet send --period 2026-W46
"""


def register(commands: Any) -> None:
    send = commands.add_parser("send", help="send a digest to the subscribers, exactly once", description=SEND_HELP,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    send.add_argument("--period", default="latest", help="latest (the newest complete period) or an id like 2026-W46 "
                      "(with send_at: 2026-11-17)")
    send.add_argument("--dry-run", action="store_true", help="print who would get what; send nothing")
    add_config_option(send)
    send.set_defaults(run=run_send)


def run_send(args: argparse.Namespace) -> int:
    from .project import open_project

    project = open_project(args.config_file)
    catalog = project.catalog()
    index = project.digest_index(catalog)
    try:
        digest = index.find(None if args.period == "latest" else args.period, None, complete_only=True)
    except PeriodError as exc:
        raise CliError(str(exc)) from None
    summary = deliver(project, digest, args.dry_run)
    if summary.stopped:
        raise CliError(f"stopped: {summary.stopped}")
    return 1 if summary.failed else 0


def deliver(project: Project, digest: Digest, dry_run: bool) -> Summary:
    """Send ``digest`` to every subscriber who has not had it, or (``dry_run``) say who would get what.

    The one sending path of ``tipsheet send`` and ``tipsheet publish``: the relay and the secret
    read from the environment, one run per database at a time (``send_lock``), each message in the
    ledger the moment the relay takes it.  Prints a header, progress and the summary line; problems
    that stop it before the first message are a :class:`CliError`.
    """
    config = project.digests()
    signer = settings = None
    project.store().close()  # the list must be there: a missing database is one line, not an empty list
    if not dry_run:
        signer = project.signer()
        try:
            settings = smtp_settings(dict(config.smtp), os.environ)
        except DeliveryError as exc:
            raise CliError(str(exc), 2) from None
    addressing = project.addressing()
    if config.connections < 1 or config.stop_after < 0:
        raise CliError(f"{project.rel(project.config_file)}: tipsheet/digests: connections: expected 1 or more, "
                       f"got {config.connections}" if config.connections < 1 else
                       f"{project.rel(project.config_file)}: tipsheet/digests: stop_after: expected 0 or more, "
                       f"got {config.stop_after}", 2)
    policy = Policy(rate=config.rate, retries=config.retries, retry_delay=config.retry_delay,
                    connections=config.connections, stop_after=config.stop_after)
    with contextlib.ExitStack() as stack:
        if not dry_run:
            try:
                stack.enter_context(send_lock(project.db_path()))
            except DeliveryError as exc:
                raise CliError(str(exc)) from None
        with project.store() as store:
            active, done = store.count(), store.delivered_count(digest.id)
        via = f", via {settings.describe()}, {config.connections} connections" if settings else ""
        print(f"{'dry run: ' if dry_run else ''}digest {digest.id}: {len(digest.tips)} tips, {active} active "
              f"subscribers, {done} already sent{via}")
        say_lock = threading.Lock()

        def say(line: str) -> None:
            with say_lock:
                print(line, flush=True)

        transports = (lambda: SmtpTransport(settings)) if settings is not None else None
        sender = Sender(project.db_path(), project.digest_renderer(), project.envelope(), addressing, signer,
                        transports, policy, say, frozenset(config.tags))
        try:
            summary = sender.run(digest, dry_run=dry_run)
        except DigestTooLarge as exc:
            raise CliError(str(exc)) from None
        except DeliveryError as exc:
            raise CliError(str(exc)) from None
    print(("would have: " if dry_run else "") + summary.line())
    return summary
