"""Digests on a schedule in real builds: named by the day they go out, deterministic, and a site that moves
from ISO weeks keeps its old digest addresses (kept before scheduled_from, forwarded after)."""

from __future__ import annotations

import re

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from sitekit import NOW, run_build, tip, write_project
from tipsheet.cli import main

# Weeks of 2026: W44 = Oct 26-Nov 1, W45 = Nov 2-8, W46 = Nov 9-15, W47 = Nov 16-22.  Tuesdays: Oct 27, Nov 3,
# Nov 10, Nov 17.  "Today" is Sunday 2026-11-22.
FILES = {
    "tips/a.md": tip("Alpha", date="2026-10-27", tags=["sports"], summary="A."),
    "tips/b.md": tip("Beta", date="2026-11-03", tags=["government"], summary="B."),
    "tips/c.md": tip("Gamma", date="2026-11-05", tags=["sports"], summary="C."),
    "tips/d.md": tip("Delta", date="2026-11-17", tags=["sports"], summary="D."),
    "tips/e.md": tip("Epsilon", date="2026-11-24T10:00:00+01:00", tags=["sports"], summary="E."),  # scheduled
}
TUESDAYS = {"send_at": "tuesday 09:00", "tags": ["sports"]}


def archive(site, tag=""):
    return [a.text_content() for a in site.html(f"digests/{tag}").cssselect(".ts-digestlist a")]


def test_digests_are_named_by_the_day_they_go_out(build_site, capsys):
    s = build_site(FILES, digests=TUESDAYS)
    assert s.ok, s.error
    assert archive(s) == ["November 17, 2026", "November 10, 2026", "November 3, 2026", "October 27, 2026"]
    assert s.card_titles("digests/2026-11-10/") == ["Gamma"]  # Thursday's tip goes out the Tuesday after
    assert s.card_titles("digests/2026-11-03/") == ["Beta"]  # Tuesday's tip goes out that Tuesday
    assert s.card_titles("digests/sports/2026-11-17/") == ["Delta"]
    assert main(["digest", "--list", "-f", str(s.config_file)]) == 0
    assert capsys.readouterr().out.splitlines() == ["2026-11-17 1 tip    Delta", "2026-11-10 1 tip    Gamma",
                                                    "2026-11-03 1 tip    Beta", "2026-10-27 1 tip    Alpha"]


def test_the_calendar_weeks_the_schedule_replaced_forward_to_the_digest_with_their_newest_tip(build_site):
    s = build_site(FILES, digests=TUESDAYS)
    moved = s.read("digests/2026-W45/")
    assert '<meta http-equiv="refresh" content="0; url=../../digests/2026-11-10/">' in moved
    assert '<link rel="canonical" href="https://tips.example.org/digests/2026-11-10/">' in moved
    assert "url=../../../digests/sports/2026-11-10/" in s.read("digests/sports/2026-W45/")
    assert "url=../../digests/2026-11-17/" in s.read("digests/2026-W47/")


def test_scheduled_from_keeps_the_weeks_before_it_as_they_were(build_site, capsys):
    s = build_site(FILES, digests={**TUESDAYS, "scheduled_from": "2026-11-09"})
    assert s.ok, s.error
    assert archive(s) == ["November 17, 2026", "Week 45, 2026 (November 2–8)", "Week 44, 2026 (October 26–November 1)"]
    assert s.card_titles("digests/2026-W45/") == ["Beta", "Gamma"]  # the page an email sent in week 46 links to
    assert s.card_titles("digests/2026-11-17/") == ["Delta"]
    assert "url=../../digests/2026-11-17/" in s.read("digests/2026-W47/")
    assert main(["digest", "--period", "2026-W45", "--out", str(s.root / "w45.eml"), "-f", str(s.config_file)]) == 0
    assert "digest 2026-W45, 2 tips" in capsys.readouterr().out


def test_scheduled_from_inside_a_week_is_refused(build_site):
    s = build_site(FILES, digests={**TUESDAYS, "scheduled_from": "2026-11-11"})
    assert not s.ok
    assert ("tipsheet/digests: scheduled_from: expected a Monday (an ISO week starts there), where a weekly digest of "
            "'period: weekly' begins, got 2026-11-11 (a Wednesday)") in s.error


@pytest.mark.parametrize(("value", "message"), [
    ("tuesday", "expected a day and a time like 'tuesday 09:00' (weekly) or 'day 1 09:00' (monthly), "
                "got 'tuesday'"),
    ("day 40 09:00", "(a day of the month is 1 to 31)"),
])
def test_a_bad_send_at_fails_the_build_and_the_commands(tmp_path, caplog, capsys, value, message):
    config_file = write_project(tmp_path, FILES, digests={"send_at": value})
    with pytest.raises(Abort):
        load_config(str(config_file))
    assert any("'send_at': " + message in r.getMessage() or ("'send_at'" in r.getMessage() and message in
                                                            r.getMessage()) for r in caplog.records)
    assert main(["digest", "--list", "-f", str(config_file)]) == 2
    err = capsys.readouterr().err
    assert "tipsheet/digests: send_at: " in err and message in err


def test_the_same_tips_give_the_same_site_whenever_it_is_built(build_site, monkeypatch):
    s = build_site(FILES, digests=TUESDAYS)
    first = s.output()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(NOW + 20 * 3600))  # Monday 21:00 in Amsterdam: nothing new yet
    run_build(s)
    assert s.ok and s.output() == first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(NOW + 2 * 86400 + 10 * 3600))  # Tuesday 11:00: Epsilon is out
    run_build(s)
    assert s.card_titles("digests/2026-12-01/") == ["Epsilon"]  # dated 10:00, after the send time: the next one
    assert s.card_titles("digests/2026-11-17/") == ["Delta"]  # a digest that went out keeps its tips


def test_monthly_on_a_day(build_site):
    s = build_site(FILES, digests={"send_at": "day 1 08:00"})
    assert s.ok, s.error
    assert archive(s) == ["December 1, 2026", "November 1, 2026"]
    assert s.card_titles("digests/2026-12-01/") == ["Beta", "Gamma", "Delta"]
    assert re.search(r"url=\.\./\.\./digests/2026-12-01/", s.read("digests/2026-W47/"))
