"""A digest as an email: HTML and plain text from Jinja2 templates, CSS inlined with css-inline.

The HTML is rendered with autoescape on, then css-inline moves the styles
onto the elements (mail clients drop ``<style>``) but keeps the ``@media``
rules for phones and dark mode.  The plain text comes from its own template,
not from the HTML.  The unsubscribe link is a placeholder here: it is the
one thing that differs per subscriber, filled in when the message is
addressed (:mod:`tipsheet.mime`), so a digest is rendered once per audience.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import css_inline
from babel.dates import format_date
from markupsafe import Markup, escape

from ..content.model import Settings, Tip
from ..site.jinja import make_env
from ..site.urls import Urls, absolute
from ..site.voice import CallToAction, Voice
from .digests import Digest
from .notes import NoteView

UNSUBSCRIBE_PLACEHOLDER = "%%TIPSHEET_UNSUBSCRIBE_URL%%"
PREFERENCES_PLACEHOLDER = "%%TIPSHEET_PREFERENCES_URL%%"
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def inline_css(html: str) -> str:
    """The email's ``<style>`` rules written onto its elements (clients that drop ``<style>`` keep them);
    ``@media`` rules stay in ``<style>``, and nothing is fetched."""
    return str(_INLINER.inline(html))


class DigestTooLarge(ValueError):
    pass


@dataclass(frozen=True)
class MailTip:
    title: str
    url: str
    summary: str
    date: str
    minutes: int
    tags: tuple[str, ...]


@dataclass(frozen=True)
class RenderedDigest:
    digest: Digest
    subject: str
    html: str
    text: str

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))

    def for_recipient(self, unsubscribe_url: str, preferences_url: str = "") -> tuple[str, str]:
        """(text, html) with this recipient's links in place of the placeholders."""
        text, html = self.text, self.html
        links = ((UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url), (PREFERENCES_PLACEHOLDER, preferences_url))
        for placeholder, url in links:
            text, html = text.replace(placeholder, url), html.replace(placeholder, str(escape(url)))
        return text, html


@dataclass(frozen=True)
class MailOptions:
    max_bytes: int = 90_000
    postal_address: str = ""
    template_dirs: Sequence[str] = ()
    preferences: bool = False  # a link to the reader's preferences page (when the site has a list service)
    notes: Mapping[str, NoteView] = field(default_factory=dict)  # period id -> its editor's note
    voice: Voice = field(default_factory=Voice)  # the call to action


@dataclass(frozen=True)
class MailNote:
    title: str
    html: Markup  # every link absolute
    text: str


class DigestRenderer:
    """Renders digests of one site; the templates are loaded and compiled once."""

    def __init__(self, settings: Settings, urls: Urls, summaries: Mapping[str, str] | Callable[[Tip], str],
                 options: MailOptions = MailOptions()) -> None:
        self.settings = settings
        self.urls = urls
        self.options = options
        self._summary = summaries if callable(summaries) else (lambda t: summaries.get(t.slug, t.summary or ""))
        env = make_env(options.template_dirs)
        self._html = env.get_template("email/digest.html")
        self._text = env.get_template("email/digest.txt")

    def url(self, folder: str) -> str:
        return absolute(self.settings.site_url or "", self.urls.page(folder))

    def subject(self, digest: Digest) -> str:
        first = digest.tips[-1]  # the newest tip leads
        more = len(digest.tips) - 1
        extra = f" (+{more} more)" if more else ""
        scope = f"{self.settings.tags[digest.tag].title} · " if digest.tag else ""
        return f"{self.settings.site_name}: {scope}{first.title}{extra}"

    def mail_tip(self, tip: Tip) -> MailTip:
        local = tip.date.astimezone(self.settings.timezone).date()
        return MailTip(tip.title, self.url(Urls.tip(tip.slug)), self._summary(tip),
                       format_date(local, format="long", locale=self.settings.language),
                       tip.reading_minutes(self.settings.words_per_minute),
                       tuple(self.settings.tags[k].title for k in tip.tags))

    def note(self, digest: Digest) -> MailNote | None:
        view = self.options.notes.get(digest.period.id)
        if view is None:
            return None
        site_url = self.settings.site_url or ""
        return MailNote(view.title, Markup(view.absolute(site_url)), view.text(site_url))

    def call_to_action(self, digest: Digest) -> CallToAction | None:
        return self.options.voice.for_digest(digest.tag)

    def render(self, digest: Digest) -> RenderedDigest:
        tips = [self.mail_tip(t) for t in digest.tips]
        subject = self.subject(digest)
        archive = self.url(digest.folder)
        context = dict(
            site_name=self.settings.site_name, site_url=self.settings.site_url or "",
            language=self.settings.language, subject=subject, tips=tips,
            period=digest.period.label(self.settings.language),
            tag=self.settings.tags[digest.tag].title if digest.tag else None,
            archive_url=archive, subscribe_url=self.url(Urls.DIGESTS),
            unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER, postal_address=self.options.postal_address,
            preferences_url=PREFERENCES_PLACEHOLDER if self.options.preferences else "",
            preheader=_preheader(tips), note=self.note(digest), call_to_action=self.call_to_action(digest),
        )
        html = inline_css(self._html.render(**context))
        text = self._text.render(**context).strip() + "\n"
        rendered = RenderedDigest(digest, subject, html, text)
        if rendered.html_bytes > self.options.max_bytes:
            raise DigestTooLarge(
                f"digest {digest.id}: HTML part: expected at most {self.options.max_bytes // 1000} KB "
                f"(Gmail clips larger messages), got {rendered.html_bytes / 1000:.1f} KB "
                "(shorten the summaries, or send digests per tag)")
        return rendered


def _preheader(tips: Sequence[MailTip]) -> str:
    if not tips:
        return ""
    newest = tips[-1]
    text = newest.summary or newest.title
    return text if len(text) <= 140 else text[:137].rstrip() + "..."
