"""``tipsheet/digests``: the digest archive on the site, and the digest emails checked at build time.

Each digest (a period's tips, for everyone or for one tag) gets a page, and
the digests index lists them newest first (:mod:`tipsheet.mail.archive`).
The emails themselves are sent by ``tipsheet send``; the build renders each
site digest anyway so that one too large for Gmail fails the build, naming it,
before anyone is mailed.
"""

from __future__ import annotations

import os
from functools import partial

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from ..content.problems import did_you_mean
from ..mail.archive import digest_page, digests_index, plan_archive
from ..mail.digests import DigestIndex
from ..mail.render import DigestRenderer, DigestTooLarge, MailOptions
from ..site.plan import DIGEST, DIGESTS
from ..site.urls import Urls
from ..site.views import Link, SignupForm
from .config import DigestsConfig, list_url, require_site_url
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

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Present so that ``mkdocs serve`` keeps this object; state is reset in ``on_config``."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self._index = None
        self._pages = []
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
        self._index = DigestIndex(state.catalog, self.config.period, self.config.tags)
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

    def on_env(self, env: object, *, config: MkDocsConfig, files: Files) -> None:
        if not self.config.enabled or self._index is None:
            return
        state = shared_state(config, "tipsheet/digests")
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
                page.defer(partial(lambda s, u: str(digest_page(views, s, u, subscribe)), spec, page.url))

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
                           template_dirs=state.template_dirs)
