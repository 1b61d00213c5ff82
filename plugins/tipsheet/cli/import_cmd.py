"""``tipsheet import``: bring an existing archive in, from WordPress exports or from a feed.

Reads mkdocs.yml as plain data (no MkDocs), checks everything it is given
(exports, tag map, uploads folder, redirects file) before writing a byte, then
hands over to :mod:`tipsheet.importers`.  It prints what to paste into
mkdocs.yml; it never edits mkdocs.yml itself.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from .common import CliError, add_config_option, config_path, plural, rel
from .siteconfig import ConfigError, plugin_options, read_raw

HELP = """Import an existing archive as tips: posts become content/tips/<year>/<slug>.md, every old
address keeps working (redirects.yml, read by the tips plugin's 'redirects' option), and
import-report.md lists everything skipped or changed. Safe to run again: a ledger in
.tipsheet/ remembers what was written; tips edited since are kept (--force overwrites).

First run with --dry-run: it writes only tags.yml, the map from your categories and tags
to tipsheet tags. Edit it, then run again without --dry-run.

examples:
  tipsheet import wordpress export.xml --dry-run
  tipsheet import wordpress export.xml --tag-map tags.yml --uploads ~/backup/wp-content/uploads
  tipsheet import wordpress posts.xml attachments.xml --pages
  tipsheet import feed https://example.substack.com/feed --dry-run
"""


def register(commands: Any) -> None:
    parser = commands.add_parser("import", help="import an archive from WordPress or a feed", description=HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sources = parser.add_subparsers(dest="source", metavar="SOURCE", required=True)
    wordpress = sources.add_parser("wordpress", help="WordPress export files (Tools > Export)", description=HELP,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    wordpress.add_argument("exports", nargs="+", metavar="EXPORT.xml", help="one or more WXR files of one site")
    wordpress.add_argument("--uploads", metavar="DIR",
                           help="a local copy of wp-content/uploads: images are copied under the docs folder")
    wordpress.add_argument("--pages", action="store_true", help="also import pages (to <docs>/pages/)")
    feed = sources.add_parser("feed", help="an RSS or Atom feed (Substack, Ghost, Medium, Blogger...)",
                              description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    feed.add_argument("feed", metavar="FILE_OR_URL", help="a feed file, or its address")
    for sub in (wordpress, feed):
        sub.add_argument("--dry-run", action="store_true", help="write only the tag map; change nothing else")
        sub.add_argument("--tag-map", metavar="tags.yml", help="the tag map (default: tags.yml beside mkdocs.yml)")
        sub.add_argument("--force", action="store_true", help="overwrite tips edited since the last import")
        sub.add_argument("--redirects", metavar="redirects.yml",
                         help="the redirects file (default: the tips plugin's 'redirects', else redirects.yml)")
        sub.add_argument("--report", metavar="NAME", help="report name without extension (default: import-report)")
        add_config_option(sub)
        sub.set_defaults(run=run)


def _site(config_file: str) -> Any:
    from ..importers.posts import Site

    try:
        raw = read_raw(config_file)
    except ConfigError as exc:
        raise CliError(str(exc), 2) from None
    tips = plugin_options(raw, "tipsheet/tips")
    if tips is None:
        raise CliError(f"{rel(config_file)}: plugins: expected 'tipsheet/tips', got none", 2)
    root = os.path.dirname(config_file)
    docs_dir = os.path.join(root, str(raw.get("docs_dir") or "docs"))

    def keys(name: str) -> frozenset[str]:
        value = tips.get(name) or {}
        return frozenset(str(k) for k in value) if isinstance(value, dict) else frozenset()

    redirects = tips.get("redirects")
    return Site(root=root, docs_dir=docs_dir, tips_dir=str(tips.get("tips_dir") or "tips").strip("/"),
                tags=keys("tags"), authors=keys("authors"), series=keys("series"),
                redirects_option=str(redirects) if redirects else None), raw


def _extension_names(raw: dict[str, Any]) -> list[str]:
    found = raw.get("markdown_extensions") or []
    names: list[str] = []
    for item in found if isinstance(found, list) else list(found):
        names.append(str(next(iter(item))) if isinstance(item, dict) and item else str(item))
    return names


def _path(option: str | None, default: str, root: str) -> str:
    return os.path.abspath(option) if option else os.path.join(root, default)


def run(args: argparse.Namespace) -> int:
    from ..importers.htmltomd import missing_extensions
    from ..importers.ledger import LedgerError
    from ..importers.redirects import RedirectsError
    from ..importers.report import Report
    from ..importers.session import Options, Session
    from ..importers.vocabulary import MapError, TagMap
    from ..importers.wxr import SourceError

    config_file = config_path(args.config_file)
    site, raw = _site(config_file)
    missing = missing_extensions(_extension_names(raw))
    if missing:
        lines = "\n".join(f"  - {name}" for name in missing)
        raise CliError(f"{rel(config_file)}: markdown_extensions: expected {', '.join(missing)} (imported tips use "
                       f"pipe tables, fenced code and <figure markdown>), got none of them (add under "
                       f"markdown_extensions:\n{lines}\n)", 2)
    tag_map_path = _path(args.tag_map, "tags.yml", site.root)
    tag_map = None
    if not args.dry_run and os.path.exists(tag_map_path):
        try:
            tag_map = TagMap.load(tag_map_path, rel(tag_map_path))
        except MapError as exc:
            raise CliError(str(exc), 2) from None
    elif not args.dry_run and args.tag_map:
        raise CliError(f"{rel(tag_map_path)}: expected the tag map that --dry-run writes, got no such file "
                       "(run with --dry-run first, or leave --tag-map out to use the proposed map)", 2)
    uploads = getattr(args, "uploads", None)
    if uploads and not os.path.isdir(uploads):
        raise CliError(f"--uploads: expected a folder (a copy of wp-content/uploads), got {uploads!r}", 2)
    redirects_file = _path(args.redirects, site.redirects_option or "redirects.yml", site.root)
    report = Report(args.source)
    try:
        if args.source == "wordpress":
            from ..importers.wordpress import WordPressImport

            exports = [(os.path.abspath(p), p) for p in args.exports]
            importer: Any = WordPressImport(exports, args.pages, report)
            scan = importer.read()
            posts, hosts, unlinked, prefix = scan.posts, scan.hosts, scan.unlinked, f"wordpress:{scan.host}:"
            files = scan.files
        else:
            from ..importers.feed import FeedImport

            importer = FeedImport(args.feed, args.feed, report)
            posts = importer.read()
            hosts, unlinked, files, prefix = importer.hosts, [], [], f"feed:{importer.host}:"
        options = Options(tag_map, tag_map_path, redirects_file,
                          _path(args.report, "import-report", site.root), args.dry_run, args.force,
                          os.path.abspath(uploads) if uploads else None, prefix)
        result = Session(site, options, report).run(posts, importer.bodies, hosts, unlinked, files)
    except (SourceError, LedgerError, RedirectsError, MapError) as exc:
        raise CliError(str(exc)) from None
    _print(args, site, report, result, tag_map is None, redirects_file)
    return 0


def _print(args: argparse.Namespace, site: Any, report: Any, result: Any, proposed: bool,
           redirects_file: str) -> None:
    items = sum(sum(statuses.values()) for statuses in report.items.values())
    kinds = ", ".join(f"{sum(s.values())} {k}" for k, s in sorted(report.items.items()))
    print(f"Read {', '.join(report.sources)}: {plural(items, 'item')} ({kinds}).")
    if args.source == "feed":
        print("Note: a feed holds only its latest entries; older posts are not in it.")
    if args.dry_run:
        print(f"Wrote the tag map {rel(result.tag_map_written)} ({result.tag_map_summary}). "
              "Nothing else was changed.")
        print("Edit it (merge, rename or drop terms, or route one to a series), then run again without --dry-run.")
        return
    imported = sum(report.imported.values())
    parts = ", ".join(f"{n} {k}" for k, n in sorted(report.imported.items()))
    print(f"Imported {plural(imported, 'item')} ({parts or 'none'}); skipped {len(report.skipped)}.")
    written = ", ".join(f"{n} {k}" for k, n in sorted(result.written.items()))
    print(f"Files: {written or 'none'}.")
    if proposed:
        print(f"No tag map at {rel(_path(args.tag_map, 'tags.yml', site.root))}: the proposed one was used "
              "(run with --dry-run to write it and edit it).")
    addresses = f"{report.redirects} old address" + ("es" if report.redirects != 1 else "")
    print(f"Redirects: {addresses} in {rel(redirects_file)}, "
          f"{len(report.server_only)} more only a server can redirect.")
    for warning in report.warnings:
        print(f"Warning: {warning}")
    if report.unknown_shortcodes:
        print(f"Unknown shortcodes kept as written: {', '.join(sorted(report.unknown_shortcodes))}.")
    print(f"Report: {', '.join(rel(p) for p in result.report_files)}")
    blocks = [b for b in (result.tags_block, result.authors_block, result.series_block) if b]
    if not site.redirects_option:
        blocks.insert(0, f"      redirects: {os.path.relpath(redirects_file, site.root)}")
    if blocks:
        print("\nAdd to mkdocs.yml, under 'plugins: - tipsheet/tips:':")
        print("\n".join(blocks))
    print("\nThen: tipsheet check --strict && mkdocs build --strict")
