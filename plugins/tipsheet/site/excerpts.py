"""Summaries and absolute-URL content, derived from a tip's one rendering.

A tip's Markdown is turned into HTML once per build; the card on an index
page, the feed entry, the digest email and the page's meta description all
derive from that HTML here.  Summaries are plain text, so a card or an email
never carries a link that was relative to the tip's own page.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from ..content.model import Tip

_MORE_HTML = re.compile(r"<!--\s*more\s*-->")


def _fragment(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def _drop_permalinks(root: lxml.html.HtmlElement) -> None:
    for anchor in root.xpath('.//a[contains(concat(" ", normalize-space(@class), " "), " headerlink ")]'):
        anchor.drop_tree()


def _text(root: lxml.html.HtmlElement) -> str:
    _drop_permalinks(root)
    return " ".join(root.text_content().split())


def excerpt_text(html: str) -> str:
    """The text before ``<!-- more -->``, else the first paragraph, else the first block."""
    if not html.strip():
        return ""
    parts = _MORE_HTML.split(html, 1)
    if len(parts) == 2:
        return _text(_fragment(parts[0]))
    root = _fragment(html)
    blocks = [el for el in root if isinstance(el.tag, str)]
    first = next((el for el in blocks if el.tag == "p" and el.text_content().strip()), None)
    if first is None and blocks:
        first = blocks[0]
    if first is None:
        return _text(root)
    holder = _fragment("")
    holder.append(first)
    return _text(holder)


def summary_of(tip: Tip, html: str) -> str:
    """The writer's ``summary`` when there is one, else what the rendered body offers."""
    return tip.summary if tip.summary else excerpt_text(html)


def absolute_html(html: str, page_url: str) -> str:
    """The tip's HTML with every link and image made absolute, for feed readers.

    Readers show entries away from the site, so a relative ``href`` or ``src``
    would point nowhere.  Heading permalinks (the pilcrow anchors) are dropped:
    in a reader they are noise.
    """
    if not html.strip():
        return ""
    root = _fragment(html)
    _drop_permalinks(root)
    for comment in root.xpath(".//comment()"):  # <!-- more --> and friends mean nothing in a reader
        comment.drop_tree()
    root.make_links_absolute(page_url, resolve_base_href=False)
    for el in root.iter("img", "source"):
        srcset = el.get("srcset")
        if srcset:
            el.set("srcset", ", ".join(_absolute_candidate(c, page_url) for c in srcset.split(",")))
    head = root.text or ""
    return head + "".join(etree.tostring(child, encoding="unicode", method="html") for child in root)


def _absolute_candidate(candidate: str, base: str) -> str:
    parts = candidate.strip().split(None, 1)
    if not parts:
        return candidate
    return " ".join([urljoin(base, parts[0]), *parts[1:]])
