"""Unsubscribe tokens: the subscriber's address, signed with HMAC-SHA256.

The signature is checked before the database is touched, so nobody can
unsubscribe someone else by guessing or incrementing anything.  The key comes
from the environment (``TIPSHEET_SECRET``), never from a file in the project.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

MIN_SECRET = 32


class TokenError(ValueError):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET:
            raise TokenError(f"TIPSHEET_SECRET: expected a secret of at least {MIN_SECRET} characters, "
                             f"got {len(secret)} (make one with: python3 -c 'import secrets; "
                             "print(secrets.token_urlsafe(32))')")
        self._key = secret.encode("utf-8")

    def _mac(self, email: str) -> str:
        return _b64(hmac.new(self._key, b"unsubscribe\n" + email.lower().encode("utf-8"), hashlib.sha256).digest())

    def token(self, email: str) -> str:
        return f"{_b64(email.encode('utf-8'))}.{self._mac(email)}"

    def verify(self, token: str) -> str:
        """The address a genuine token was made for; TokenError for anything else."""
        encoded, _, mac = token.strip().partition(".")
        try:
            email = _unb64(encoded).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise TokenError("token: expected an unsubscribe token from one of our emails, got something else") \
                from None
        if not mac or not email or not hmac.compare_digest(mac, self._mac(email)):
            raise TokenError("token: expected an unsubscribe token from one of our emails, got a token that "
                             "does not match")
        return email
