"""``tipsheet/digests``: the digest archive on the site, and the digest emails checked at build time.

Each digest (a period's tips, for everyone or for one tag) gets a page, and
the digests index lists them newest first (:mod:`tipsheet.mail.archive`).
The emails themselves are sent by ``tipsheet send``; the build renders each
site digest anyway so that one too large for Gmail fails the build, naming it,
before anyone is mailed.  Periods follow the site's schedule (``send_at``,
:mod:`tipsheet.mail.schedule`); editor's notes (``content/digests/<period>.md``)
are read and checked here, shown on the digest's page and in its email, and
never become pages of their own.
"""

from __future__ import annotations

import os
from functools import partial

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from ..content.problems import ContentError, did_you_mean
from ..mail.archive import digest_page, digests_index, plan_archive
from ..mail.digests import DigestIndex
from ..mail.notes import Notes, NoteView, load_notes, render_notes
from ..mail.render import DigestRenderer, DigestTooLarge, MailOptions
from ..site.jinja import make_env
from ..site.markdown import MarkdownRenderer
from ..site.plan import DIGEST, DIGESTS
from ..site.urls import Urls, absolute, root_of
from ..site.views import Link, SignupForm
from .config import DigestsConfig, list_url, project_dir, require_site_url, schedule_from
from .pages import IndexPage, add_generated_page
from .state import BuildState, shared_state

SIGNUP_JS = "assets/tipsheet/signup.js"
SIGNUP_JS_SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "assets", "signup.js")


class DigestPage(IndexPage):
    """A digest's page: the period's tips with links to the neighbouring digests."""


class DigestsPlugin(BasePlugin[DigestsConfig]):
    def __init__(self) -> None:
        self._index: DigestIndex | None = None
        self._pages: list[IndexPage] = []
        self._list_url = ""
        self._notes = Notes()
        self._note_views: dict[str, NoteView] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Present so that ``mkdocs serve`` keeps this object; state is reset in ``on_config``."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self._index = None
        self._pages = []
        self._notes = Notes()
        self._note_views = {}
        if self.config.enabled:
            require_site_url(config, "tipsheet/digests")
            self._list_url = list_url(self.config, config)
            if self._list_url and SIGNUP_JS not in config.extra_javascript:
                config.extra_javascript.append(SIGNUP_JS)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return files
        state = shared_state(config, "tipsheet/digests")
        unknown = [t for t in self.config.tags if t not in state.settings.tags]
        if unknown:
            raise PluginError("tipsheet/digests: tags: " + "; ".join(
                f"expected a tag of the vocabulary, got {t!r} ({did_you_mean(t, state.settings.tags, 'tags')})"
                for t in unknown))
        schedule = schedule_from(self.config, state.settings.timezone)
        problem = schedule.check()
        if problem:
            raise PluginError(f"tipsheet/digests: {problem}")
        self._notes = load_notes(config.docs_dir, project_dir(config), self.config.notes_dir, schedule,
                                 state.settings.max_tip_bytes)
        if self._notes.errors:
            raise PluginError(str(ContentError(self._notes.errors, "editor's notes")))
        for src_uri in self._notes.sources:  # a note is part of its digest, never a page of its own
            note_file = files.get_file_from_path(src_uri)
            if note_file is not None:
                files.remove(note_file)
        self._index = DigestIndex(state.catalog, schedule, self.config.tags)
        self.add_moved(files, config, state)
        for spec in plan_archive(self._index, state.settings, self.config.tags, self.config.archive_page_size):
            page_class = DigestPage if spec.kind == DIGEST else IndexPage
            page = add_generated_page(files, config, spec, state.update_date, page_class)
            if page is not None:
                self._pages.append(page)
        state.extra_subscribe.append(Link("Read past digests in the archive", state.urls.page(Urls.digest_index())))
        if self._list_url:
            state.signup = SignupForm(self._list_url, tuple((k, t.title) for k, t in state.settings.tags.items()),
                                      self.config.signup.wording)
            files.append(File.generated(config, SIGNUP_JS, abs_src_path=SIGNUP_JS_SRC))
        return files

    def add_moved(self, files: Files, config: MkDocsConfig, state: BuildState) -> None:
        """A page at each calendar id that ``send_at`` replaced, forwarding to the digest that holds its tips."""
        assert self._index is not None
        template = make_env(state.template_dirs).get_template("redirect.html")  # as tipsheet import's redirects
        for tag in [None, *self.config.tags]:
            for old, new in self._index.moved(tag).items():
                dest = Urls.dest_uri(Urls.digest(old, tag))
                if files.get_file_from_path(dest) is not None:
                    continue
                target = state.urls.page(Urls.digest(new, tag))
                label = self._index.schedule.parse(new).label(state.settings.language)
                html = template.render(title=f"Digest of {label}", href=root_of(dest) + target,
                                       canonical=absolute(config.site_url or "", target),
                                       language=state.settings.language)
                files.append(File.generated(config, dest, content=html))

    def on_env(self, env: object, *, config: MkDocsConfig, files: Files) -> None:
        if not self.config.enabled or self._index is None:
            return
        state = shared_state(config, "tipsheet/digests")
        markdown = MarkdownRenderer(config.markdown_extensions, config.mdx_configs)
        self._note_views = render_notes(self._notes.by_period, markdown.html, state.urls,
                                        {t.src_uri: t.slug for t in state.catalog.all})
        self.fill_pages(state)
        self.check_emails(state)

    def fill_pages(self, state: BuildState) -> None:
        views = state.require_views()
        subscribe = state.email_link
        others = [(f"{state.settings.tags[t].title} digests", Urls.digest_index(t)) for t in self.config.tags]
        for page in self._pages:  # made when needed: by a forked worker, when one builds these pages
            spec = page.spec
            if spec.kind == DIGESTS:
                page.defer(partial(lambda s, u, o: str(digests_index(views, s, o, u, subscribe)), spec, page.url,
                                   others if spec.key is None else []))
            else:
                note = self._note_views.get(spec.entries[0].period.id)
                page.defer(partial(lambda s, u, n: str(digest_page(views, s, u, subscribe, n, state.voice)), spec,
                                   page.url, note))

    def check_emails(self, state: BuildState) -> None:
        """Render the site's digest emails; every one over the size limit is named in one error.

        A tag's digest holds a subset of the same period's tips, so it is at most
        a few bytes (the tag's name) larger than the site's; it is rendered only
        when the site's digest of that period comes within 2 KB of the limit.
        """
        assert self._index is not None
        renderer = DigestRenderer(state.settings, state.urls, state.summaries, self.mail_options(state))
        limit = self.config.max_kb * 1000
        problems = []
        near_limit: set[str] = set()
        for digest in self._index.all():
            if digest.tag is not None and digest.period.id not in near_limit:
                continue
            try:
                size = renderer.render(digest).html_bytes
            except DigestTooLarge as exc:
                problems.append(str(exc))
                size = limit
            if digest.tag is None and size > limit - 2000:
                near_limit.add(digest.period.id)
        if problems:
            raise PluginError("tipsheet/digests:\n" + "\n".join(f"  {p}" for p in problems))

    def mail_options(self, state: BuildState) -> MailOptions:
        return MailOptions(max_bytes=self.config.max_kb * 1000, postal_address=self.config.postal_address,
                           template_dirs=state.template_dirs, notes=self._note_views, voice=state.voice)
