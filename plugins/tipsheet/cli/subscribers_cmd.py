"""``tipsheet subscribers``: keep the list of people who get the email digest."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from typing import Any

from ..audience.store import (
    ACTIVE,
    BOUNCED,
    UNSUBSCRIBED,
    Store,
    SubscriberError,
    clean_name,
    clean_tags,
    export_csv,
    normalise_email,
    read_csv,
)
from ..audience.tokens import TokenError
from .common import CliError, add_config_option, database_path, list_store, open_list, rel, signer
from .siteconfig import ListFacts

HELP = """Keep the subscriber list (an SQLite file: digests: database: in mkdocs.yml, or $TIPSHEET_DB).

examples:
  tipsheet subscribers init                                            once: create the database
  tipsheet subscribers add ana@example.org --name "Ana Pereira"
  tipsheet subscribers add ben@example.org --tags sports,government    only tips with these tags
  tipsheet subscribers import people.csv                               header: email,name,tags
  tipsheet subscribers list
  tipsheet subscribers export > backup.csv
  tipsheet subscribers remove ana@example.org                          forget the address entirely
"""


def register(commands: Any) -> None:
    parser = commands.add_parser("subscribers", help="add, remove, list, import or export subscribers",
                                 description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="create the subscriber database (once, before anything else)")
    add = actions.add_parser("add", help="add a subscriber, or update one")
    add.add_argument("email")
    add.add_argument("--name", default="")
    add.add_argument("--tags", default="", help="comma-separated tags: only tips with one of these")
    add.add_argument("--reactivate", action="store_true", help="also reactivate an unsubscribed or bounced address")
    remove = actions.add_parser("remove", help="delete a subscriber and their delivery records")
    remove.add_argument("email")
    listing = actions.add_parser("list", help="show the list")
    listing.add_argument("--status", choices=(ACTIVE, UNSUBSCRIBED, BOUNCED))
    importing = actions.add_parser("import", help="add or update everyone in a CSV file, all or nothing")
    importing.add_argument("file")
    exporting = actions.add_parser("export", help="write the list as CSV")
    exporting.add_argument("--out", help="a file (default: standard output)")
    for sub in (init, add, remove, listing, importing, exporting):
        add_config_option(sub)
    parser.set_defaults(run=run)

    unsub = commands.add_parser("unsubscribe", help="unsubscribe an address or a token from an email",
                                description="Unsubscribe someone by address, or by the token in their link.\n\n"
                                            "examples:\n  tipsheet unsubscribe ana@example.org\n"
                                            "  tipsheet unsubscribe YW5hQGV4YW1wbGUub3Jn.Xc0...",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    unsub.add_argument("who", metavar="TOKEN_OR_EMAIL")
    add_config_option(unsub)
    unsub.set_defaults(run=run_unsubscribe)



def run(args: argparse.Namespace) -> int:
    project = open_list(args.config_file)
    try:
        return ACTIONS[args.action](project, args)
    except SubscriberError as exc:
        raise CliError(str(exc)) from None


def _init(project: ListFacts, args: argparse.Namespace) -> int:
    path = database_path(project.database)
    existed = os.path.isfile(path)
    try:
        Store.create(path).close()
    except (sqlite3.Error, OSError) as exc:
        raise CliError(f"{rel(path)}: expected a place for a new database, got {exc}") from None
    print(f"{rel(path)}: {'already there, unchanged' if existed else 'created (readable by you only)'}")
    return 0


def _add(project: ListFacts, args: argparse.Namespace) -> int:
    email = normalise_email(args.email)
    name = clean_name(args.name)
    tags = clean_tags(args.tags, project.tags)
    with list_store(project) as store:
        subscriber, created = store.upsert(email, name, tags, args.reactivate)
    scope = ", ".join(subscriber.tags) if subscriber.tags else "every tip"
    print(f"{'added' if created else 'updated'} {subscriber.email} ({scope}; {subscriber.status})")
    if subscriber.status != ACTIVE:
        print(f"note: {subscriber.email} is {subscriber.status} and gets nothing; add --reactivate only if they "
              "asked to come back", file=sys.stderr)
    return 0


def _remove(project: ListFacts, args: argparse.Namespace) -> int:
    email = normalise_email(args.email)
    with list_store(project) as store:
        if not store.remove(email):
            raise CliError(f"email: expected a subscriber, got {email!r}, which is not on the list")
    print(f"removed {email} and their delivery records")
    return 0


def _list(project: ListFacts, args: argparse.Namespace) -> int:
    with list_store(project) as store:
        rows = list(store.all(args.status))
        counts = {s: store.count(s) for s in (ACTIVE, UNSUBSCRIBED, BOUNCED)}
    for s in rows:
        tags = ",".join(s.tags) or "all"
        print(f"{s.email:<36} {s.status:<12} {tags:<24} {s.name}")
    print(f"{counts[ACTIVE]} active, {counts[UNSUBSCRIBED]} unsubscribed, {counts[BOUNCED]} bounced")
    return 0


def _import(project: ListFacts, args: argparse.Namespace) -> int:
    try:
        with open(args.file, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{args.file}: expected a UTF-8 CSV file, got {exc}") from None
    try:
        rows = read_csv(text, project.tags)
    except SubscriberError as exc:
        lines = str(exc).splitlines()
        raise CliError(f"{args.file}: nothing imported, {len(lines)} bad row"
                       f"{'s' * (len(lines) != 1)}:\n" + "\n".join(f"  {args.file}: {line}" for line in lines)) \
            from None
    with list_store(project) as store:
        added, updated = store.import_rows(rows)
    print(f"imported {args.file}: {added} added, {updated} updated")
    return 0


def _export(project: ListFacts, args: argparse.Namespace) -> int:
    with list_store(project) as store:
        text = export_csv(store.all())
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def run_unsubscribe(args: argparse.Namespace) -> int:
    project = open_list(args.config_file)
    try:
        email = normalise_email(args.who) if "@" in args.who else signer().verify(args.who)
    except (SubscriberError, TokenError) as exc:
        raise CliError(str(exc)) from None
    with list_store(project) as store:
        before = store.get(email)
        if before is None:
            raise CliError(f"email: expected a subscriber, got {email!r}, which is not on the list")
        store.unsubscribe(email, "command line")
    print(f"{email} was already unsubscribed" if before.status == "unsubscribed" else f"unsubscribed {email}")
    return 0


ACTIONS = {"init": _init, "add": _add, "remove": _remove, "list": _list, "import": _import, "export": _export}
