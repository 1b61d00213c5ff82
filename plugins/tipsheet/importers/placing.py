"""Where each imported post goes (a unique slug, a file) and how its front matter is written.

Slugs are unique among the tips already in the site and the posts of this
import; a post imported before keeps the slug and file the ledger remembers,
so running an import again moves nothing.  Front matter is written by PyYAML
(quoting is always right), date-times as ISO 8601 with their offset.
"""

from __future__ import annotations

import os
import posixpath
from datetime import datetime
from typing import Any

import yaml

from ..content.fields import slugify
from ..content.loader import discover
from ..content.tipfile import read_text, split
from .ledger import Ledger
from .posts import Post, Site
from .report import Note, Report

PAGES_FOLDER = "pages"


class _Dumper(yaml.SafeDumper):
    """PyYAML, with date-times written as ISO 8601 (``2012-01-04T09:30:00-05:00``) as tips write them."""


def _datetime(dumper: yaml.SafeDumper, value: datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat(timespec="seconds"))


_Dumper.add_representer(datetime, _datetime)


def front_matter(fields: list[tuple[str, Any]]) -> str:
    lines = ["---"]
    for name, value in fields:
        if isinstance(value, list):
            lines.append(f"{name}: " + yaml.dump(value, Dumper=_Dumper, default_flow_style=True,
                                                  allow_unicode=True, width=10_000).strip())
        else:
            lines.append(yaml.dump({name: value}, Dumper=_Dumper, allow_unicode=True, default_flow_style=False,
                                   width=10_000).rstrip("\n").removesuffix("\n..."))
    lines.append("---")
    return "\n".join(lines) + "\n"


def _existing_slugs(site: Site, owned: set[str]) -> dict[str, str]:
    """slug -> path of the tips already in the site that no import wrote."""
    files, _ = discover(site.docs_dir, site.root, site.tips_dir)
    found: dict[str, str] = {}
    for tip_file in files:
        if tip_file.path in owned:
            continue
        stem = tip_file.src_uri.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        slug: Any = slugify(stem)
        text, _ = read_text(tip_file.abs_path, tip_file.path, 10_000_000)
        source = split(text, tip_file.path)[0] if text is not None else None
        if source is not None and isinstance(source.meta.get("slug"), (str, int)):
            slug = str(source.meta["slug"])
        found.setdefault(str(slug), tip_file.path)
    return found


def assign_paths(site: Site, posts: list[Post], ledger: Ledger, report: Report) -> None:
    """A unique slug and a file for every post: those imported before keep theirs."""
    owned = ledger.owned_paths()
    taken = {"tip": _existing_slugs(site, owned), "page": {}}
    pages = f"{site.docs_rel}/{PAGES_FOLDER}/"
    for earlier in ledger.entries.values():  # every earlier import's files, from this source or another
        taken["page" if earlier.path.startswith(pages) else "tip"].setdefault(earlier.slug, earlier.path)
    for post in posts:
        entry = ledger.entries.get(post.key)
        if entry is not None:
            post.slug, post.path = entry.slug, entry.path
            taken[post.kind][entry.slug] = entry.path
    fresh = [p for p in posts if p.key not in ledger.entries]
    for post in sorted(fresh, key=lambda p: (p.date.replace(tzinfo=None), p.ref)):
        base = post.wanted_slug or post.slug_fallback
        slug, number = base, 2
        while slug in taken[post.kind] or os.path.exists(os.path.join(site.root, _path(site, post, slug))):
            slug, number = f"{base}-{number}", number + 1
        post.slug, post.path = slug, _path(site, post, slug)
        taken[post.kind][slug] = post.path
    for post in sorted(posts, key=lambda p: p.path):  # reported the same way on every run
        if not post.wanted_slug:
            report.slug_changes.append(Note(post.ref, post.path, f"no Latin letters or digits in its slug or title; "
                                                                 f"the slug is {post.slug!r}"))
        elif post.slug != post.wanted_slug:
            holder = taken[post.kind].get(post.wanted_slug, "a tip since deleted")
            report.slug_changes.append(Note(post.ref, post.path, f"{post.wanted_slug!r} is taken (by {holder}); "
                                                                 f"the slug is {post.slug!r}"))
    for post in posts:
        post.source = posixpath.relpath(post.path, site.docs_rel)


def _path(site: Site, post: Post, slug: str) -> str:
    if post.kind == "page":
        return posixpath.join(site.docs_rel, PAGES_FOLDER, f"{slug}.md")
    return posixpath.join(site.docs_rel, site.tips_dir, str(post.date.year), f"{slug}.md")
