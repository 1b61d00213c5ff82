"""Old addresses of imported tips: the data file, and what a build makes of it.

The importer writes ``redirects.yml`` (beside mkdocs.yml): each old address
(a path as the old site wrote it, percent-encoded, or ``/?p=123``) mapped to
the file under the docs folder that holds the tip now.  A file, not a URL,
because the tip's URL follows its slug: the tips plugin looks the file up at
build time, so a changed slug moves every redirect with it.

From the same mapping a build makes a static page at each old path (any
host can serve it) and two files for servers that can answer with a real
301: Netlify/Cloudflare ``_redirects`` and an nginx ``map``.  An address
with a query string (``?p=123``) cannot be a static file and goes only into
those two.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import yaml

HEADER = """\
# Old addresses of imported tips (written by 'tipsheet import'; you may edit it).
# Each line: an old path, as the old site wrote it, and the file under the docs folder that holds the tip now.
# With 'redirects: <this file>' under tipsheet/tips in mkdocs.yml, every build makes a page at each old path
# that sends readers on, plus _redirects (Netlify, Cloudflare Pages) and nginx-redirects.map for real 301s.
# An address with '?' (such as /?p=123) is only in those two: a static page cannot answer it.
"""
NETLIFY_FILE = "_redirects"
NGINX_FILE = "nginx-redirects.map"
_SAFE_URL = "/:@!$&'()*+,;=-._~%?"


class RedirectsError(Exception):
    """A redirects file that cannot be read; one line per problem."""


@dataclass(frozen=True)
class Redirect:
    old: str  # /2012/01/04/slug/ or /?p=123
    target: str  # tips/2012/slug.md, relative to the docs folder
    line: int = 0

    @property
    def server_only(self) -> bool:
        return "?" in self.old


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump(mapping: Mapping[str, str]) -> str:
    """The file's text, one ``old: file`` line per redirect (PyYAML quotes each; memory stays flat)."""
    lines = [yaml.dump({old: mapping[old]}, Dumper=_Dumper, allow_unicode=True, default_flow_style=False,
                       width=10_000) for old in sorted(mapping)]
    return HEADER + "\n" + ("".join(lines) if lines else "{}\n")


def load(path: str, shown: str) -> list[Redirect]:
    """The redirects of a file, validated; :class:`RedirectsError` lists every problem.

    Read as a stream of YAML events, not a document: a 20,000-line file
    costs no more memory than its list of redirects, and each has its line.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise RedirectsError(f"{shown}: expected a readable redirects file, got {exc.strerror or exc}") from None
    found: list[Redirect] = []
    problems: list[str] = []
    depth = 0
    pending: tuple[str, int] | None = None  # a key waiting for its value
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth == 1 and isinstance(event, yaml.SequenceStartEvent):
                    raise RedirectsError(f"{shown}: expected lines of 'old path: file', got a list")
                if depth == 2 and pending is not None:
                    problems.append(f"{shown}: line {pending[1]}: expected 'old path: file', got a nested value")
                    pending = None
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent) and depth == 1:
                if pending is None:
                    pending = (event.value, event.start_mark.line + 1 if event.start_mark else 0)
                else:
                    problem = _check(pending[0], event.value)
                    if problem:
                        problems.append(f"{shown}: line {pending[1]}: {problem}")
                    else:
                        found.append(Redirect(pending[0], event.value.strip(), pending[1]))
                    pending = None
            elif isinstance(event, yaml.ScalarEvent) and depth == 0 and event.value.strip():
                raise RedirectsError(f"{shown}: expected lines of 'old path: file', got {event.value!r}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise RedirectsError(f"{shown}: {where}expected valid YAML, got {getattr(exc, 'problem', exc)}") from None
    if problems:
        raise RedirectsError("\n".join(problems))
    return found


def _check(old: str, target: str) -> str:
    if not old.startswith("/"):
        return f"expected an old path starting with '/', got {old!r}"
    if not target.strip() or target.startswith("/") or "://" in target:
        return f"{old}: expected a file under the docs folder, like tips/2012/slug.md, got {target!r}"
    return ""


def static_path(old: str) -> str | None:
    """Where in the built site the page for ``old`` goes (``2012/01/04/slug/index.html``); None if it cannot.

    Web servers decode the path before they look for the file, so the file
    is named by the decoded path.  The site root and query addresses get no page.
    """
    parts = urlsplit("http://old.invalid" + old)  # a host first: "//a/b" is a path here, not a host
    if parts.query or parts.fragment:
        return None
    path = unquote(parts.path)
    segments = [s for s in path.split("/") if s]
    if not segments or any(s in (".", "..") or "\x00" in s or "\\" in s for s in segments):
        return None
    last = segments[-1]
    if not path.endswith("/") and posixpath.splitext(last)[1].lower() in (".html", ".htm"):
        return "/".join(segments)
    return "/".join([*segments, "index.html"])


def _url(text: str) -> str:
    """An address as ASCII with nothing a config format could misread (already-encoded parts kept)."""
    return quote(text, safe=_SAFE_URL)


def netlify(pairs: Iterable[tuple[str, str]]) -> str:
    """``_redirects`` lines: ``/old/ /new/ 301``; a query address as Netlify's ``/ p=123 /new/ 301``."""
    lines = ["# Old addresses of imported tips (written by tipsheet on every build)."]
    for old, new in pairs:
        parts = urlsplit("http://old.invalid" + old)
        if parts.query:
            params = " ".join(f"{_url(k)}={_url(v)}" for k, v in parse_qsl(parts.query, keep_blank_values=True))
            lines.append(f"{_url(parts.path or '/')} {params} {_url(new)} 301")
        else:
            lines.append(f"{_url(old)} {_url(new)} 301")
    return "\n".join(lines) + "\n"


def nginx(pairs: Iterable[tuple[str, str]]) -> str:
    """An nginx ``map`` body keyed on ``$request_uri`` (the address exactly as requested)."""
    lines = [
        "# Old addresses of imported tips (written by tipsheet on every build). In nginx's http block:",
        "#   map $request_uri $tipsheet_redirect { include /path/to/site/nginx-redirects.map; }",
        "# and in the server block:",
        "#   if ($tipsheet_redirect) { return 301 $tipsheet_redirect; }",
    ]
    for old, new in pairs:
        lines.append(f'"{_url(old)}" "{_url(new)}";')
    return "\n".join(lines) + "\n"


def normalized(path: str) -> str:
    """An old path in the form links are matched by: decoded, lower-case, with a trailing slash."""
    decoded = unquote(path).lower()
    if not decoded.endswith("/") and not re.search(r"\.[a-z0-9]+$", decoded):
        decoded += "/"
    return decoded
