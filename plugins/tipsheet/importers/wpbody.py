"""A WordPress post body as WordPress would display it, before it becomes Markdown.

The order is WordPress's own ``the_content`` filters: Gutenberg block
comments out (a block body is not auto-paragraphed: WordPress skips
``wpautop`` when a post has blocks), URL lines linked (oEmbed), then
``wpautop`` and ``shortcode_unautop`` for classic bodies, then shortcodes.
``<!--more-->`` becomes a marker that survives markdownify and
``<!--nextpage-->`` a horizontal rule (tipsheet tips are one page).
"""

from __future__ import annotations

import re

from .htmltomd import MORE_TOKEN
from .shortcodes import KNOWN, Shortcodes, autoembed
from .wpautop import shortcode_unautop, wpautop

# The block parser's comment delimiter (WP_Block_Parser::next_token), with its JSON attributes.
BLOCK_COMMENT = re.compile(r"<!--\s+/?wp:(?:[a-z][a-z0-9_-]*/)?[a-z][a-z0-9_-]*\s+"
                           r"(?:\{(?:(?:[^}]+|\}+(?=\})|(?!\}\s+/?-->).)*+)?\}\s+)?/?-->", re.DOTALL)
MORE_COMMENT = re.compile(r"<!--more(?:\s[^>]*?)?-->", re.IGNORECASE)
NEXTPAGE_COMMENT = re.compile(r"<!--nextpage-->", re.IGNORECASE)


def has_blocks(content: str) -> bool:
    return "<!-- wp:" in content


def body_html(content: str, shortcodes: Shortcodes) -> str:
    """The post's HTML as a reader of the old site saw it (minus what plugins added)."""
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    blocks = has_blocks(text)
    if blocks:
        text = BLOCK_COMMENT.sub("", text)
    seen = False

    def more(match: re.Match[str]) -> str:
        nonlocal seen
        if seen:
            return ""
        seen = True
        return f"\n\n<p>{MORE_TOKEN}</p>\n\n"

    text = MORE_COMMENT.sub(more, text)
    text = NEXTPAGE_COMMENT.sub("\n\n<hr />\n\n", text)
    text = autoembed(text)
    if not blocks:
        text = shortcode_unautop(wpautop(text), KNOWN)
    return shortcodes.expand(text)
