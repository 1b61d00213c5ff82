"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the whole site, each tag and each series.

Feeds are built with feedgen (RSS and Atom) and the standard library's json
(JSON Feed), never by hand.  Every date comes from the content: a feed's
``updated``/``lastBuildDate`` is its newest entry, so two builds of the same
tips give byte-identical feeds.  Entry ids are tag URIs (RFC 4151) made of the
site's host, the tip's date and its slug, so a rebuild never makes a reader
show a tip twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from .. import __version__
from ..content.catalog import Catalog
from ..content.model import Settings, Tip
from ..site.excerpts import absolute_html
from ..site.urls import Urls, absolute

GENERATOR_URI = "https://github.com/tipsheet/tipsheet"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KINDS = ("rss", "atom", "json")
LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}


@dataclass(frozen=True)
class FeedOptions:
    limit: int = 20
    full_content: bool = True
    per_tag: bool = True
    per_series: bool = True
    json: bool = True


@dataclass(frozen=True)
class Scope:
    """One set of feeds: the site, a tag or a series."""

    kind: str  # 'site', 'tag' or 'series'
    key: str | None
    title: str
    description: str
    folder: str  # where its feed files live ('' for the site)
    home: str  # site-relative URL of the page it follows
    tips: tuple[Tip, ...]

    def path(self, kind: str) -> str:
        return Urls.feed(kind, self.folder)

    def kinds(self, options: FeedOptions) -> tuple[str, ...]:
        return KINDS if self.kind == "site" and options.json else KINDS[:2]


@dataclass(frozen=True)
class Entry:
    """What a feed says of one tip; ``content`` already has absolute URLs."""

    tip: Tip
    url: str
    summary: str
    content: str
    updated: datetime


def distinct_updates(tips: Sequence[Tip]) -> dict[str, datetime]:
    """Each tip's "last significant change", one second apart where two tips would share an instant.

    Two tips of the same day both say midnight; feed readers that track
    changes by ``updated`` then confuse them (the W3C validator warns).  The
    tie is broken by slug, identically in every feed and every build.
    """
    by_instant: dict[datetime, list[Tip]] = {}
    for tip in tips:
        by_instant.setdefault(tip.last_changed, []).append(tip)
    out: dict[str, datetime] = {}
    for instant, group in by_instant.items():
        for offset, tip in enumerate(sorted(group, key=lambda t: t.slug)):
            out[tip.slug] = instant + timedelta(seconds=offset)
    return out


def scopes(catalog: Catalog, urls: Urls, options: FeedOptions) -> list[Scope]:
    settings = catalog.settings
    tips = catalog.published
    found = [Scope("site", None, settings.site_name, settings.site_description or settings.site_name, "",
                   urls.page(""), tips[: options.limit])]
    if options.per_tag:
        for key, info in settings.tags.items():
            tagged = tuple(t for t in catalog.by_tag.get(key, ()) if catalog.is_published(t))
            found.append(Scope("tag", key, f"{settings.site_name}: {info.title}", info.description or info.title,
                               Urls.tag(key), urls.page(Urls.tag(key)), tagged[: options.limit]))
    if options.per_series:
        for key, series in settings.series.items():
            parts = tuple(t for t in catalog.by_series.get(key, ()) if catalog.is_published(t))
            newest_first = tuple(reversed(parts))
            found.append(Scope("series", key, f"{settings.site_name}: {series.title}",
                               series.description or series.title, Urls.series(key),
                               urls.page(Urls.series(key)), newest_first[: options.limit]))
    return found


def tag_uri(settings: Settings, tip: Tip) -> str:
    """``tag:host,YYYY-MM-DD:tips/slug``: stable across rebuilds, unique per tip."""
    host = urlsplit(settings.site_url or "").hostname or "localhost"
    return f"tag:{host},{tip.date.date().isoformat()}:tips/{tip.slug}"


def _updated(tips: Sequence[Tip], fallback: datetime) -> datetime:
    return max((t.last_changed for t in tips), default=fallback)


def _feed(scope: Scope, entries: Sequence[Entry], settings: Settings, urls: Urls, options: FeedOptions,
          fallback: datetime, kind: str) -> FeedGenerator:
    site_url = settings.site_url or ""
    vocabulary = absolute(site_url, urls.page(Urls.TAGS))
    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.id(absolute(site_url, scope.home))
    fg.title(scope.title)
    fg.subtitle(scope.description)  # feedgen uses it as RSS <description> too
    fg.link(href=absolute(site_url, scope.path(kind)), rel="self", type=MEDIA_TYPES[kind])
    fg.link(href=absolute(site_url, scope.home), rel="alternate")  # last: feedgen takes RSS <link> from it
    fg.language(settings.language)
    fg.generator("tipsheet", __version__, GENERATOR_URI)
    fg.author({"name": settings.author(settings.default_author).name})
    updated = _updated(scope.tips, fallback)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for entry in entries:
        tip = entry.tip
        author = settings.author(tip.author)
        fe = fg.add_entry(order="append")
        fe.id(tag_uri(settings, tip))
        fe.guid(tag_uri(settings, tip), permalink=False)
        fe.title(tip.title)
        fe.link(href=entry.url, rel="alternate")
        fe.published(tip.date)
        fe.updated(entry.updated)
        fe.author({"name": author.name})
        fe.dc.dc_creator(author.name)
        for key in tip.tags:
            fe.category(term=key, label=settings.tags[key].title, scheme=vocabulary)
        fe.summary(entry.summary)
        if options.full_content and entry.content:
            fe.content(entry.content, type="html")
    return fg


def render(scope: Scope, entries: Sequence[Entry], settings: Settings, urls: Urls, options: FeedOptions,
           fallback: datetime = EPOCH) -> dict[str, bytes]:
    """The feed files of one scope, by path."""
    rss = _feed(scope, entries, settings, urls, options, fallback, "rss")
    atom = _feed(scope, entries, settings, urls, options, fallback, "atom")
    out: dict[str, bytes] = {
        scope.path("rss"): rss_profile(rss.rss_str(pretty=True)),
        scope.path("atom"): atom.atom_str(pretty=True),
    }
    if "json" in scope.kinds(options):
        out[scope.path("json")] = json_feed(scope, entries, settings, options)
    return out


def rss_profile(xml: bytes) -> bytes:
    """Write ``&``, ``<`` and ``>`` as hexadecimal character references, as the RSS Best Practices Profile asks.

    lxml serialises them as ``&amp;``, ``&lt;`` and ``&gt;``; RSS readers and
    the W3C validator take a title with ``&lt;`` for escaped HTML.  The
    document is the same XML either way: only the spelling of the references
    changes (a test compares the parsed trees).
    """
    return xml.replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;").replace(b"&gt;", b"&#x3E;")


def json_feed(scope: Scope, entries: Sequence[Entry], settings: Settings, options: FeedOptions) -> bytes:
    site_url = settings.site_url or ""
    items = []
    for entry in entries:
        tip = entry.tip
        item: dict[str, object] = {
            "id": tag_uri(settings, tip),
            "url": entry.url,
            "title": tip.title,
            "summary": entry.summary,
            "date_published": tip.date.isoformat(),
            "authors": [{"name": settings.author(tip.author).name}],
            "tags": [settings.tags[k].title for k in tip.tags],
        }
        if tip.updated:
            item["date_modified"] = entry.updated.isoformat()
        if options.full_content and entry.content:
            item["content_html"] = entry.content
        else:
            item["content_text"] = entry.summary
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": scope.title,
        "home_page_url": absolute(site_url, scope.home),
        "feed_url": absolute(site_url, scope.path("json")),
        "description": scope.description,
        "language": settings.language,
        "authors": [{"name": settings.author(settings.default_author).name}],
        "items": items,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def build_all(catalog: Catalog, urls: Urls, options: FeedOptions, html_of: Callable[[Tip], str],
              summary_of: Callable[[Tip], str]) -> dict[str, bytes]:
    """Every feed file of the site, by path.

    Each tip's entry (absolute URLs in its content, its summary) is made once,
    however many feeds carry it, from the tip's one rendering (``html_of``).
    """
    settings = catalog.settings
    site_url = settings.site_url or ""
    updates = distinct_updates(catalog.published)
    cache: dict[str, Entry] = {}

    def entry(tip: Tip) -> Entry:
        if tip.slug not in cache:
            url = absolute(site_url, urls.page(Urls.tip(tip.slug)))
            content = absolute_html(html_of(tip), url) if options.full_content else ""
            cache[tip.slug] = Entry(tip, url, summary_of(tip), content, updates[tip.slug])
        return cache[tip.slug]

    newest = catalog.published[0] if catalog.published else None
    fallback = newest.last_changed if newest else EPOCH
    files: dict[str, bytes] = {}
    for scope in scopes(catalog, urls, options):
        files.update(render(scope, [entry(t) for t in scope.tips], settings, urls, options, fallback))
    return files
