"""The list service for any WSGI server: ``gunicorn 'tipsheet.cli.wsgi:application'``.

Settings come from the site's mkdocs.yml (``TIPSHEET_CONFIG``, else the one in the working folder or
above) and the environment (TIPSHEET_DB, TIPSHEET_SECRET, TIPSHEET_SECRET_OLD, TIPSHEET_SMTP_*).
The service is made at the first request of each worker process, so that each worker has its own
thread sending the list's mail; if it cannot be made (no database, no secret), every request gets a
503 and the reason goes to the server's log, and nobody is told anything happened.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from .common import CliError

_lock = threading.Lock()
_app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]] | None = None


def _load() -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    from .listservice import log_to_stderr, make_service
    from .project import open_project

    log_to_stderr()
    try:
        service, outbox = make_service(open_project(os.environ.get("TIPSHEET_CONFIG") or None), os.environ)
    except CliError as exc:
        reason = str(exc)
        logging.getLogger("tipsheet.list").error(f"the list service cannot start: {reason}")

        def unavailable(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            body = b"The list cannot be reached just now: nothing was changed. Please try again later.\n"
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Retry-After", "3600"), ("X-Robots-Tag", "noindex")])
            return [body]

        return unavailable
    outbox.start()
    return service


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    global _app
    if _app is None:
        with _lock:
            if _app is None:
                _app = _load()
    return _app(environ, start_response)
