"""Render the theme's nav, tabs and footer once per page depth instead of once per page.

Material renders the whole navigation into every page.  For a page that is
not in the nav (every tip, every later page of a list, every digest) no nav
item is active, so those fragments depend only on where the page sits: its
links are relative to the page's folder, and pages in sibling folders
(``tips/a/``, ``tips/b/``) get the same relative links as long as no nav
target lies inside their own folder.  A site of 3,000 tips has thousands of
such pages and a few dozen parent folders; rendering each fragment once per
parent folder removes most of the theme's per-page cost.  Pages in the nav
(active items, their table of contents) are always rendered normally.

It works by wrapping the theme's template loader: the cached partials are
served as a one-line stub that calls :meth:`FragmentCache.render`, which
renders the real template (still found through the theme's own loaders, so
a site's override of the partial is honoured) and keeps the result for this
build only.  A test builds a site with and without it and compares every
byte.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from jinja2 import BaseLoader, Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

# Partials whose output depends on the page only through its folder (checked: none of them reads
# `page`; nav, tabs and footer read it only for the active item and previous/next links, which pages
# outside the nav do not have).
CACHED = ("partials/nav.html", "partials/tabs.html", "partials/footer.html", "partials/palette.html",
          "partials/search.html", "partials/icons.html", "partials/logo.html", "partials/top.html",
          "partials/source.html", "partials/alternate.html", "partials/javascripts/base.html",
          "partials/javascripts/content.html", "partials/javascripts/palette.html")
REAL = "tipsheet-uncached/"
STUB = "{{ tipsheet_fragment(%r) }}"


class _Loader(BaseLoader):
    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None,
                                                                             Callable[[], bool] | None]:
        if template in CACHED:
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
        self._rendered: dict[tuple[str, str, str], Markup] = {}
        self._nav_urls: list[str] | None = None
        self._places: dict[int, str] = {}  # id(page) -> its shared place ('' for none); pages live all build
        env.loader = _Loader(env.loader)

        def fragment(context: Context, name: str) -> Markup:
            return self.render(context, name)

        env.globals["tipsheet_fragment"] = pass_context(fragment)

    def _shared_key(self, context: Context, name: str) -> tuple[str, str, str] | None:
        """The key of pages that get the same fragment, or None when this page must be rendered alone."""
        page: Any = context.get("page")
        where = self._places.get(id(page)) if page is not None else None
        if where is None and page is not None:
            where = self._places[id(page)] = self._place(page, context)
        return None if not where else (name, where, str(context.get("base_url")))

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
        key = self._shared_key(context, name)
        if key is not None and key in self._rendered:
            return self._rendered[key]
        html = Markup(self.env.get_template(REAL + name).render(context.get_all()))
        if key is not None:
            self._rendered[key] = html
        return html
