"""HTML to the Markdown of a tip, with markdownify; what Markdown cannot say stays HTML.

markdownify (MIT) does the conversion; this subclass decides the house
style and keeps as raw HTML what Markdown has no syntax for: iframes and
other embeds, audio and video players, definition lists, and tables with
merged cells, block content or no header row.  A ``<figure>`` with an image
becomes Material's ``<figure markdown="span">``, so the image stays a
Markdown image that MkDocs checks and rewrites.  Before conversion the caller
may rewrite every link and image (old permalinks to tip files, uploads to
copies) on the parsed tree; links inside what stays HTML are left as they are,
because MkDocs does not rewrite raw HTML.

Text is escaped only where Markdown would misread it: ``<`` before a letter
(a tag), ``&`` before an entity name, and a line that would start a heading,
a list or a quote.  Brackets stay as written: ``[1]`` and ``[ssh]`` are text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import markdownify
from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

MORE_TOKEN = "tipsheetmoremarker"  # stands for <!-- more --> while markdownify runs (it drops comments)
MORE = "<!-- more -->"
RAW_ELEMENTS = frozenset({"iframe", "object", "embed", "audio", "video", "canvas", "svg", "math", "dl", "form",
                          "details", "select", "textarea"})  # <script> is dropped: no old plugin's code runs
_BLOCK_IN_CELL = ("p", "ul", "ol", "pre", "blockquote", "div", "table", "h1", "h2", "h3", "h4", "h5", "h6", "br",
                  "figure", "dl", "hr")
_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|[-+*](?=\s)|>|-{3,}\s*$)", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)", re.MULTILINE)
_LANGUAGE = re.compile(r"(?:^|\s)(?:language|lang)-([\w+#-]+)|brush:\s*([\w+#-]+)")

# markdown_extensions the imported Markdown needs: pipe tables, fenced code, <figure markdown>.
NEEDED_EXTENSIONS = {"tables": ("tables", "extra"), "md_in_html": ("md_in_html", "extra"),
                     "fenced_code": ("fenced_code", "extra", "pymdownx.superfences")}


def missing_extensions(configured: Iterable[str]) -> list[str]:
    """Which of the extensions imported tips need are not in mkdocs.yml's ``markdown_extensions``."""
    names = {n.removeprefix("markdown.extensions.") for n in configured}
    return [need for need, accepted in NEEDED_EXTENSIONS.items() if not names & set(accepted)]


Rewrite = Callable[[Tag, str, str], None]  # (element, attribute, value) -> sets the new value on the element


def is_complex_table(table: Tag) -> bool:
    """A table a Markdown pipe table would mangle: merged or block cells, a pipe in text, no header row."""
    rows = table.find_all("tr")
    if not rows or table.find("table") is not None or table.find("caption") is not None:
        return True
    for cell in table.find_all(["td", "th"]):
        if cell.get("rowspan", "1") != "1" or cell.get("colspan", "1") != "1":
            return True
        if cell.find(_BLOCK_IN_CELL) is not None or "|" in cell.get_text():
            return True
    first = rows[0].find_all(["td", "th"])
    widths = {len(row.find_all(["td", "th"])) for row in rows}
    return not first or any(c.name != "th" for c in first) or len(widths) != 1


def stays_html(el: Tag) -> bool:
    """Whether ``el`` is kept as raw HTML (so links inside it are not rewritten to files)."""
    return el.name in RAW_ELEMENTS or (el.name == "table" and is_complex_table(el))


def inside_html(el: Tag) -> bool:
    return any(isinstance(p, Tag) and stays_html(p) for p in el.parents)


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _escape_line_starts(text: str) -> str:
    text = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return _NUMBERED.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


_Base: Any = markdownify.MarkdownConverter  # subclassed through its documented convert_<tag> hooks
_inline: Any = getattr(markdownify, "abstract_inline_conversion")  # noqa: B009  (public, not in its stubs)
OPTIONS: dict[str, Any] = {"heading_style": markdownify.ATX, "bullets": "-", "strong_em_symbol": "*",
                           "escape_misc": False, "escape_asterisks": True, "escape_underscores": True,
                           "sub_symbol": "<sub>", "sup_symbol": "<sup>", "bs4_options": "html.parser"}
_CAPTION = re.compile("\x02(.*?)\x03", re.DOTALL)  # a figcaption's text, until its figure picks it up


class TipConverter(_Base):  # type: ignore[misc]
    """markdownify in tipsheet's house style (ATX headings, '-' bullets, fenced code, <br> for line breaks)."""

    convert_del = _inline(lambda self: "<del>")
    convert_s = convert_del
    convert_strike = convert_del
    convert_u = _inline(lambda self: "<u>")
    convert_ins = convert_u
    convert_mark = _inline(lambda self: "<mark>")

    def _raw(self, el: Tag, text: str, parent_tags: Any) -> str:
        markup = re.sub(r"\n\s*\n", "\n", str(el))
        return markup if "_inline" in parent_tags else "\n\n" + markup + "\n\n"

    for _name in RAW_ELEMENTS:
        locals()[f"convert_{_name}"] = _raw
    del _name

    def convert_table(self, el: Tag, text: str, parent_tags: Any) -> str:
        if is_complex_table(el):
            return self._raw(el, text, parent_tags)
        result: str = super().convert_table(el, text, parent_tags)
        return result

    def convert_p(self, el: Tag, text: str, parent_tags: Any) -> str:
        result: str = super().convert_p(el, text, parent_tags)
        return result if "_inline" in parent_tags else _escape_line_starts(result)

    def convert_br(self, el: Tag, text: str, parent_tags: Any) -> str:
        if "pre" in parent_tags:
            return "\n" + text
        if "_inline" in parent_tags:
            return text + " " if text else " "
        return "<br>\n" + text

    def convert_img(self, el: Tag, text: str, parent_tags: Any) -> str:
        alt = " ".join(str(el.attrs.get("alt") or "").split()).replace("[", "\\[").replace("]", "\\]")
        if "_inline" in parent_tags and (el.parent is None or el.parent.name not in ("td", "th")):
            return alt
        src = str(el.attrs.get("src") or "")
        title = str(el.attrs.get("title") or "").replace('"', '\\"')
        return f'![{alt}]({src} "{title}")' if title else f"![{alt}]({src})"

    def convert_pre(self, el: Tag, text: str, parent_tags: Any) -> str:
        if not text.strip("\n"):
            return ""
        code_el = el.find("code")
        classes = " ".join(el.get("class") or []) + " " + " ".join(
            (code_el.get("class") or []) if isinstance(code_el, Tag) else [])
        found = _LANGUAGE.search(classes)
        language = (found.group(1) or found.group(2)) if found else ""
        code = text.strip("\n")
        fence = _fence(code)
        return f"\n\n{fence}{language}\n{code}\n{fence}\n\n"

    def convert_figcaption(self, el: Tag, text: str, parent_tags: Any) -> str:
        return "\x02" + " ".join(text.split()) + "\x03"

    def convert_figure(self, el: Tag, text: str, parent_tags: Any) -> str:
        found = _CAPTION.search(text)
        words = found.group(1).strip() if found else ""
        rest = _CAPTION.sub("", text).strip()
        if "_inline" in parent_tags:
            return f" {rest} {words} "
        if el.find("img") is None or not words:
            return f"\n\n{rest}\n\n" + (f"{words}\n\n" if words else "")
        return (f'\n\n<figure markdown="span">\n{rest}\n<figcaption markdown="span">{words}</figcaption>\n'
                "</figure>\n\n")


_CONVERTER = TipConverter(**OPTIONS)


def parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def mark_teaser(soup: BeautifulSoup) -> None:
    """Put the more marker after the first paragraph with text, else after the first block, else at the end."""
    blocks = [c for c in soup.children if isinstance(c, Tag)]
    first = next((c for c in blocks if c.name == "p" and c.get_text(strip=True)), blocks[0] if blocks else None)
    marker = soup.new_tag("p")
    marker.string = MORE_TOKEN
    if first is None:
        soup.append(marker)
    else:
        first.insert_after(marker)


def rewrite_links(soup: BeautifulSoup, rewrite: Rewrite) -> None:
    """Hand every link and image source to ``rewrite``, except inside what stays HTML."""
    for el in soup.find_all(["a", "img"]):
        attribute = "href" if el.name == "a" else "src"
        value = el.get(attribute)
        if isinstance(value, str) and value.strip() and not inside_html(el):
            rewrite(el, attribute, value.strip())


def _escape_text(soup: BeautifulSoup) -> None:
    """``<`` that would open a tag and ``&`` that would start an entity, in text Markdown will read."""
    for node in list(soup.find_all(string=True)):
        if type(node) is not NavigableString or not ("<" in node or "&" in node):
            continue
        if any(p.name in ("pre", "code", "kbd", "samp") or stays_html(p) for p in node.parents
               if isinstance(p, Tag)):
            continue
        escaped = _TAG_LIKE.sub("&lt;", _ENTITY_LIKE.sub("&amp;", str(node)))
        if escaped != node:
            node.replace_with(NavigableString(escaped))


def to_markdown(soup: BeautifulSoup) -> str:
    """The body's Markdown: one blank line between blocks, the more marker on its own line."""
    _escape_text(soup)
    text: str = _CONVERTER.convert_soup(soup)
    text = _CAPTION.sub(lambda m: f"\n\n{m.group(1)}\n\n", text)
    text = re.sub(rf"^[ \t]*{MORE_TOKEN}[ \t]*$", MORE, text, count=1, flags=re.MULTILINE)
    text = text.replace(MORE_TOKEN, "")
    text = re.sub(r"[ \t]+$", "", text, flags=re.MULTILINE)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text + "\n" if text else ""


def plain_text(html: str) -> str:
    """The words of an HTML fragment on one line (titles, excerpts, captions): tags out, entities decoded."""
    soup = parse(html)
    for el in soup.find_all(["br", "p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
                             "blockquote", "figcaption"]):
        el.insert_after(" ")
    return " ".join(soup.get_text("").split())
