"""``tipsheet bounces``: read returned mail (bounces and complaints) and act on each message, once."""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from typing import Any

from ..audience.bounces import FileSource, ImapSource, Source, identify, imap_settings, process
from ..audience.smtp import DeliveryError
from .common import CliError, add_config_option, open_store, signer

HELP = """Read returned mail and act on it: a hard bounce marks the subscriber bounced and suppresses the
address; a soft bounce ("mailbox full") counts, and marks bounced after 3 on different days within
30 days; a delay warning does nothing; a complaint unsubscribes and suppresses; a message that
names no subscriber of this list changes nothing. Reading the same mail twice changes nothing more,
and no message is ever deleted: IMAP moves handled messages to a folder (imap: processed_folder),
an mbox file or a Maildir is only read unless --move-to is given.

One line per message: <message id or file>: <address>: hard|soft|delay|complaint|unknown (<status>)

environment (IMAP; each overrides mkdocs.yml's tipsheet/digests: imap:, the password only from here):
  TIPSHEET_IMAP_HOST  TIPSHEET_IMAP_PORT  TIPSHEET_IMAP_SECURITY (tls, starttls, none)
  TIPSHEET_IMAP_USER  TIPSHEET_IMAP_PASSWORD  TIPSHEET_IMAP_FOLDER
  TIPSHEET_SECRET (and TIPSHEET_SECRET_OLD): to recognise the tokens in returned messages

examples:
  tipsheet bounces --imap                          the bounce mailbox (cron: every hour)
  tipsheet bounces --mbox returned.mbox --dry-run  what it would do; changes nothing
  tipsheet bounces --maildir ~/Maildir/.Bounces --move-to ~/Maildir/.Bounces.done --format json
"""


def register(commands: Any) -> None:
    parser = commands.add_parser("bounces", help="process returned mail: bounces and complaints", description=HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--imap", action="store_true", help="the IMAP folder of mkdocs.yml's imap: settings")
    where.add_argument("--mbox", metavar="FILE", help="an mbox file")
    where.add_argument("--maildir", metavar="DIR", help="a Maildir")
    parser.add_argument("--move-to", metavar="PLACE", help="mbox/Maildir: move handled messages there (same kind)")
    parser.add_argument("--dry-run", action="store_true", help="say what each message would do; change nothing")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_config_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .project import open_project

    project = open_project(args.config_file)
    who_signs = signer()
    source: Source
    try:
        if args.imap:
            if args.move_to:
                raise CliError("--move-to: expected it only with --mbox or --maildir (IMAP moves handled messages "
                               "to imap: processed_folder)", 2)
            config = project.digests()
            source = ImapSource(imap_settings(dict(config.imap), os.environ), read_only=args.dry_run)
        else:
            kind, path = ("mbox", args.mbox) if args.mbox else ("maildir", args.maildir)
            source = FileSource(path, kind, None if args.dry_run else args.move_to)
    except DeliveryError as exc:
        raise CliError(str(exc), 2) from None
    outcomes = []
    try:
        with open_store(project.db_path()) as store:
            for outcome in process(source, store, identify(store, who_signs), args.dry_run):
                outcomes.append(outcome)
                if args.format == "text":
                    print(outcome.line(), flush=True)
    except DeliveryError as exc:
        raise CliError(str(exc)) from None
    finally:
        source.close()
    if args.format == "json":
        print(json.dumps([o.as_dict() for o in outcomes], indent=2))
        return 0
    counts = Counter(o.kind for o in outcomes)
    summary = ", ".join(f"{counts[k]} {k}" for k in ("hard", "soft", "delay", "complaint", "unknown"))
    print(("dry run, nothing changed: " if args.dry_run else "") + f"{len(outcomes)} findings: {summary}")
    return 0
