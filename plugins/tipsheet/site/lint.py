"""Advice for writers beyond what the build requires: ``tipsheet check``'s warnings.

The build refuses what cannot be published; these are things a reader would
trip over (a summary too long for a card, a tip with no teaser, a broken
link, a missing image, two tips with the same title).  They read the
Markdown source, not a rendering, so checking 3,000 tips takes a second.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import unquote, urlsplit

from ..content.loader import Loaded
from ..content.model import Tip
from ..content.problems import Problem, Severity

MAX_SUMMARY = 300
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,}).*?^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_LINK = re.compile(r"(?P<image>!?)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
_REFERENCE = re.compile(r"^[ ]{0,3}\[[^\]]+\]:\s*<?(?P<target>\S+?)>?(?:\s+.*)?$", re.MULTILINE)


class Linking(Protocol):
    """What has relative links to check: a tip, or an editor's note."""

    @property
    def path(self) -> str: ...
    @property
    def src_uri(self) -> str: ...
    @property
    def body(self) -> str: ...


def _warn(tip: Linking, field: str, expected: str, got: str, hint: str | None = None) -> Problem:
    return Problem(tip.path, field, expected, got, hint, Severity.WARNING)


def links_of(markdown: str) -> Iterable[tuple[bool, str]]:
    """(is_image, target) for every inline link, image and reference definition outside code."""
    text = _INLINE_CODE.sub("", _FENCE.sub("", markdown))
    for match in _LINK.finditer(text):
        yield bool(match["image"]), match["target"]
    for match in _REFERENCE.finditer(text):
        yield False, match["target"]


def local_path(target: str) -> str | None:
    """The file a relative link points at, or None for web links, anchors and mail.  Raises ValueError."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path or target.startswith("/"):
        return None
    return unquote(parts.path)


def check_links(tip: Linking, docs_dir: str, tips: set[str], published: set[str]) -> list[Problem]:
    """Relative links and images of one tip (or note) that point at nothing, or at a tip nobody can read yet."""
    problems = []
    folder = posixpath.dirname(tip.src_uri)
    for is_image, target in links_of(tip.body):
        what = "image" if is_image else "link"
        try:
            path = local_path(target)
        except ValueError:
            problems.append(_warn(tip, what, "a valid address", repr(target), "check the brackets and slashes"))
            continue
        if path is None:
            continue
        resolved = posixpath.normpath(posixpath.join(folder, path))
        if resolved.startswith("../") or not os.path.exists(os.path.join(docs_dir, *resolved.split("/"))):
            problems.append(_warn(tip, what, f"a file that exists in {os.path.basename(docs_dir)}/",
                                  f"{target!r}, which is not there", "check the name and the ../ steps"))
        elif resolved in tips and resolved not in published:
            problems.append(_warn(tip, what, "a link to a published tip", f"{target!r}, a draft or scheduled tip",
                                  "the link is broken until that tip is published"))
    return problems


def lint(loaded: Loaded, docs_dir: str, published: Iterable[Tip]) -> list[Problem]:
    """Warnings for every tip that loaded; the build's own errors are in ``loaded.problems``."""
    problems: list[Problem] = []
    published_sources = {t.src_uri for t in published}
    tip_sources = {t.src_uri for t in loaded.tips}
    titles: dict[str, Tip] = {}
    for tip in loaded.tips:
        if tip.summary and len(tip.summary) > MAX_SUMMARY:
            problems.append(_warn(tip, "summary", f"at most {MAX_SUMMARY} characters (it shows on cards and in "
                                  "emails)", f"{len(tip.summary)} characters", "keep it to one or two sentences"))
        if not tip.summary and not tip.has_more:
            problems.append(_warn(tip, "summary", "a summary, or a <!-- more --> line after the teaser",
                                  "neither", "the first paragraph is used, however long it is"))
        key = " ".join(tip.title.lower().split())
        if key in titles:
            problems.append(_warn(tip, "title", "a title no other tip has", f"{tip.title!r}, as in "
                                  f"{titles[key].path}", "readers cannot tell them apart"))
        else:
            titles[key] = tip
        problems.extend(check_links(tip, docs_dir, tip_sources, published_sources))
    return problems
