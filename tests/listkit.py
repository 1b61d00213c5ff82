"""Shared by the list's tests (sending, bounces, the list, the web service): a project with a list and a relay.

Registered as a pytest plugin by conftest.py.  ``project`` is a site in tmp_path (the current folder
during the test) with four tips, a created list and the environment `tipsheet send` reads; ``relay``
is a real SMTP server (aiosmtpd) on 127.0.0.1 that the project sends through.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import waitress
import yaml

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


# -- the list service under a real WSGI server --------------------------------------------------------

@dataclass
class Service:
    url: str  # the service's root, ending in '/'
    project: Path
    relay: Server
    outbox: Any

    def post(self, path: str, fields: dict[str, Any] | None = None, *, json_body: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        if json_body is not None:
            data = json.dumps(json_body).encode()
            kind = "application/json"
        else:
            data = urllib.parse.urlencode(fields or {}, doseq=True).encode()
            kind = "application/x-www-form-urlencoded"
        return self.request(path, data, {"Content-Type": kind, **(headers or {})})

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        return self.request(path, None, headers or {})

    def request(self, path: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        request = urllib.request.Request(self.url + path.lstrip("/"), data=data,
                                         method="POST" if data is not None else "GET", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), dict(exc.headers)

    def mails_to(self, email: str, count: int = 1, wait: float = 15.0) -> list[Any]:
        """The list's mails to ``email``, once ``count`` of them have arrived (the outbox sends them beside)."""
        deadline = time.monotonic() + wait
        while True:
            found = [m for m in self.relay.sink.messages() if m["To"].addresses[0].addr_spec == email]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            self.outbox.wake()
            time.sleep(0.05)

    def link_in(self, message: Any) -> str:
        text = message.get_body(("plain",)).get_content()
        link = next(line.strip() for line in text.splitlines() if line.strip().startswith(self.url))
        return link.removeprefix(self.url)


def configure_signup(project: Path, **signup: Any) -> None:
    """Set tipsheet/digests' signup options in the project's mkdocs.yml."""
    config_file = project / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text())
    for entry in config["plugins"]:
        if isinstance(entry, dict) and "tipsheet/digests" in entry:
            entry["tipsheet/digests"].setdefault("signup", {}).update(signup)
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))


class LateApp:
    """A WSGI app set after its server is listening: the port is taken first, so no one else can take it
    between choosing it and binding it (the app needs its own address in its settings)."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)


@contextmanager
def wsgi_server(app: Any, port: int = 0) -> Iterator[int]:
    """``app`` under waitress on 127.0.0.1 in a thread (its port yielded), stopped cleanly at the end."""
    server = waitress.create_server(app, host="127.0.0.1", port=port, threads=4)
    stopping = threading.Event()

    def run() -> None:
        try:
            server.run()
        except (OSError, ValueError):  # the sockets closed under the loop as it stops
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield int(server.effective_port)
    finally:
        stopping.set()
        server.close()
        thread.join(5)


@pytest.fixture
def service(project: Path, relay: Server, request: pytest.FixtureRequest) -> Iterator[Service]:
    """The list service (ListService + its outbox thread) under waitress on 127.0.0.1, sending through ``relay``."""
    from tipsheet.cli.listservice import make_service
    from tipsheet.cli.project import open_project

    late = LateApp()
    with wsgi_server(late) as port:
        url = f"http://127.0.0.1:{port}/"
        configure_signup(project, **{"list_url": url, "per_client_hourly": 1000, "global_hourly": 100000,
                                     **getattr(request, "param", {})})
        late.app, outbox = make_service(open_project(str(project / "mkdocs.yml")), os.environ)
        outbox.start(every=0.5)
        try:
            yield Service(url, project, relay, outbox)
        finally:
            outbox.stop()
