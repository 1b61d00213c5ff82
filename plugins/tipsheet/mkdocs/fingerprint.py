"""What a page's HTML is made from, as one comparable value (for reuse across ``mkdocs serve`` rebuilds).

A theme template renders a page from its context: the site's config, the
nav, the page object and what plugins add.  :func:`page_inputs` turns all of
it into nested tuples of plain values, so that two rebuilds give equal values
exactly when the template is handed equal inputs; :class:`SiteInputs` covers
what every page shares (the config, the nav, the theme's templates as
files).  Anything that cannot be turned into plain values (an object of a
type not known here) raises :class:`Unknown`, and that page is simply rendered.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from jinja2 import Environment, meta
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

# Context keys every page shares: fingerprinted once per build (SiteInputs), not per page.
SHARED_KEYS = frozenset({"config", "nav", "pages", "build_date_utc"})
# Page attributes that are derived from others in the value, or never reach a template.
SKIPPED_ATTRIBUTES = frozenset({"markdown", "_title_from_render", "present_anchor_ids", "links_to_anchors",
                                "shared", "file", "parent", "children", "previous_page", "next_page", "_Page__active",
                                "toc", "meta", "content", "title"})


class Unknown(Exception):
    """A value of a type this module does not know how to compare."""


# id -> (frozen dataclass, its value): this build's and the last build's.  Holding the object keeps
# its id from being reused; a tip of an unchanged file is the same object in the next rebuild.
_frozen: dict[int, tuple[object, Any]] = {}
_last: dict[int, tuple[object, Any]] = {}


def start_build() -> None:
    """Keep the values of the immutable objects the last build used, forget older ones."""
    global _frozen, _last
    _frozen, _last = {}, _frozen or _last


def plain(value: Any, depth: int = 0) -> Any:
    """``value`` as nested tuples of plain values, with types where a template could tell them apart."""
    kind = type(value)
    if kind is str or kind is int or value is None:  # str and Markup (below) render alike only unescaped
        return value
    if kind is bool or kind is float:  # True == 1 == 1.0 in Python, not on a page
        return (kind.__name__, value)
    if depth > 12:
        raise Unknown("too deep")
    if kind is tuple or kind is list:
        return (kind.__name__, tuple([plain(v, depth + 1) for v in value]))
    if isinstance(value, str):
        return (kind.__name__, str(value))
    if isinstance(value, (bool, int, float)):
        return (kind.__name__, value)
    if isinstance(value, (datetime, date, time)):
        return (kind.__name__, value.isoformat())
    if isinstance(value, Enum):
        return (kind.__name__, value.name)
    if isinstance(value, (list, tuple)):
        return (kind.__name__, tuple(plain(v, depth + 1) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(plain(v, depth + 1)) for v in value)))
    if isinstance(value, Mapping):
        return ("map", tuple(sorted(((type(k).__name__, str(k)), plain(v, depth + 1)) for k, v in value.items())))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass(value, depth)
    if isinstance(value, Page):
        return ("page", page_reference(value))
    raise Unknown(kind.__qualname__)


def _dataclass(value: Any, depth: int) -> Any:
    """A dataclass instance's fields; a frozen one (a tip, a page's plan) is valued once per build, as a hash."""
    frozen = type(value).__dataclass_params__.frozen  # type: ignore[attr-defined]
    if frozen:
        kept = _frozen.get(id(value)) or _last.get(id(value))
        if kept is not None and kept[0] is value:
            _frozen[id(value)] = kept
            return kept[1]
    fields = tuple((f.name, plain(getattr(value, f.name), depth + 1)) for f in dataclasses.fields(value))
    if not frozen:
        return (type(value).__qualname__, fields)
    token = (type(value).__qualname__, hash(fields))
    _frozen[id(value)] = (value, token)
    return token


def page_reference(page: Page | None) -> Any:
    """Another page as a template sees it from here: its title and URL."""
    return None if page is None else (str(page.title), page.url)


def toc_value(items: Iterable[AnchorLink]) -> Any:
    return tuple((item.title, item.id, item.level, toc_value(item.children)) for item in items)


def file_value(file: File) -> Any:
    return (file.src_uri, file.dest_uri, file.url, file.inclusion.name)


def page_inputs(page: Page) -> Any:
    """Everything of ``page`` that a template can read, as plain values."""
    ancestors = tuple((type(a).__name__, str(a.title)) for a in page.ancestors)  # type: ignore[attr-defined]
    known = (type(page).__qualname__, file_value(page.file), page.url, plain(page.title), plain(page.content),
             toc_value(page.toc), plain(page.meta), page.is_homepage, page.is_index, ancestors,
             page_reference(page.previous_page), page_reference(page.next_page), page.children is not None)
    rest = tuple((name, plain(value)) for name, value in sorted(vars(page).items())
                 if name not in SKIPPED_ATTRIBUTES)
    return (known, rest)


def context_inputs(context: Mapping[str, Any]) -> Any:
    """A page's template context as plain values, less what every page shares (see SiteInputs)."""
    out = []
    for key in sorted(context):
        if key in SHARED_KEYS or key == "page":  # the page: see page_inputs
            continue
        value = context[key]
        out.append((key, page_inputs(value) if isinstance(value, Page) else plain(value)))
    return tuple(out)


def nav_value(items: Iterable[Any]) -> Any:
    out: list[tuple[Any, ...]] = []
    for item in items:
        if isinstance(item, Section):
            out.append(("section", str(item.title), nav_value(item.children)))
        elif isinstance(item, Link):
            out.append(("link", str(item.title), item.url))
        else:
            out.append(("page", str(item.title), item.url, item.file.src_uri))
    return tuple(out)


class SiteInputs:
    """What every page of a build shares, and which theme files the last build's templates were read from."""

    def __init__(self) -> None:
        self.templates: dict[str, tuple[str | None, int, int]] = {}  # name -> (file, mtime_ns, size)
        self._names: dict[str, frozenset[str]] = {}  # template file and its stat -> context names it reads
        self._standalone: set[str] = set()  # templates rendered on their own (sitemap.xml, 404.html), not pages

    def note_template(self, env: Environment, name: str, source: str, filename: str | None) -> None:
        self.templates[name] = _stat(filename)
        key = f"{filename}:{self.templates[name]}"
        if key not in self._names:
            try:
                self._names[key] = frozenset(meta.find_undeclared_variables(env.parse(source)))
            except Exception:  # a template Jinja cannot parse fails the build anyway
                self._names[key] = frozenset({"pages", "build_date_utc"})

    def reads(self, name: str) -> bool:
        """Whether any template of pages that the last build read refers to the context variable ``name``."""
        return any(name in self._names.get(f"{seen[0]}:{seen}", {name}) for template, seen in self.templates.items()
                   if template not in self._standalone)

    def theme_unchanged(self, env: Environment) -> bool:
        """Whether every template the last build read resolves to the same, unchanged file."""
        loader = env.loader
        if loader is None:
            return False
        for name, seen in self.templates.items():
            try:
                _, filename, _ = loader.get_source(env, name)
            except Exception:
                return False
            if _stat(filename) != seen:
                return False
        return True

    def value(self, config: MkDocsConfig, nav: Navigation, files: Iterable[File]) -> Any:
        """The inputs every page shares: the config as validated, the nav, and what templates read of the rest."""
        self._standalone = {*config.theme.static_templates, *config.extra_templates}
        settings = []
        for key, item in sorted(config.items()):
            if key == "plugins":  # the plugin objects live on; their options are what a template may show
                item = {name: dict(plugin.config) for name, plugin in config.plugins.items()}
            try:
                settings.append((key, plain(item)))
            except Unknown:
                settings.append((key, repr(item)))  # an object shown by its repr: equal only when it says so
        shared: list[Any] = [tuple(settings), nav_value(nav.items), page_reference(nav.homepage)]
        if self.reads("pages"):
            shared.append(tuple(file_value(f) for f in files))
        if self.reads("build_date_utc"):
            raise Unknown("a template shows the build date")
        return tuple(shared)


def _stat(filename: str | None) -> tuple[str | None, int, int]:
    if filename is None:
        return (None, 0, 0)
    try:
        info = os.stat(filename)
    except OSError:
        return (filename, -1, -1)
    return (filename, info.st_mtime_ns, info.st_size)
