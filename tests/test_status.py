"""`tipsheet status`: the publication at a glance, in text and JSON, read from a real list after real sends."""

from __future__ import annotations

import json

import pytest

from listkit import add, store
from publishkit import epoch, scheduled_site
from sitekit import tip
from tipsheet.audience.store import PAUSED
from tipsheet.cli import main

TIPS = {
    "tips/sent.md": tip("Already sent", date="2026-11-17", tags=["sports"], summary="S."),
    "tips/today.md": tip("Out this morning", date="2026-11-24", tags=["sports"], summary="S."),
    "tips/next.md": tip("Next Tuesday's tip", date="2026-12-01", tags=["sports"], summary="S."),
    "tips/evening.md": tip("An evening tip", date="2026-12-02T18:30:00+01:00", tags=["government"], summary="S."),
    "tips/draft.md": tip("Not ready", date="2026-11-20", tags=["sports"], summary="S.", draft=True),
    "digests/2026-12-08.md": "A note for the week after.\n",
}


@pytest.fixture
def publication(tmp_path, monkeypatch, relay):
    root = scheduled_site(tmp_path, 9, TIPS, monkeypatch)  # port 9: nothing here fetches the site
    for who in ("ana", "ben", "cho", "dee", "eve"):
        add(f"{who}@example.org")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2026-11-17 10:00"))
    assert main(["send"]) == 0  # digest 2026-11-17 to five readers
    with store(root) as opened:
        ids = {s.email: s.id for s in opened.all()}
        opened.mark_bounced(ids["eve@example.org"], "550 5.1.1 no such user", "dsn")
        opened.unsubscribe("dee@example.org", "one click")
        opened.set_status(ids["cho@example.org"], PAUSED, "holiday")
    add("fay@example.org")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2026-11-24 10:00"))  # 2026-11-24 is due, not sent
    return root


def status(capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()  # what ran before
    code = main(["status", *args])
    return code, capsys.readouterr().out


def test_status_reads_like_a_monday_morning_report(publication, capsys):
    code, out = status(capsys)
    assert code == 1, out  # the bounce rate is at its stop level
    assert out.splitlines() == [
        "Test Tips, 2026-11-24 10:00 Europe/Amsterdam",
        "Digests go out every Tuesday at 09:00 (Europe/Amsterdam).",
        "",
        "Scheduled tips: 2 (and 1 draft)",
        "  Tue 2026-12-01       Next Tuesday's tip  (content/tips/next.md)",
        "  Wed 2026-12-02 18:30 An evening tip  (content/tips/evening.md)",
        "",
        "Last digest: 2026-11-17, finished 2026-11-17 10:00, sent to 5 subscribers, 0 failed, 0 bounced",
        "Digest 2026-11-24: due now, not sent yet (the next 'tipsheet publish' sends it): 1 tip",
        "Next digest: 2026-12-01, goes out 2026-12-01 09:00, with 1 tip so far:",
        "  Tue 2026-12-01       Next Tuesday's tip",
        "",
        "List: 3 active, 0 pending, 1 paused, 1 unsubscribed, 1 bounced; 1 suppressed addresses",
        "Last 30 days: 5 messages sent, 1 hard bounce (20.00%), 0 complaints (0.00%)",
        "  complaint rate 0.00%: fine (warn at 0.1%)",
        "  STOP: at or above 5.0% bounce rate (20.00% over 30 days): addresses that do not exist: an old or bought "
        "list? (tipsheet bounces, then tipsheet status)",
    ]


def test_status_json_for_monitoring(publication, capsys):
    code, out = status(capsys, "--format", "json")
    assert code == 1  # a rate at its stop level
    report = json.loads(out)
    assert report["schedule"]["send_at"] == "tuesday 09:00"
    assert [t["title"] for t in report["scheduled_tips"]] == ["Next Tuesday's tip", "An evening tip"]
    assert report["scheduled_tips"][1]["date"] == "2026-12-02T18:30+01:00"
    assert report["last_sent"]["digest"] == "2026-11-17" and report["last_sent"]["sent"] == 5
    assert report["due"] == {"digest": "2026-11-24", "due_at": "2026-11-24T09:00+01:00",
                             "tips": ["Out this morning"], "note": False, "state": "due"}
    assert report["next"]["digest"] == "2026-12-01" and report["next"]["note"] is False
    assert report["list"] == {"active": 3, "pending": 0, "paused": 1, "unsubscribed": 1, "bounced": 1,
                              "suppressed": 1}
    assert report["rates"]["levels"] == {"complaint_rate": "ok", "bounce_rate": "stop"}
    assert report["rates"]["limits"]["complaint_rate"] == {"warn": 0.001, "stop": 0.003}
    assert report["alarm"] is True


def test_after_the_send_the_due_digest_is_done_and_the_next_one_is_shown_with_its_note(publication, capsys,
                                                                                       monkeypatch):
    assert main(["send"]) == 0  # 2026-11-24 to the three active readers
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2026-12-01 10:00"))
    assert main(["send"]) == 0
    _, out = status(capsys, "--format", "json")
    report = json.loads(out)
    assert report["last_sent"]["digest"] == "2026-12-01"
    assert report["due"]["state"] == "sent"
    assert report["next"]["digest"] == "2026-12-08" and report["next"]["note"] is True
    assert [t["title"] for t in report["next"]["tips"]] == ["An evening tip"]
    _, text = status(capsys)
    assert "Next digest: 2026-12-08, goes out 2026-12-08 09:00, with 1 tip and an editor's note so far:" in text
    assert "due now" not in text


def test_complaints_warn_at_a_tenth_of_a_percent(publication, capsys, monkeypatch):
    with store(publication) as opened:
        opened.db.execute("DELETE FROM bounce_events")  # the bounce of the fixture is not this test's concern
        for n in range(995):  # 1,000 messages in the window with the fixture's five
            opened.delivered(f"bulk-{n}", 1, f"<{n}@x>")
        opened.complaint(1, "abuse", "arf")
    code, out = status(capsys)
    assert code == 0
    assert "  warning: at or above 0.1% complaint rate (0.10% over 30 days): readers mark the digest as spam" in out


def test_status_without_a_list_still_shows_the_schedule(tmp_path, monkeypatch, capsys):
    scheduled_site(tmp_path, 9, TIPS, monkeypatch)
    (tmp_path / "tipsheet.db").unlink()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2026-11-24 10:00"))
    code, out = status(capsys)
    assert code == 0
    assert "Scheduled tips: 2 (and 1 draft)" in out
    assert "List: tipsheet.db: expected a tipsheet database, got no file there (create the list once with 'tipsheet " \
           "subscribers init')" in out
