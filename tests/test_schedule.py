"""The digest calendar: send_at periods from the config alone, DST, months, scheduled_from, and parsing ids."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tipsheet.mail.schedule import MONTHLY, SCHEDULED, WEEKLY, PeriodError, Schedule, parse_send_at

NY = ZoneInfo("America/New_York")
TUESDAY_9 = Schedule(NY, WEEKLY, parse_send_at("tuesday 09:00"))


def at(text: str, tz: ZoneInfo = NY) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


@pytest.mark.parametrize(("text", "weekday", "day", "clock"), [
    ("tuesday 09:00", 1, None, "09:00"), ("Tue 9:30", 1, None, "09:30"), ("sunday 23:59", 6, None, "23:59"),
    ("day 1 08:00", None, 1, "08:00"), ("day 31 07:15", None, 31, "07:15"),
])
def test_send_at_reads_a_weekday_or_a_day_of_the_month(text, weekday, day, clock):
    found = parse_send_at(text)
    assert (found.weekday, found.day, found.at.strftime("%H:%M")) == (weekday, day, clock)


@pytest.mark.parametrize(("text", "why"), [
    ("tuesday", "got 'tuesday'"), ("tusday 09:00", "'tusday' is not a day of the week"),
    ("tuesday 25:00", "24-hour clock"), ("day 32 09:00", "1 to 31"), ("every day", "got 'every day'"),
])
def test_a_bad_send_at_says_what_it_expected(text, why):
    with pytest.raises(ValueError) as caught:
        parse_send_at(text)
    assert str(caught.value).startswith("expected a day and a time like 'tuesday 09:00' (weekly) or 'day 1 09:00'")
    assert why in str(caught.value)


def test_a_tip_dated_on_the_send_day_before_the_send_time_goes_out_that_day():
    tuesday_tip = TUESDAY_9.period_of(at("2026-11-24T00:00"))
    assert (tuesday_tip.id, tuesday_tip.kind) == ("2026-11-24", SCHEDULED)
    assert tuesday_tip.start == at("2026-11-17T09:00") and tuesday_tip.end == at("2026-11-24T09:00")
    assert TUESDAY_9.period_of(at("2026-11-23T18:00")).id == "2026-11-24"  # Monday evening: the same digest
    assert TUESDAY_9.period_of(at("2026-11-24T09:00")).id == "2026-12-01"  # at the send time: the next one
    assert TUESDAY_9.period_of(at("2026-11-24T08:59")).id == "2026-11-24"


def test_a_period_is_complete_at_its_send_time_whatever_the_time_zone_of_now():
    period = TUESDAY_9.period_of(at("2026-11-24T00:00"))
    assert not period.is_complete(datetime(2026, 11, 24, 13, 59, tzinfo=UTC))  # 08:59 in New York
    assert period.is_complete(datetime(2026, 11, 24, 14, 0, tzinfo=UTC))


def test_send_times_keep_the_local_clock_across_a_change_of_daylight_saving_time():
    # New York leaves daylight saving time on Sunday 2026-11-01: that week is 169 hours long.
    period = TUESDAY_9.period_of(at("2026-11-02T12:00"))
    assert (period.start.astimezone(NY).hour, period.end.astimezone(NY).hour) == (9, 9)
    assert period.end.astimezone(UTC) - period.start.astimezone(UTC) == timedelta(hours=169)


def test_monthly_send_times_fall_on_the_last_day_of_a_shorter_month():
    schedule = Schedule(NY, WEEKLY, parse_send_at("day 31 07:00"))
    assert schedule.period_of(at("2027-02-10T12:00")).id == "2027-02-28"
    assert schedule.period_of(at("2027-03-01T12:00")).id == "2027-03-31"
    first = Schedule(NY, MONTHLY, parse_send_at("day 1 08:00"))
    december = first.period_of(at("2026-11-15T12:00"))
    assert (december.id, december.start, december.end) == ("2026-12-01", at("2026-11-01T08:00"),
                                                         at("2026-12-01T08:00"))


def test_before_scheduled_from_the_calendar_weeks_stay_as_they_were():
    schedule = Schedule(NY, WEEKLY, parse_send_at("tuesday 09:00"), date(2026, 11, 23))
    assert schedule.check() is None
    before = schedule.period_of(at("2026-11-19T10:00"))
    assert (before.id, before.kind) == ("2026-W47", WEEKLY)
    first = schedule.period_of(at("2026-11-23T10:00"))
    assert (first.id, first.start, first.end) == ("2026-11-24", at("2026-11-23T00:00"), at("2026-11-24T09:00"))
    assert schedule.parse("2026-W47") == before
    assert schedule.parse("2026-11-24") == first
    with pytest.raises(PeriodError, match=r"expected the day a digest goes out, like 2024-11-19, got '2026-W48'"):
        schedule.parse("2026-W48")  # that week is after scheduled_from: its tips are in 2026-11-24 and 2026-12-01


def test_scheduled_from_must_be_where_a_calendar_period_begins():
    wednesday = Schedule(NY, WEEKLY, parse_send_at("tuesday 09:00"), date(2026, 11, 25))
    assert wednesday.check() == ("scheduled_from: expected a Monday (an ISO week starts there), where a weekly "
                                 "digest of 'period: weekly' begins, got 2026-11-25 (a Wednesday); digests before it "
                                 "stay weekly")
    monthly = Schedule(NY, MONTHLY, parse_send_at("day 1 09:00"), date(2026, 12, 2))
    assert "expected the 1st of a month" in (monthly.check() or "")


def test_a_period_is_named_by_a_day_digests_go_out():
    assert TUESDAY_9.parse("2026-11-24").end == at("2026-11-24T09:00")
    with pytest.raises(PeriodError, match=r"expected a day digests go out \(tuesday 09:00"):
        TUESDAY_9.parse("2026-11-25")
    with pytest.raises(PeriodError, match=r"got '2026-W47' \(digests are named by their day"):
        TUESDAY_9.parse("2026-W47")
    with pytest.raises(PeriodError, match=r"expected a date like 2024-11-19, got '2026-02-30'"):
        TUESDAY_9.parse("2026-02-30")


def test_without_send_at_the_calendar_is_unchanged():
    weekly = Schedule(NY)
    assert weekly.kind == WEEKLY and weekly.period_of(at("2026-11-24T10:00")).id == "2026-W48"
    assert Schedule(NY, MONTHLY).period_of(at("2026-11-24T10:00")).id == "2026-11"
    assert weekly.describe() == "each ISO week, once it is over"
    assert TUESDAY_9.describe() == "every Tuesday at 09:00 (America/New_York)"
