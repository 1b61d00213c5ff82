"""The list service put together from a site's config: settings, the outbox and its relay, for both ways to run it.

``tipsheet list-server`` (waitress, for local use) and ``tipsheet.cli.wsgi:application`` (any WSGI server)
both build the service here, from mkdocs.yml validated by the adapter's config classes and from the same
environment as ``tipsheet send`` (TIPSHEET_DB, TIPSHEET_SECRET, TIPSHEET_SECRET_OLD, TIPSHEET_SMTP_*).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

from ..audience.outbox import ListMail, Outbox
from ..audience.service import ListService, ServiceSettings
from ..audience.signup import Limits, Signups
from ..audience.smtp import DeliveryError, SmtpTransport, smtp_settings
from ..audience.store import Store
from ..site.urls import folder_address
from .common import CliError, open_store
from .project import Project


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def make_service(project: Project, environ: Mapping[str, str], list_url: str = "",
                 origins: tuple[str, ...] = ()) -> tuple[ListService, Outbox]:
    """The service and its outbox; CliError (one line) when the database, the secret or the relay is missing."""
    config = project.digests()
    signup = config.signup
    if list_url:
        folder = folder_address(list_url)
        if folder is None:
            raise CliError(f"--list-url: expected the list service's public address, like "
                           f"https://tips.example.org/list/, got {list_url!r}", 2)
        list_url = folder
    list_url = list_url or project.list_url
    if not list_url:
        raise CliError(f"{project.rel(project.config_file)}: tipsheet/digests: signup: list_url: expected the list "
                       "service's public address, like https://tips.example.org/list/, got nothing (the links in its "
                       "mails need it)", 2)
    open_store(project.db_path()).close()  # the list must be there: never an empty one
    signer = project.signer()
    try:
        smtp = smtp_settings(dict(config.smtp), environ)
    except DeliveryError as exc:
        raise CliError(str(exc), 2) from None
    tags = {key: info.title for key, info in project.settings.tags.items()}
    limits = Limits(per_client_hourly=signup.per_client_hourly, global_hourly=signup.global_hourly,
                    confirm_hours=signup.confirm_hours, pending_days=signup.pending_days,
                    require_form_token=signup.require_form_token)
    site_url = project.mkdocs.site_url or ""
    origins = tuple(dict.fromkeys(o for o in (origin(site_url), *signup.allowed_origins, *origins) if o))
    dirs = tuple(project.template_dirs())
    settings = ServiceSettings(project.db_path(), project.settings.site_name, site_url, list_url, tags, limits,
                               signup.colour, signup.wording, origins, tuple(signup.trusted_proxies), dirs)
    envelope = project.envelope()
    mail = ListMail(project.settings.site_name, site_url, list_url, envelope.sender, project.settings.language,
                    signup.confirm_hours, dirs)

    def signups(store: Store) -> Signups:
        return Signups(store, signer, tags, limits)

    outbox = Outbox(project.db_path(), signups, mail, lambda: SmtpTransport(smtp),
                    config.bounce_address or envelope.sender.addr_spec)
    return ListService(settings, signer, outbox), outbox


class _Stderr(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (a server may replace it after we start)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            self.handleError(record)


def log_to_stderr() -> None:
    """The service's own lines (limits tripped, mail given up) go to stderr, which a WSGI server keeps."""
    logger = logging.getLogger("tipsheet.list")
    if not logger.handlers:
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(asctime)s tipsheet list %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)

