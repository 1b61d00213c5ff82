"""``import-report.md`` and ``import-report.json``: what an import found and did, for the publisher.

The report describes the result, not the run: importing the same export
again gives the same report, byte for byte (what a run wrote this time is
printed, not reported).  Everything left out is listed with its reason.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Skipped:
    ref: str  # "post 12"
    type: str
    status: str
    title: str
    reason: str


@dataclass
class Note:
    ref: str
    path: str
    detail: str


@dataclass
class Report:
    kind: str  # wordpress or feed
    sources: list[str] = field(default_factory=list)
    site: str = ""
    versions: list[str] = field(default_factory=list)
    items: dict[str, dict[str, int]] = field(default_factory=dict)  # type -> status -> count
    imported: Counter[str] = field(default_factory=Counter)  # published, draft, scheduled, page
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    title_fallbacks: list[Note] = field(default_factory=list)
    slug_changes: list[Note] = field(default_factory=list)
    summaries_shortened: list[Note] = field(default_factory=list)
    teasers_marked: int = 0
    unknown_shortcodes: dict[str, list[str]] = field(default_factory=dict)  # name -> refs
    empty_shortcodes: list[Note] = field(default_factory=list)
    unmapped_terms: dict[str, int] = field(default_factory=dict)
    fallback_tag: list[str] = field(default_factory=list)
    series_conflicts: list[Note] = field(default_factory=list)
    same_titles: list[Note] = field(default_factory=list)
    images: dict[str, int] = field(default_factory=dict)  # copied, kept, missing
    missing_images: list[Note] = field(default_factory=list)
    links_rewritten: int = 0
    links_left: list[Note] = field(default_factory=list)
    redirects: int = 0
    server_only: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)
    kept_deleted: list[str] = field(default_factory=list)
    gone_from_source: list[str] = field(default_factory=list)
    control_characters: int = 0
    comments_dropped: int = 0
    warnings: list[str] = field(default_factory=list)

    def count(self, kind: str, status: str) -> None:
        self.items.setdefault(kind, {})
        self.items[kind][status] = self.items[kind].get(status, 0) + 1

    def unknown(self, name: str, ref: str) -> None:
        refs = self.unknown_shortcodes.setdefault(name, [])
        if ref not in refs:
            refs.append(ref)

    # -- output ----------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["imported"] = dict(sorted(self.imported.items()))
        data["items"] = {k: dict(sorted(v.items())) for k, v in sorted(self.items.items())}
        data["unknown_shortcodes"] = dict(sorted(self.unknown_shortcodes.items()))
        data["unmapped_terms"] = dict(sorted(self.unmapped_terms.items()))
        return data

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        out: list[str] = [f"# Import report ({self.kind})", ""]
        out += [f"- Source: {', '.join(f'`{s}`' for s in self.sources)}"]
        if self.site:
            out.append(f"- Old site: <{self.site}>")
        if self.versions:
            out.append(f"- Export format: WXR {', '.join(self.versions)}")
        total = sum(self.imported.values())
        parts = ", ".join(f"{n} {k}" for k, n in sorted(self.imported.items()))
        out += [f"- Imported: {total} ({parts or 'nothing'})", f"- Skipped: {len(self.skipped)}",
                f"- Redirects: {self.redirects} old address{'es' * (self.redirects != 1)}, "
                f"{len(self.server_only)} for the server only", ""]
        out += ["## Items in the source", "", "| type | status | items |", "| --- | --- | --- |"]
        for kind, statuses in sorted(self.items.items()):
            out += [f"| {kind} | {status} | {count} |" for status, count in sorted(statuses.items())]
        out.append("")
        others = Counter(f"{s.type}: {s.reason}" for s in self.skipped if s.type not in ("post", "page", "entry"))
        self._section(out, "Skipped posts and pages", [f"{s.ref} ({s.status}) {s.title!r}: {s.reason}" for s in
                                                       self.skipped if s.type in ("post", "page", "entry")])
        self._section(out, "Skipped other items (each is in the .json report)",
                      [f"{count} × {what}" for what, count in sorted(others.items())])
        self._section(out, "Titles made up (the post had none)", _notes(self.title_fallbacks))
        self._section(out, "Slugs changed", _notes(self.slug_changes))
        self._section(out, "Titles used by more than one tip (tipsheet check warns)", _notes(self.same_titles))
        self._section(out, "Summaries shortened to 300 characters", _notes(self.summaries_shortened))
        if self.teasers_marked:
            tips = "1 tip" if self.teasers_marked == 1 else f"{self.teasers_marked} tips"
            out += [f"{tips} had neither an excerpt nor <!--more-->: `<!-- more -->` was put after the first "
                    "paragraph (the teaser tipsheet would show anyway).", ""]
        self._section(out, "Unknown shortcodes (kept as written)",
                      [f"`[{name}]` in {len(refs)} post{'s' * (len(refs) != 1)}: {', '.join(refs)}"
                       for name, refs in sorted(self.unknown_shortcodes.items())])
        self._section(out, "Shortcodes that made nothing", _notes(self.empty_shortcodes))
        self._section(out, "Terms not in the tag map (dropped)",
                      [f"`{term}` ({count} posts)" for term, count in sorted(self.unmapped_terms.items())])
        self._section(out, "Tips given the fallback tag", [f"`{p}`" for p in self.fallback_tag])
        self._section(out, "Posts with more than one series (the first was kept)", _notes(self.series_conflicts))
        if self.images:
            out += ["## Images", "", *[f"- {k}: {v}" for k, v in sorted(self.images.items())], ""]
        self._section(out, "Images not found in the uploads folder (absolute URL kept)", _notes(self.missing_images))
        out += ["## Links", "", f"- Rewritten to tip files (or to the file of an attachment page): "
                                f"{self.links_rewritten}",
                f"- Left as they were: {len(self.links_left)}", ""]
        self._section(out, "Links to the old site left as they were", _notes(self.links_left))
        self._section(out, "Old addresses only a server can redirect (add them to your server's rules)",
                      [f"`{s}`" for s in self.server_only])
        self._section(out, "Tips edited since the last import (kept; --force overwrites)",
                      [f"`{p}`" for p in self.kept_edited])
        self._section(out, "Tips deleted since the last import (not brought back; --force does)",
                      [f"`{p}`" for p in self.kept_deleted])
        self._section(out, "Imported before, no longer in the source (kept)", [f"`{p}`" for p in self.gone_from_source])
        self._section(out, "Duplicate items (the first was used)", self.duplicates)
        self._section(out, "Warnings", self.warnings)
        if self.control_characters:
            out += [f"{self.control_characters} control characters (invalid in XML) were removed before reading.", ""]
        if self.comments_dropped:
            out += [f"{self.comments_dropped} comments were not imported (tipsheet has none).", ""]
        return "\n".join(out).rstrip("\n") + "\n"

    @staticmethod
    def _section(out: list[str], title: str, lines: list[str]) -> None:
        if lines:
            out += [f"## {title}", "", *[f"- {line}" for line in lines], ""]


def _notes(notes: list[Note]) -> list[str]:
    return [f"{n.ref}" + (f" `{n.path}`" if n.path else "") + f": {n.detail}" for n in notes]
