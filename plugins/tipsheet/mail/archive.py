"""The digest archive on the site: which pages it has, and their HTML.

Every digest (a period's tips, for everyone or for one tag) gets a page that
the email links as "view in browser"; the archive lists them newest first,
``page_size`` to a page.  Pages are planned once, with each digest's newer
and older neighbours found here in order, so no page scans the archive.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from ..content.model import Settings
from ..site.plan import DIGEST, DIGESTS, PageSpec, chunks
from ..site.urls import Urls, root_of
from ..site.views import Link, Views
from ..site.voice import Voice
from .digests import Digest, DigestIndex
from .notes import NoteView


def plan_archive(index: DigestIndex, settings: Settings, tags: Sequence[str], page_size: int) -> list[PageSpec]:
    """The index pages (site-wide, then each tag's) and one page per digest."""
    specs: list[PageSpec] = []
    for tag in [None, *tags]:
        digests = index.sequence(tag)
        title = "Digest archive" if tag is None else f"{settings.tags[tag].title} digests"
        pages = chunks(digests, max(1, page_size))
        specs += [PageSpec(DIGESTS, Urls.paged(Urls.digest_index(tag), n), title, (), tag, n, len(pages),
                           Urls.digest_index(tag), entries=chunk) for n, chunk in enumerate(pages, start=1)]
        # entries: the digest, then its newer and older neighbours
        specs += [PageSpec(DIGEST, d.folder, d.period.label(settings.language), d.tips, d.id,
                           entries=(d, digests[i - 1] if i else None, digests[i + 1] if i + 1 < len(digests) else None))
                  for i, d in enumerate(digests)]
    return specs


def _neighbour(views: Views, digest: Digest | None, current: str) -> tuple[str, str] | None:
    if digest is None:
        return None
    return digest.period.label(views.settings.language), views.link(digest.folder, current)


def digest_page(views: Views, spec: PageSpec, current: str, subscribe: Link | None,
                note: NoteView | None = None, voice: Voice | None = None) -> Markup:
    """One digest's page: the editor's note, its tips as cards, the call to action, the neighbouring digests."""
    digest, newer, older = spec.entries
    note_html = views.render("fragments/digest_note.html", title=note.title, html=Markup(note.on_page(root_of(current)))
                             ) if note else Markup("")
    return views.render(
        "fragments/digest.html", spec=spec, cards=[views.card_html(t, current) for t in digest.tips],
        newer=_neighbour(views, newer, current), older=_neighbour(views, older, current),
        archive=views.link(Urls.digest_index(digest.tag), current),
        subscribe=Link(subscribe.title, views.to(subscribe.url, current)) if subscribe else None,
        note=note_html, call_to_action=views.call_to_action(voice.for_digest(digest.tag) if voice else None),
    )


def digests_index(views: Views, spec: PageSpec, others: list[tuple[str, str]], current: str,
                  subscribe: Link | None) -> Markup:
    """A page of the archive: one line per digest, newest first, and the tags' own archives."""
    rows = [(d.period.label(views.settings.language), views.link(d.folder, current), len(d.tips), d.tips[-1].title)
            for d in spec.entries]
    newer, older = views.pager_ends(spec, current)
    return views.render(
        "fragments/digests.html", spec=spec, rows=rows, pager=views.pager(spec, current), newer=newer,
        older=older, others=[(title, views.link(folder, current)) for title, folder in others],
        subscribe=Link(subscribe.title, views.to(subscribe.url, current)) if subscribe else None,
    )
