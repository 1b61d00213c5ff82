"""Template work kept across ``mkdocs serve`` rebuilds: compiled templates, and tipsheet's own fragments.

Each rebuild makes new Jinja environments, so every template is compiled
again, and every card, list and tip header is rendered again though an edit
changes a few.  Both are kept for the serve session:

- compiled templates in a Jinja bytecode cache (Jinja's own API): Jinja
  checks each template's source against the kept code, so an edited template
  is compiled afresh;
- the HTML fragments tipsheet renders (:class:`~tipsheet.site.views.Views`),
  keyed on the template's name and everything handed to it, and on the
  fragment templates' files and the site's settings: the same template with
  equal values gives the same HTML.  The values are compared as Python compares
  them: cards, links and page plans by value, tips by identity, which is right
  because a tip is immutable and kept only while its file is unchanged
  (:mod:`.serve_tips`).  A fragment handed a value that cannot be compared
  (a mutable one) is simply rendered.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from markupsafe import Markup

from ..content.catalog import Catalog
from ..site.urls import Urls
from ..site.views import SignupForm, Subscribe, Views


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates for the life of the process (one per kind of environment: they must not mix)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


class FragmentMemo:
    """tipsheet's rendered fragments, kept from one rebuild to the next while their templates stay the same."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, Any], Markup] = {}
        self._used: dict[tuple[str, Any], Markup] = {}
        self._templates: Any = None

    def start_build(self, template_dirs: Iterable[str], settings: object) -> None:
        """Keep what the last rebuild used; forget everything if a fragment template or the settings changed."""
        folders = [*template_dirs, os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates")]
        templates = (_stamps(folders), repr(settings))
        if templates != self._templates:
            self._kept, self._used = {}, {}
        self._templates = templates
        self._kept, self._used = self._used or self._kept, {}

    def render(self, name: str, context: dict[str, object], render: Callable[[], Markup]) -> Markup:
        try:
            key = (name, _frozen(context))
            hash(key)
        except TypeError:  # a mutable value: it cannot be compared from one rebuild to the next
            return render()
        html = self._used.get(key)
        if html is None:
            html = self._kept.get(key)
            if html is None:
                html = render()
            self._used[key] = html
        return html


class ServeViews(Views):
    """Views whose fragments come from the memo when they were rendered from the same values before."""

    memo: FragmentMemo

    def render(self, name: str, **context: object) -> Markup:
        return self.memo.render(name, context, lambda: Views.render(self, name, **context))


def _frozen(value: Any) -> Any:
    """Lists and dicts as tuples (they are a fragment's own, made for this call); anything else as it is."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted(((k, _frozen(v)) for k, v in value.items()), key=lambda item: item[0]))
    return value


def _stamps(folders: Iterable[str]) -> tuple[tuple[str, int, int], ...]:
    found = []
    for folder in folders:
        for current, _, names in os.walk(folder):
            for name in names:
                info = os.stat(os.path.join(current, name))
                found.append((os.path.join(current, name), info.st_mtime_ns, info.st_size))
    return tuple(sorted(found))


class ServeTemplates:
    """What a ``mkdocs serve`` session keeps of its templates."""

    def __init__(self) -> None:
        self.theme = MemoryBytecodeCache()  # the theme's environment (MkDocs makes one per build)
        self.fragments = MemoryBytecodeCache()  # tipsheet's own environment
        self.memo = FragmentMemo()

    def views(self, catalog: Catalog, urls: Urls, summaries: Mapping[str, str], template_dirs: Sequence[str],
              subscribe: Callable[[str, str | None], Subscribe], signup: SignupForm | None) -> Views:
        """This rebuild's Views, with the session's fragments and compiled templates."""
        views = ServeViews(catalog, urls, summaries, template_dirs, subscribe, signup)
        views.memo = self.memo
        views.env.bytecode_cache = self.fragments
        self.memo.start_build(template_dirs, views.settings)
        return views
