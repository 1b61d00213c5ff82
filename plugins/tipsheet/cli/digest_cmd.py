"""``tipsheet digest``: preview a digest email as an .eml file, or list the periods that have one."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ..mail.digests import SCHEDULED, DigestIndex, PeriodError
from ..mail.mime import address, build_message
from ..mail.render import DigestTooLarge
from ..site.urls import Urls
from .common import CliError, add_config_option, plural

PREVIEW_TO = "Subscriber <subscriber@example.invalid>"
PREVIEW_TOKEN = "PREVIEW"

HELP = f"""Preview a digest as the subscribers will get it, without sending anything.

The .eml opens in any mail program. Its To address and unsubscribe token are
placeholders ({PREVIEW_TO}, token {PREVIEW_TOKEN}) that 'tipsheet send' fills in for each subscriber.

examples:
  tipsheet digest --list                          periods that have a digest, newest first
  tipsheet digest --out digest.eml                the latest complete period
  tipsheet digest --period 2026-W46 --out w46.eml     (with send_at: the day it goes out, 2026-11-17)
  tipsheet digest --period 2026-W46 --tag sports --out sports.eml
"""


def register(commands: Any) -> None:
    parser = commands.add_parser("digest", help="preview a digest email (.eml) or list digests",
                                 description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--period", metavar="ID", help="2026-W46 (weekly), 2026-11 (monthly) or, with send_at, the "
                        "day it goes out (2026-11-17); default: latest")
    parser.add_argument("--tag", metavar="TAG", help="the digest of one tag (listed under digests: tags:)")
    parser.add_argument("--out", metavar="FILE.eml", help="where to write the message (default: <id>.eml)")
    parser.add_argument("--list", action="store_true", help="list the periods that have a digest")
    add_config_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .project import open_project

    project = open_project(args.config_file)
    catalog = project.catalog()
    index = project.digest_index(catalog)
    if args.list:
        return list_digests(index, args.tag)
    try:
        digest = index.find(args.period, args.tag)
    except PeriodError as exc:
        raise CliError(str(exc)) from None
    try:
        rendered = project.digest_renderer().render(digest)
    except DigestTooLarge as exc:
        raise CliError(str(exc)) from None
    envelope = project.envelope()
    message = build_message(rendered, envelope, address(PREVIEW_TO), project.unsubscribe_url(PREVIEW_TOKEN),
                            PREVIEW_TOKEN)
    out = args.out or f"{digest.id}.eml"
    data = message.as_bytes(policy=message.policy.clone(linesep="\n"))  # a file on disk: Unix line ends
    with open(out, "wb") as handle:
        handle.write(data)
    web = Urls(project.mkdocs.use_directory_urls).page(digest.folder)
    print(f"wrote {out}: digest {digest.id}, {plural(len(digest.tips), 'tip')}, {len(data) / 1000:.1f} KB "
          f"(HTML part {rendered.html_bytes / 1000:.1f} KB); archive page /{web}")
    print(f"subject: {rendered.subject}")
    if not os.path.isabs(out):
        print(f"open it in a mail program, e.g. xdg-open {out}")
    return 0


def list_digests(index: DigestIndex, tag: str | None) -> int:
    try:
        digests = index.sequence(tag)
    except PeriodError as exc:
        raise CliError(str(exc)) from None
    if not digests:
        print("no digest yet: no published tip")
        return 0
    for digest in digests:
        state = "" if digest.period.is_complete(index.now) else "  (in progress)" if digest.period.kind != SCHEDULED \
            else f"  (goes out {digest.period.end:%Y-%m-%d %H:%M})"
        count = plural(len(digest.tips), "tip")
        print(f"{digest.period.id:<10} {count:<8} {digest.tips[-1].title}{state}")
    return 0
