"""The tag map: how an archive's categories and tags become tipsheet's vocabulary.

Ten years of WordPress leave hundreds of terms, many used once or spelled
two ways.  ``--dry-run`` writes every term used by the posts being imported
to ``tags.yml`` with its name, usage count and a proposed tag key; the
publisher edits it (merge two terms by giving them one key, rename a key,
``drop: true``, or ``series: key`` to route a term to a series) and the real
run applies it.  A term of the export missing from the map is dropped and
reported; a tip left with no tag gets the ``fallback`` tag, because a tip
needs one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import yaml

from ..content.fields import KEY, slugify
from .fields import key_from
from .wxr import Term

HEADER = """\
# tipsheet import: how the terms of your archive become tipsheet tags.
#
# Each term shows its name and the number of posts being imported that use it. Edit freely:
#   tag: key       the tips get that tag (give several terms one key to merge them; change it to rename)
#   drop: true     the term is left out
#   series: key    the tips become a series (one per tip; add it under series: in mkdocs.yml)
# Keys are lowercase letters, digits and hyphens. A tip none of whose terms gives a tag gets 'fallback'.
# Then: tipsheet import ... --tag-map THIS_FILE (it prints the tags: block to paste into mkdocs.yml).
"""
DEFAULT_FALLBACK = "general"
_DOMAIN_ORDER = {"category": 0, "post_tag": 1, "post_format": 3}


class MapError(Exception):
    """A tag map that cannot be used; one line per problem."""


def term_id(term: Term) -> str:
    return f"{term.domain}/{unquote(term.nicename)}"


def _sort_key(ident: str) -> tuple[int, str]:
    domain = ident.split("/", 1)[0]
    return (_DOMAIN_ORDER.get(domain, 2), ident)


@dataclass(frozen=True)
class Route:
    """Where a term goes: a tag, a series, or nowhere."""

    tag: str | None = None
    series: str | None = None

    @property
    def dropped(self) -> bool:
        return self.tag is None and self.series is None


@dataclass
class Applied:
    """One post's terms through the map."""

    tags: list[str] = field(default_factory=list)
    series: str | None = None
    other_series: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    fallback: bool = False


@dataclass
class TagMap:
    routes: dict[str, Route]
    names: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    fallback: str = DEFAULT_FALLBACK

    # -- making one ------------------------------------------------------------
    @classmethod
    def propose(cls, uses: Iterable[Term]) -> TagMap:
        """One entry per term used, with a proposed key; WordPress's 'Uncategorized' and post formats dropped."""
        counts: Counter[str] = Counter()
        names: dict[str, str] = {}
        nicenames: dict[str, str] = {}
        for term in uses:
            ident = term_id(term)
            counts[ident] += 1
            names.setdefault(ident, term.name)
            nicenames.setdefault(ident, term.nicename)
        routes: dict[str, Route] = {}
        for number, ident in enumerate(sorted(counts, key=_sort_key), start=1):
            domain = ident.split("/", 1)[0]
            if domain == "post_format" or ident == "category/uncategorized":
                routes[ident] = Route()
            else:
                routes[ident] = Route(tag=key_from(nicenames[ident], names[ident]) or f"term-{number}")
        return cls(routes, names, dict(counts))

    def updated_with(self, proposed: TagMap) -> TagMap:
        """This (edited) map, with the proposal's new terms added and names and counts refreshed."""
        routes = dict(self.routes)
        for ident, route in proposed.routes.items():
            routes.setdefault(ident, route)
        return TagMap(routes, {**self.names, **proposed.names}, dict(proposed.counts), self.fallback)

    # -- reading and writing ---------------------------------------------------
    @classmethod
    def load(cls, path: str, shown: str) -> TagMap:
        try:
            with open(path, encoding="utf-8") as handle:
                data = yaml.safe_load(handle)
        except OSError as exc:
            raise MapError(f"{shown}: expected a readable tag map, got {exc.strerror or exc}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark is not None else ""
            raise MapError(f"{shown}: {where}expected valid YAML, got {getattr(exc, 'problem', exc)}") from None
        return cls.from_data(data, shown)

    @classmethod
    def from_data(cls, data: Any, shown: str) -> TagMap:
        problems: list[str] = []
        if not isinstance(data, dict) or not isinstance(data.get("terms"), dict):
            raise MapError(f"{shown}: expected 'terms:' with one entry per term (as --dry-run writes it), "
                           f"got {type(data).__name__ if not isinstance(data, dict) else 'no terms:'}")
        fallback = data.get("fallback", DEFAULT_FALLBACK)
        if not isinstance(fallback, str) or not KEY.match(fallback):
            problems.append(f"{shown}: fallback: expected a tag key, got {fallback!r}{_try(fallback)}")
        routes: dict[str, Route] = {}
        names: dict[str, str] = {}
        counts: dict[str, int] = {}
        for ident, entry in data["terms"].items():
            where = f"{shown}: terms: {ident}"
            if not isinstance(entry, dict):
                problems.append(f"{where}: expected {{tag: key}}, {{drop: true}} or {{series: key}}, got {entry!r}")
                continue
            unknown = sorted(set(entry) - {"name", "posts", "tag", "drop", "series"})
            if unknown:
                problems.append(f"{where}: expected name, posts, tag, drop or series, got {', '.join(unknown)}")
            chosen = [k for k in ("tag", "series") if entry.get(k) is not None] + (["drop"] if entry.get("drop")
                                                                                     else [])
            if len(chosen) != 1:
                problems.append(f"{where}: expected exactly one of tag, drop: true or series, got "
                                f"{' and '.join(chosen) or 'none'}")
                continue
            kind = chosen[0]
            value = entry.get(kind)
            if kind != "drop" and (not isinstance(value, str) or not KEY.match(value)):
                problems.append(f"{where}: {kind}: expected lowercase letters, digits and hyphens, got "
                                f"{value!r}{_try(value)}")
                continue
            routes[str(ident)] = Route(tag=value if kind == "tag" else None,
                                       series=value if kind == "series" else None)
            names[str(ident)] = str(entry.get("name") or ident)
            counts[str(ident)] = int(entry["posts"]) if isinstance(entry.get("posts"), int) else 0
        if problems:
            raise MapError("\n".join(problems))
        return cls(routes, names, counts, str(fallback))

    def dump(self) -> str:
        terms: dict[str, dict[str, Any]] = {}
        for ident in sorted(self.routes, key=_sort_key):
            route = self.routes[ident]
            entry: dict[str, Any] = {"name": self.names.get(ident, ident), "posts": self.counts.get(ident, 0)}
            if route.tag:
                entry["tag"] = route.tag
            elif route.series:
                entry["series"] = route.series
            else:
                entry["drop"] = True
            terms[ident] = entry
        body = yaml.safe_dump({"fallback": self.fallback, "terms": terms}, sort_keys=False, allow_unicode=True,
                              default_flow_style=None, width=10_000)
        return HEADER + "\n" + body

    # -- using one -------------------------------------------------------------
    def apply(self, terms: Sequence[Term]) -> Applied:
        out = Applied()
        for term in terms:
            ident = term_id(term)
            route = self.routes.get(ident)
            if route is None:
                out.unmapped.append(ident)
            elif route.tag and route.tag not in out.tags:
                out.tags.append(route.tag)
            elif route.series:
                if out.series is None:
                    out.series = route.series
                elif route.series != out.series:
                    out.other_series.append(route.series)
        if not out.tags:
            out.tags.append(self.fallback)
            out.fallback = True
        return out

    def titles(self, used: Iterable[str], kind: str = "tag") -> dict[str, str]:
        """A title for each key used: the name of its most used term (ties: first in the map)."""
        wanted = set(used)
        best: dict[str, tuple[int, str]] = {}
        for ident in sorted(self.routes, key=_sort_key):
            route = self.routes[ident]
            key = route.tag if kind == "tag" else route.series
            if key in wanted:
                count = self.counts.get(ident, 0)
                if key not in best or count > best[key][0]:
                    best[key] = (count, self.names.get(ident, key))
        titles = {key: name for key, (_, name) in best.items()}
        if kind == "tag" and self.fallback in wanted:
            titles.setdefault(self.fallback, self.fallback.replace("-", " ").capitalize())
        return {key: titles.get(key, key) for key in sorted(wanted)}


def _try(value: object) -> str:
    suggestion = slugify(str(value)) if value is not None else ""
    return f" (try {suggestion!r})" if suggestion and suggestion != value else ""


def config_block(option: str, entries: Mapping[str, Mapping[str, str]], indent: int = 6) -> str:
    """A block of plugin options to paste under ``tipsheet/tips:`` in mkdocs.yml, written by PyYAML."""
    if not entries:
        return ""
    dumped = yaml.safe_dump({option: {k: dict(v) for k, v in entries.items()}}, sort_keys=False,
                            allow_unicode=True, default_flow_style=None, width=10_000)
    return "\n".join(" " * indent + line for line in dumped.rstrip("\n").split("\n"))
