"""Reading WordPress export files (WXR 1.0, 1.1, 1.2), streaming, safely.

A big site's export is tens of megabytes and is read twice (once to index it,
once to convert it), so items are parsed one at a time with lxml's
``iterparse`` and dropped as soon as they are handed over: memory does not grow
with the number of posts.  Elements are matched by local name, so the ``wp``
namespace may be any export version over http or https.  Entities are never
resolved and nothing is fetched; the control characters XML forbids (real
exports contain them, pasted from word processors) are removed before the
parser sees them and counted.  A malformed file is a :class:`SourceError`
naming the file and line, raised before anything has been written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from lxml import etree

# XML 1.0 allows tab, newline and carriage return only among the C0 controls.
_ILLEGAL = bytes(b for b in range(0x20) if b not in (0x09, 0x0A, 0x0D))
_LXML_WHERE = re.compile(r",? line \d+, column \d+$")
WXR_VERSIONS = ("1.0", "1.1", "1.2")


class SourceError(Exception):
    """An export or feed that cannot be read: ``file: line N: what is wrong``."""


@dataclass(frozen=True)
class Term:
    """A category, tag or other taxonomy term on an item, as the export names it."""

    domain: str  # category, post_tag, post_format, or a custom taxonomy
    nicename: str  # the term's slug, possibly percent-encoded
    name: str


@dataclass
class Item:
    """One ``<item>`` of an export, its text fields as written (HTML where WordPress stores HTML)."""

    file: str
    line: int
    post_id: int
    post_type: str = "post"
    status: str = "publish"
    title: str = ""
    link: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    post_modified: str = ""
    post_modified_gmt: str = ""
    post_name: str = ""
    post_parent: int = 0
    menu_order: int = 0
    password: str = ""
    attachment_url: str = ""
    terms: list[Term] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)
    comments: int = 0

    def meta_values(self, key: str) -> list[str]:
        return [value for name, value in self.meta if name == key]


@dataclass
class Channel:
    """What an export says about the site: its addresses, authors and vocabulary."""

    file: str
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""
    authors: dict[str, str] = field(default_factory=dict)  # login -> display name
    slugs: dict[tuple[str, str], str] = field(default_factory=dict)  # (domain, name) -> slug: WXR 1.0 items name only
    removed_controls: int = 0  # control characters taken out before parsing (known once the file is read)
    terms: dict[tuple[str, str, str], Term] = field(default_factory=dict)  # one object per term, shared by items


class _Clean:
    """A binary file whose reads come back without the control characters XML forbids."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.removed = 0
        self.seen = b""  # whether anything but white space was read

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        cleaned = chunk.translate(None, _ILLEGAL)
        self.removed += len(chunk) - len(cleaned)
        self.seen = self.seen or cleaned.strip()[:1]
        return cleaned


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _text(el: etree._Element) -> str:
    return el.text or ""


def _int(value: str) -> int:
    try:
        return int(value.strip() or 0)
    except ValueError:
        return 0


_ITEM_TEXT = {
    "title": "title", "link": "link", "creator": "creator", "post_date": "post_date",
    "post_date_gmt": "post_date_gmt", "post_modified": "post_modified", "post_modified_gmt": "post_modified_gmt",
    "post_name": "post_name", "status": "status", "post_type": "post_type", "post_password": "password",
    "attachment_url": "attachment_url",
}


def _item(el: etree._Element, file: str, channel: Channel) -> Item:
    line = el.sourceline
    item = Item(file=file, line=line if isinstance(line, int) else 0, post_id=0)
    for child in el:
        name = _local(child.tag)
        if name in _ITEM_TEXT:
            setattr(item, _ITEM_TEXT[name], _text(child).strip() if name != "title" else _text(child))
        elif name == "encoded":  # content:encoded or excerpt:encoded, told apart by namespace
            namespace = child.tag.partition("}")[0]
            if "excerpt" in namespace:
                item.excerpt = _text(child)
            else:
                item.content = _text(child)
        elif name == "post_id":
            item.post_id = _int(_text(child))
        elif name == "post_parent":
            item.post_parent = _int(_text(child))
        elif name == "menu_order":
            item.menu_order = _int(_text(child))
        elif name == "category":
            term = _term(child, channel)
            if term is not None and term not in item.terms:
                item.terms.append(term)
        elif name == "postmeta":
            key = value = ""
            for part in child:
                if _local(part.tag) == "meta_key":
                    key = _text(part)
                elif _local(part.tag) == "meta_value":
                    value = _text(part)
            item.meta.append((key, value))
        elif name == "comment":
            item.comments += 1
    return item


def _term(el: etree._Element, channel: Channel) -> Term | None:
    name = _text(el).strip()
    domain = el.get("domain") or "category"
    domain = "post_tag" if domain == "tag" else domain  # WXR 1.0 wrote tags as domain="tag"
    nicename = el.get("nicename") or ""
    if not nicename:  # WXR 1.0 also lists each term by its name alone
        nicename = channel.slugs.get((domain, name), "") or name
    if not name and not nicename:
        return None
    key = (domain, nicename, name or nicename)
    return channel.terms.setdefault(key, Term(*key))


def _channel_child(el: etree._Element, channel: Channel) -> None:
    name = _local(el.tag)
    if name in ("title", "link", "base_site_url", "base_blog_url", "wxr_version"):
        setattr(channel, name, _text(el).strip())
    elif name == "author":
        fields = {_local(c.tag): _text(c).strip() for c in el}
        login = fields.get("author_login", "")
        if login:
            channel.authors[login] = fields.get("author_display_name") or login
    elif name == "category":
        fields = {_local(c.tag): _text(c).strip() for c in el}
        if fields.get("cat_name") and fields.get("category_nicename"):
            channel.slugs[("category", fields["cat_name"])] = fields["category_nicename"]
    elif name == "tag":
        fields = {_local(c.tag): _text(c).strip() for c in el}
        if fields.get("tag_name") and fields.get("tag_slug"):
            channel.slugs[("post_tag", fields["tag_name"])] = fields["tag_slug"]


def read_export(path: str, display: str | None = None) -> Iterator[Channel | Item]:
    """The export's :class:`Channel` (first, once its header is read), then each :class:`Item` in order.

    The channel object is updated in place if facts about the site come after
    the first item (they never do in WordPress's own exports).  Raises
    :class:`SourceError` for a file that is not a well-formed WordPress export.
    """
    shown = display or path
    channel = Channel(file=shown)
    announced = False
    try:
        handle = open(path, "rb")  # noqa: SIM115  (closed in finally: the generator may be abandoned)
    except OSError as exc:
        raise SourceError(f"{shown}: expected a readable file, got {exc.strerror or exc}") from None
    clean = _Clean(handle)
    root_checked = False
    etree.clear_error_log()  # the log below must hold this file's errors only
    try:
        events = etree.iterparse(clean, events=("start", "end"), resolve_entities=False, no_network=True,
                                 load_dtd=False, remove_comments=True, remove_pis=True)
        for event, el in events:
            name = _local(el.tag)
            if event == "start":
                if not root_checked:
                    root_checked = True
                    if name != "rss":
                        raise SourceError(f"{shown}: line {el.sourceline}: expected a WordPress export "
                                          f"(<rss> with a <channel>), got <{name}>")
                continue
            parent = el.getparent()
            if name == "item":
                if not channel.wxr_version:
                    raise _not_wxr(shown, el.sourceline)
                if not announced:
                    announced = True
                    yield channel
                yield _item(el, shown, channel)
                el.clear(keep_tail=False)
                while el.getprevious() is not None and parent is not None:
                    del parent[0]
            elif parent is not None and _local(parent.tag) == "channel":
                _channel_child(el, channel)
                el.clear(keep_tail=False)
        if not channel.wxr_version:
            raise _not_wxr(shown, None)
        if not announced:
            yield channel
    except etree.XMLSyntaxError as exc:
        # with entities unresolved, lxml's event parser words every error "no element found (line 0)":
        # the log it keeps has what libxml2 really said, and where
        if not clean.seen:
            raise SourceError(f"{shown}: line 1: expected a WordPress export, got an empty file") from None
        log: Any = exc.error_log  # lxml-stubs leave its last_error out
        last = log.last_error if log else None
        message, line = (last.message, last.line) if last is not None and last.line else (str(exc.msg), exc.lineno)
        raise SourceError(f"{shown}: line {line or 1}: {_LXML_WHERE.sub('', message).strip()}") from None
    finally:
        handle.close()
        channel.removed_controls = clean.removed


def _not_wxr(shown: str, line: int | None) -> SourceError:
    where = f"line {line}: " if line else ""
    return SourceError(f"{shown}: {where}expected a WordPress export (a <wp:wxr_version> in its channel), got "
                       "a file without one (for an RSS or Atom feed use 'tipsheet import feed')")
