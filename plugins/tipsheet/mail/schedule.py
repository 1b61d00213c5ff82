"""When digests go out, and so which tips each one holds: a calendar computed from the config alone.

Without ``send_at`` a digest is a calendar period (an ISO week, ``2026-W46``,
or a month, ``2026-11``) and is complete when the period is over.  With
``send_at`` (``tuesday 09:00`` or ``day 1 09:00`` in the site's time zone) a
digest holds the tips dated from one send time up to, not including, the
next, is named by the day it goes out (``2026-12-01``) and is due at that
send time: a tip dated on the send day, before the send time, goes out that
day.  ``scheduled_from`` keeps the calendar periods that start before it as
they were (their pages and the links in emails already sent stay valid);
from that date on, digests follow ``send_at``.

Every boundary depends on the config and the tips' dates, never on when a
command runs, so a build at 08:00 and one at 10:00 agree on every digest.
Instants are compared in UTC: two local times of a night when clocks go back
would otherwise compare by their wall-clock reading.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

WEEKLY = "weekly"
MONTHLY = "monthly"
SCHEDULED = "scheduled"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SEND_AT = re.compile(r"^\s*(?:(?P<weekday>[a-z]+)|day\s+(?P<day>\d{1,2}))\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*$",
                      re.IGNORECASE)
SEND_AT_EXAMPLE = "'tuesday 09:00' (weekly) or 'day 1 09:00' (monthly)"


class PeriodError(ValueError):
    """A period or tag the user asked for that cannot be served; the message is one line for the CLI."""


@dataclass(frozen=True, order=True)
class Period:
    start: datetime  # first instant, in the site's time zone
    end: datetime  # first instant of the next period: for a scheduled digest, its send time
    id: str  # '2024-W46', '2024-11' or (scheduled) '2024-11-19', the day it goes out
    kind: str

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - periods are small values; a label is asked for many times
    def label(self, language: str) -> str:
        if self.kind == SCHEDULED:
            return format_date(self.end.date(), format="long", locale=language)
        if self.kind == MONTHLY:
            return format_date(self.start.date(), format="LLLL yyyy", locale=language)
        last = (self.end - timedelta(days=1)).date()
        year, week = self.id.split("-W")  # the ISO year: week 1 can start in December
        span = f"{format_date(self.start.date(), format='MMMM d', locale=language)}–" + (
            format_date(last, format="d", locale=language) if last.month == self.start.month
            else format_date(last, format="MMMM d", locale=language))
        return f"Week {int(week)}, {year} ({span})"

    def is_complete(self, now: datetime) -> bool:
        """Over, so its digest may go out: a scheduled digest at its send time."""
        return _utc(self.end) <= _utc(now)

    def holds(self, when: datetime) -> bool:
        return _utc(self.start) <= _utc(when) < _utc(self.end)


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC)


@dataclass(frozen=True)
class SendAt:
    """``send_at`` read: a weekday (weekly) or a day of the month (monthly), and a time of day."""

    at: time
    weekday: int | None = None  # 0 = Monday
    day: int | None = None  # 1..31; a shorter month sends on its last day

    @property
    def kind(self) -> str:
        return WEEKLY if self.weekday is not None else MONTHLY

    def __str__(self) -> str:
        clock = self.at.strftime("%H:%M")
        return f"{WEEKDAYS[self.weekday]} {clock}" if self.weekday is not None else f"day {self.day} {clock}"


def parse_send_at(text: str) -> SendAt:
    """``tuesday 09:00`` or ``day 1 09:00``; raises ValueError with the message for ``send_at:``."""
    match = _SEND_AT.match(text)
    problem = f"expected a day and a time like {SEND_AT_EXAMPLE}, got {text!r}"
    if not match:
        raise ValueError(problem)
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ValueError(f"{problem} (the time is HH:MM on a 24-hour clock)")
    at = time(hour, minute)
    if match["weekday"]:
        name = match["weekday"].lower()
        found = [i for i, day in enumerate(WEEKDAYS) if day == name or (len(name) >= 3 and day.startswith(name))]
        if not found:
            raise ValueError(f"{problem} ({name!r} is not a day of the week)")
        return SendAt(at, weekday=found[0])
    day = int(match["day"])
    if not 1 <= day <= 31:
        raise ValueError(f"{problem} (a day of the month is 1 to 31)")
    return SendAt(at, day=day)


def week_period(year: int, week: int, tz: ZoneInfo) -> Period:
    monday = date.fromisocalendar(year, week, 1)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    after = monday + timedelta(days=7)
    return Period(start, datetime(after.year, after.month, after.day, tzinfo=tz), f"{year}-W{week:02d}", WEEKLY)


def month_period(year: int, month: int, tz: ZoneInfo) -> Period:
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return Period(start, end, f"{year}-{month:02d}", MONTHLY)


def calendar_period(when: datetime, kind: str, tz: ZoneInfo) -> Period:
    local = when.astimezone(tz).date()
    if kind == MONTHLY:
        return month_period(local.year, local.month, tz)
    year, week, _ = local.isocalendar()
    return week_period(year, week, tz)


@dataclass(frozen=True)
class Schedule:
    """The site's digest calendar: ``legacy`` periods (weekly or monthly), then ``send_at`` from ``since``."""

    tz: ZoneInfo
    legacy: str = WEEKLY
    send_at: SendAt | None = None
    since: date | None = None  # scheduled_from: the first day that follows send_at

    @property
    def kind(self) -> str:
        return SCHEDULED if self.send_at else self.legacy

    @property
    def since_start(self) -> datetime | None:
        if self.send_at is None or self.since is None:
            return None
        return datetime(self.since.year, self.since.month, self.since.day, tzinfo=self.tz)

    def check(self) -> str | None:
        """Why this calendar cannot be used (``scheduled_from`` inside a legacy period), or None."""
        if self.send_at is None or self.since is None:
            return None
        start = self.since_start
        assert start is not None
        if calendar_period(start, self.legacy, self.tz).start == start:
            return None
        first = "a Monday (an ISO week starts there)" if self.legacy == WEEKLY else "the 1st of a month"
        name = format_date(self.since, format="EEEE", locale="en")
        return (f"scheduled_from: expected {first}, where a {self.legacy} digest of 'period: {self.legacy}' "
                f"begins, got {self.since.isoformat()} (a {name}); digests before it stay {self.legacy}")

    # -- send times ----------------------------------------------------------------------------
    def _at(self, day: date) -> datetime:
        assert self.send_at is not None
        return datetime.combine(day, self.send_at.at, tzinfo=self.tz)

    def _in_month(self, year: int, month: int) -> date:
        assert self.send_at is not None and self.send_at.day is not None
        return date(year, month, min(self.send_at.day, calendar.monthrange(year, month)[1]))

    def _send_day_from(self, day: date) -> date:
        """The first send day on or after ``day``."""
        assert self.send_at is not None
        if self.send_at.weekday is not None:
            return day + timedelta(days=(self.send_at.weekday - day.weekday()) % 7)
        candidate = self._in_month(day.year, day.month)
        if candidate >= day:
            return candidate
        following = day.replace(day=1) + timedelta(days=32)
        return self._in_month(following.year, following.month)

    def _send_day_before(self, day: date) -> date:
        """The send day before ``day`` (itself a send day)."""
        assert self.send_at is not None
        if self.send_at.weekday is not None:
            return day - timedelta(days=7)
        previous = day.replace(day=1) - timedelta(days=1)
        return self._in_month(previous.year, previous.month)

    def next_send(self, when: datetime) -> datetime:
        """The first send time after ``when`` (strictly: a digest due at ``when`` is the one before)."""
        assert self.send_at is not None
        day = self._send_day_from(when.astimezone(self.tz).date())
        while _utc(self._at(day)) <= _utc(when):
            day = self._send_day_from(day + timedelta(days=1))
        return self._at(day)

    # -- periods -------------------------------------------------------------------------------
    def period_of(self, when: datetime) -> Period:
        """The digest period a moment (a tip's date) belongs to."""
        since = self.since_start
        if self.send_at is None or (since is not None and _utc(when) < _utc(since)):
            return calendar_period(when, self.legacy, self.tz)
        end = self.next_send(when)
        start = self._at(self._send_day_before(end.date()))
        if since is not None and _utc(start) < _utc(since):
            start = since
        return Period(start, end, end.date().isoformat(), SCHEDULED)

    @property
    def example(self) -> str:
        return {SCHEDULED: "2024-11-19", MONTHLY: "2024-11", WEEKLY: "2024-W46"}[self.kind]

    def parse(self, text: str) -> Period:
        """A period named as ``tipsheet digest --list`` names it; raises PeriodError."""
        since = self.since_start
        day = _DAY.match(text)
        if self.send_at is not None and day:
            try:
                send_day = date(int(day[1]), int(day[2]), int(day[3]))
            except ValueError:
                raise PeriodError(f"--period: expected a date like {self.example}, got {text!r}") from None
            end = self._at(send_day)
            if self._send_day_from(send_day) == send_day and (since is None or _utc(end) > _utc(since)):
                return self.period_of(end - timedelta(seconds=1))
            raise PeriodError(f"--period: expected a day digests go out ({self.send_at}, from "
                              f"{(since or end).date().isoformat()}), got {text!r}")
        legacy = self._parse_calendar(text)
        if legacy is not None and (self.send_at is None or (since is not None and _utc(legacy.start) < _utc(since))):
            return legacy
        if self.send_at is not None:
            scope = "" if since is None else f" from {since.date().isoformat()}"
            raise PeriodError(f"--period: expected the day a digest goes out, like {self.example}, got {text!r} "
                              f"(digests are named by their day{scope}: see 'tipsheet digest --list')")
        month = _MONTH.match(text)
        is_month = bool(month) and 1 <= int(month[2]) <= 12 if month else False
        hint = " (this site sends monthly digests)" if _WEEK.match(text) and self.legacy == MONTHLY else \
            " (this site sends weekly digests)" if is_month and self.legacy == WEEKLY else ""
        what = "an ISO week" if self.legacy == WEEKLY else "a month"
        raise PeriodError(f"--period: expected {what} like {self.example}, got {text!r}{hint}")

    def _parse_calendar(self, text: str) -> Period | None:
        week, month = _WEEK.match(text), _MONTH.match(text)
        if self.legacy == WEEKLY and week:
            try:
                return week_period(int(week[1]), int(week[2]), self.tz)
            except ValueError:
                raise PeriodError(f"--period: expected an ISO week like 2024-W46, got {text!r} "
                                  f"({week[1]} has no week {week[2]})") from None
        if self.legacy == MONTHLY and month and 1 <= int(month[2]) <= 12:
            return month_period(int(month[1]), int(month[2]), self.tz)
        return None

    def describe(self) -> str:
        """``every Tuesday at 09:00 (America/New_York)``: for the status and the publish log."""
        if self.send_at is None:
            when = "each ISO week, once it is over" if self.legacy == WEEKLY else "each month, once it is over"
            return when
        clock = self.send_at.at.strftime("%H:%M")
        if self.send_at.weekday is not None:
            return f"every {WEEKDAYS[self.send_at.weekday].title()} at {clock} ({self.tz.key})"
        return f"on day {self.send_at.day} of every month at {clock} ({self.tz.key})"
