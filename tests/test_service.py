"""The list's web endpoint under a real WSGI server (waitress) on 127.0.0.1: one-click unsubscribe and its page."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import waitress

from listkit import SECRET, add, status_of, subscriber
from test_tokens import legacy_token
from tipsheet.audience.tokens import Signer
from tipsheet.audience.web import UnsubscribeApp


@pytest.fixture
def endpoint(project) -> Iterator[str]:
    add("ana@example.org", "--name", "Ana")
    add("ben@example.org", "--name", "Ben")
    app = UnsubscribeApp(str(project / "tipsheet.db"), Signer(SECRET), "Test Tips", "https://tips.example.org/")
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/"
    finally:
        server.close()
        thread.join(5)


def http(url: str, data: bytes | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def token_of(project, email: str) -> str:
    return Signer(SECRET).unsubscribe_token(subscriber(project, email).id)


def test_one_click_post_unsubscribes_and_is_idempotent(project, endpoint):
    url = f"{endpoint}?token={token_of(project, 'ana@example.org')}"
    assert http(url, b"List-Unsubscribe=One-Click")[0] == 200
    assert status_of(project, "ana@example.org") == "unsubscribed"
    assert subscriber(project, "ana@example.org").status_reason == "one-click"
    code, body = http(url, b"List-Unsubscribe=One-Click")
    assert code == 200 and "You are unsubscribed" in body
    assert status_of(project, "ben@example.org") == "active"


def test_a_link_sent_before_tokens_named_no_address_still_unsubscribes(project, endpoint):
    assert http(f"{endpoint}?token={legacy_token(SECRET, 'ben@example.org')}", b"List-Unsubscribe=One-Click")[0] == 200
    assert status_of(project, "ben@example.org") == "unsubscribed"


def test_get_shows_a_confirmation_page_and_changes_nothing(project, endpoint):
    code, body = http(f"{endpoint}?token={token_of(project, 'ben@example.org')}")
    assert code == 200
    assert "Unsubscribe from Test Tips?" in body and "ben@example.org" in body and 'method="post"' in body
    assert status_of(project, "ben@example.org") == "active"


@pytest.mark.parametrize("token", ["", "garbage", "YW5hQGV4YW1wbGUub3Jn.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                   "t1.AAAA.dXwxfHw.AAAAAAAAAAAAAAAAAAAAAA", "%C3%A9t%C3%A9", "t1.%FF%FE.x.y",
                                   Signer("another-secret-0123456789-abcdefghijk").unsubscribe_token(1)])
def test_forged_damaged_and_non_ascii_tokens_get_400_and_change_nothing(project, endpoint, token):
    for data in (None, b"List-Unsubscribe=One-Click"):
        code, body = http(f"{endpoint}?token={token}", data)
        assert code == 400 and "not valid" in body
    assert status_of(project, "ana@example.org") == "active"


def test_without_its_database_the_endpoint_says_503_and_tells_nobody_they_left(project, endpoint):
    token = token_of(project, "ana@example.org")
    for path in project.glob("tipsheet.db*"):
        path.rename(path.with_name("moved-" + path.name))
    code, body = http(f"{endpoint}?token={token}", b"List-Unsubscribe=One-Click")
    assert code == 503 and "nothing was changed" in body and "unsubscribed" not in body.lower()
    assert not (project / "tipsheet.db").exists()
