"""This build's shortcuts: each one on when its switch is on and its ground holds (:mod:`.ground`).

Decided once per build, in ``on_pre_build`` (every plugin is loaded and the
config is final by then).  A shortcut whose ground has moved steps aside with
one INFO line naming why, and the build does what MkDocs itself does:

- ``reuse_markdown``: one Markdown instance renders every tip;
- ``parallel``: forked workers render the last tips' Markdown and build the generated pages;
- ``reuse_on_serve``: ``mkdocs serve`` reuses the pages an edit did not change (:mod:`.serve_reuse`).

The theme-fragment cache checks its own ground against the installed theme
(:mod:`.fragment_cache`); the staging swap checks its own in ``on_config``
(:mod:`.staging`).
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger

from . import ground
from .config import TipsConfig
from .forking import workers
from .markdown_reuse import SharedMarkdown
from .parallel_markdown import ParallelMarkdown
from .serve_renditions import CachedMarkdown, RenditionCache

log = get_plugin_logger(__name__)
Renderer = SharedMarkdown | ParallelMarkdown | CachedMarkdown


class Shortcuts:
    def __init__(self, options: TipsConfig, command: str, config: MkDocsConfig) -> None:
        self.config = config
        self.command = command
        self.reuse_markdown = bool(options.reuse_markdown) and self._holds(
            "reuse_markdown", ground.markdown_reuse(config))
        self.fork = (bool(options.parallel) and command == "build" and workers() > 1
                     and self._holds("parallel", ground.forking(config)))
        self.page_worker = self.fork and self._holds("parallel (for the generated pages)", ground.page_worker())
        self.serve_markdown = command == "serve" and self.reuse_markdown
        self.serve_pages = (command == "serve" and bool(options.reuse_on_serve)
                            and self._holds("reuse_on_serve", ground.serve_reuse()
                                            or _unsafe(ground.unsafe_page_hooks(config))))

    @staticmethod
    def _holds(name: str, reason: str | None) -> bool:
        if reason is None:
            return True
        log.info(f"{name} is off for this build: {reason}; doing what MkDocs itself does")
        return False

    def renderer(self, renditions: RenditionCache) -> Renderer | None:
        """How tips' Markdown is rendered in this build; None: MkDocs' own ``Page.render``."""
        variant = ground.render_variant()
        if not self.reuse_markdown or variant is None:
            return None
        shared = SharedMarkdown(self.config, variant)
        if self.fork:
            return ParallelMarkdown(shared, workers())
        if self.serve_markdown:
            return CachedMarkdown(shared, renditions)
        return shared


def _unsafe(names: list[str]) -> str | None:
    if not names:
        return None
    return f"the page hooks of {', '.join(repr(n) for n in names)} are not known to be safe with reused pages"
