"""One import, from the posts an importer found to tip files, redirects, ledger and report.

The WordPress and feed importers each turn their source into :class:`Post`
objects (pass 1, no bodies kept) and then hand over each post's HTML body
(pass 2).  Everything after that is shared: slugs made unique, the tag map
applied, bodies converted, files written through the ledger, old addresses
recorded.  Nothing is written before every source has been read and checked.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import htmltomd, redirects
from .ledger import Ledger, Outcome, write_if_changed
from .links import BodyLinks, LinkStats, Permalinks, Uploads
from .placing import assign_paths, front_matter
from .posts import Post, Site
from .report import Note, Report
from .vocabulary import TagMap, config_block


@dataclass
class Options:
    tag_map: TagMap | None  # None: the proposed map
    tag_map_path: str  # where --dry-run writes the map
    redirects_file: str
    report_base: str
    dry_run: bool = False
    force: bool = False
    uploads: str | None = None
    ledger_prefix: str = ""


@dataclass
class Result:
    report: Report
    written: Counter[str] = field(default_factory=Counter)
    tags_block: str = ""
    authors_block: str = ""
    series_block: str = ""
    tag_map_written: str = ""
    tag_map_summary: str = ""
    report_files: tuple[str, ...] = ()


def permalinks(posts: Iterable[Post], hosts: Iterable[str], unlinked: Iterable[tuple[list[str], list[str], str]],
               files: Iterable[tuple[str, str, str]] = ()) -> Permalinks:
    index = Permalinks(hosts)
    for page, ident, url in files:
        index.add_file(page, ident, url)
    for post in posts:
        why = "" if post.published else f"a {post.status} post, not published"
        index.add(post.old_paths, post.ids, post.source if post.published else None, why)
    for paths, ids, why in unlinked:
        index.add(paths, ids, None, why)
    return index


class Session:
    """Writes the tips of one import; see the module's docstring for the order of things."""

    def __init__(self, site: Site, options: Options, report: Report) -> None:
        self.site = site
        self.options = options
        self.report = report
        self.ledger = Ledger.load(site.root)

    def run(self, posts: list[Post], bodies: Callable[[], Iterator[tuple[Post, str]]], hosts: Iterable[str],
            unlinked: Iterable[tuple[list[str], list[str], str]] = (),
            files: Iterable[tuple[str, str, str]] = ()) -> Result:
        """``unlinked``: (paths, ids, why) of posts not imported; ``files``: (page, id, file URL) of attachments."""
        result = Result(self.report)
        proposed = TagMap.propose(t for p in posts for t in p.terms)
        if self.options.dry_run:
            return self._dry_run(proposed, result)
        tag_map = self.options.tag_map or proposed
        known_redirects = self._existing_redirects()
        assign_paths(self.site, posts, self.ledger, self.report)
        where = {post.ref: post.path for post in posts}
        for note in self.report.title_fallbacks + self.report.summaries_shortened:
            note.path = note.path or where.get(note.ref, "")
        index = permalinks(posts, hosts, unlinked, files)
        hosts = set(hosts)
        uploads = Uploads(self.options.uploads, self.site.docs_dir, hosts)
        used_tags: set[str] = set()
        used_series: dict[str, str] = {}
        authors: dict[str, str] = {}
        seen_titles: dict[str, Post] = {}
        seen_keys: set[str] = set()
        try:
            for post, html in bodies():
                seen_keys.add(post.key)
                applied = tag_map.apply(post.terms)
                self._note_terms(post, applied)
                used_tags.update(applied.tags)
                if applied.series:
                    used_series.setdefault(applied.series, applied.series)
                if post.author:
                    authors.setdefault(post.author[0], post.author[1])
                self._same_title(post, seen_titles)
                markdown = self._markdown(post, html, index, uploads)
                text = self._render(post, applied.tags, applied.series, markdown)
                self._write(post, text.encode("utf-8"), result)
        finally:
            self.ledger.save()
        self._gone(seen_keys)
        self._redirects(posts, known_redirects)
        self.report.images = {"copied": len(uploads.copied), "kept as absolute URLs": len(uploads.kept),
                              "missing": len(uploads.missing)} if (uploads.copied or uploads.kept
                                                                  or uploads.missing) else {}
        self.report.missing_images = [Note("", url, f"looked for {path}") for url, path in uploads.missing.items()]
        self._blocks(result, tag_map, used_tags, used_series, authors)
        result.report_files = self._write_report()
        return result

    # -- steps -----------------------------------------------------------------
    def _dry_run(self, proposed: TagMap, result: Result) -> Result:
        """Only the tag map is written: a map already there keeps its edits and gains the new terms."""
        path = self.options.tag_map_path
        tag_map = TagMap.load(path, self.site.rel(path)).updated_with(proposed) if os.path.exists(path) \
            else proposed
        write_if_changed(path, tag_map.dump().encode("utf-8"))
        result.tag_map_written = path
        routes = list(tag_map.routes.values())
        tags = {r.tag for r in routes if r.tag}
        series = {r.series for r in routes if r.series}
        result.tag_map_summary = (f"{len(routes)} terms: {len(tags)} tags, {len(series)} series, "
                                  f"{sum(r.dropped for r in routes)} dropped")
        return result

    def _note_terms(self, post: Post, applied: Any) -> None:
        for ident in applied.unmapped:
            self.report.unmapped_terms[ident] = self.report.unmapped_terms.get(ident, 0) + 1
        if applied.fallback and post.kind == "tip":
            self.report.fallback_tag.append(post.path)
        if applied.other_series:
            self.report.series_conflicts.append(Note(post.ref, post.path, f"also {', '.join(applied.other_series)}"))

    def _same_title(self, post: Post, seen: dict[str, Post]) -> None:
        if post.kind != "tip":
            return
        key = " ".join(post.title.lower().split())
        if key in seen:
            self.report.same_titles.append(Note(post.ref, post.path, f"{post.title!r}, as {seen[key].path}"))
        else:
            seen[key] = post

    def _markdown(self, post: Post, html: str, index: Permalinks, uploads: Uploads) -> str:
        soup = htmltomd.parse(html)
        stats = LinkStats()
        htmltomd.rewrite_links(soup, BodyLinks(post.source, index, uploads, stats))
        self.report.links_rewritten += stats.rewritten
        self.report.links_left += [Note(post.ref, url, why) for url, why in stats.left]
        if post.kind == "tip" and post.summary is None and htmltomd.MORE_TOKEN not in html:
            htmltomd.mark_teaser(soup)
            self.report.teasers_marked += 1
        return htmltomd.to_markdown(soup)

    def _render(self, post: Post, tags: list[str], series: str | None, markdown: str) -> str:
        if post.kind == "page":
            return front_matter([("title", post.title)]) + "\n" + markdown
        fields: list[tuple[str, Any]] = [("title", post.title), ("date", post.date)]
        if post.updated is not None:
            fields.append(("updated", post.updated))
        fields += [("slug", post.slug), ("tags", tags)]
        if post.author:
            fields.append(("author", post.author[0]))
        if series:
            fields.append(("series", series))
        if post.summary:
            fields.append(("summary", post.summary))
        if post.draft:
            fields.append(("draft", True))
        return front_matter(fields) + "\n" + (markdown or "\n")

    def _write(self, post: Post, data: bytes, result: Result) -> None:
        path, outcome = self.ledger.decide(post.key, post.path, data, self.options.force)
        post.path = path
        absolute = os.path.join(self.site.root, *path.split("/"))
        if outcome in (Outcome.NEW, Outcome.UPDATED, Outcome.FORCED):
            write_if_changed(absolute, data)
            self.ledger.record(post.key, path, post.slug, data)
        elif outcome is Outcome.UNCHANGED:
            self.ledger.record(post.key, path, post.slug, data)
        elif outcome is Outcome.KEPT_EDITED:
            self.report.kept_edited.append(path)
        else:
            self.report.kept_deleted.append(path)
        result.written[outcome.value] += 1
        if outcome is not Outcome.KEPT_DELETED:
            self.report.imported["page" if post.kind == "page" else post.status] += 1

    def _gone(self, seen: set[str]) -> None:
        prefix = self.options.ledger_prefix
        for key, entry in sorted(self.ledger.entries.items()):
            if key.startswith(prefix) and key not in seen:
                self.report.gone_from_source.append(entry.path)

    def _existing_redirects(self) -> dict[str, str]:
        """The redirects file as it is (read before anything is written: a broken one stops the import)."""
        path = self.options.redirects_file
        if not os.path.exists(path):
            return {}
        return {r.old: r.target for r in redirects.load(path, self.site.rel(path))}

    def _redirects(self, posts: list[Post], mapping: dict[str, str]) -> None:
        path = self.options.redirects_file
        deleted = set(self.report.kept_deleted)
        for post in posts:
            if not post.published or post.path in deleted:
                continue
            for old in post.old_paths:
                mapping[old] = post.source
                self.report.redirects += 1
            for old in post.server_only:
                mapping[old] = post.source
                self.report.server_only.append(old)
        write_if_changed(path, redirects.dump(mapping).encode("utf-8"))

    def _blocks(self, result: Result, tag_map: TagMap, tags: set[str], series: dict[str, str],
                authors: dict[str, str]) -> None:
        known_tags = {t.lower() for t in self.site.tags}
        new_tags = {k: {"title": v} for k, v in tag_map.titles(tags).items() if k.lower() not in known_tags}
        result.tags_block = config_block("tags", new_tags)
        new_series = {k: {"title": v} for k, v in tag_map.titles(series, "series").items()
                      if k not in self.site.series}
        result.series_block = config_block("series", new_series)
        new_authors = {k: {"name": v} for k, v in sorted(authors.items()) if k not in self.site.authors}
        result.authors_block = config_block("authors", new_authors)

    def _write_report(self) -> tuple[str, ...]:
        base = self.options.report_base
        write_if_changed(base + ".md", self.report.to_markdown().encode("utf-8"))
        write_if_changed(base + ".json", self.report.to_json().encode("utf-8"))
        return (base + ".md", base + ".json")
