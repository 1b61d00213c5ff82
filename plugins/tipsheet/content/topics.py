"""Topics that guide: the tips a reader new to a tag should read first.

A tag names its starting tips in the site's configuration (``start_here:
[slug, ...]``, in that order), and a tip can put itself among the starting tips
of each of its tags (``pinned: true``; after the named ones, newest first).
Only tips the site lists are shown; a name that points at no tip, or at a tip
without the tag, is an error the writer sees with the content's own errors.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from .model import Settings, Tip
from .problems import Problem, did_you_mean

CONFIG_FILE = "mkdocs.yml"  # where start_here is written, as a writer's messages name it


def start_here_problems(tips: Iterable[Tip], settings: Settings) -> list[Problem]:
    """Every ``start_here`` entry that names no tip, a tip without the tag, or a tip twice."""
    by_slug = {tip.slug: tip for tip in tips}
    problems = []
    for key, info in settings.tags.items():
        field = f"tags.{key}.start_here"
        expected = f"the slug of a tip tagged {key!r}"
        seen: set[str] = set()
        for slug in info.start_here:
            tip = by_slug.get(slug)
            if slug in seen:
                problems.append(Problem(CONFIG_FILE, field, "each tip once", f"{slug!r} twice"))
            elif tip is None:
                problems.append(Problem(CONFIG_FILE, field, expected, f"{slug!r}, which no tip has",
                                        did_you_mean(slug, by_slug)))
            elif key not in tip.tags:
                problems.append(Problem(CONFIG_FILE, field, expected, f"{slug!r} ({tip.path}), tagged "
                                        f"{', '.join(tip.tags)}", f"add {key!r} to its tags, or take it out"))
            seen.add(slug)
    return problems


def starting_tips(named: Sequence[str], tagged: Sequence[Tip], listed: Collection[str],
                  by_slug: Mapping[str, Tip]) -> tuple[Tip, ...]:
    """A tag's starting tips: those ``named`` (in order), then its pinned ones; only tips the site lists.

    ``tagged`` is the tag's listed tips, newest first; ``listed`` the slugs of every listed tip.
    """
    chosen = [by_slug[slug] for slug in dict.fromkeys(named) if slug in listed and by_slug[slug] in tagged]
    chosen += [tip for tip in tagged if tip.pinned and tip not in chosen]
    return tuple(chosen)
