"""The site as the command line sees it: mkdocs.yml found and validated, tips read once.

Commands work from any folder inside the project: ``mkdocs.yml`` is looked
for upwards.  The configuration is validated by MkDocs itself (the same
plugin config classes as the build), and tips are read by the same loader,
so every message is the build's message.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass, field
from email.headerregistry import Address
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError

from ..catalog import Catalog, catalog_of
from ..clock import ClockError
from ..digest_mail import DigestRenderer, MailOptions
from ..digests import DigestIndex
from ..excerpts import excerpt_text
from ..loader import Loaded, load_tips
from ..mime import Envelope, address
from ..mkdocs.config import TipsConfig, settings_from
from ..mkdocs.digests import DigestsConfig
from ..model import Settings, Tip
from ..problems import ContentError
from ..render import MarkdownRenderer
from ..subscribers import Store
from ..tokens import Signer, TokenError
from ..urls import Urls, absolute

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


class CliError(Exception):
    """One line for the user, and the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def find_config(start: str | None = None) -> str:
    folder = os.path.abspath(start or os.getcwd())
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            raise CliError("mkdocs.yml: expected it in this folder or one above, got none "
                           "(run this inside a tipsheet project, or pass -f path/to/mkdocs.yml)", 2)
        folder = parent


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _plugin_config(config: MkDocsConfig, name: str) -> Any:
    plugin = config.plugins.get(name)
    return plugin.config if plugin is not None else None


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

    def catalog(self) -> Catalog:
        """The published tips; content errors stop here, listed as the build lists them."""
        try:
            return catalog_of(self.load(), self.settings)
        except (ContentError, ClockError) as exc:
            raise CliError(str(exc)) from None

    # -- digests -------------------------------------------------------------
    def digests(self) -> DigestsConfig:
        if self.digests_config is None or not self.digests_config.enabled:
            raise CliError(f"{self.rel(self.config_file)}: plugins: expected 'tipsheet/digests', got none "
                           "(add it under plugins: to make digests)", 2)
        return self.digests_config

    def digest_index(self, catalog: Catalog) -> DigestIndex:
        config = self.digests()
        return DigestIndex(catalog, config.period, config.tags)

    @cached_property
    def markdown(self) -> MarkdownRenderer:
        return MarkdownRenderer(self.mkdocs.markdown_extensions, self.mkdocs.mdx_configs)

    def summary(self, tip: Tip) -> str:
        return tip.summary or excerpt_text(self.markdown.html(tip.body))

    def digest_renderer(self) -> DigestRenderer:
        config = self.digests()
        dirs = [self.path(self.tips_config.templates)] if self.tips_config.templates else []
        return DigestRenderer(self.settings, self.urls, self.summary,
                              MailOptions(config.max_kb * 1000, config.postal_address, dirs))

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

    def unsubscribe_url(self, token: str) -> str:
        default = absolute(self.mkdocs.site_url or "", "unsubscribe/?token={token}")
        template = self.digests().unsubscribe_url or default
        if "{token}" not in template:
            raise CliError(f"{self.rel(self.config_file)}: tipsheet/digests: unsubscribe_url: expected a URL with "
                           f"{{token}} in it, got {template!r}", 2)
        return template.replace("{token}", token)

    # -- subscribers and delivery -----------------------------------------------
    def db_path(self) -> str:
        """TIPSHEET_DB, else digests: database: (default tipsheet.db beside mkdocs.yml)."""
        configured = self.digests_config.database if self.digests_config is not None else "tipsheet.db"
        return os.environ.get("TIPSHEET_DB") or self.path(configured)

    def store(self) -> Store:
        try:
            return Store(self.db_path())
        except sqlite3.Error as exc:
            raise CliError(f"{self.rel(self.db_path())}: expected a tipsheet database, got {exc}") from None

    @staticmethod
    def signer() -> Signer:
        try:
            return Signer(os.environ.get("TIPSHEET_SECRET", ""))
        except TokenError as exc:
            raise CliError(str(exc), 2) from None

    def rel(self, path: str) -> str:
        return os.path.relpath(path, os.getcwd())


def open_project(config_file: str | None = None) -> Project:
    path = os.path.abspath(config_file) if config_file else find_config()
    if not os.path.isfile(path):
        raise CliError(f"{path}: expected a mkdocs.yml file, got nothing there", 2)
    errors = _Errors()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(errors)
    try:
        config = load_config(path)
    except (ConfigurationError, SystemExit) as exc:
        detail = "; ".join(errors.lines) or str(exc)
        raise CliError(f"{os.path.relpath(path)}: {detail}", 2) from None
    finally:
        logger.removeHandler(errors)
    tips = _plugin_config(config, "tipsheet/tips")
    if tips is None or not tips.enabled:
        raise CliError(f"{os.path.relpath(path)}: plugins: expected 'tipsheet/tips', got none", 2)
    return Project(path, config, tips, _plugin_config(config, "tipsheet/digests"))
