"""Digests: the published tips of one period, for everyone or for one tag.

Which period a tip belongs to is the site's :class:`~.schedule.Schedule`: an
ISO week or a month by default, or the time between two ``send_at`` send
times.  A period with no published tip has no digest.  Periods are computed
in the site's time zone, so a tip dated Monday 00:30 in Amsterdam belongs to
the week that Amsterdam sees, whatever the machine's clock says.  A period is
*complete* once it has ended (a scheduled one at its send time); only complete
periods are sent, so a tip published late in a period is never left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ..content.catalog import Catalog
from ..content.model import Tip
from ..content.problems import did_you_mean
from ..site.urls import Urls
from .schedule import (
    MONTHLY,
    SCHEDULED,
    WEEKLY,
    Period,
    PeriodError,
    Schedule,
    calendar_period,
    month_period,
    week_period,
)

__all__ = ["MONTHLY", "SCHEDULED", "WEEKLY", "Digest", "DigestIndex", "Period", "PeriodError", "Schedule",
           "month_period", "period_of", "week_period"]


def period_of(when: datetime, kind: str, tz: ZoneInfo) -> Period:
    """The calendar period (ISO week or month) of a moment; see :meth:`Schedule.period_of` for ``send_at``."""
    return calendar_period(when, kind, tz)


@dataclass(frozen=True)
class Digest:
    """The tips of one period, oldest first as they were published, for everyone or for one tag."""

    period: Period
    tips: tuple[Tip, ...]
    tag: str | None = None

    @property
    def id(self) -> str:
        return f"{self.period.id}-{self.tag}" if self.tag else self.period.id

    @property
    def folder(self) -> str:
        return Urls.digest(self.period.id, self.tag)


class DigestIndex:
    """Every digest of the published tips, by period, newest first."""

    def __init__(self, catalog: Catalog, schedule: Schedule | str = WEEKLY, tags: Sequence[str] = ()) -> None:
        self.settings = catalog.settings
        self.schedule = schedule if isinstance(schedule, Schedule) else Schedule(self.settings.timezone, schedule)
        self.kind = self.schedule.kind
        self.catalog = catalog
        self.now = catalog.now
        by_period: dict[Period, list[Tip]] = defaultdict(list)
        for tip in catalog.published:  # newest first
            by_period[self.schedule.period_of(tip.date)].append(tip)
        self.site: list[Digest] = [Digest(p, tuple(reversed(by_period[p]))) for p in sorted(by_period, reverse=True)]
        self.by_tag: dict[str, list[Digest]] = {}
        for tag in tags:
            self.by_tag[tag] = [d for d in (Digest(x.period, tuple(t for t in x.tips if tag in t.tags), tag)
                                            for x in self.site) if d.tips]

    def all(self) -> list[Digest]:
        return self.site + [d for tag in self.by_tag for d in self.by_tag[tag]]

    def sequence(self, tag: str | None = None) -> list[Digest]:
        """The site's digests, or one tag's, newest first.  Raises PeriodError for a tag without digests."""
        if tag is None:
            return self.site
        if tag not in self.by_tag:
            known = self.settings.tags
            if tag not in known:
                raise PeriodError(f"--tag: expected one of the site's tags, got {tag!r} "
                                  f"({did_you_mean(tag, known, 'tags')})")
            raise PeriodError(f"--tag: expected a tag with its own digest (digests: tags: in mkdocs.yml), "
                              f"got {tag!r}")
        return self.by_tag[tag]

    def find(self, period_id: str | None, tag: str | None = None, complete_only: bool = False) -> Digest:
        """One digest: a period id, or None for the latest (complete) one.  Raises PeriodError."""
        digests = self.sequence(tag)
        if period_id in (None, "latest"):
            ready = [d for d in digests if not complete_only or d.period.is_complete(self.now)]
            if not ready:
                raise PeriodError("--period: expected a period with published tips, got none yet")
            return ready[0]
        period = self.schedule.parse(period_id)
        for digest in digests:
            if digest.period == period:
                return digest
        scope = f" with a {tag!r} tip" if tag else ""
        raise PeriodError(f"--period: expected a period{scope} with published tips, got {period_id!r}, "
                          f"which has none (see 'tipsheet digest --list')")

    # -- the schedule --------------------------------------------------------------------------
    def due(self) -> Digest | None:
        """The digest to send now: the newest site digest whose period is over (None before the first)."""
        return next((d for d in self.site if d.period.is_complete(self.now)), None)

    def upcoming(self) -> tuple[Period, tuple[Tip, ...]]:
        """The period that is going on now and every tip dated in it, published or scheduled (not drafts).

        What the next digest will hold if nothing changes: a tip scheduled before the send time is
        published by then.
        """
        period = self.schedule.period_of(self.now)
        tips = tuple(t for t in reversed(self.catalog.all) if not t.draft and period.holds(t.date))
        return period, tips

    def moved(self, tag: str | None = None) -> dict[str, str]:
        """Calendar ids (``2026-W46``) that ``send_at`` replaced, each with the digest that now holds its newest tip.

        Only for a site with ``send_at``: the weeks (or months) from ``scheduled_from`` on, or all of
        them without it, had pages, and maybe emails linking them, before the site moved to send
        times.  Their pages now forward to a digest that has the same newest tip.
        """
        if self.schedule.send_at is None:
            return {}
        kept = {d.period.id for d in self.sequence(tag)}
        moved: dict[str, str] = {}
        for digest in reversed(self.sequence(tag)):  # oldest first: a calendar period's newest tip wins
            for tip in digest.tips:
                old = calendar_period(tip.date, self.schedule.legacy, self.settings.timezone)
                if old.id not in kept:
                    moved[old.id] = digest.period.id
        return moved
