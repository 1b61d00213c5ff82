"""Signed tokens: one purpose each, no address inside, expiry where it matters, keys that can be rotated."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from listkit import OLD_SECRET, SECRET
from tipsheet.audience.tokens import CONFIRM, PREFERENCES, UNSUBSCRIBE, Signer, TokenError

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def legacy_token(secret: str, email: str) -> str:
    """The first tokens tipsheet put in emails: the address, signed (made here the way they were made then)."""
    mac = hmac.new(secret.encode(), b"unsubscribe\n" + email.lower().encode(), hashlib.sha256).digest()
    b64 = base64.urlsafe_b64encode
    return f"{b64(email.encode()).rstrip(b'=').decode()}.{b64(mac).rstrip(b'=').decode()}"


def test_a_token_names_its_subscriber_and_purpose_and_no_address():
    signer = Signer(SECRET)
    token = signer.unsubscribe_token(42)
    assert token.startswith("t1.") and token.isascii() and "@" not in token
    assert b"@" not in base64.urlsafe_b64decode(token.split(".")[2] + "==")
    assert signer.verify(token, UNSUBSCRIBE, NOW).subject == 42
    assert signer.unsubscribe_target(token, NOW) == 42
    assert len(token) < 60  # List-Unsubscribe stays short


def test_a_token_for_one_purpose_is_refused_for_another():
    signer = Signer(SECRET)
    with pytest.raises(TokenError, match="expected a link to your preferences"):
        signer.verify(signer.unsubscribe_token(7), PREFERENCES, NOW)
    with pytest.raises(TokenError, match="expected an unsubscribe link"):
        signer.unsubscribe_target(signer.token(CONFIRM, 7, NOW + timedelta(hours=1)), NOW)


def test_confirmation_tokens_expire():
    signer = Signer(SECRET)
    token = signer.token(CONFIRM, 7, NOW + timedelta(hours=72), nonce="abc")
    assert signer.verify(token, CONFIRM, NOW + timedelta(hours=71)).nonce == "abc"
    with pytest.raises(TokenError) as caught:
        signer.verify(token, CONFIRM, NOW + timedelta(hours=73))
    assert caught.value.expired and "has expired" in str(caught.value)


@pytest.mark.parametrize("damage", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # forged signature
    lambda t: t[: len(t) // 2],  # truncated
    lambda t: t.replace("t1.", "t2.", 1),  # unknown version
    lambda t: t + "é",  # not ASCII
    lambda t: "",  # empty
    lambda t: "garbage",
    lambda t: "t1." + "A" * 400,  # absurdly long
])
def test_damaged_tokens_are_refused(damage):
    signer = Signer(SECRET)
    with pytest.raises(TokenError):
        signer.unsubscribe_target(damage(signer.unsubscribe_token(9)), NOW)


def test_rotated_keys_still_verify_what_they_signed():
    old = Signer(OLD_SECRET)
    token = old.unsubscribe_token(5)
    rotated = Signer(SECRET, [OLD_SECRET])
    assert rotated.unsubscribe_target(token, NOW) == 5
    assert rotated.unsubscribe_token(5) != token  # new links are signed with the new key
    with pytest.raises(TokenError, match="does not match"):
        Signer(SECRET).unsubscribe_target(token, NOW)  # once the old key is dropped, its links stop working


def test_links_in_mail_sent_before_tokens_named_no_address_keep_working():
    signer = Signer(SECRET, [OLD_SECRET])
    assert signer.unsubscribe_target(legacy_token(SECRET, "ana@example.org"), NOW) == "ana@example.org"
    assert signer.unsubscribe_target(legacy_token(OLD_SECRET, "ben@example.org"), NOW) == "ben@example.org"
    with pytest.raises(TokenError):
        signer.unsubscribe_target(legacy_token("an-unknown-secret-0123456789-abcdefg", "ana@example.org"), NOW)


def test_verp_tokens_are_lower_case_and_survive_rotation():
    signer = Signer(SECRET)
    token = signer.verp(123456)
    assert token == token.lower() and token.isalnum()
    assert signer.verp_subject(token) == 123456
    assert signer.verp_subject(token.upper()) == 123456  # a server that changed the case
    assert Signer(SECRET, [OLD_SECRET]).verp_subject(Signer(OLD_SECRET).verp(77)) == 77
    assert signer.verp_subject(token[:-1] + ("a" if token[-1] != "a" else "b")) is None
    assert signer.verp_subject("notatoken") is None


@pytest.mark.parametrize(("secret", "message"), [
    ("short", "TIPSHEET_SECRET: expected a secret of at least 32 characters, got 5"),
])
def test_a_weak_secret_is_refused(secret, message):
    with pytest.raises(TokenError, match=message):
        Signer(secret)
    with pytest.raises(TokenError, match="TIPSHEET_SECRET_OLD"):
        Signer.from_environment({"TIPSHEET_SECRET": SECRET, "TIPSHEET_SECRET_OLD": f"{OLD_SECRET},short"})
