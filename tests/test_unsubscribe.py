"""One-click unsubscribe (RFC 8058) and its page, on the list service under a real WSGI server."""

from __future__ import annotations

import pytest

from listkit import SECRET, add, status_of, subscriber
from test_tokens import legacy_token
from tipsheet.audience.tokens import Signer


@pytest.fixture
def readers(service, project):
    add("ana@example.org", "--name", "Ana")
    add("ben@example.org", "--name", "Ben")
    return service


def token_of(project, email: str) -> str:
    return Signer(SECRET).unsubscribe_token(subscriber(project, email).id)


ONE_CLICK = b"List-Unsubscribe=One-Click"


def one_click(service, token: str) -> tuple[int, str]:
    code, body, _ = service.request(f"unsubscribe?token={token}", ONE_CLICK,
                                    {"Content-Type": "application/x-www-form-urlencoded"})
    return code, body


def test_one_click_post_unsubscribes_and_is_idempotent(readers, project):
    token = token_of(project, "ana@example.org")
    assert one_click(readers, token)[0] == 200
    assert status_of(project, "ana@example.org") == "unsubscribed"
    assert subscriber(project, "ana@example.org").status_reason == "one-click"
    code, body = one_click(readers, token)
    assert code == 200 and "You are unsubscribed" in body
    assert status_of(project, "ben@example.org") == "active"


def test_the_path_of_the_first_unsubscribe_links_still_works(readers, project):
    """Links in mail already sent point at /unsubscribe/?token=... (and earlier, any path with a token)."""
    for path in (f"unsubscribe/?token={token_of(project, 'ana@example.org')}",
                 f"?token={token_of(project, 'ben@example.org')}"):
        code, _, _ = readers.request(path, ONE_CLICK, {"Content-Type": "application/x-www-form-urlencoded"})
        assert code == 200, path
    assert {status_of(project, e) for e in ("ana@example.org", "ben@example.org")} == {"unsubscribed"}


def test_a_link_sent_before_tokens_named_no_address_still_unsubscribes(readers, project):
    assert one_click(readers, legacy_token(SECRET, "ben@example.org"))[0] == 200
    assert status_of(project, "ben@example.org") == "unsubscribed"


def test_get_shows_a_confirmation_page_and_changes_nothing(readers, project):
    code, body, _ = readers.get(f"unsubscribe?token={token_of(project, 'ben@example.org')}")
    assert code == 200
    assert "Unsubscribe from Test Tips?" in body and "ben@example.org" in body and 'method="post"' in body
    assert status_of(project, "ben@example.org") == "active"


@pytest.mark.parametrize("token", ["", "garbage", "YW5hQGV4YW1wbGUub3Jn.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                   "t1.AAAA.dXwxfHw.AAAAAAAAAAAAAAAAAAAAAA", "%C3%A9t%C3%A9", "t1.%FF%FE.x.y",
                                   Signer("another-secret-0123456789-abcdefghijk").unsubscribe_token(1)])
def test_forged_damaged_and_non_ascii_tokens_get_400_and_change_nothing(readers, project, token):
    for data in (None, ONE_CLICK):
        code, body, _ = readers.request(f"unsubscribe?token={token}", data,
                                        {"Content-Type": "application/x-www-form-urlencoded"})
        assert code == 400 and "not valid" in body
    assert status_of(project, "ana@example.org") == "active"


def test_without_its_database_the_endpoint_says_503_and_tells_nobody_they_left(readers, project):
    token = token_of(project, "ana@example.org")
    for path in project.glob("tipsheet.db*"):
        path.rename(path.with_name("moved-" + path.name))
    code, body = one_click(readers, token)
    assert code == 503 and "nothing was changed" in body and "unsubscribed" not in body.lower()
    assert not (project / "tipsheet.db").exists()
