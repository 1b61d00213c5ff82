"""The ground each of tipsheet's build shortcuts stands on, checked once per build.

A shortcut that reaches into MkDocs' internals (the four processors of
``Page.render``, ``_build_page``, what ``build`` does after ``on_post_build``,
what ``clean_directory`` keeps) is only as right as its copy of them.  Each
check here returns ``None`` when the ground is the one the shortcut was
written and tested against, else the reason to step aside, which the caller
logs as one INFO line; the build then does what MkDocs itself does.

The internals are recognised by a hash of their source, which is the same on
every Python version: MkDocs 1.6.1 and ProperDocs 1.6.7 are known (ProperDocs
carries its own copy of each, with its own names).  A new release of either
with any change to one of them turns the shortcut that depends on it off until
tipsheet has been checked against it.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import textwrap
import threading
from collections.abc import Callable, Iterable
from typing import Any

import markdown
from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.utils import clean_directory

from . import engine

# Page.render: MkDocs 1.6.1 keeps links to anchors only when the log level is above DEBUG;
# ProperDocs 1.6.7 always keeps them.
RENDER_LINKS_ABOVE_DEBUG = "links kept above DEBUG"
RENDER_LINKS_ALWAYS = "links always kept"
KNOWN_RENDER = {"cc68ba627b85613d": RENDER_LINKS_ABOVE_DEBUG,  # mkdocs 1.6.1
                "69f7d2e4d3aba382": RENDER_LINKS_ALWAYS}  # properdocs 1.6.7
KNOWN_BUILD_PAGE = {"adcdbd14b2361126", "a921d5be3f1bcca9"}  # mkdocs 1.6.1, properdocs 1.6.7
KNOWN_BUILD = {"c476b64474acfaa2", "9ef8add479b2679c"}
KNOWN_CLEAN_DIRECTORY = {"b3c0aa8107311f44"}  # the same in both

# Markdown extensions whose state Python-Markdown's reset() clears completely, so that one
# instance renders every page exactly as a fresh one would (checked by tests/test_build_shortcuts.py).
REUSABLE_EXTENSIONS = frozenset({
    "markdown.extensions." + name for name in (
        "abbr", "admonition", "attr_list", "codehilite", "def_list", "extra", "fenced_code", "footnotes",
        "legacy_attrs", "legacy_em", "md_in_html", "meta", "nl2br", "sane_lists", "smarty", "tables", "toc",
        "wikilinks")
} | {
    "pymdownx." + name for name in (
        "arithmatex", "b64", "betterem", "caret", "critic", "details", "emoji", "escapeall", "extra",
        "highlight", "inlinehilite", "keys", "magiclink", "mark", "progressbar", "saneheaders", "smartsymbols",
        "striphtml", "superfences", "tabbed", "tasklist", "tilde", "blocks.admonition", "blocks.details",
        "blocks.html", "blocks.tab", "blocks.caption", "blocks.definition")
})

# Plugins whose page hooks may run in a forked worker (their effects there are lost) and again
# in the parent: search indexes only what the parent sees, and tipsheet's own plugins
# (any class in a ``tipsheet.`` module) keep their page hooks free of side effects.
FORK_SAFE_CLASSES = frozenset({"mkdocs.contrib.search.SearchPlugin", "properdocs.contrib.search.SearchPlugin",
                               "material.plugins.search.plugin.SearchPlugin"})
WORKER_EVENTS = ("page_context", "post_page")  # the plugin events a forked page worker runs


def source_hash(obj: Callable[..., Any] | type) -> str | None:
    """A short hash of an object's source, or None when the source cannot be read."""
    try:
        source = inspect.getsource(obj)
    except (OSError, TypeError):
        return None
    return hashlib.sha256(textwrap.dedent(source).encode()).hexdigest()[:16]


def _known(what: str, obj: Any, known: Iterable[str]) -> str | None:
    digest = source_hash(obj) if obj is not None else None
    if digest is None:
        return f"{engine.describe()} has no readable {what}"
    if digest not in known:
        return f"{engine.describe()}'s {what} is not the one tipsheet was checked against"
    return None


def render_variant() -> str | None:
    """Which known ``Page.render`` this engine has (None: an unknown one)."""
    return KNOWN_RENDER.get(source_hash(mkdocs_pages.Page.render) or "")


def markdown_reuse(config: MkDocsConfig) -> str | None:
    """Reusing one Markdown instance: a known ``Page.render``, and extensions that reset() fully."""
    if render_variant() is None:
        return _known("Page.render", mkdocs_pages.Page.render, KNOWN_RENDER)
    for name, extension in _extensions(config):
        module = type(extension).__module__
        if module not in REUSABLE_EXTENSIONS:
            return f"the Markdown extension {name!r} ({module}) is not known to render the same on a reused instance"
        if module == "markdown.extensions.footnotes" and extension.getConfig("UNIQUE_IDS"):
            return ("footnotes with UNIQUE_IDS number their ids across the pages one instance renders "
                    "(MkDocs gives each page its own instance)")
    return None


def _extensions(config: MkDocsConfig) -> list[tuple[str, markdown.Extension]]:
    """The site's Markdown extensions as MkDocs will load them, with their settings."""
    found = []
    md = markdown.Markdown()
    configs = config["mdx_configs"] or {}
    for entry in config["markdown_extensions"]:
        if isinstance(entry, markdown.Extension):
            found.append((type(entry).__name__, entry))
        else:
            found.append((str(entry), md.build_extension(str(entry), configs.get(entry, {}))))
    return found


def page_worker() -> str | None:
    """Building pages in a forked worker: MkDocs' ``_build_page`` as known (an empty output is not written)."""
    return _known("_build_page", getattr(mkdocs_build, "_build_page", None), KNOWN_BUILD_PAGE)


def staging() -> str | None:
    """Swapping a staged site in from ``on_post_build``: a ``build`` that writes nothing after that event."""
    return _known("build()", getattr(mkdocs_build, "build", None), KNOWN_BUILD)


def serve_reuse() -> str | None:
    """Reusing pages across ``mkdocs serve`` rebuilds: known ``_build_page``, ``build`` and ``clean_directory``."""
    return (page_worker() or staging()
            or _known("clean_directory", clean_directory, KNOWN_CLEAN_DIRECTORY))


def unsafe_page_hooks(config: MkDocsConfig) -> list[str]:
    """Plugins (and hooks) with page hooks that are not known to be safe to run in a forked worker."""
    unsafe: list[str] = []
    for event in WORKER_EVENTS:
        for method in config.plugins.events.get(event, []):
            owner = getattr(method, "__self__", None)
            if owner is not None and _fork_safe(owner):
                continue
            label = next((name for name, plugin in config.plugins.items()
                          if getattr(plugin, f"on_{event}", None) == method), repr(method))
            if label not in unsafe:
                unsafe.append(label)
    return unsafe


def _fork_safe(plugin: object) -> bool:
    cls = type(plugin)
    if cls.__module__.split(".")[0] == "tipsheet":
        return bool(getattr(plugin, "fork_safe", True))
    return f"{cls.__module__}.{cls.__qualname__}" in FORK_SAFE_CLASSES


def forking(config: MkDocsConfig) -> str | None:
    """Forking a worker at all: the platform can, this process has one thread, every page hook is known."""
    if not hasattr(os, "fork"):
        return "this platform cannot fork"
    if threading.active_count() != 1:
        return "this process runs other threads"
    unsafe = unsafe_page_hooks(config)
    if unsafe:
        listed = ", ".join(repr(name) for name in unsafe)
        return f"the page hooks of {listed} are not known to be safe in a forked worker"
    return None
