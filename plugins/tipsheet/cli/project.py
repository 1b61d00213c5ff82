"""The site as the commands that render tips see it: mkdocs.yml validated, tips read once.

Commands work from any folder inside the project: ``mkdocs.yml`` is looked
for upwards.  The site's settings are validated by MkDocs' own config class
and tipsheet's plugin options by the adapter's config classes
(:mod:`tipsheet.mkdocs.config`), without loading any plugin or hook and
without MkDocs' build machinery; tips are read by the same loader as the
build, and left out or marked as draft by ``exclude_docs``/``draft_docs``
as the build does, so every message and every digest is the build's.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from email.headerregistry import Address
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import pathspec
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, PluginError

from ..audience.delivery import Addressing
from ..audience.store import Store
from ..audience.tokens import Signer
from ..content.catalog import Catalog, catalog_of, publishable
from ..content.clock import ClockError
from ..content.loader import Loaded, load_tips
from ..content.model import Settings, Tip
from ..content.problems import ContentError
from ..mail.digests import DigestIndex
from ..mail.mime import Envelope, address
from ..mail.notes import Notes, NoteView, load_notes, render_notes
from ..mail.render import DigestRenderer, MailOptions
from ..mail.schedule import Schedule
from ..mkdocs.config import DigestsConfig, TipsConfig, check_keys, list_url, schedule_from, settings_from, voice_from
from ..site.excerpts import excerpt_text
from ..site.markdown import MarkdownRenderer
from ..site.urls import Urls, absolute
from ..site.voice import Voice
from .common import CliError, config_path, database_path, open_store, rel, signer
from .siteconfig import plugin_options

# MkDocs leaves these out of every site whatever exclude_docs says (mkdocs.structure.files).
DEFAULT_EXCLUDE = pathspec.GitIgnoreSpec.from_lines([".*", "/templates/"])


def _problems(where: str, errors: list[tuple[str, Exception]]) -> str:
    return "; ".join(f"{where}{name}: {error}" for name, error in errors)


def validated(config: Config, options: dict[str, Any], where: str) -> list[str]:
    """Load ``options`` into ``config`` and validate; the warnings, or CliError naming every error."""
    try:
        config.load_dict(options)
    except ConfigurationError as exc:
        raise CliError(f"{where}{exc}", 2) from None
    errors, warnings = config.validate()
    if errors:
        raise CliError(_problems(where, errors), 2)
    return [f"{where}{name}: {warning}" for name, warning in warnings]


def load_site(path: str) -> tuple[MkDocsConfig, dict[str, Config | None], list[str]]:
    """MkDocs' settings and tipsheet's plugin options, validated; MkDocs' plugins and hooks are not loaded."""
    rel = os.path.relpath(path)
    mkdocs_config = MkDocsConfig(config_file_path=path)
    try:
        with open(path, "rb") as handle:
            mkdocs_config.load_file(handle)
    except (OSError, ConfigurationError) as exc:
        raise CliError(f"{rel}: {exc}", 2) from None
    raw_plugins = {"plugins": mkdocs_config.get("plugins")}
    warnings = validated(mkdocs_config, {"plugins": [], "hooks": []}, f"{rel}: ")
    configs: dict[str, Config | None] = {}
    for name, schema in (("tipsheet/tips", TipsConfig), ("tipsheet/digests", DigestsConfig)):
        options = plugin_options(raw_plugins, name)
        if options is None:
            configs[name] = None
            continue
        plugin_config = schema(config_file_path=path)
        warnings += validated(plugin_config, options, f"{rel}: {name}: ")
        configs[name] = plugin_config
    return mkdocs_config, configs, warnings


@dataclass
class Project:
    config_file: str
    mkdocs: MkDocsConfig
    tips_config: TipsConfig
    digests_config: DigestsConfig | None
    _loaded: Loaded | None = field(default=None, repr=False)

    @property
    def root(self) -> str:
        return os.path.dirname(self.config_file)

    @cached_property
    def settings(self) -> Settings:
        return settings_from(self.tips_config, self.mkdocs)

    @cached_property
    def urls(self) -> Urls:
        return Urls(self.mkdocs.use_directory_urls)

    def path(self, relative: str) -> str:
        return os.path.join(self.root, relative)

    def load(self) -> Loaded:
        if self._loaded is None:
            self._loaded = load_tips(self.mkdocs.docs_dir, self.root, self.settings)
        return self._loaded

    def tips(self) -> list[Tip]:
        """The tips the site publishes: less ``exclude_docs``, with ``draft_docs`` as drafts (as MkDocs does)."""
        exclude = self.mkdocs.exclude_docs
        excluded = DEFAULT_EXCLUDE + exclude if exclude else DEFAULT_EXCLUDE
        drafts = self.mkdocs.draft_docs
        return publishable(self.load().tips, lambda uri: bool(excluded.match_file(uri)),
                           lambda uri: bool(drafts and drafts.match_file(uri)))

    def catalog(self) -> Catalog:
        """The published tips; content errors stop here, listed as the build lists them."""
        try:
            return catalog_of(self.load(), self.settings, tips=self.tips())
        except (ContentError, ClockError) as exc:
            raise CliError(str(exc)) from None

    # -- digests -------------------------------------------------------------
    def digests(self) -> DigestsConfig:
        if self.digests_config is None or not self.digests_config.enabled:
            raise CliError(f"{self.rel(self.config_file)}: plugins: expected 'tipsheet/digests', got none "
                           "(add it under plugins: to make digests)", 2)
        return self.digests_config

    def schedule(self) -> Schedule:
        """The digest calendar (``period``, ``send_at``, ``scheduled_from``), checked."""
        schedule = schedule_from(self.digests(), self.settings.timezone)
        problem = schedule.check()
        if problem:
            raise CliError(f"{self.rel(self.config_file)}: tipsheet/digests: {problem}", 2)
        return schedule

    def digest_index(self, catalog: Catalog) -> DigestIndex:
        return DigestIndex(catalog, self.schedule(), self.digests().tags)

    def notes(self) -> Notes:
        """The editor's notes (``content/digests/<period>.md``); errors stop here, as in the build."""
        notes = load_notes(self.mkdocs.docs_dir, self.root, self.digests().notes_dir, self.schedule(),
                           self.settings.max_tip_bytes)
        if notes.errors:
            raise CliError(str(ContentError(notes.errors, "editor's notes")))
        return notes

    def note_views(self) -> dict[str, NoteView]:
        return render_notes(self.notes().by_period, self.markdown.html, self.urls,
                            {t.src_uri: t.slug for t in self.tips()})

    def voice(self) -> Voice:
        """The call to action of the site and its tags (checked as the build checks it)."""
        problems = [p for p in check_keys(self.tips_config) if p.startswith("call_to_action")]
        if problems:
            raise CliError(f"{self.rel(self.config_file)}: tipsheet/tips: " + "; ".join(problems), 2)
        return voice_from(self.tips_config)

    @cached_property
    def markdown(self) -> MarkdownRenderer:
        return MarkdownRenderer(self.mkdocs.markdown_extensions, self.mkdocs.mdx_configs)

    def summary(self, tip: Tip) -> str:
        return tip.summary or excerpt_text(self.markdown.html(tip.body))

    def template_dirs(self) -> list[str]:
        return [self.path(self.tips_config.templates)] if self.tips_config.templates else []

    def digest_renderer(self) -> DigestRenderer:
        config = self.digests()
        return DigestRenderer(self.settings, self.urls, self.summary,
                              MailOptions(config.max_kb * 1000, config.postal_address, self.template_dirs(),
                                          preferences=bool(self.list_url), notes=self.note_views(),
                                          voice=self.voice()))

    @property
    def host(self) -> str:
        return urlsplit(self.mkdocs.site_url or "").hostname or "localhost"

    def envelope(self) -> Envelope:
        config = self.digests()
        try:
            if config.from_address:
                sender = address(config.from_address)
            else:  # built, not parsed: a site name may hold a comma or quotes
                sender = Address(display_name=self.settings.site_name, username="digest", domain=self.host)
            reply_to = address(config.reply_to) if config.reply_to else None
        except ValueError as exc:
            raise CliError(f"{self.rel(self.config_file)}: tipsheet/digests: from_address: {exc}", 2) from None
        return Envelope(sender, self.settings.site_name, config.list_id or f"digest.{self.host}",
                        config.unsubscribe_mailto, reply_to)

    @property
    def list_url(self) -> str:
        """The list service's public address ('' when the site has none)."""
        try:
            return list_url(self.digests(), self.mkdocs)
        except PluginError as exc:
            raise CliError(f"{self.rel(self.config_file)}: {exc}", 2) from None

    def preferences_url(self, token: str) -> str:
        return f"{self.list_url}preferences?token={token}"

    def unsubscribe_url(self, token: str) -> str:
        default = f"{self.list_url}unsubscribe?token={{token}}" if self.list_url else \
            absolute(self.mkdocs.site_url or "", "unsubscribe/?token={token}")
        template = self.digests().unsubscribe_url or default
        if "{token}" not in template:
            raise CliError(f"{self.rel(self.config_file)}: tipsheet/digests: unsubscribe_url: expected a URL with "
                           f"{{token}} in it, got {template!r}", 2)
        return template.replace("{token}", token)

    def addressing(self) -> Addressing:
        """The envelope sender (VERP unless ``verp: false``), the unsubscribe link and the Feedback-ID."""
        config = self.digests()
        self.unsubscribe_url("check")
        bounce = config.bounce_address or self.envelope().sender.addr_spec
        if "@" not in bounce or any(c in bounce for c in " <>\r\n"):
            raise CliError(f"{self.rel(self.config_file)}: tipsheet/digests: bounce_address: expected an address like "
                           f"bounces@example.org, got {bounce!r}", 2)
        list_id = self.envelope().list_id.replace(":", "-")
        return Addressing(self.unsubscribe_url, bounce if config.verp else None,
                          feedback_id=f"{{digest}}:{list_id}:digest:{self.host}",
                          preferences_url=self.preferences_url if self.list_url else None)

    # -- subscribers and delivery -----------------------------------------------
    def db_path(self) -> str:
        """TIPSHEET_DB, else digests: database: (default tipsheet.db beside mkdocs.yml)."""
        configured = self.digests_config.database if self.digests_config is not None else "tipsheet.db"
        return database_path(self.path(configured))

    def store(self) -> Store:
        return open_store(self.db_path())

    @staticmethod
    def signer() -> Signer:
        return signer()

    @staticmethod
    def rel(path: str) -> str:
        return rel(path)


def open_project(config_file: str | None = None) -> Project:
    path = config_path(config_file)
    mkdocs_config, configs, warnings = load_site(path)
    for warning in warnings:
        print(f"WARNING - {warning}", file=sys.stderr)
    tips = configs["tipsheet/tips"]
    if not isinstance(tips, TipsConfig) or not tips.enabled:
        raise CliError(f"{os.path.relpath(path)}: plugins: expected 'tipsheet/tips', got none", 2)
    digests = configs["tipsheet/digests"]
    return Project(path, mkdocs_config, tips, digests if isinstance(digests, DigestsConfig) else None)
