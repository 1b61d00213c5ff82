"""``tipsheet subscribers`` and ``tipsheet unsubscribe``: the publisher's hands on the list.

These commands read only what they need of mkdocs.yml (the database and the
tag keys) and import no MkDocs at all.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from typing import Any

from ..audience.addresses import SubscriberError, clean_name, clean_tags, normalise_email
from ..audience.csvio import export_csv, read_csv
from ..audience.db import STATUSES
from ..audience.store import ACTIVE, MANUAL, UNSUBSCRIBED, Store, Subscriber
from ..audience.tokens import TokenError
from ..content import clock
from .common import CliError, add_config_option, database_path, list_store, open_list, plural, rel, signer
from .siteconfig import ListFacts

HELP = """Keep the subscriber list (an SQLite file: digests: database: in mkdocs.yml, or $TIPSHEET_DB).

An address that bounced hard, complained, or was removed is on the suppression list: it is
never mailed again, even when it is added or imported again, until you clear it with
'unsuppress' (only when the person has asked to come back).

examples:
  tipsheet subscribers init                                            once: create the database
  tipsheet subscribers add ana@example.org --name "Ana Pereira"
  tipsheet subscribers add ben@example.org --tags sports,government    only tips with these tags
  tipsheet subscribers import people.csv                               header: email,name,tags
  tipsheet subscribers list                                            with why each inactive one is
  tipsheet subscribers export > backup.csv
  tipsheet subscribers remove ana@example.org                          erase: only a hash stays, suppressed
  tipsheet subscribers suppress spam-trap@example.org                  never mail this address
  tipsheet subscribers unsuppress ana@example.org                      she asked to come back
"""


def register(commands: Any) -> None:
    parser = commands.add_parser("subscribers", help="the subscriber list: init, add, import, list, export, "
                                 "remove, suppress, unsuppress", description=HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="create the subscriber database (once, before anything else)")
    add = actions.add_parser("add", help="add a subscriber, or update one")
    add.add_argument("email")
    add.add_argument("--name", default="")
    add.add_argument("--tags", default="", help="comma-separated tags: only tips with one of these")
    add.add_argument("--reactivate", action="store_true",
                     help="also reactivate an unsubscribed or bounced address (not a suppressed one)")
    remove = actions.add_parser("remove", help="erase a subscriber and their delivery records (the address stays "
                                "only as a hash on the suppression list)")
    remove.add_argument("email")
    suppress = actions.add_parser("suppress", help="never mail an address (whether or not it is on the list)")
    suppress.add_argument("email")
    unsuppress = actions.add_parser("unsuppress", help="clear an address from the suppression list")
    unsuppress.add_argument("email")
    listing = actions.add_parser("list", help="show the list, with why each inactive address is inactive")
    listing.add_argument("--status", choices=STATUSES)
    importing = actions.add_parser("import", help="add or update everyone in a CSV file, all or nothing")
    importing.add_argument("file")
    exporting = actions.add_parser("export", help="write the list as CSV")
    exporting.add_argument("--out", help="a file (default: standard output)")
    for sub in (init, add, remove, suppress, unsuppress, listing, importing, exporting):
        add_config_option(sub)
    parser.set_defaults(run=run)

    unsub = commands.add_parser("unsubscribe", help="unsubscribe an address, or the token in one of its links",
                                description="Unsubscribe someone by address, or by the token in their link.\n\n"
                                            "examples:\n  tipsheet unsubscribe ana@example.org\n"
                                            "  tipsheet unsubscribe t1.Xc0a.dXwxMnx8.q83...",
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
    print(f"{rel(path)}: {'already there, brought up to date' if existed else 'created (readable by you only)'}")
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
        if store.get(email) is None:
            raise CliError(f"email: expected a subscriber, got {email!r}, which is not on the list")
        store.remove(email)
    print(f"removed {email} and their delivery records; the address is kept only as a hash on the suppression list "
          f"(undo with 'tipsheet subscribers unsuppress {email}')")
    return 0


def _suppress(project: ListFacts, args: argparse.Namespace) -> int:
    email = normalise_email(args.email)
    with list_store(project) as store:
        store.suppress(email, MANUAL, "suppressed by the publisher")
        subscriber = store.get(email)
        if subscriber is not None and subscriber.status == ACTIVE:
            store.set_status(subscriber.id, UNSUBSCRIBED, "suppressed by the publisher")
    print(f"suppressed {email}: it will not be mailed")
    return 0


def _unsuppress(project: ListFacts, args: argparse.Namespace) -> int:
    email = normalise_email(args.email)
    with list_store(project) as store:
        reason = store.unsuppress(email)
    if reason is None:
        raise CliError(f"email: expected an address on the suppression list, got {email!r}, which is not on it")
    print(f"cleared {email} ({reason}); to mail it again: tipsheet subscribers add {email} --reactivate")
    return 0


def why(subscriber: Subscriber, suppressed: str | None) -> str:
    """Why an address gets nothing, in a few words: its status's reason, and its suppression."""
    parts = []
    if subscriber.status == "paused" and subscriber.paused_until:
        parts.append(f"until {subscriber.paused_until[:10]}")
    elif subscriber.status != ACTIVE and subscriber.status_reason:
        parts.append(subscriber.status_reason)
    if suppressed:
        parts.append(f"suppressed: {suppressed}")
    return "; ".join(parts)


def _list(project: ListFacts, args: argparse.Namespace) -> int:
    with list_store(project) as store:
        rows = [(s, store.suppressed(s.email) if s.status != ACTIVE else None) for s in store.all(args.status)]
        counts = store.counts()
    now = clock.now().isoformat()
    for s, suppressed in rows:
        status = "active" if s.receives(now) and s.status != ACTIVE else s.status
        tags = ",".join(s.tags) or "all"
        reason = why(s, suppressed)
        print(f"{s.email:<36} {status:<12} {tags:<24} {s.name}" + (f"  [{reason}]" if reason else ""))
    print(", ".join(f"{count} {name}" for name, count in counts.items()))
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
        raise CliError(f"{args.file}: nothing imported, {plural(len(lines), 'bad row')}:\n"
                       + "\n".join(f"  {args.file}: {line}" for line in lines)) from None
    with list_store(project) as store:
        added, updated, suppressed = store.import_rows(rows)
    print(f"imported {args.file}: {added} added, {updated} updated"
          + (f", {len(suppressed)} left out (on the suppression list): {', '.join(suppressed)}" if suppressed else ""))
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
    with list_store(project) as store:
        try:
            if "@" in args.who:
                subscriber = store.get(normalise_email(args.who))
            else:
                target = signer().unsubscribe_target(args.who.strip(), clock.now())
                subscriber = store.by_id(target) if isinstance(target, int) else store.get(target)
        except (SubscriberError, TokenError) as exc:
            raise CliError(str(exc)) from None
        if subscriber is None:
            raise CliError(f"email: expected a subscriber, got {args.who!r}, which is not on the list")
        store.unsubscribe(subscriber.email, "command line")
    already = subscriber.status == UNSUBSCRIBED
    print(f"{subscriber.email} was already unsubscribed" if already else f"unsubscribed {subscriber.email}")
    return 0


ACTIONS = {"init": _init, "add": _add, "remove": _remove, "suppress": _suppress, "unsuppress": _unsuppress,
           "list": _list, "import": _import, "export": _export}
