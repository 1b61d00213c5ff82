"""Shared by the list's tests (sending, bounces, the list, the web service): a project with a list and a relay.

Registered as a pytest plugin by conftest.py.  ``project`` is a site in tmp_path (the current folder
during the test) with four tips, a created list and the environment `tipsheet send` reads; ``relay``
is a real SMTP server (aiosmtpd) on 127.0.0.1 that the project sends through.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitekit import tip, write_project
from smtpkit import Server, Sink
from tipsheet.audience.store import Store, Subscriber
from tipsheet.cli import main

SECRET = "test-secret-0123456789-abcdefghijklmnop"
OLD_SECRET = "an-earlier-secret-0123456789-abcdefgh"
TIPS = {
    "tips/old.md": tip("Back catalogue", date="2026-11-03", tags=["sports"], summary="Old."),
    "tips/gov.md": tip("Permit desk tip", date="2026-11-10", tags=["government"], summary="Gov."),
    "tips/sport.md": tip("Box office tip", date="2026-11-12", tags=["sports", "persistence"], summary="Sport."),
    "tips/now.md": tip("This week", date="2026-11-17", tags=["sports"], summary="Current."),
}
DIGESTS = {"retry_delay": 0.01, "rate": 0, "tags": ["sports"], "bounce_address": "bounces@tips.example.org",
           "connections": 2}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_project(tmp_path, TIPS, digests=DIGESTS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIPSHEET_SECRET", SECRET)
    monkeypatch.delenv("TIPSHEET_SECRET_OLD", raising=False)
    monkeypatch.setenv("TIPSHEET_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TIPSHEET_SMTP_SECURITY", "none")
    for name in ("TIPSHEET_DB", "TIPSHEET_SMTP_USER", "TIPSHEET_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert main(["subscribers", "init"]) == 0
    return tmp_path


@pytest.fixture
def relay(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    sink = Sink()
    with Server(sink) as server:
        monkeypatch.setenv("TIPSHEET_SMTP_PORT", str(server.port))
        yield server


def add(*args: str) -> None:
    assert main(["subscribers", "add", *args]) == 0


def store(project: Path) -> Store:
    return Store(str(project / "tipsheet.db"))


def subscriber(project: Path, email: str) -> Subscriber:
    with store(project) as opened:
        found = opened.get(email)
    assert found is not None, email
    return found


def status_of(project: Path, email: str) -> str:
    return subscriber(project, email).status


def rows(project: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(project / "tipsheet.db") as db:
        return [tuple(r) for r in db.execute(sql).fetchall()]
