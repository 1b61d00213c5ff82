"""Signed tokens: each names its purpose and its key, carries no address, and expires where it should.

A token is ``t1.<key id>.<claims>.<signature>``: the claims (purpose,
subscriber id, expiry, a nonce) are base64url text, signed with
HMAC-SHA256 under the key it names.  ``TIPSHEET_SECRET`` signs;
``TIPSHEET_SECRET_OLD`` (comma-separated) still verifies, so keys can be
rotated while links in mail already sent keep working.  A token made for
one purpose is refused for every other.  Unsubscribe links never expire
(they sit in inboxes for years); confirmation links do (72 hours by default).

Two older shapes are still read, so that no link already in an inbox stops
working: the first unsubscribe tokens (the address, signed) and nothing else.
The envelope sender of each message carries a shorter token (VERP), in
lower case because mail servers may change the case of an address.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

MIN_SECRET = 32
UNSUBSCRIBE, PREFERENCES, CONFIRM, FORM = "u", "p", "c", "f"
PURPOSES = {UNSUBSCRIBE: "an unsubscribe link", PREFERENCES: "a link to your preferences",
            CONFIRM: "a confirmation link", FORM: "a sign-up form"}
_MAC_BYTES = 16
_VERP_MAC_BYTES = 10


class TokenError(ValueError):
    """A token that cannot be used; ``expired`` tells a reader to ask for a new link rather than that it was forged."""

    def __init__(self, message: str, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(secret: str) -> str:
    """A short name for a key that reveals nothing of it: which key signed a token."""
    return _b64(hashlib.sha256(b"tipsheet key id\n" + secret.encode("utf-8")).digest()[:3])


PLACEHOLDERS = ("replace-with", "replace_with", "changeme", "change-me", "your-secret", "example")


def check_secret(secret: str, name: str = "TIPSHEET_SECRET") -> str:
    if any(word in secret.lower() for word in PLACEHOLDERS):
        raise TokenError(f"{name}: expected a secret of your own, got a placeholder from an example (make one "
                         "with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
    if len(secret) < MIN_SECRET:
        raise TokenError(f"{name}: expected a secret of at least {MIN_SECRET} characters, got {len(secret)} "
                         "(make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return secret


@dataclass(frozen=True)
class Claims:
    purpose: str
    subject: int  # a subscriber's id (never their address)
    expires: int | None  # seconds since 1970, or None: never
    nonce: str


class Signer:
    """Makes tokens with the current key; verifies them with the current and the old ones."""

    def __init__(self, secret: str, old: Sequence[str] = ()) -> None:
        self._current = check_secret(secret).encode("utf-8")
        self._kid = key_id(secret)
        self._keys: dict[str, bytes] = {self._kid: self._current}
        for n, previous in enumerate(s.strip() for s in old):
            if previous:
                self._keys.setdefault(key_id(previous), check_secret(previous, f"TIPSHEET_SECRET_OLD ({n + 1})")
                                      .encode("utf-8"))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Signer:
        old = [s for s in environ.get("TIPSHEET_SECRET_OLD", "").split(",") if s.strip()]
        return cls(environ.get("TIPSHEET_SECRET", ""), old)

    @staticmethod
    def _mac(key: bytes, text: str, size: int = _MAC_BYTES) -> bytes:
        return hmac.new(key, text.encode("ascii"), hashlib.sha256).digest()[:size]

    def digest(self, purpose: str, text: str) -> str:
        """A keyed one-way hash (for counting clients): without the secret, nobody can test guesses against it.

        A hash salted from the database would not do for network addresses: there are few enough of them to
        try every one against a copied database.
        """
        return hmac.new(self._current, f"{purpose}|{text}".encode(), hashlib.sha256).hexdigest()[:32]

    # -- tokens for links -------------------------------------------------------------
    def token(self, purpose: str, subject: int, expires: datetime | None = None, nonce: str = "") -> str:
        stamp = str(int(expires.timestamp())) if expires else ""
        claims = _b64(f"{purpose}|{subject}|{stamp}|{nonce}".encode("ascii"))
        body = f"t1.{self._kid}.{claims}"
        return f"{body}.{_b64(self._mac(self._current, body))}"

    def verify(self, token: str, purpose: str, now: datetime) -> Claims:
        """The claims of a genuine, unexpired token made for ``purpose``; TokenError for anything else."""
        what = PURPOSES.get(purpose, "a link")
        wrong = TokenError(f"token: expected {what} from one of our emails, got something else")
        if not token.isascii() or len(token) > 300:
            raise wrong
        parts = token.strip().split(".")
        if len(parts) != 4 or parts[0] != "t1":
            raise wrong
        _, kid, claims, mac = parts
        key = self._keys.get(kid)
        try:
            given = _unb64(mac)
            fields = _unb64(claims).decode("ascii").split("|")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise wrong from None
        if key is None or not hmac.compare_digest(given, self._mac(key, f"t1.{kid}.{claims}")):
            raise TokenError(f"token: expected {what} from one of our emails, got a token that does not match")
        if len(fields) != 4 or fields[0] != purpose or not fields[1].isdigit():
            raise wrong
        expires = int(fields[2]) if fields[2].isdigit() else None
        if expires is not None and now.timestamp() > expires:
            raise TokenError(f"token: expected {what} that is still valid, got one that has expired", expired=True)
        return Claims(fields[0], int(fields[1]), expires, fields[3])

    def unsubscribe_token(self, subscriber_id: int) -> str:
        return self.token(UNSUBSCRIBE, subscriber_id)

    def unsubscribe_target(self, token: str, now: datetime) -> int | str:
        """Whom an unsubscribe link is for: a subscriber id, or (links sent before tokens named no address)
        the address the first tokens carried."""
        if token.startswith("t1."):
            return self.verify(token, UNSUBSCRIBE, now).subject
        return self._legacy(token)

    def _legacy(self, token: str) -> str:
        """tipsheet's first unsubscribe tokens: ``base64(address).HMAC``, still honoured, never made again."""
        wrong = TokenError("token: expected an unsubscribe link from one of our emails, got something else")
        if not token.isascii():
            raise wrong
        encoded, _, mac = token.strip().partition(".")
        try:
            email = _unb64(encoded).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise wrong from None
        for key in self._keys.values():
            expected = _b64(hmac.new(key, b"unsubscribe\n" + email.lower().encode("utf-8"), hashlib.sha256).digest())
            if mac and email and hmac.compare_digest(mac, expected):
                return email
        raise TokenError("token: expected an unsubscribe link from one of our emails, got a token that does not "
                         "match")

    # -- the envelope sender (VERP) -----------------------------------------------------
    def verp(self, subscriber_id: int) -> str:
        """A lower-case token for ``bounces+<token>@domain``: names the subscriber a returned message was for."""
        sid = subscriber_id.to_bytes(8, "big").lstrip(b"\0") or b"\0"
        raw = sid + self._mac(self._current, f"verp|{subscriber_id}", _VERP_MAC_BYTES)
        return base64.b32encode(raw).decode("ascii").rstrip("=").lower()

    def verp_subject(self, token: str) -> int | None:
        """The subscriber id in a VERP token made with any of our keys, or None."""
        try:
            raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
        except (binascii.Error, ValueError):
            return None
        if len(raw) <= _VERP_MAC_BYTES:
            return None
        subscriber_id = int.from_bytes(raw[:-_VERP_MAC_BYTES], "big")
        for key in self._keys.values():
            if hmac.compare_digest(raw[-_VERP_MAC_BYTES:], self._mac(key, f"verp|{subscriber_id}", _VERP_MAC_BYTES)):
                return subscriber_id
        return None
