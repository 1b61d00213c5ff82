"""Render the theme's nav, tabs and footer once per folder of pages instead of once per page.

Material renders the whole navigation into every page.  For a page that is
not in the nav (every tip, every later page of a list, every digest) no nav
item is active, so those fragments depend only on where the page sits: its
links are relative to the page's folder, and pages in sibling folders
(``tips/a/``, ``tips/b/``) get the same relative links as long as no nav
target lies inside their own folder.  A site of 3,000 tips has thousands of
such pages and a few dozen parent folders; rendering each fragment once per
parent folder removes most of the theme's per-page cost.  Pages in the nav
(active items, their table of contents) are always rendered normally.

It stands on what the installed theme's partials read of the page, checked at
the start of every build (:mod:`.theme_reads`): a page attribute a partial
reads joins the cache key, and a partial that uses the page in a way no key
can capture is rendered for each page, with one INFO line.  Then it checks
itself on the real site: the first pages that would reuse a fragment of each
folder render it anyway and compare; on any difference the cache is off for
the rest of the build (one INFO line), so no page was ever given another's HTML.

It works by wrapping the theme's template loader: the cached partials are
served as a one-line stub that calls :meth:`FragmentCache.render`, which
renders the real template (still found through the theme's own loaders, so
a site's override of the partial is honoured) and keeps the result for this
build only.  A test builds a site with and without it and compares every byte.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from jinja2 import BaseLoader, Environment, TemplateNotFound, pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from mkdocs.plugins import get_plugin_logger

from .fingerprint import Unknown, plain
from .theme_reads import Path, page_reads

log = get_plugin_logger(__name__)
# Partials that depend on the page only through its folder, for pages outside the nav.
CACHED = ("partials/nav.html", "partials/tabs.html", "partials/footer.html", "partials/palette.html",
          "partials/search.html", "partials/icons.html", "partials/logo.html", "partials/top.html",
          "partials/source.html", "partials/alternate.html", "partials/javascripts/base.html",
          "partials/javascripts/content.html", "partials/javascripts/palette.html")
REAL = "tipsheet-uncached/"
STUB = "{{ tipsheet_fragment(%r) }}"
CHECKS = 2  # pages per shared fragment that render it anyway and compare, at the start of a build
Key = tuple[str, str, str, Any]


class _Loader(BaseLoader):
    def __init__(self, inner: BaseLoader, cached: set[str]) -> None:
        self.inner = inner
        self.cached = cached

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None,
                                                                             Callable[[], bool] | None]:
        if template in self.cached:
            return STUB % template, None, lambda: True
        if template.startswith(REAL):
            template = template[len(REAL):]
        return self.inner.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


class FragmentCache:
    def __init__(self, env: Environment) -> None:
        assert env.loader is not None
        self.env = env
        self.off: str | None = None
        self._rendered: dict[Key, Markup] = {}
        self._checks: dict[Key, int] = {}
        self._keyed: dict[str, list[Path]] = {}  # partial -> page attribute paths that join its key
        self._nav_urls: list[str] | None = None
        self._places: dict[int, str] = {}  # id(page) -> its shared place ('' for none); pages live all build
        cached = self._check_theme(env.loader)
        env.loader = _Loader(env.loader, cached)

        def fragment(context: Context, name: str) -> Markup:
            return self.render(context, name)

        env.globals["tipsheet_fragment"] = pass_context(fragment)

    def _check_theme(self, loader: BaseLoader) -> set[str]:
        """The partials that may be shared, with the page attributes that key each one."""
        cached: set[str] = set()
        for name in CACHED:
            try:
                reads = page_reads(self.env, loader, name)
            except TemplateNotFound:
                continue  # not in this theme: nothing to cache
            if reads.opaque:
                log.info(f"cache_theme_fragments: {name} is rendered for each page: it uses the page in a way "
                         f"not known to give sibling pages the same HTML ({reads.opaque[0]})")
                continue
            self._keyed[name] = sorted(reads.paths, key=repr)
            cached.add(name)
        return cached

    def _shared_key(self, context: Context, name: str) -> Key | None:
        """The key of pages that get the same fragment, or None when this page must be rendered alone."""
        page: Any = context.get("page")
        where = self._places.get(id(page)) if page is not None else None
        if where is None and page is not None:
            where = self._places[id(page)] = self._place(page, context)
        if not where:
            return None
        try:
            values = tuple(plain(self._read(page, path)) for path in self._keyed.get(name, ()))
        except Unknown:
            return None
        return (name, where, str(context.get("base_url")), values)

    def _read(self, page: Any, path: Path) -> Any:
        """``page`` followed along ``path`` as Jinja does (a missing step reads as None)."""
        value = page
        for kind, step in path:
            if kind == "truth":
                return bool(value)
            value = self.env.getattr(value, str(step)) if kind == "attr" else self.env.getitem(value, step)
            if self.env.undefined is not None and isinstance(value, self.env.undefined):
                return None
        return value

    def _place(self, page: Any, context: Context) -> str:
        """The page's parent folder when it may share fragments with its siblings, else ''."""
        file = getattr(page, "file", None)
        if file is None or not file.inclusion.is_not_in_nav() or getattr(page, "is_homepage", False):
            return ""
        url: str = page.url
        folder = url if url.endswith("/") else posixpath.dirname(url) + "/"
        if self._nav_urls is None:
            nav = context.get("nav")
            self._nav_urls = [p.url for p in getattr(nav, "pages", [])]
        if any(target.startswith(folder) for target in self._nav_urls):
            return ""  # a nav link into this page's own folder would differ from its siblings'
        return posixpath.dirname(folder.rstrip("/")) + "/"

    def render(self, context: Context, name: str) -> Markup:
        key = self._shared_key(context, name) if self.off is None else None
        if key is not None and key in self._rendered:
            checks = self._checks.get(key, 0)
            if checks >= CHECKS:
                return self._rendered[key]
            self._checks[key] = checks + 1
            html = self._render(context, name)
            if html != self._rendered[key]:
                self.off = f"{name} rendered differently for {context.get('page')!r} than for a sibling page"
                log.info(f"cache_theme_fragments is off for the rest of this build: {self.off}")
            return html
        html = self._render(context, name)
        if key is not None:
            self._rendered[key] = html
        return html

    def _render(self, context: Context, name: str) -> Markup:
        return Markup(self.env.get_template(REAL + name).render(context.get_all()))
