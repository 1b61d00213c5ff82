"""``tipsheet/digests``: the digest archive on the site, and every digest email checked at build time.

Each digest (a period's tips, for everyone or for one tag) gets a page, and
the digests index lists them newest first.  The emails themselves are sent by
``tipsheet send``; the build renders each one anyway so that a digest too
large for Gmail fails the build, naming it, before anyone is mailed.
"""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files

from ..digest_mail import DigestRenderer, DigestTooLarge, MailOptions
from ..digests import DigestIndex
from ..pages import PageSpec
from ..problems import did_you_mean
from ..urls import Urls
from ..views import Link
from .feeds import require_site_url
from .pages import IndexPage, add_generated_page
from .state import BuildState, shared_state


class SmtpConfig(Config):
    host = c.Type(str, default="localhost")
    port = c.Optional(c.Type(int))
    security = c.Choice(("none", "starttls", "tls"), default="starttls")
    user = c.Optional(c.Type(str))
    timeout = c.Type(int, default=30)


class DigestsConfig(Config):
    enabled = c.Type(bool, default=True)
    period = c.Choice(("weekly", "monthly"), default="weekly")
    tags = c.ListOfItems(c.Type(str), default=[])
    from_address = c.Optional(c.Type(str))
    reply_to = c.Optional(c.Type(str))
    list_id = c.Optional(c.Type(str))
    unsubscribe_url = c.Optional(c.Type(str))
    unsubscribe_mailto = c.Optional(c.Type(str))
    postal_address = c.Type(str, default="")
    max_kb = c.Type(int, default=90)
    archive_page_size = c.Type(int, default=50)  # digests per page of the digest archive (one line each)
    database = c.Type(str, default="tipsheet.db")
    rate = c.Type((int, float), default=20.0)
    retries = c.Type(int, default=3)
    retry_delay = c.Type((int, float), default=2.0)
    smtp = c.SubConfig(SmtpConfig)


class DigestPage(IndexPage):
    """A digest's page: the period's tips with links to the neighbouring digests."""


class DigestsPlugin(BasePlugin[DigestsConfig]):
    def __init__(self) -> None:
        self._index: DigestIndex | None = None
        self._pages: list[IndexPage] = []

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Present so that ``mkdocs serve`` keeps this object; state is reset in ``on_config``."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self._index = None
        self._pages = []
        if self.config.enabled:
            require_site_url(config, "tipsheet/digests")
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
        index = DigestIndex(state.catalog, self.config.period, self.config.tags)
        self._index = index
        size = max(1, self.config.archive_page_size)
        for tag in [None, *self.config.tags]:
            digests = index.sequence(tag)
            title = "Digest archive" if tag is None else f"{state.settings.tags[tag].title} digests"
            chunks = [tuple(digests[i:i + size]) for i in range(0, len(digests), size)] or [()]
            specs = [PageSpec("digests", Urls.paged(Urls.digest_index(tag), n), title, (), tag, n, len(chunks),
                              Urls.digest_index(tag), entries=chunk) for n, chunk in enumerate(chunks, start=1)]
            # entries: the digest, then its newer and older neighbours (found here, once, in order)
            specs += [PageSpec("digest", d.folder, d.period.label(state.settings.language), d.tips, d.id,
                               entries=(d, digests[i - 1] if i else None,
                                        digests[i + 1] if i + 1 < len(digests) else None))
                      for i, d in enumerate(digests)]
            for spec in specs:
                page_class = DigestPage if spec.kind == "digest" else IndexPage
                page = add_generated_page(files, config, spec, state.update_date, page_class)
                if page is not None:
                    self._pages.append(page)
        state.extra_subscribe.append(Link("Read past digests in the archive", state.urls.page(Urls.digest_index())))
        return files

    def on_env(self, env: object, *, config: MkDocsConfig, files: Files) -> None:
        if not self.config.enabled or self._index is None:
            return
        state = shared_state(config, "tipsheet/digests")
        self.fill_pages(state)
        self.check_emails(state, config)

    def fill_pages(self, state: BuildState) -> None:
        views = state.require_views()
        subscribe = state.email_link
        others = [(f"{state.settings.tags[t].title} digests", Urls.digest_index(t)) for t in self.config.tags]
        for page in self._pages:
            spec = page.spec
            if spec.kind == "digests":
                page.content = str(views.digests_index(spec, others if spec.key is None else [], page.url, subscribe))
                continue
            digest, newer, older = spec.entries
            page.content = str(views.digest_page(spec, digest, newer, older, page.url, subscribe))

    def check_emails(self, state: BuildState, config: MkDocsConfig) -> None:
        """Render every digest email once; every one over the size limit is named in one error.

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

