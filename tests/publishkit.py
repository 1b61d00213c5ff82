"""Shared by the tests of ``tipsheet publish`` and ``tipsheet status``: a site on a schedule, served over HTTP.

``serve(folder)`` serves a folder on 127.0.0.1 with Python's own web server, going through the folder's
path on every request (so a symbolic link switched by a deploy is followed at once, as nginx does).
``scheduled_site`` writes a project whose ``site_url`` is that server, with digests sent every Tuesday
at 09:00 (Amsterdam) and deployed to ``www/`` beside it, and the environment ``tipsheet send`` reads.
"""

from __future__ import annotations

import http.server
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from listkit import SECRET
from sitekit import write_project
from tipsheet.cli import main

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # sitekit's time zone


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path, port: int = 0) -> Iterator[int]:
    """An HTTP server on 127.0.0.1 for ``folder`` (which may not exist yet); yields its port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def get(url: str) -> tuple[int, str]:
    """(status, body) of one GET; 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except urllib.error.URLError:
        return 0, ""


def epoch(local: str) -> str:
    """SOURCE_DATE_EPOCH for a wall-clock time in Amsterdam, e.g. '2026-11-24 10:00'."""
    return str(int(datetime.fromisoformat(local).replace(tzinfo=AMSTERDAM).timestamp()))


def scheduled_site(root: Path, port: int, files: Mapping[str, str], monkeypatch: pytest.MonkeyPatch,
                   deploy: Mapping[str, Any] | None = None, **config: Any) -> Path:
    """A project with a list (created), digests every Tuesday 09:00, deployed to root/www, served at ``port``."""
    digests = {"retry_delay": 0.01, "rate": 0, "connections": 2, "bounce_address": "bounces@tips.example.org",
               "send_at": "tuesday 09:00", **config.pop("digests", {})}
    tips = {"deploy": {"to": "directory", "path": "www", "verify_wait": 0, "verify_timeout": 5, **(deploy or {})},
            **config.pop("tips", {})}
    write_project(root, files, site_url=f"http://127.0.0.1:{port}/", digests=digests, tips=tips, **config)
    monkeypatch.chdir(root)
    monkeypatch.setenv("TIPSHEET_SECRET", SECRET)
    monkeypatch.setenv("TIPSHEET_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TIPSHEET_SMTP_SECURITY", "none")
    for name in ("TIPSHEET_DB", "TIPSHEET_SECRET_OLD", "TIPSHEET_SMTP_USER", "TIPSHEET_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert main(["subscribers", "init"]) == 0
    return root
