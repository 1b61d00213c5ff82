"""``tipsheet send``: one digest to every subscriber who has not had it, exactly once."""

from __future__ import annotations

import argparse
import contextlib
import os
from typing import Any

from ..audience.delivery import DeliveryError, Policy, Sender, SmtpTransport, send_lock, smtp_settings
from ..mail.digests import PeriodError
from ..mail.render import DigestTooLarge
from .common import CliError, add_config_option

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
    send = commands.add_parser("send", help="send a digest to the subscribers, exactly once", description=SEND_HELP,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    send.add_argument("--period", default="latest", help="latest (the newest complete period) or an id like 2026-W46")
    send.add_argument("--dry-run", action="store_true", help="print who would get what; send nothing")
    add_config_option(send)
    send.set_defaults(run=run_send)



def run_send(args: argparse.Namespace) -> int:
    from .project import open_project

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
