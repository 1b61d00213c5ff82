"""``tipsheet import wordpress``: posts of one or more WordPress exports become tips.

Pass 1 reads every file (so a malformed one stops the import before anything
is written), decides what each item becomes and keeps what later steps need:
the posts' fields, the attachments (galleries show them), the old addresses.
Pass 2 reads the files again and hands each post's body over, one at a time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .fields import clean_title, key_from, later_day, slug_from, summary_from, title_from_body, wp_datetime
from .htmltomd import plain_text
from .links import hosts_of
from .posts import Post
from .report import Note, Report, Skipped
from .shortcodes import Attachment, Shortcodes
from .wpbody import body_html
from .wxr import WXR_VERSIONS, Channel, Item, read_export

STATUSES = {"publish": "published", "draft": "draft", "pending": "pending", "future": "scheduled"}
SKIPPED_STATUSES = {"private": "private (only logged-in users could read it)", "trash": "in the trash",
                    "auto-draft": "an automatic draft WordPress made, never written"}
SKIPPED_TYPES = {
    "attachment": "an attachment (posts that show it link or embed its file)",
    "nav_menu_item": "a menu item", "revision": "a revision (the post itself is imported)",
    "custom_css": "theme CSS", "customize_changeset": "a Customizer change set", "oembed_cache": "an oEmbed cache",
    "user_request": "a privacy request", "wp_block": "a reusable block", "wp_template": "a theme template",
    "wp_template_part": "a theme template part", "wp_global_styles": "theme styles",
    "wp_navigation": "a navigation menu", "wp_font_family": "a font", "wp_font_face": "a font",
}
_UNTITLED = "Untitled"


@dataclass
class Scan:
    """What pass 1 found in the exports."""

    channels: list[Channel] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    chosen: dict[str, tuple[str, int]] = field(default_factory=dict)  # post key -> (file, line) of its item
    attachments: dict[int, Attachment] = field(default_factory=dict)
    children: dict[int, list[Attachment]] = field(default_factory=dict)
    unlinked: list[tuple[list[str], list[str], str]] = field(default_factory=list)
    files: list[tuple[str, str, str]] = field(default_factory=list)  # attachment (page link, id, file URL)

    @property
    def site(self) -> str:
        first = self.channels[0] if self.channels else None
        return (first.base_blog_url or first.link) if first else ""

    @property
    def host(self) -> str:
        """The old site's host as the ledger knows it (with or without www., http or https: the same site)."""
        return (urlsplit(self.site).hostname or "site").lower().removeprefix("www.")

    @property
    def hosts(self) -> set[str]:
        return hosts_of(*[u for c in self.channels for u in (c.base_site_url, c.base_blog_url, c.link)])

    def attachments_of(self, parent: int) -> list[Attachment]:
        return self.children.get(parent, [])


def _path(link: str) -> str:
    """The path (and query) of an old address, ``//`` made ``/`` as web servers do."""
    parts = urlsplit(link)
    return re.sub(r"/{2,}", "/", parts.path) + (f"?{parts.query}" if parts.query else "")


def old_addresses(item: Item) -> tuple[list[str], list[str]]:
    """(paths a static page can answer, addresses only a server can) of a published item."""
    query_name = "page_id" if item.post_type == "page" else "p"
    server = [f"/?{query_name}={item.post_id}"]
    own = _path(item.link)
    paths: list[str] = []
    if "?" in own:
        server.insert(0, own)
    elif own.strip("/"):
        paths.append(own)
        name = item.post_name
        marker = f"/{name}/" if own.endswith("/") else f"/{name}"
        for old in item.meta_values("_wp_old_slug"):
            if name and old and old != name and marker in own:
                head, _, tail = own.rpartition(marker)
                variant = f"{head}/{old}/{tail}" if own.endswith("/") else f"{head}/{old}{tail}"
                if variant not in paths:
                    paths.append(variant)
    return paths, [s for s in dict.fromkeys(server) if s not in paths]


class WordPressImport:
    def __init__(self, files: Sequence[tuple[str, str]], pages: bool, report: Report) -> None:
        self.files = files  # (path to read, name to show)
        self.pages = pages
        self.report = report
        self.scan = Scan()
        self._authors: dict[str, tuple[str, str]] = {}

    # -- pass 1 ------------------------------------------------------------------
    def read(self) -> Scan:
        seen: dict[int, str] = {}
        for path, shown in self.files:
            channel: Channel | None = None
            for found in read_export(path, shown):
                if isinstance(found, Channel):
                    channel = found
                    self.scan.channels.append(found)
                    continue
                assert channel is not None
                self._item(found, channel, seen)
            if channel is not None:
                self.report.control_characters += channel.removed_controls
                if channel.wxr_version not in WXR_VERSIONS:
                    self.report.warnings.append(f"{shown}: WXR version {channel.wxr_version!r} is not one of "
                                                f"{', '.join(WXR_VERSIONS)}; it was read as 1.2")
        self.report.versions = sorted({c.wxr_version for c in self.scan.channels})
        self.report.site = self.scan.site
        self.report.sources = [shown for _, shown in self.files]
        return self.scan

    def _item(self, item: Item, channel: Channel, seen: dict[int, str]) -> None:
        self.report.count(item.post_type or "?", item.status or "?")
        if item.post_id in seen:
            self.report.duplicates.append(f"item {item.post_id} in {item.file} line {item.line} "
                                          f"(first in {seen[item.post_id]})")
            return
        seen[item.post_id] = f"{item.file} line {item.line}"
        if item.post_type == "attachment":
            self._attachment(item)
        reason = self._skip_reason(item)
        if reason:
            self.report.skipped.append(Skipped(f"{item.post_type or 'item'} {item.post_id}", item.post_type,
                                               item.status, clean_title(item.title), reason))
            if item.post_type in ("post", "page"):
                paths, _ = old_addresses(item)
                self.scan.unlinked.append((paths, [str(item.post_id)], f"not imported: {reason}"))
            return
        post = self._post(item, channel)
        if post is None:
            return
        self.scan.posts.append(post)
        self.scan.chosen[post.key] = (item.file, item.line)
        self.report.comments_dropped += item.comments

    def _skip_reason(self, item: Item) -> str:
        kind = item.post_type
        if kind not in ("post", "page"):
            return SKIPPED_TYPES.get(kind, f"a custom post type ({kind!r}) from a plugin or theme")
        if kind == "page" and not self.pages:
            return "a page (add --pages to import pages)"
        if item.status in SKIPPED_STATUSES:
            return SKIPPED_STATUSES[item.status]
        if item.status not in STATUSES:
            return f"status {item.status!r}, which is not a post's"
        if item.password.strip():
            return "password-protected (only readers with the password could read it)"
        return ""

    def _attachment(self, item: Item) -> None:
        alt = next(iter(item.meta_values("_wp_attachment_image_alt")), "")
        found = Attachment(item.post_id, item.post_parent, item.menu_order, item.attachment_url or item.link,
                           plain_text(alt), item.excerpt.strip())
        self.scan.attachments[item.post_id] = found
        if item.attachment_url:
            self.scan.files.append((item.link, str(item.post_id), item.attachment_url))
        self.scan.children.setdefault(item.post_parent, []).append(found)

    def _author(self, login: str, channel: Channel) -> tuple[str, str] | None:
        """(key, display name) of a login, one tuple per author for the whole import."""
        if not login:
            return None
        if login not in self._authors:
            name = channel.authors.get(login, login)
            key = key_from(login, name) or "author-" + hashlib.sha256(login.encode()).hexdigest()[:6]
            self._authors[login] = (key, name)
        return self._authors[login]

    def _post(self, item: Item, channel: Channel) -> Post | None:
        ref = f"{item.post_type} {item.post_id}"
        date = wp_datetime(item.post_date, item.post_date_gmt) or wp_datetime(item.post_modified,
                                                                             item.post_modified_gmt)
        if date is None:
            self.report.skipped.append(Skipped(ref, item.post_type, item.status, clean_title(item.title),
                                               f"no date ({item.post_date!r})"))
            return None
        title = clean_title(item.title)
        fallback = not title
        if fallback:
            title = title_from_body(plain_text(item.content)) or f"{_UNTITLED} ({date.date().isoformat()})"
        status = STATUSES[item.status]
        author = self._author(item.creator.strip(), channel)
        summary, shortened = summary_from(item.excerpt)
        post = Post(key=f"wordpress:{self.scan.host}:{item.post_id}", ref=ref, title=title, date=date,
                    kind="page" if item.post_type == "page" else "tip", status=status,
                    wanted_slug=slug_from("" if fallback and item.post_name == str(item.post_id) else item.post_name,
                                          title),
                    slug_fallback=f"{item.post_type}-{item.post_id}",
                    updated=later_day(wp_datetime(item.post_modified, item.post_modified_gmt), date),
                    author=author if item.post_type == "post" else None, terms=list(item.terms),
                    summary=summary if item.post_type == "post" else None, summary_shortened=shortened,
                    title_fallback=fallback, ids=[str(item.post_id)])
        if status == "published":
            post.old_paths, post.server_only = old_addresses(item)
        if fallback:
            self.report.title_fallbacks.append(Note(ref, "", f"no title; it is {title!r}"))
        if shortened and post.summary:
            self.report.summaries_shortened.append(Note(ref, "", f"the excerpt had {len(plain_text(item.excerpt))} "
                                                                 "characters"))
        return post

    # -- pass 2 ------------------------------------------------------------------
    def bodies(self) -> Iterator[tuple[Post, str]]:
        by_key = {post.key: post for post in self.scan.posts}
        for path, shown in self.files:
            for found in read_export(path, shown):
                if not isinstance(found, Item):
                    continue
                key = f"wordpress:{self.scan.host}:{found.post_id}"
                post = by_key.get(key)
                if post is None or self.scan.chosen.get(key) != (found.file, found.line):
                    continue
                shortcodes = Shortcodes(found.post_id, self.scan.attachments_of, self.scan.attachments.get)
                html = body_html(found.content, shortcodes)
                for name in shortcodes.notes.unknown:
                    self.report.unknown(name, post.ref)
                for name in shortcodes.notes.empty:
                    self.report.empty_shortcodes.append(Note(post.ref, post.path, f"[{name}] found nothing to show"))
                yield post, html
