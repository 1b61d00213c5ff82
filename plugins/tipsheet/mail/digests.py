"""Digests: the published tips of one period (an ISO week or a month), for everyone or for one tag.

A period with no published tip has no digest.  Periods are computed in the
site's time zone, so a tip dated Monday 00:30 in Amsterdam belongs to the
week that Amsterdam sees, whatever the machine's clock says.  A period is
*complete* once it has ended; only complete periods are sent by default, so a
tip published late in a week is never left out of that week's email.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from ..content.catalog import Catalog
from ..content.model import Tip
from ..content.problems import did_you_mean
from ..site.urls import Urls

WEEKLY = "weekly"
MONTHLY = "monthly"
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    """A period or tag the user asked for that cannot be served; the message is one line for the CLI."""


@dataclass(frozen=True, order=True)
class Period:
    start: datetime  # first instant, in the site's time zone
    end: datetime  # first instant of the next period
    id: str  # '2024-W46' or '2024-11'
    kind: str

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - periods are small values; a label is asked for many times
    def label(self, language: str) -> str:
        if self.kind == MONTHLY:
            return format_date(self.start.date(), format="LLLL yyyy", locale=language)
        last = (self.end - timedelta(days=1)).date()
        year, week = self.id.split("-W")  # the ISO year: week 1 can start in December
        span = f"{format_date(self.start.date(), format='MMMM d', locale=language)}–" + (
            format_date(last, format="d", locale=language) if last.month == self.start.month
            else format_date(last, format="MMMM d", locale=language))
        return f"Week {int(week)}, {year} ({span})"

    def is_complete(self, now: datetime) -> bool:
        return self.end <= now


def period_of(when: datetime, kind: str, tz: ZoneInfo) -> Period:
    local = when.astimezone(tz).date()
    if kind == MONTHLY:
        return month_period(local.year, local.month, tz)
    year, week, _ = local.isocalendar()
    return week_period(year, week, tz)


def week_period(year: int, week: int, tz: ZoneInfo) -> Period:
    monday = date.fromisocalendar(year, week, 1)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    after = monday + timedelta(days=7)
    return Period(start, datetime(after.year, after.month, after.day, tzinfo=tz), f"{year}-W{week:02d}", WEEKLY)


def month_period(year: int, month: int, tz: ZoneInfo) -> Period:
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return Period(start, end, f"{year}-{month:02d}", MONTHLY)


def parse_period(text: str, kind: str, tz: ZoneInfo) -> Period:
    """``2024-W46`` (weekly) or ``2024-11`` (monthly), checked against the site's kind of digest."""
    week, month = _WEEK.match(text), _MONTH.match(text)
    example = "2024-W46" if kind == WEEKLY else "2024-11"
    if kind == WEEKLY and week:
        try:
            return week_period(int(week[1]), int(week[2]), tz)
        except ValueError:
            raise PeriodError(f"--period: expected an ISO week like {example}, got {text!r} "
                              f"({week[1]} has no week {week[2]})") from None
    if kind == MONTHLY and month and 1 <= int(month[2]) <= 12:
        return month_period(int(month[1]), int(month[2]), tz)
    is_month = bool(month) and 1 <= int(month[2]) <= 12 if month else False
    hint = " (this site sends monthly digests)" if week else " (this site sends weekly digests)" if is_month else ""
    raise PeriodError(f"--period: expected {'an ISO week' if kind == WEEKLY else 'a month'} like {example}, "
                      f"got {text!r}{hint}")


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

    def __init__(self, catalog: Catalog, kind: str = WEEKLY, tags: Sequence[str] = ()) -> None:
        self.kind = kind
        self.settings = catalog.settings
        self.now = catalog.now
        tz = self.settings.timezone
        by_period: dict[Period, list[Tip]] = defaultdict(list)
        for tip in catalog.published:  # newest first
            by_period[period_of(tip.date, kind, tz)].append(tip)
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
        period = parse_period(period_id, self.kind, self.settings.timezone)
        for digest in digests:
            if digest.period == period:
                return digest
        scope = f" with a {tag!r} tip" if tag else ""
        raise PeriodError(f"--period: expected a period{scope} with published tips, got {period_id!r}, "
                          f"which has none (see 'tipsheet digest --list')")
