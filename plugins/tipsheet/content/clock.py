"""The one place that asks what time it is.

"Now" decides which tips are published (a tip dated in the future waits), which
digest is due and what the list records; it never appears in a built file.
``SOURCE_DATE_EPOCH`` pins it, for reproducible builds and for tests.  The one
exception is :func:`wall`: a sent email's ``Date`` is when it really left.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime


class ClockError(ValueError):
    pass


def now() -> datetime:
    """SOURCE_DATE_EPOCH when set (seconds since 1970, UTC), else the system clock."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            return datetime.fromtimestamp(int(raw), tz=UTC)
        except (ValueError, OverflowError) as exc:
            raise ClockError(f"SOURCE_DATE_EPOCH: expected whole seconds since 1970, got {raw!r}") from exc
    return datetime.now(UTC)  # SOURCE_DATE_EPOCH unset: the real clock


def wall() -> datetime:
    """The real time, whatever SOURCE_DATE_EPOCH says: for a sent message's Date header only."""
    return datetime.now(UTC).replace(microsecond=0)  # deliberately not SOURCE_DATE_EPOCH: when it was sent
