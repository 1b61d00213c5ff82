"""Markdown to HTML outside a site build, for the command line (digests, checks).

The site build renders tips through MkDocs; the CLI renders the few tips it
needs with the same python-markdown extensions from mkdocs.yml, using one
``Markdown`` instance reset between tips instead of building one per tip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import markdown


class MarkdownRenderer:
    def __init__(self, extensions: Sequence[Any], configs: Mapping[str, Any] | None = None) -> None:
        self._md = markdown.Markdown(extensions=list(extensions), extension_configs=dict(configs or {}))

    def html(self, text: str) -> str:
        self._md.reset()
        html: str = self._md.convert(text)
        return html
