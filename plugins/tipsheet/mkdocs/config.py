"""Configuration of the tipsheet MkDocs plugins, validated by MkDocs itself.

Config classes in the style of mkdocs-material's plugins: every option typed,
enumerations as ``Choice``, groups as ``SubConfig``, an ``enabled`` switch.
:func:`settings_from` turns the validated config into the core's
:class:`~tipsheet.model.Settings`, the only thing the core sees.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from mkdocs.config import config_options as c
from mkdocs.config.base import BaseConfigOption, Config, ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from ..content.fields import KEY
from ..content.model import Author, SeriesInfo, Settings, TagInfo
from ..content.problems import did_you_mean
from ..mail.schedule import WEEKDAYS, Schedule, parse_send_at
from ..site.urls import folder_address
from ..site.voice import CallToAction, Voice

DEFAULT_LABEL = "Find out more"  # a call to action's button without a label of its own


class TimeZone(c.Type[str]):
    """An IANA time zone name such as ``Europe/Amsterdam``; a typo gets a suggestion."""

    def __init__(self, default: str = "UTC") -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        name = super().run_validation(value)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            hint = did_you_mean(name, available_timezones()) or "e.g. Europe/Amsterdam"
            raise ValidationError(f"expected an IANA time zone, got {name!r} ({hint})") from None
        return name


class SendAtOption(c.Type[str]):
    """``send_at: tuesday 09:00`` (weekly) or ``day 1 09:00`` (monthly), in the site's time zone."""

    def __init__(self) -> None:
        super().__init__(str)

    def run_validation(self, value: object) -> str:
        text = super().run_validation(value)
        try:
            parse_send_at(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return text


class DayOption(BaseConfigOption[date | None]):
    """A calendar day, ``2026-11-30`` (YAML reads it as a date; a quoted one is text)."""

    def run_validation(self, value: object) -> date | None:
        if value is None:
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValidationError(f"expected a day as YYYY-MM-DD, got {value!r}")


class TagConfig(Config):
    title = c.Type(str)
    description = c.Type(str, default="")
    start_here = c.ListOfItems(c.Type(str), default=[])  # slugs of the tips to read first


class SeriesConfig(Config):
    title = c.Type(str)
    description = c.Type(str, default="")


class AuthorConfig(Config):
    name = c.Type(str)
    email = c.Optional(c.Type(str))
    url = c.Optional(c.Type(str))


class HomeConfig(Config):
    enabled = c.Type(bool, default=True)
    page = c.Type(str, default="index.md")
    count = c.Type(int, default=5)


class ActionConfig(Config):
    """A call to action: what the publisher offers after every tip and digest."""

    heading = c.Type(str)
    text = c.Type(str, default="")
    link = c.Type(str)
    label = c.Optional(c.Type(str))  # the button's words; default: "Find out more"


class CallToActionConfig(Config):
    """The site's call to action (none without a heading), and optionally one per tag."""

    heading = c.Optional(c.Type(str))
    text = c.Type(str, default="")
    link = c.Optional(c.Type(str))
    label = c.Optional(c.Type(str))
    tags = c.DictOfItems(c.SubConfig(ActionConfig), default={})  # a tag's own call to action


class DeployConfig(Config):
    """Where ``tipsheet publish`` puts the built site, and how it checks the site serves it."""

    to = c.Optional(c.Choice(("directory", "gh-pages", "command")))
    path = c.Optional(c.Type(str))  # directory: a symbolic link, switched atomically to each new release
    keep = c.Type(int, default=3)  # directory: releases kept, the live one included
    command = c.Optional(c.ListOfItems(c.Type(str)))  # command: run from the project folder, e.g. [netlify, deploy]
    timeout = c.Type(int, default=600)  # command, gh-pages: seconds before the deploy counts as failed
    verify_timeout = c.Type(int, default=10)  # seconds for one request to site_url
    verify_wait = c.Type(int, default=60)  # seconds to keep asking while a host publishes (GitHub Pages: 300)
class CommentsConfig(Config):
    """Isso under each tip: off until a site runs an Isso server and names it here."""

    enabled = c.Type(bool, default=False)
    url = c.Optional(c.Type(str))  # the Isso server's public address, e.g. https://comments.example.org/
    load = c.Choice(("scroll", "click"), default="scroll")  # when the widget loads: near the end, or on a click


class TipsConfig(Config):
    enabled = c.Type(bool, default=True)
    tips_dir = c.Type(str, default="tips")
    timezone = TimeZone()
    tags = c.DictOfItems(c.SubConfig(TagConfig))
    authors = c.DictOfItems(c.SubConfig(AuthorConfig), default={})
    default_author = c.Optional(c.Type(str))
    series = c.DictOfItems(c.SubConfig(SeriesConfig), default={})
    page_size = c.Type(int, default=10)
    related = c.Type(int, default=3)
    words_per_minute = c.Type(int, default=200)
    publish_day = c.Choice((*WEEKDAYS, "any"), default="tuesday")
    home = c.SubConfig(HomeConfig)
    subscribe_page = c.Type(str, default="subscribe.md")
    preview_on_serve = c.Type(bool, default=True)
    templates = c.Optional(c.Type(str))
    max_tip_kb = c.Type(int, default=1000)
    cache_theme_fragments = c.Type(bool, default=True)
    reuse_markdown = c.Type(bool, default=True)
    parallel = c.Type(bool, default=True)
    reuse_on_serve = c.Type(bool, default=True)
    redirects = c.Optional(c.Type(str))  # the redirects file `tipsheet import` writes (see mkdocs/redirects.py)
    call_to_action = c.SubConfig(CallToActionConfig)  # closes every tip page and every digest
    deploy = c.SubConfig(DeployConfig)  # tipsheet publish
    comments = c.SubConfig(CommentsConfig)


class FeedsConfig(Config):
    enabled = c.Type(bool, default=True)
    limit = c.Type(int, default=20)
    content = c.Choice(("full", "summary"), default="full")
    per_tag = c.Type(bool, default=True)
    per_series = c.Type(bool, default=True)
    json = c.Type(bool, default=True)


class SearchConfig(Config):
    enabled = c.Type(bool, default=True)
    header = c.Type(bool, default=True)  # the search box in Material's header (else only the /search/ page)
    on_serve = c.Type(bool, default=True)  # index on every `mkdocs serve` rebuild too


class SmtpConfig(Config):
    host = c.Type(str, default="localhost")
    port = c.Optional(c.Type(int))
    security = c.Choice(("none", "starttls", "tls"), default="starttls")
    user = c.Optional(c.Type(str))
    timeout = c.Type(int, default=30)


class ImapConfig(Config):
    host = c.Optional(c.Type(str))
    port = c.Optional(c.Type(int))
    security = c.Choice(("none", "starttls", "tls"), default="tls")
    user = c.Optional(c.Type(str))
    folder = c.Type(str, default="INBOX")
    processed_folder = c.Type(str, default="tipsheet-processed")


class SignupConfig(Config):
    """The sign-up form on the site and the list service it posts to (``tipsheet list-server``)."""

    list_url = c.Optional(c.Type(str))  # the service's public address, e.g. https://tips.example.org/list/
    colour = c.Type(str, default="#00574d")  # the service's pages
    wording = c.Type(str, default="1")  # the version of the form's consent wording, kept with each sign-up
    per_client_hourly = c.Type(int, default=5)
    global_hourly = c.Type(int, default=300)
    confirm_hours = c.Type(int, default=72)
    pending_days = c.Type(int, default=7)
    require_form_token = c.Type(bool, default=False)
    allowed_origins = c.ListOfItems(c.Type(str), default=[])  # besides site_url's own origin
    trusted_proxies = c.ListOfItems(c.Type(str), default=["127.0.0.1", "::1"])


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
    rate = c.Type((int, float), default=40.0)  # messages a second over all connections; 0: no limit
    retries = c.Type(int, default=3)
    retry_delay = c.Type((int, float), default=2.0)
    connections = c.Type(int, default=8)  # SMTP connections at once
    stop_after = c.Type(int, default=5)  # consecutive failures of one kind that stop a send; 0: never
    bounce_address = c.Optional(c.Type(str))  # envelope sender, as bounces+<token>@domain (VERP)
    verp = c.Type(bool, default=True)
    smtp = c.SubConfig(SmtpConfig)
    imap = c.SubConfig(ImapConfig)
    signup = c.SubConfig(SignupConfig)
    send_at = c.Optional(SendAtOption())  # 'tuesday 09:00': digests named by their day, due at that time
    scheduled_from = DayOption()  # with send_at: periods starting before this day keep their calendar ids
    notes_dir = c.Type(str, default="digests")  # editor's notes: <docs_dir>/<notes_dir>/<period>.md


def require_site_url(config: MkDocsConfig, who: str) -> str:
    url = config.site_url or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        got = repr(url) if url else "nothing"
        raise PluginError(f"{who}: site_url: expected the site's public address, like https://tips.example.org/, "
                          f"got {got} (set site_url in mkdocs.yml: feeds and emails need absolute links)")
    return url


def list_url(digests: DigestsConfig, mkdocs_config: MkDocsConfig) -> str:
    """The list service's public address, ending in '/', or '' when the site has no sign-up form."""
    url = digests.signup.list_url or ""
    if not url:
        return ""
    folder = folder_address(url)
    if folder is None:
        raise PluginError(f"tipsheet/digests: signup: list_url: expected the list service's public address, like "
                          f"https://tips.example.org/list/, got {url!r}")
    return folder


def check_keys(config: TipsConfig) -> list[str]:
    """Problems with the vocabulary itself: keys that cannot be URLs, a default author not defined."""
    problems = []
    for group in ("tags", "series", "authors"):
        for key in config[group]:
            if not KEY.match(key):
                problems.append(f"{group}: {key!r}: expected lowercase letters, digits and hyphens "
                                f"(it becomes part of a URL), got {key!r}")
    if not config.tags:
        problems.append("tags: expected at least one tag with a title, got none")
    for name, size in (("page_size", config.page_size), ("words_per_minute", config.words_per_minute)):
        if size < 1:
            problems.append(f"{name}: expected a number of 1 or more, got {size}")
    problems += _action_problems(config.call_to_action, config.tags)
    if config.comments.enabled:
        url = config.comments.url or ""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            got = repr(url) if url else "nothing"
            problems.append(f"comments: url: expected the address of your Isso server, like "
                            f"https://comments.example.org/, got {got}")
    default = config.default_author
    if default and config.authors and default not in config.authors:
        problems.append(f"default_author: expected one of the authors, got {default!r} "
                        f"({did_you_mean(default, config.authors, 'authors')})")
    return problems


def _action_problems(config: CallToActionConfig, vocabulary: dict[str, Any]) -> list[str]:
    problems = [f"call_to_action: tags: expected a tag of the vocabulary, got {tag!r} "
                f"({did_you_mean(tag, vocabulary, 'tags')})" for tag in config.tags if tag not in vocabulary]
    entries: list[tuple[str, Any]] = [("call_to_action", config)] if config.heading or config.link else []
    entries += [(f"call_to_action: tags: {tag}", entry) for tag, entry in config.tags.items()]
    for where, entry in entries:
        if not entry.heading:
            problems.append(f"{where}: heading: expected the words of the call to action, got nothing")
        link = entry.link or ""
        if urlsplit(link).scheme not in ("http", "https", "mailto") or not (urlsplit(link).netloc or
                                                                          link.startswith("mailto:")):
            problems.append(f"{where}: link: expected an absolute address (https://... or mailto:...), got "
                            f"{link!r} (it goes into emails, where a relative link leads nowhere)")
    return problems


def voice_from(config: TipsConfig) -> Voice:
    """The call to action of the site and of each tag, as the core sees it (checked by :func:`check_keys`)."""

    def action(entry: Any) -> CallToAction:
        return CallToAction(entry.heading, entry.text or "", entry.link, entry.label or DEFAULT_LABEL)

    cta = config.call_to_action
    return Voice(action(cta) if cta.heading and cta.link else None,
                 {tag: action(entry) for tag, entry in cta.tags.items() if entry.heading and entry.link})


def schedule_from(config: DigestsConfig, timezone: ZoneInfo) -> Schedule:
    """The digest calendar of the site: ``period``, then ``send_at`` from ``scheduled_from``."""
    send_at = parse_send_at(config.send_at) if config.send_at else None
    return Schedule(timezone, config.period, send_at, config.scheduled_from)


def settings_from(config: TipsConfig, mkdocs_config: MkDocsConfig) -> Settings:
    tags = {k: TagInfo(k, v.title, v.description, tuple(v.start_here)) for k, v in config.tags.items()}
    series = {k: SeriesInfo(k, v.title, v.description) for k, v in config.series.items()}
    authors = {k: Author(k, v.name, v.email, v.url) for k, v in config.authors.items()}
    site_author = mkdocs_config.site_author or mkdocs_config.site_name
    default = config.default_author or next(iter(authors), "")
    if not default:
        default = "site"
        authors = {"site": Author("site", site_author)}
    theme_language: Any = mkdocs_config.theme.get("language") or "en"
    return Settings(
        site_name=mkdocs_config.site_name,
        site_url=mkdocs_config.site_url or None,
        site_description=mkdocs_config.site_description or "",
        language=str(theme_language),
        timezone=ZoneInfo(config.timezone),
        tags=tags,
        authors=authors,
        default_author=default,
        series=series,
        tips_dir=config.tips_dir.strip("/"),
        use_directory_urls=mkdocs_config.use_directory_urls,
        page_size=config.page_size,
        home_count=config.home.count,
        related_count=config.related,
        words_per_minute=config.words_per_minute,
        max_tip_bytes=config.max_tip_kb * 1000,
        publish_weekday=None if config.publish_day == "any" else WEEKDAYS.index(config.publish_day),
    )


def project_dir(mkdocs_config: MkDocsConfig) -> str:
    path = mkdocs_config.config_file_path
    return os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
