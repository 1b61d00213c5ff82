"""What the list accepts from people: an address, a name, a choice of tags, each checked with one clear message.

Addresses are validated and normalised with email-validator (never a regular
expression of ours); the same checks run for the publisher's commands, a CSV
import and the sign-up form, so an address refused in one place is refused in
all of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email

from ..content.problems import did_you_mean

MAX_EMAIL = 254  # RFC 5321's limit for a path, and email-validator's


class SubscriberError(ValueError):
    """Bad input for the list (an address, a name, a tag, a CSV row): one line for the user."""


def normalise_email(text: str) -> str:
    """The address as the list keeps it (domain lower-cased, IDNA), or SubscriberError saying why not."""
    raw = text.strip()
    if len(raw) > MAX_EMAIL:
        raise SubscriberError(f"email: expected an address of at most {MAX_EMAIL} characters, got {len(raw)}")
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):
        raise SubscriberError(f"email: expected an address on one line, got {raw[:60]!r}")
    try:
        result = validate_email(raw, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise SubscriberError(f"email: expected an address like name@example.org, got {raw[:80]!r} ({exc})") \
            from None
    return str(result.ascii_email or result.normalized)


def email_key(email: str) -> str:
    """The form two spellings of one address share: what the list and the suppression list compare."""
    return email.strip().lower()


def email_hash(email: str, salt: str) -> str:
    """A salted hash of the address: how the suppression list remembers an address it must not keep."""
    return hashlib.sha256(f"{salt}\n{email_key(email)}".encode()).hexdigest()


def clean_name(text: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise SubscriberError(f"name: expected one line of text, got {text!r}")
    name = " ".join(text.split())
    if len(name) > 200:
        raise SubscriberError(f"name: expected at most 200 characters, got {len(name)}")
    return name


def clean_tags(text: str | Iterable[str], vocabulary: Iterable[str]) -> tuple[str, ...]:
    """Tag keys of the site's vocabulary, each once, in the order given; matched case-insensitively."""
    known = {k.lower(): k for k in vocabulary}
    items = text.split(",") if isinstance(text, str) else list(text)
    tags: list[str] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        key = known.get(item.lower())
        if key is None:
            raise SubscriberError(f"tags: expected tags of the site, got {item[:60]!r} "
                                  f"({did_you_mean(item, known.values(), 'tags')})")
        if key not in tags:
            tags.append(key)
    return tuple(tags)
