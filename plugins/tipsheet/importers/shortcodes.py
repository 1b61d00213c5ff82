"""WordPress shortcodes: the ones WordPress itself defines become HTML; the rest are kept and listed.

Matching uses WordPress's own ``get_shortcode_regex()`` and
``shortcode_parse_atts()`` (ported), so ``[[caption]]`` stays an escaped
literal and an enclosing shortcode ends at its own closing tag.  What a
plugin defined (a contact form, a table of contents) cannot be rendered
without that plugin: it is left exactly as written and reported by name.
A bracket that is no shortcode (``[1]``, ``[ssh]`` inside a sentence) is left
alone and not reported; a name with attributes, a closing tag, or a
paragraph of its own is reported.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# WordPress core's shortcodes; everything else came from a plugin or theme.
KNOWN = ("caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".avif", ".svg", ".bmp", ".tif", ".tiff", ".ico")
AUDIO_EXTENSIONS = (".mp3", ".ogg", ".oga", ".wav", ".m4a", ".wma", ".flac", ".aac")
VIDEO_EXTENSIONS = (".mp4", ".m4v", ".webm", ".ogv", ".wmv", ".flv", ".mov")

# get_shortcode_regex(), for any name: 1 [[ escape, 2 name, 3 attributes, 4 self-closing /, 5 content, 6 ]] escape
SHORTCODE = re.compile(
    r"\[(\[?)([A-Za-z_][\w-]*)(?![\w-])([^\]/]*(?:/(?!\])[^\]/]*)*?)"
    r"(?:(/)\]|\](?:([^\[]*+(?:\[(?!/\2\])[^\[]*+)*+)\[/\2\])?)(\]?)")
# get_shortcode_atts_regex()
_ATTS = re.compile(r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)|([\w-]+)\s*=\s*([^\s'"]+)"""
                   r"""(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)""")
_PROTECT = re.compile(r"<pre[\s>].*?</pre>|<code[\s>].*?</code>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
_CAPTION_IMAGE = re.compile(r"\s*((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)", re.DOTALL | re.IGNORECASE)
_EDGE_BREAKS = re.compile(r"^(?:\s|<br\s*/?>)+|(?:\s|<br\s*/?>)+$", re.IGNORECASE)
_URL_LINE = re.compile(r"^([ \t]*)(https?://[^\s<>\"]+)([ \t]*)$", re.MULTILINE)
_URL_PARAGRAPH = re.compile(r"(<p(?: [^>]*)?>\s*)(https?://[^\s<>\"]+)(\s*</p>)", re.IGNORECASE)
_HTML_TAGS = re.compile(r"(<[^>]*>)")


@dataclass(frozen=True)
class Attachment:
    """What a gallery or an audio shortcode needs of an attachment of the export."""

    post_id: int
    parent: int
    order: int
    url: str
    alt: str = ""
    caption: str = ""

    @property
    def extension(self) -> str:
        return posixpath.splitext(urlsplit(self.url).path.lower())[1]


@dataclass
class ShortcodeNotes:
    """What the conversion of one body met: unknown shortcode names, and shortcodes that made nothing."""

    unknown: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)


def parse_atts(text: str) -> tuple[dict[str, str], list[str]]:
    """``shortcode_parse_atts()``: named attributes (lower-case names) and positional ones."""
    named: dict[str, str] = {}
    positional: list[str] = []
    text = re.sub("[\u00a0\u200b]+", " ", text)
    for m in _ATTS.finditer(text):
        if m.group(1):
            named[m.group(1).lower()] = m.group(2)
        elif m.group(3):
            named[m.group(3).lower()] = m.group(4)
        elif m.group(5):
            named[m.group(5).lower()] = m.group(6)
        elif m.group(7) is not None and m.group(7) != "":
            positional.append(m.group(7))
        elif m.group(8) is not None:
            positional.append(m.group(8))
        elif m.group(9) is not None:
            positional.append(m.group(9))
    return named, positional


def _link(url: str, text: str | None = None) -> str:
    return f'<a href="{html.escape(url)}">{html.escape(text if text is not None else url)}</a>'


def _image(item: Attachment) -> str:
    return f'<img src="{html.escape(item.url)}" alt="{html.escape(item.alt)}" />'


def _ids(value: str) -> list[int]:
    return [int(part) for part in re.split(r"[\s,]+", value.strip()) if part.isdigit()]


class Shortcodes:
    """Expands the shortcodes of one post; ``attachments`` gives a post's attachments, ``by_id`` any one."""

    def __init__(self, post_id: int, attachments: Callable[[int], Sequence[Attachment]],
                 by_id: Callable[[int], Attachment | None]) -> None:
        self.post_id = post_id
        self.attachments = attachments
        self.by_id = by_id
        self.notes = ShortcodeNotes()

    def expand(self, text: str) -> str:
        """``do_shortcode()`` over a body, leaving ``<pre>``, ``<code>`` and comments as they are."""
        kept: list[str] = []

        def protect(match: re.Match[str]) -> str:
            kept.append(match.group(0))
            return f"\x00{len(kept) - 1}\x00"

        masked = _PROTECT.sub(protect, text)
        expanded = SHORTCODE.sub(self._one, masked)
        return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], expanded)

    def _one(self, match: re.Match[str]) -> str:
        whole = match.group(0)
        escape_open, name, atts, _, content, escape_close = match.groups()
        lowered = name.lower()
        if lowered not in KNOWN:
            if self._looks_like_shortcode(match):
                self.notes.unknown.append(lowered)
            return whole
        if escape_open == "[" and escape_close == "]":
            return whole[1:-1]  # [[caption]] is how WordPress writers show a shortcode literally
        named, positional = parse_atts(atts or "")
        inner = content or ""
        handler = getattr(self, "_" + ("caption" if lowered == "wp_caption" else lowered))
        result: str = handler(named, positional, inner)
        return escape_open + result + escape_close

    @staticmethod
    def _looks_like_shortcode(match: re.Match[str]) -> bool:
        _, _, atts, closing, content, _ = match.groups()
        if (atts or "").strip() or closing or content is not None:
            return True
        before = match.string[: match.start()].rstrip(" \t")
        after = match.string[match.end():].lstrip(" \t")
        alone_before = not before or before.endswith("\n") or re.search(r"<p[^>]*>$", before)
        alone_after = not after or after.startswith(("\n", "</p>", "<br"))
        return bool(alone_before and alone_after)

    # -- WordPress core's shortcodes ------------------------------------------------------------
    def _caption(self, named: dict[str, str], positional: list[str], content: str) -> str:
        match = _CAPTION_IMAGE.match(content)
        if match is None:
            return self.expand(content)
        image, caption = match.group(1), _EDGE_BREAKS.sub("", match.group(2))
        caption = self.expand(caption) or html.escape(named.get("caption", ""))
        if caption:
            return f"<figure>{image}<figcaption>{caption}</figcaption></figure>"
        return f"<figure>{image}</figure>"

    def _gallery(self, named: dict[str, str], positional: list[str], content: str) -> str:
        chosen = named.get("ids") or named.get("include")
        if chosen:
            found = [self.by_id(i) for i in _ids(chosen)]
            items = [a for a in found if a is not None]
        else:
            parent = int(named["id"]) if named.get("id", "").isdigit() else self.post_id
            items = sorted(self.attachments(parent), key=lambda a: (a.order, a.post_id))
        excluded = set(_ids(named.get("exclude", "")))
        images = [a for a in items if a.post_id not in excluded and a.extension in IMAGE_EXTENSIONS]
        if not images:
            self.notes.empty.append("gallery")
            return ""
        if not any(a.caption.strip() for a in images):
            return "<p>" + "\n".join(_image(a) for a in images) + "</p>"
        blocks = []
        for item in images:
            caption = f"<figcaption>{item.caption}</figcaption>" if item.caption.strip() else ""
            blocks.append(f"<figure>{_image(item)}{caption}</figure>")
        return "\n".join(blocks)

    def _embed(self, named: dict[str, str], positional: list[str], content: str) -> str:
        url = (content or named.get("src", "")).strip()
        if not url:
            self.notes.empty.append("embed")
            return ""
        return f"<p>{_link(url)}</p>"

    def _media(self, kind: str, named: dict[str, str], extensions: tuple[str, ...]) -> str:
        url = named.get("src", "")
        if not url:
            url = next((named[ext[1:]] for ext in extensions if named.get(ext[1:])), "")
        if not url:
            attached = [a for a in sorted(self.attachments(self.post_id), key=lambda a: (a.order, a.post_id))
                        if a.extension in extensions]
            url = attached[0].url if attached else ""
        if not url:
            self.notes.empty.append(kind)
            return ""
        name = posixpath.basename(urlsplit(url).path) or url
        return f"<p>{_link(url, name)}</p>"

    def _audio(self, named: dict[str, str], positional: list[str], content: str) -> str:
        return self._media("audio", named, AUDIO_EXTENSIONS)

    def _video(self, named: dict[str, str], positional: list[str], content: str) -> str:
        return self._media("video", named, VIDEO_EXTENSIONS)

    def _playlist(self, named: dict[str, str], positional: list[str], content: str) -> str:
        extensions = VIDEO_EXTENSIONS if named.get("type") == "video" else AUDIO_EXTENSIONS
        if named.get("ids"):
            found = [self.by_id(i) for i in _ids(named["ids"])]
            items = [a for a in found if a is not None]
        else:
            items = sorted(self.attachments(self.post_id), key=lambda a: (a.order, a.post_id))
        tracks = [a for a in items if a.extension in extensions]
        if not tracks:
            self.notes.empty.append("playlist")
            return ""
        names = [posixpath.basename(urlsplit(a.url).path) or a.url for a in tracks]
        return "<ul>" + "".join(f"<li>{_link(a.url, n)}</li>" for a, n in zip(tracks, names, strict=True)) + "</ul>"


def autoembed(text: str) -> str:
    """A URL alone on its line (or in its own paragraph) becomes a link, as WordPress's oEmbed does.

    Only text is looked at: a URL inside a tag's attribute, ``<pre>`` or
    ``<code>`` is left alone.
    """
    kept: list[str] = []

    def protect(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    masked = _PROTECT.sub(protect, text)
    masked = _HTML_TAGS.sub(protect, masked)
    masked = _URL_LINE.sub(lambda m: m.group(1) + _link(html.unescape(m.group(2))) + m.group(3), masked)
    restored = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], masked)
    return _URL_PARAGRAPH.sub(lambda m: m.group(1) + _link(html.unescape(m.group(2))) + m.group(3), restored)
