"""WordPress's automatic paragraphs, ported from ``wpautop()`` in wp-includes/formatting.php.

The classic editor stores a post without ``<p>`` tags: a blank line is a
paragraph, a single newline a line break, and WordPress adds the tags each
time it displays the post.  Importers that skip this step lose every
paragraph of a ten-year archive, so this is a line-by-line port of the PHP
(same regular expressions, same order), kept close to the original so it can
be compared with it.  ``<pre>`` is set aside and put back untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ALLBLOCKS = (r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area"
              r"|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header"
              r"|footer|nav|figure|figcaption|details|menu|summary)")
# wp_html_split(): an element, a comment or a CDATA section (PCRE's conditional group written as alternatives).
_HTML_SPLIT = re.compile(r"(<(?:!--.*?(?:-->|\Z)|!\[CDATA\[.*?(?:\]\]>|\Z)|[^>]*>?))", re.DOTALL)
_OPEN_BLOCK = re.compile(r"(<" + _ALLBLOCKS + r"[\s/>])")
_CLOSE_BLOCK = re.compile(r"(</" + _ALLBLOCKS + r">)")
_BLOCK_IN_P = re.compile(r"<p>\s*(</?" + _ALLBLOCKS + r"[^>]*>)\s*</p>")
_P_BEFORE_BLOCK = re.compile(r"<p>\s*(</?" + _ALLBLOCKS + r"[^>]*>)")
_P_AFTER_BLOCK = re.compile(r"(</?" + _ALLBLOCKS + r"[^>]*>)\s*</p>")
_BR_AFTER_BLOCK = re.compile(r"(</?" + _ALLBLOCKS + r"[^>]*>)\s*<br />")
_BR_BEFORE_BLOCK = re.compile(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)")
_SPACES = r"[\r\n\t \x0c\xa0]"  # wp_spaces_regexp(): whitespace and the no-break space


def replace_in_html_tags(text: str, pairs: dict[str, str]) -> str:
    """``wp_replace_in_html_tags()``: replace only inside tags and comments, never in text."""
    parts = _HTML_SPLIT.split(text)
    for index in range(1, len(parts), 2):
        for needle, replacement in pairs.items():
            if needle in parts[index]:
                parts[index] = parts[index].replace(needle, replacement)
    return "".join(parts)


def _set_aside_pre(text: str) -> tuple[str, dict[str, str]]:
    pre_tags: dict[str, str] = {}
    if "<pre" not in text:
        return text, pre_tags
    parts = text.split("</pre>")
    last = parts.pop()
    out = ""
    for part in parts:
        start = part.find("<pre")
        if start == -1:  # malformed HTML: a </pre> without its <pre>
            out += part
            continue
        name = f"<pre wp-pre-tag-{len(pre_tags)}></pre>"
        pre_tags[name] = part[start:] + "</pre>"
        out += part[:start] + name
    return out + last, pre_tags


def wpautop(text: str, br: bool = True) -> str:
    """Paragraphs for blank lines and ``<br />`` for single newlines, as WordPress displays a classic post."""
    if not text.strip():
        return ""
    text, pre_tags = _set_aside_pre(text + "\n")
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = _OPEN_BLOCK.sub("\n\n\\1", text)
    text = _CLOSE_BLOCK.sub("\\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", "\\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = replace_in_html_tags(text, {"\n": " <!-- wpnl --> "})
    if "<option" in text:
        text = re.sub(r"\s*<option", "<option", text)
        text = re.sub(r"</option>\s*", "</option>", text)
    if "</object>" in text:
        text = re.sub(r"(<object[^>]*>)\s*", "\\1", text)
        text = re.sub(r"\s*</object>", "</object>", text)
        text = re.sub(r"\s*(</?(?:param|embed)[^>]*>)\s*", "\\1", text)
    if "<source" in text or "<track" in text:
        text = re.sub(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*", "\\1", text)
        text = re.sub(r"\s*([<\[]/(?:audio|video)[>\]])", "\\1", text)
        text = re.sub(r"\s*(<(?:source|track)[^>]*>)\s*", "\\1", text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", "\\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    text = re.sub(r"\n\n+", "\n\n", text)
    pieces = [piece for piece in re.split(r"\n\s*\n", text) if piece]
    text = "".join("<p>" + piece.strip("\n") + "</p>\n" for piece in pieces)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", "<p>\\1</p></\\2>", text)
    text = _BLOCK_IN_P.sub("\\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", "\\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", "<blockquote\\1><p>", text, flags=re.IGNORECASE)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = _P_BEFORE_BLOCK.sub("\\1", text)
    text = _P_AFTER_BLOCK.sub("\\1", text)
    if br:
        text = re.sub(r"<(script|style|svg).*?</\1>",
                      lambda m: m.group(0).replace("\n", "<WPPreserveNewline />"), text, flags=re.DOTALL)
        text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
        text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
        text = text.replace("<WPPreserveNewline />", "\n")
    text = _BR_AFTER_BLOCK.sub("\\1", text)
    text = _BR_BEFORE_BLOCK.sub("\\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for name, original in pre_tags.items():
        text = text.replace(name, original)
    if "<!-- wpnl -->" in text:
        text = text.replace(" <!-- wpnl --> ", "\n").replace("<!-- wpnl -->", "\n")
    return text


def shortcode_unautop(text: str, names: Iterable[str]) -> str:
    """``shortcode_unautop()``: a shortcode alone in a paragraph is not wrapped in ``<p>``."""
    tags = "|".join(re.escape(name) for name in names)
    pattern = (r"<p>(?:" + _SPACES + r")*+(\[(" + tags + r")(?![\w-])[^\]/]*(?:/(?!\])[^\]/]*)*?"
               r"(?:/\]|\](?:[^\[]*+(?:\[(?!/\2\])[^\[]*+)*+\[/\2\])?))(?:" + _SPACES + r")*+</p>")
    return re.sub(pattern, "\\1", text)
