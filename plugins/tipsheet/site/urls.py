"""The URL scheme of a tipsheet site, in one place.

URLs are site-relative paths such as ``tags/sports/page/2/``.  They depend on
the tip's slug, never on its folder or date, so a tip can be moved or
re-dated without breaking links, feeds or sent emails.  Pagination starts at
the plain URL (page 1) and continues at ``page/2/``, ``page/3/``, ...
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote, urlsplit


class Urls:
    """Paths of every page and feed; ``src_uri`` of the same pages for the site generator."""

    def __init__(self, use_directory_urls: bool = True) -> None:
        self.use_directory_urls = use_directory_urls

    # -- pages ---------------------------------------------------------------
    def page(self, folder: str) -> str:
        """URL of the page whose output is ``folder/index.html`` ('' is the home page)."""
        if not folder:
            return "" if self.use_directory_urls else "index.html"
        return f"{folder}/" if self.use_directory_urls else f"{folder}/index.html"

    @staticmethod
    def src_uri(folder: str) -> str:
        return f"{folder}/index.md" if folder else "index.md"

    @staticmethod
    def dest_uri(folder: str) -> str:
        return f"{folder}/index.html" if folder else "index.html"

    @staticmethod
    def paged(folder: str, number: int) -> str:
        return folder if number <= 1 else f"{folder}/page/{number}"

    @staticmethod
    def tip(slug: str) -> str:
        return f"tips/{slug}"

    @staticmethod
    def tag(key: str, number: int = 1) -> str:
        return Urls.paged(f"tags/{quote(key)}", number)

    @staticmethod
    def archive(number: int = 1) -> str:
        return Urls.paged("archive", number)

    @staticmethod
    def year(year: int, number: int = 1) -> str:
        return Urls.paged(f"archive/{year}", number)

    @staticmethod
    def series(key: str) -> str:
        return f"series/{quote(key)}"

    TAGS = "tags"
    SERIES = "series"
    DIGESTS = "digests"

    @staticmethod
    def digest_index(tag: str | None = None, number: int = 1) -> str:
        return Urls.paged(f"digests/{quote(tag)}" if tag else "digests", number)

    @staticmethod
    def digest(period_id: str, tag: str | None = None) -> str:
        return f"digests/{quote(tag)}/{period_id}" if tag else f"digests/{period_id}"

    # -- feeds ---------------------------------------------------------------
    @staticmethod
    def feed(kind: str, scope: str = "") -> str:
        """``feed.xml`` (RSS), ``atom.xml`` or ``feed.json``, at the site root or under a scope folder."""
        name = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}[kind]
        return f"{scope}/{name}" if scope else name


def root_of(current: str) -> str:
    """From the page at ``current`` back to the site root: ``''``, ``'../'``, ``'../../'``...

    ``root_of(current) + target`` is a correct relative link to any site URL.
    It is not always the shortest one, but it depends only on the page's
    depth, so a fragment full of links (a tip's card) can be rendered once per
    depth and reused on every page at that depth.
    """
    folder = current if current.endswith("/") else posixpath.dirname(current)
    return "../" * len([part for part in folder.split("/") if part])


def absolute(site_url: str, target: str) -> str:
    """``target`` (site-relative) under the site's public URL."""
    return site_url.rstrip("/") + "/" + target.lstrip("/")


def folder_address(url: str) -> str | None:
    """An http(s) address as the root of a folder of pages (ending in '/'), or None when it is not one.

    The list service's public address is one: its pages are ``<list_url>subscribe`` and so on.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url if url.endswith("/") else url + "/"
