"""The one place that asks what time it is.

"Now" decides only which tips are published (a tip dated in the future waits);
it never appears in any output.  ``SOURCE_DATE_EPOCH`` pins it, for
reproducible builds and for tests.
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
