"""Links and images of imported bodies: old permalinks to tip files, uploads to local copies.

A link from one old post to another (absolute, root-relative, or ``?p=123``)
becomes a relative link to the other tip's file, which MkDocs checks and
turns into the new URL.  A link to something that is not being imported
stays as it was and is reported.  Images keep their absolute URLs unless a
local copy of ``wp-content/uploads`` is given: then each file is copied under
the docs folder (a missing size variant such as ``photo-150x150.jpg`` falls
back to the original) and linked relatively.  Nothing is downloaded.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from bs4 import Tag

from .redirects import normalized

UPLOADS_FOLDER = "uploads"
_SIZE_VARIANT = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")
_URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}


def hosts_of(*urls: str) -> set[str]:
    """The old site's host names, with and without ``www.``."""
    found: set[str] = set()
    for url in urls:
        host = (urlsplit(url.strip()).hostname or "").lower()
        if host:
            found.add(host)
            found.add(host[4:] if host.startswith("www.") else "www." + host)
    return found


def safe_url(url: str) -> str:
    """A URL Markdown will not cut short (spaces and parentheses encoded)."""
    return "".join(_URL_UNSAFE.get(c, c) for c in url)


@dataclass
class LinkStats:
    rewritten: int = 0
    left: list[tuple[str, str]] = field(default_factory=list)  # (url, why)


class Permalinks:
    """Old addresses of the posts being imported, to their files under the docs folder."""

    def __init__(self, hosts: Iterable[str]) -> None:
        self.hosts = set(hosts)
        self.by_path: dict[str, str] = {}
        self.by_id: dict[str, str] = {}
        self.by_name: dict[str, str | None] = {}  # last path segment -> target (None when two posts share it)
        self.not_published: dict[str, str] = {}  # normalized path or id -> why no link can point at it
        self.files: dict[str, str] = {}  # attachment page (normalized path, or ?id) -> the file's URL

    def add(self, paths: Iterable[str], ids: Iterable[str], target: str | None, why_not: str = "") -> None:
        for path in paths:
            if target:
                self.by_path.setdefault(normalized(path), target)
                name = normalized(path).rstrip("/").rsplit("/", 1)[-1]
                if name:
                    self.by_name[name] = target if self.by_name.get(name, target) == target else None
            else:
                self.not_published.setdefault(normalized(path), why_not)
        for ident in ids:
            if target:
                self.by_id.setdefault(ident, target)
            else:
                self.not_published.setdefault("?" + ident, why_not)

    def add_file(self, page: str, ident: str, url: str) -> None:
        """An attachment: a link to its page on the old site now goes to the file itself."""
        parts = urlsplit(page)
        if parts.path.strip("/") and not parts.query:
            self.files.setdefault(normalized(parts.path), url)
        self.files.setdefault("?" + ident, url)

    def file_for(self, url: str) -> str | None:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        for name in ("attachment_id", "p"):
            if query.get(name) and query[name][0].isdigit() and "?" + query[name][0] in self.files:
                return self.files["?" + query[name][0]]
        return self.files.get(normalized(parts.path or "/")) if not parts.query else None

    def is_old_site(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            return (parts.hostname or "").lower() in self.hosts
        return not parts.scheme and not parts.netloc and url.startswith("/")

    def find(self, url: str) -> tuple[str | None, str]:
        """(target file, fragment) for a link to an imported post; (None, why) for another old address."""
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        for name in ("p", "page_id"):
            if query.get(name) and query[name][0].isdigit():
                ident = query[name][0]
                if ident in self.by_id:
                    return self.by_id[ident], parts.fragment
                return None, self.not_published.get("?" + ident, "no post with this id is being imported")
        key = normalized(parts.path or "/")
        if key in self.by_path:
            return self.by_path[key], parts.fragment
        if key in self.not_published:
            return None, self.not_published[key]
        # WordPress itself finds a post by its slug when the date in the address is wrong
        guess = self.by_name.get(key.rstrip("/").rsplit("/", 1)[-1]) if "/" in key.strip("/") else None
        if guess:
            return guess, parts.fragment
        return None, "no tip for this address"


class Uploads:
    """Copies of the old site's uploaded files, found in a local folder."""

    def __init__(self, source: str | None, docs_dir: str, hosts: Iterable[str], dry_run: bool = False) -> None:
        self.source = source
        self.docs_dir = docs_dir
        self.hosts = set(hosts)
        self.dry_run = dry_run
        self.copied: set[str] = set()
        self.kept: set[str] = set()  # upload URLs left absolute (no --uploads)
        self.missing: dict[str, str] = {}  # url -> where it was looked for

    def relative(self, url: str) -> str | None:
        """The path under ``wp-content/uploads/`` of an upload of the old site, else None."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https", "") or (parts.scheme and host not in self.hosts
                                                           and not host.endswith(".files.wordpress.com")):
            return None
        if not parts.scheme and not url.startswith("/"):
            return None
        path = unquote(parts.path)
        if "/wp-content/uploads/" in path:
            rel = path.split("/wp-content/uploads/", 1)[1]
        elif host.endswith(".files.wordpress.com"):
            rel = path.lstrip("/")
        else:
            return None
        segments = [s for s in rel.split("/") if s]
        if not segments or any(s in (".", "..") for s in segments):
            return None
        return "/".join(segments)

    def local(self, url: str) -> str | None:
        """The copy's path under the docs folder (``uploads/2012/01/a.jpg``); None to keep ``url`` as it is."""
        rel = self.relative(url)
        if rel is None:
            return None
        if self.source is None:
            self.kept.add(url)
            return None
        for candidate in dict.fromkeys([rel, _SIZE_VARIANT.sub("", rel)]):
            found = os.path.join(self.source, *candidate.split("/"))
            if os.path.isfile(found):
                target = f"{UPLOADS_FOLDER}/{candidate}"
                self._copy(found, target)
                return target
        self.missing.setdefault(url, os.path.join(self.source, *rel.split("/")))
        return None

    def _copy(self, found: str, target: str) -> None:
        self.copied.add(target)
        if self.dry_run:
            return
        destination = os.path.join(self.docs_dir, *target.split("/"))
        if os.path.isfile(destination) and os.path.getsize(destination) == os.path.getsize(found):
            with open(destination, "rb") as have, open(found, "rb") as want:
                if have.read() == want.read():
                    return
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.copyfile(found, destination)


class BodyLinks:
    """The rewrite callback for one tip's body: it knows the tip's own file to make relative links."""

    def __init__(self, source: str, permalinks: Permalinks, uploads: Uploads, stats: LinkStats) -> None:
        self.folder = posixpath.dirname(source)
        self.permalinks = permalinks
        self.uploads = uploads
        self.stats = stats

    def __call__(self, el: Tag, attribute: str, value: str) -> None:
        if el.name == "a" and self.permalinks.is_old_site(value):
            file_url = self.permalinks.file_for(value)
            if file_url:
                value = file_url
                self.stats.rewritten += 1
        local = self.uploads.local(value)
        if local is not None:
            el[attribute] = posixpath.relpath(local, self.folder)
            return
        if el.name == "a" and self.permalinks.is_old_site(value) and self.uploads.relative(value) is None:
            target, extra = self.permalinks.find(value)
            if target is not None:
                relative = posixpath.relpath(target, self.folder)
                el[attribute] = relative + (f"#{extra}" if extra else "")
                self.stats.rewritten += 1
                return
            self.stats.left.append((value, extra))
        el[attribute] = safe_url(value)
