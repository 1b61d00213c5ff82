"""`tipsheet publish` through a week driven by SOURCE_DATE_EPOCH: a real build, a directory deploy served over
HTTP on 127.0.0.1, the digest page checked, and a real SMTP server (aiosmtpd) on 127.0.0.1.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path

import pytest

from listkit import add, store
from publishkit import epoch, get, scheduled_site, serve
from sitekit import tip
from tipsheet.cli import main

# Weeks of November 2026; digests go out on Tuesdays at 09:00 in Amsterdam.
TIPS = {
    "tips/last-week.md": tip("Last week's tip", date="2026-11-17", tags=["sports"], summary="Old news."),
    "tips/tuesday.md": tip("Tuesday's tip", date="2026-11-24", tags=["government"], summary="Fresh."),
}


@pytest.fixture
def week(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "frontline"
    root.mkdir()
    with serve(root / "www") as port:
        scheduled_site(root, port, TIPS, monkeypatch)
        add("ana@example.org")
        add("ben@example.org", "--tags", "government")
        yield root, f"http://127.0.0.1:{port}/"


def publish(monkeypatch, capsys, when: str, *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(when))
    status = main(["publish", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def subjects(relay) -> list[str]:
    return [m["Subject"] for m in relay.sink.messages()]


def test_a_week_tuesdays_tip_appears_on_its_day_and_goes_out_once_after_the_send_time(week, relay, monkeypatch,
                                                                                       capsys):
    root, site = week
    # Tuesday the 17th, 10:00: last week's digest goes out.
    status, out, _ = publish(monkeypatch, capsys, "2026-11-17 10:00")
    assert status == 0, out
    assert subjects(relay) == ["Test Tips: Last week's tip"]  # ben wants government tips only
    assert get(site + "digests/2026-11-17/")[0] == 200

    # Monday the 23rd: the site is rebuilt and deployed, without Tuesday's tip; nothing is sent.
    status, out, _ = publish(monkeypatch, capsys, "2026-11-23 10:00")
    assert status == 0, out
    assert "build:   site/ built" in out and "deploy:  nothing to do: " in out  # the same site as on the 17th
    assert "send:    nothing to do: digest 2026-11-17 went out 2026-11-17 10:00 to 1 subscriber; the next goes " \
           "out 2026-11-24 09:00 (Europe/Amsterdam)" in out
    assert get(site)[0] == 200
    assert get(site + "tips/tuesday/")[0] == 404
    assert "Tuesday's tip" not in get(site)[1]
    assert len(relay.sink.received) == 1

    # Tuesday 08:00: the tip is on the site (dated midnight), but its digest is not due before 09:00.
    status, out, _ = publish(monkeypatch, capsys, "2026-11-24 08:00")
    assert status == 0, out
    assert get(site + "tips/tuesday/")[0] == 200
    assert "nothing to do: digest 2026-11-17 went out" in out
    assert len(relay.sink.received) == 1

    # Tuesday 10:00: same site as at 08:00 (nothing to deploy), the page is verified, the digest goes out.
    status, out, _ = publish(monkeypatch, capsys, "2026-11-24 10:00")
    assert status == 0, out
    assert "deploy:  nothing to do: " in out and "already serves this site" in out
    assert f"verify:  {site}digests/2026-11-24/ serves digest 2026-11-24" in out
    assert "sent 2, skipped 0 (already sent)" in out
    new = relay.sink.messages()[1:]
    assert sorted(m["To"].addresses[0].addr_spec for m in new) == ["ana@example.org", "ben@example.org"]
    for message in new:
        assert message["Subject"] == "Test Tips: Tuesday's tip"
        text = message.get_body(("plain",)).get_content()
        assert f"View this digest in your browser: {site}digests/2026-11-24/" in text
        assert "Last week's tip" not in text
    status_code, page = get(site + "digests/2026-11-24/")
    assert status_code == 200 and "Tuesday" in page

    # Tuesday 11:00 (the hourly timer again): nothing is sent twice.
    status, out, _ = publish(monkeypatch, capsys, "2026-11-24 11:00")
    assert status == 0, out
    assert "send:    nothing to do: digest 2026-11-24 went out 2026-11-24 10:00 to 2 subscribers" in out
    assert len(relay.sink.received) == 3

    # The rest of the week: nothing new.
    for day in ("2026-11-25 10:00", "2026-11-28 10:00", "2026-11-30 23:00"):
        status, out, _ = publish(monkeypatch, capsys, day)
        assert status == 0 and "nothing to do: digest 2026-11-24 went out" in out, out
    assert len(relay.sink.received) == 3
    # two sites were deployed all week: without Tuesday's tip (17th, again unchanged on the 23rd), and with it
    releases = sorted((root / "www.releases").iterdir(), key=lambda p: p.stat().st_mtime)
    assert len(releases) == 2
    assert os.readlink(root / "www") == f"www.releases/{releases[-1].name}"


def test_a_failed_deploy_sends_nothing_and_says_so(tmp_path, relay, monkeypatch, capsys):
    root = tmp_path / "frontline"
    root.mkdir()
    with serve(root / "www") as port:
        failing = ["sh", "-c", "echo 'bucket gone' >&2; exit 3"]
        scheduled_site(root, port, TIPS, monkeypatch, deploy={"to": "command", "command": failing})
        add("ana@example.org")
        status, _, err = publish(monkeypatch, capsys, "2026-11-24 10:00")
    assert status == 1
    assert err.strip() == ("tipsheet publish: deploy: command 'sh -c echo 'bucket gone' >&2; exit 3': expected exit "
                           "status 0, got 3: bucket gone: nothing was sent")
    assert relay.sink.received == [] and relay.sink.attempts == []
    with store(root) as opened:
        assert opened.send_record("2026-11-24") is None


def test_a_deploy_that_went_elsewhere_is_caught_before_anyone_is_mailed(tmp_path, relay, monkeypatch, capsys):
    root = tmp_path / "frontline"
    root.mkdir()
    with serve(root / "www") as port:
        scheduled_site(root, port, TIPS, monkeypatch, deploy={"to": "command", "command": ["true"]})
        add("ana@example.org")
        status, out, err = publish(monkeypatch, capsys, "2026-11-24 10:00")
    assert status == 1
    assert "deploy:  ran 'true'" in out
    assert err.startswith(f"tipsheet publish: verify: expected http://127.0.0.1:{port}/digests/2026-11-24/ to serve "
                          "digest 2026-11-24, got HTTP 404 File not found: nothing was sent")
    assert relay.sink.received == []


def test_an_unreachable_site_sends_nothing_and_says_so(tmp_path, relay, monkeypatch, capsys):
    root = tmp_path / "frontline"
    root.mkdir()
    with serve(root / "www") as port:
        scheduled_site(root, port, TIPS, monkeypatch)
        add("ana@example.org")
    # the web server is gone: deploy works (it writes the folder), the check over HTTP does not
    status, out, err = publish(monkeypatch, capsys, "2026-11-24 10:00")
    assert status == 1
    assert "deploy:  " in out and (root / "www" / "digests" / "2026-11-24" / "index.html").is_file()
    assert err.strip().startswith(f"tipsheet publish: verify: expected http://127.0.0.1:{port}/digests/2026-11-24/ "
                                  "to serve digest 2026-11-24, got no connection (Connection refused): nothing was "
                                  "sent (is the web server up")
    assert relay.sink.received == []
    with store(root) as opened:
        assert opened.send_record("2026-11-24") is None
    # the server is back an hour later, on the same port: the digest goes out then
    with serve(root / "www", port):
        status, out, _ = publish(monkeypatch, capsys, "2026-11-24 11:00")
    assert status == 0, out
    assert "deploy:  nothing to do" in out and "sent 1," in out


def test_a_tip_with_a_warning_stops_publish_before_the_build(tmp_path, relay, monkeypatch, capsys):
    root = tmp_path / "frontline"
    root.mkdir()
    files = {**TIPS, "tips/no-summary.md": tip("No summary", date="2026-11-20", tags=["sports"])}
    with serve(root / "www") as port:
        scheduled_site(root, port, files, monkeypatch)
        add("ana@example.org")
        status, out, err = publish(monkeypatch, capsys, "2026-11-24 10:00")
    assert status == 1
    assert "content/tips/no-summary.md\n  error: summary: expected a summary" in out
    assert err.strip() == ("tipsheet publish: check: expected no errors or warnings (publish checks as 'tipsheet check "
                           "--strict'), got 0 errors and 1 warning: nothing was built, deployed or sent")
    assert not (root / "site").exists() and not (root / "www").exists()
    assert relay.sink.received == []


def test_dry_run_says_what_each_step_would_do_and_changes_nothing(week, relay, monkeypatch, capsys):
    root, site = week
    status, out, _ = publish(monkeypatch, capsys, "2026-11-24 10:00", "--dry-run")
    assert status == 0, out
    lines = out.splitlines()
    assert lines[0] == "tipsheet publish (dry run): Test Tips, 2026-11-24 10:00 Europe/Amsterdam"
    assert lines[1] == "check:   2 tips and the editor's notes: all good"
    assert lines[2] == "build:   would run 'mkdocs build --strict' into site/"
    assert lines[3].startswith("deploy:  would deploy site/ to directory ") and lines[3].endswith("/www, unless it is "
                                                                                                 "already live there")
    assert f"verify:  would fetch {site}digests/2026-11-24/ and expect a link to each of its 1 tip" in out
    assert "would send 2026-11-24 to ana@example.org" in out and "would send 2026-11-24 to ben@example.org" in out
    assert not (root / "site").exists() and not (root / "www").exists()
    assert relay.sink.received == []
    with store(root) as opened:
        assert opened.send_record("2026-11-24") is None


def test_a_stopped_send_is_resumed_by_the_next_run(week, relay, monkeypatch, capsys):
    relay.sink.data_replies.append("554 5.7.1 message refused as spam")  # stops the run, marks nobody
    status, out, err = publish(monkeypatch, capsys, "2026-11-24 10:00")
    assert status == 1 and "stopped:" in err
    assert len(relay.sink.received) < 2  # the other connection may have had its message accepted
    status, out, _ = publish(monkeypatch, capsys, "2026-11-24 11:00")
    assert status == 0, out
    assert "send:    digest 2026-11-24 is resuming" in out
    assert sorted(relay.sink.recipients()) == ["ana@example.org", "ben@example.org"]  # each once


def test_a_complaint_rate_at_the_stop_level_holds_the_digest_until_the_publisher_looks(week, relay, monkeypatch,
                                                                                        capsys):
    root, _ = week
    assert publish(monkeypatch, capsys, "2026-11-17 10:00")[0] == 0  # one message sent
    with store(root) as opened:
        ana = opened.get("ana@example.org")
        assert ana is not None
        opened.complaint(ana.id, "abuse", "arf")  # 1 complaint in 1 message: 100%
    status, out, err = publish(monkeypatch, capsys, "2026-11-24 10:00")
    assert status == 1
    assert "send:    STOP: at or above 0.3% complaint rate (100.00% over 30 days)" in out
    assert "nothing was sent (see 'tipsheet status'" in err
    assert len(relay.sink.received) == 1
    status, out, _ = publish(monkeypatch, capsys, "2026-11-24 11:00", "--ignore-rates")
    assert status == 0, out
    assert len(relay.sink.received) == 2  # ben only: ana complained and is unsubscribed


def test_only_one_publish_runs_at_a_time(week, relay, monkeypatch, capsys):
    root, _ = week
    with open(root / ".tipsheet-publish.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        status, out, err = publish(monkeypatch, capsys, "2026-11-24 10:00")
    assert status == 1 and out == ""
    assert err.strip() == ("tipsheet publish: expected no other 'tipsheet publish' of this site, got one still "
                           "running (nothing was done; the next run takes over)")


def test_a_digest_missed_while_the_server_was_off_is_named(week, relay, monkeypatch, capsys):
    root, _ = week
    files = {"tips/week-49.md": tip("December tip", date="2026-11-30", tags=["sports"], summary="S.")}
    (root / "content" / "tips" / "week-49.md").write_text(files["tips/week-49.md"], encoding="utf-8")
    assert publish(monkeypatch, capsys, "2026-11-17 10:00")[0] == 0
    status, out, _ = publish(monkeypatch, capsys, "2026-12-01 10:00")  # off from the 17th to the 1st
    assert status == 0, out
    assert ("send:    note: digest 2026-11-24 was never sent; publish sends only the newest due digest (send it by "
            "hand if you want: tipsheet send --period 2026-11-24)") in out
    assert subjects(relay)[-1] == "Test Tips: December tip"
    with sqlite3.connect(root / "tipsheet.db") as db:
        assert [r[0] for r in db.execute("SELECT digest FROM sends ORDER BY digest")] == ["2026-11-17", "2026-12-01"]


@pytest.mark.parametrize(("deploy", "message"), [
    ({"path": None}, "tipsheet/tips: deploy: path: expected the folder the web server serves (a symbolic link "
                     "that tipsheet switches), got nothing"),
    ({"to": "command"}, "tipsheet/tips: deploy: command: expected the command that deploys, as a list like "
                        "[netlify, deploy, --prod, --dir, site], got nothing"),
    ({"keep": 0}, "tipsheet/tips: deploy: keep: expected 1 or more releases, got 0"),
])
def test_a_deploy_without_what_it_needs_is_one_line_and_nothing_is_built(tmp_path, monkeypatch, capsys, deploy,
                                                                          message):
    root = scheduled_site(tmp_path, 9, TIPS, monkeypatch, deploy=deploy)
    status, _, err = publish(monkeypatch, capsys, "2026-11-24 10:00")
    assert status == 2
    assert err.strip() == f"tipsheet publish: mkdocs.yml: {message}"
    assert not (root / "site").exists() and not (root / "www").exists()
