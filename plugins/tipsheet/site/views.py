"""HTML fragments of the site (cards, pagers, the tip's header and footer), from Jinja2.

Rendered through :func:`~tipsheet.site.jinja.make_env`, which escapes
everything; the site generator's own templates only ever receive the
finished, escaped :class:`Markup`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from babel.dates import format_date
from markupsafe import Markup

from ..content.catalog import Catalog
from ..content.model import TagInfo, Tip
from .jinja import make_env
from .plan import PageSpec
from .urls import Urls, root_of
from .voice import CallToAction

FORM_NAMES = {"site": "tip", "tag": "tag-page", "series": "series-page"}  # where a sign-up came from
ROOT_MARK = "@@tipsheet-root@@"  # stands for the path to the site root in a card rendered once


@functools.lru_cache(maxsize=8192)
def _long_date(day: date, language: str) -> str:
    """A date as readers of ``language`` write it; the same few hundred dates are asked for on every build."""
    return format_date(day, format="long", locale=language)


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    rel: str = ""
    kind: str = ""
    group: str = ""


@dataclass(frozen=True)
class Card:
    title: str
    url: str
    iso: str
    date: str
    minutes: int
    summary: str
    tags: tuple[Link, ...]
    status: str
    author: str


@dataclass(frozen=True)
class Topic:
    """A tag on the topics page: what it is about, how much there is, where to start, what is new."""

    info: TagInfo
    url: str
    count: int
    start: tuple[Link, ...]
    latest: Card | None


@dataclass
class Subscribe:
    """What a page offers to subscribers: feed links for its scope and the email digest."""

    feeds: list[Link] = field(default_factory=list)
    email: Link | None = None


@dataclass(frozen=True)
class SignupForm:
    """The sign-up form: where it posts (the list service) and which topics it offers."""

    list_url: str  # ends in '/'
    topics: tuple[tuple[str, str], ...]  # (tag key, title)
    wording: str = "1"


class Views:
    """Renders the fragments of one build; URLs in them are relative to the page they go on."""

    def __init__(self, catalog: Catalog, urls: Urls, summaries: Mapping[str, str],
                 template_dirs: Sequence[str] = (),
                 subscribe: Callable[[str, str | None], Subscribe] | None = None,
                 signup: SignupForm | None = None) -> None:
        self.catalog = catalog
        self.settings = catalog.settings
        self.urls = urls
        self.summaries = summaries
        self.env = make_env(template_dirs)
        self.env.globals["site_name"] = self.settings.site_name
        self._subscribe = subscribe or (lambda scope, key: Subscribe())
        self.signup = signup
        self._dates: dict[datetime, str] = {}
        self._cards: dict[tuple[str, int], Markup] = {}
        self._card_data: dict[tuple[str, str], Card] = {}
        self._boxes: dict[tuple[str, str, str], Markup] = {}
        self._ctas: dict[CallToAction, Markup] = {}  # a handful per site, shown on every tip and digest page

    # -- helpers -------------------------------------------------------------
    def date_text(self, when: datetime) -> str:
        text = self._dates.get(when)
        if text is None:
            local = when.astimezone(self.settings.timezone)
            text = _long_date(local.date(), self.settings.language)
            self._dates[when] = text
        return text

    def link(self, folder: str, current: str) -> str:
        return self.to(self.urls.page(folder), current)

    @staticmethod
    def to(url: str, current: str) -> str:
        """A relative link from the page at ``current`` to a site URL (see :func:`root_of`)."""
        return (root_of(current) + url) or "./"

    def card(self, tip: Tip, current: str) -> Card:
        """What a card shows of a tip; its links depend only on the page's depth, so it is made once per depth."""
        prefix = root_of(current)
        card = self._card_data.get((tip.slug, prefix))
        if card is None:
            card = self._card_data[(tip.slug, prefix)] = self._make_card(tip, prefix)
        return card

    def _make_card(self, tip: Tip, prefix: str) -> Card:
        """A card whose links start with ``prefix`` (the path to the site root, or ROOT_MARK)."""
        tags = self.settings.tags
        return Card(
            title=tip.title,
            url=(prefix + self.urls.page(Urls.tip(tip.slug))) or "./",
            iso=tip.date.isoformat(),
            date=self.date_text(tip.date),
            minutes=tip.reading_minutes(self.settings.words_per_minute),
            summary=self.summaries.get(tip.slug, tip.summary or ""),
            tags=tuple(Link(tags[k].title, prefix + self.urls.page(Urls.tag(k))) for k in tip.tags),
            status=self.catalog.status(tip),
            author=self.settings.author(tip.author).name,
        )

    def render(self, name: str, **context: object) -> Markup:
        return Markup(self.env.get_template(name).render(**context))

    def card_html(self, tip: Tip, current: str, level: int = 2) -> Markup:
        """A tip's card, rendered once per build and placed on any page.

        It is rendered for a page at the site root with a marker where the root
        prefix goes, then specialised per page depth with a string replace: the
        marker has no character that escaping changes, and the prefix is only
        ``../`` steps.
        """
        key = (tip.slug, level)
        html = self._cards.get(key)
        if html is None:
            card = self._make_card(tip, ROOT_MARK)
            html = self._cards[key] = self.render("fragments/card.html", c=card, level=level)
        return Markup(html.replace(ROOT_MARK, root_of(current)))

    def subscribe_box(self, scope: str, key: str | None, current: str) -> Markup:
        cache_key = (scope, key or "", root_of(current))
        html = self._boxes.get(cache_key)
        if html is None:
            offer = self._subscribe(scope, key)
            feeds = [Link(f.title, self.to(f.url, current), kind=f.kind) for f in offer.feeds]
            email = Link(offer.email.title, self.to(offer.email.url, current)) if offer.email else None
            form = self.signup_form(FORM_NAMES.get(scope, scope)) if self.signup else Markup("")
            html = self._boxes[cache_key] = self.render("fragments/subscribe.html", feeds=feeds, email=email,
                                                        form=form)
        return html

    def signup_form(self, where: str) -> Markup:
        """The sign-up form; ``where`` names it (in its ids, and in the consent the list keeps)."""
        if self.signup is None:
            return Markup("")
        return self.render("fragments/signup.html", s=self.signup, where=where)

    # -- pages ---------------------------------------------------------------
    def pager(self, spec: PageSpec, current: str) -> list[Link]:
        if spec.count <= 1:
            return []
        numbers = sorted({1, spec.count, *range(max(1, spec.number - 2), min(spec.count, spec.number + 2) + 1)})
        links: list[Link] = []
        previous = 0
        for n in numbers:
            if n - previous > 1:
                links.append(Link("…", ""))
            rel = "current" if n == spec.number else ""
            links.append(Link(str(n), self.link(spec.folder_of(n), current), rel))
            previous = n
        return links

    def pager_ends(self, spec: PageSpec, current: str) -> tuple[str, str]:
        """Links to the newer and older page of a paginated list ('' where there is none)."""
        newer = self.link(spec.folder_of(spec.number - 1), current) if spec.number > 1 else ""
        older = self.link(spec.folder_of(spec.number + 1), current) if spec.number < spec.count else ""
        return newer, older

    def index_page(self, spec: PageSpec, current: str, intro: str = "") -> Markup:
        """The whole content of an archive, year, tag or series page."""
        newer, older = self.pager_ends(spec, current)
        level = 3 if spec.lead else 2  # under the "Start here" and "All tips on ..." headings
        context: dict[str, object] = dict(
            spec=spec, intro=intro, cards=[self.card_html(t, current, level) for t in spec.tips],
            pager=self.pager(spec, current), newer=newer, older=older,
            subscribe=Markup(""), years=[], tags=[], series=[],
            lead=[self.card_html(t, current, level) for t in spec.lead],
        )
        if spec.kind in ("tag", "series"):
            context["subscribe"] = self.subscribe_box(spec.kind, spec.key, current)
        if spec.kind == "archive":
            context["years"] = [Link(str(y), self.link(Urls.year(y), current), kind=str(len(self.catalog.by_year[y])))
                                for y in self.catalog.years()]
        if spec.kind == "series" and spec.key:
            context["intro"] = intro or self.settings.series[spec.key].description
        if spec.kind == "tag" and spec.key:
            context["intro"] = intro or self.settings.tags[spec.key].description
        if spec.kind == "tags":
            context["tags"] = self.topics(current)
        if spec.kind == "series-index":
            context["series"] = [(info, self.link(Urls.series(k), current), len(self.catalog.by_series.get(k, ())))
                                 for k, info in self.settings.series.items()]
        return self.render("fragments/index.html", **context)

    def topics(self, current: str) -> list[Topic]:
        """Every tag of the vocabulary, in its order, as the topics page shows it."""
        topics = []
        for key, info in self.settings.tags.items():
            tips = self.catalog.tips_for_tag(key)
            start = tuple(Link(t.title, self.card(t, current).url) for t in self.catalog.start_here[key])
            topics.append(Topic(info, self.link(Urls.tag(key), current), len(tips), start,
                                self.card(tips[0], current) if tips else None))
        return topics

    def more_on(self, tip: Tip, current: str) -> tuple[Markup, set[str]]:
        """The "More on <tag>" block of a tip page: its tags' starting tips (other than itself), and their slugs."""
        groups = []
        shown: set[str] = set()
        for key in tip.tags:
            starting = [t for t in self.catalog.start_here.get(key, ()) if t is not tip and t.slug not in shown]
            if starting:
                info = self.settings.tags[key]
                groups.append((info.title, self.link(Urls.tag(key), current), len(self.catalog.tips_for_tag(key)),
                               [self.card(t, current) for t in starting]))
                shown.update(t.slug for t in starting)
        if not groups:
            return Markup(""), shown
        return self.render("fragments/more_on.html", groups=groups), shown

    def comments(self, tip: Tip, current: str, server: str, thread: str, load: str) -> Markup:
        """The comments block under a published tip: Isso's widget, fetched only when the reader gets there."""
        if tip.extra.get("comments") is False or self.catalog.status(tip) != "published":
            return Markup("")
        return self.render("fragments/comments.html", server=server.rstrip("/") + "/", thread=thread,
                           title=tip.title, load=load)

    def latest(self, current: str) -> Markup:
        """The home page's block: the newest tips and the way on to the archive."""
        tips = self.catalog.listed[: self.settings.home_count]
        return self.render("fragments/latest.html", cards=[self.card_html(t, current, 3) for t in tips],
                           archive=self.link(Urls.archive(), current), tags=self.link(Urls.TAGS, current),
                           total=len(self.catalog.listed))

    # -- a tip ---------------------------------------------------------------
    def tip_header(self, tip: Tip, current: str) -> Markup:
        position = self.catalog.series_position(tip)
        series = None
        if position:
            series = (self.settings.series[position.key].title, self.link(Urls.series(position.key), current),
                      position.number, position.total)
        return self.render(
            "fragments/tip_header.html", card=self.card(tip, current), series=series,
            updated=(tip.updated.isoformat(), self.date_text(tip.updated)) if tip.updated else None,
        )

    def tip_footer(self, tip: Tip, current: str) -> Markup:
        position = self.catalog.series_position(tip)
        neighbours = []
        if position:
            if position.previous:
                neighbours.append(("Previous part", self.card(position.previous, current)))
            if position.next:
                neighbours.append(("Next part", self.card(position.next, current)))
        older, newer = self.catalog.older(tip), self.catalog.newer(tip)
        more_on, shown = self.more_on(tip, current)
        related = self.catalog.related(tip, self.settings.related_count + len(shown))  # less the tips shown above
        related = [t for t in related if t.slug not in shown][: self.settings.related_count]
        return self.render(
            "fragments/tip_footer.html",
            series=neighbours,
            older=self.card(older, current) if older else None,
            newer=self.card(newer, current) if newer else None,
            more_on=more_on,
            related=[self.card(t, current) for t in related],
            subscribe=self.subscribe_box("site", None, current),
        )

    # -- the publisher's voice (issue 16) ------------------------------------------
    def call_to_action(self, cta: CallToAction | None) -> Markup:
        """The call to action that closes a tip or digest page ('' when the site has none)."""
        if cta is None:
            return Markup("")
        html = self._ctas.get(cta)
        if html is None:
            html = self._ctas[cta] = self.render("fragments/call_to_action.html", cta=cta)
        return html
