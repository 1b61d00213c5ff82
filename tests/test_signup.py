"""Readers subscribe themselves: the list service under a real WSGI server, its mail through a real SMTP server."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from listkit import SECRET, Service, add, rows, status_of, subscriber
from tipsheet.audience.tokens import CONFIRM, Signer
from tipsheet.cli import main

NOW = 1795305600
HOUR = 3600
ANSWER = re.compile(r"Check your inbox: if .* can receive our tips, a link to confirm is on its way")


def sign_up(service: Service, email: str, **fields: object) -> tuple[int, str, dict[str, str]]:
    return service.post("subscribe", {"email": email, "form": "tip", "wording": "1", "website": "", **fields})


def confirm_link(service: Service, email: str) -> str:
    mails = service.mails_to(email)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    assert mails[0]["Subject"] == "Confirm your subscription to Test Tips"
    return service.link_in(mails[0])


def test_sign_up_confirm_choose_topics_and_leave(service, project):
    code, body, headers = sign_up(service, "Reader@Example.org", topics=["sports", "government"])
    assert code == 200 and ANSWER.search(body)
    assert rows(project, "SELECT count(*) FROM subscribers") == [(0,)]  # pending is not on the list
    link = confirm_link(service, "Reader@example.org")
    assert link.startswith("confirm?token=t1.")
    code, page, _ = service.get(link)  # what a mail scanner does: nothing changes
    assert code == 200 and '<button type="submit">Confirm</button>' in page
    assert rows(project, "SELECT count(*) FROM subscribers") == [(0,)]
    token = link.split("token=", 1)[1]
    code, page, _ = service.post("confirm", {"token": token})
    assert code == 200 and "You're subscribed" in page
    reader = subscriber(project, "Reader@example.org")
    assert (reader.status, reader.tags, reader.source) == ("active", ("sports", "government"), "form:tip")
    consent = rows(project, "SELECT consent_form, consent_wording, consent_at IS NOT NULL, confirmed_at IS NOT NULL "
                            "FROM subscribers")
    assert consent == [("tip", "1", 1, 1)]
    code, again, _ = service.post("confirm", {"token": token})  # a second click (or a scanner's POST replay)
    assert code == 200 and "Already confirmed" in again

    preferences = re.search(r'href="/preferences\?token=([^"]+)"', page).group(1)
    code, page, _ = service.get(f"preferences?token={preferences}")
    assert code == 200 and 'value="sports" checked' in page and 'value="persistence">' in page
    code, page, _ = service.post("preferences", {"token": preferences, "action": "topics", "topics": ["persistence"]})
    assert code == 200 and "Saved: you will get Persistence." in page
    assert subscriber(project, "Reader@example.org").tags == ("persistence",)
    code, page, _ = service.post("preferences", {"token": preferences, "action": "pause", "weeks": "4"})
    assert "Paused: nothing until 2026-12-20" in page and status_of(project, "Reader@example.org") == "paused"
    code, page, _ = service.post("preferences", {"token": preferences, "action": "resume"})
    assert status_of(project, "Reader@example.org") == "active"
    code, data, headers = service.post("preferences", {"token": preferences, "action": "export"})
    assert headers["Content-Disposition"] == 'attachment; filename="my-subscription.json"'
    held = json.loads(data)
    assert held["subscriber"]["email"] == "Reader@example.org" and held["subscriber"]["consent_form"] == "tip"
    code, page, _ = service.post("preferences", {"token": preferences, "action": "unsubscribe"})
    assert code == 200 and "You are unsubscribed" in page
    assert status_of(project, "Reader@example.org") == "unsubscribed"


def test_erase_keeps_only_a_hash_and_the_link_stops_working(service, project):
    sign_up(service, "gone@example.org")
    service.post("confirm", {"token": confirm_link(service, "gone@example.org").split("token=")[1]})
    preferences = Signer(SECRET).token("p", subscriber(project, "gone@example.org").id,
                                       nonce=subscriber(project, "gone@example.org").nonce)
    code, page, _ = service.post("preferences", {"token": preferences, "action": "erase"})
    assert code == 400 and "Tick the box" in page
    code, page, _ = service.post("preferences", {"token": preferences, "action": "erase", "sure": "yes"})
    assert code == 200 and "Erased" in page
    assert rows(project, "SELECT count(*) FROM subscribers") == [(0,)]
    assert rows(project, "SELECT count(*) FROM signups") == [(0,)]
    assert rows(project, "SELECT reason FROM suppressions") == [("erased",)]
    for path in project.glob("tipsheet.db*"):
        assert b"gone@example.org" not in path.read_bytes()
    assert service.get(f"preferences?token={preferences}")[0] == 400
    assert main(["subscribers", "import", str(_csv(project, "gone@example.org"))]) == 0  # a re-import: left out
    assert rows(project, "SELECT count(*) FROM subscribers") == [(0,)]


def _csv(project, email):
    path = project / "people.csv"
    path.write_text(f"email,name,tags\n{email},Back,\n")
    return path


def test_the_answer_never_says_whether_an_address_is_known(service, project):
    add("known@example.org")
    new = sign_up(service, "new@example.org")
    known = sign_up(service, "known@example.org")
    assert new[0] == known[0] == 200
    assert new[1].replace("new@", "X@") == known[1].replace("known@", "X@")
    # the known reader is sent their preferences link instead of a confirmation
    mail = service.mails_to("known@example.org")[0]
    assert mail["Subject"] == "Your subscription to Test Tips"
    assert service.link_in(mail).startswith("preferences?token=")
    assert status_of(project, "known@example.org") == "active"


def test_json_and_form_entries_run_the_same_checks(service, project):
    code, body, _ = service.post("subscribe", json_body={"email": "a@example.org", "topics": ["sprots"]},
                                 headers={"Accept": "application/json"})
    assert code == 400 and json.loads(body) == {
        "ok": False, "error": "tags: expected tags of the site, got 'sprots' (did you mean 'sports'?)"}
    code, body, _ = sign_up(service, "a@example.org", topics=["sprots"])
    assert code == 400 and "tags: expected tags of the site, got &#39;sprots&#39;" in body
    code, body, _ = service.post("subscribe", json_body={"email": "b@example.org", "topics": ["sports"]},
                                 headers={"Accept": "application/json"})
    assert code == 200 and json.loads(body)["ok"] is True
    assert service.mails_to("b@example.org")[0]["Subject"] == "Confirm your subscription to Test Tips"


@pytest.mark.parametrize(("email", "message"), [
    ("not-an-address", "email: expected an address like name@example.org, got &#39;not-an-address&#39;"),
    ("a" * 250 + "@example.org", "email: expected an address of at most 254 characters, got 262"),
    ("a@example.org\r\nBcc: victim@example.org", "email: expected an address on one line"),
    ("", "email: expected an address like name@example.org, got &#39;&#39;"),
])
def test_bad_addresses_get_a_clear_answer_and_change_nothing(service, project, email, message):
    code, body, _ = sign_up(service, email)
    assert code == 400 and message in body
    assert rows(project, "SELECT count(*) FROM signups") == [(0,)]
    assert rows(project, "SELECT count(*) FROM outbox") == [(0,)]


def test_the_honeypot_gets_the_same_answer_and_no_mail(service, project):
    code, body, _ = sign_up(service, "victim@example.org", website="http://spam.example/")
    assert code == 200 and ANSWER.search(body)
    assert rows(project, "SELECT count(*) FROM signups") == [(0,)]
    assert rows(project, "SELECT outcome FROM signup_log") == [("honeypot",)]
    assert service.mails_to("victim@example.org", wait=1.0) == []


def test_a_burst_of_fifty_sign_ups_for_one_address_sends_one_mail(service, project):
    for n in range(50):  # each from a different client, as a botnet would
        code, body, _ = service.post("subscribe", {"email": "victim@example.org"},
                                     headers={"X-Forwarded-For": f"203.0.113.{n}"})
        assert code == 200 and ANSWER.search(body)
    assert len(service.mails_to("victim@example.org", count=2, wait=3.0)) == 1
    assert rows(project, "SELECT count(*) FROM outbox") == [(1,)]


@pytest.mark.parametrize("service", [{"per_client_hourly": 3}], indirect=True)
def test_the_per_client_limit_trips_with_a_429(service, project, caplog):
    for n in range(3):
        assert sign_up(service, f"r{n}@example.org")[0] == 200
    code, body, _ = sign_up(service, "r9@example.org")
    assert code == 429 and "Too many sign-ups from your connection" in body
    assert "sign-up limit reached: 3 from one client in the last hour" in caplog.text
    assert rows(project, "SELECT outcome, count(*) FROM signup_log GROUP BY outcome ORDER BY outcome") == \
        [("accepted", 3), ("client-limit", 1)]
    assert sign_up(service, "r9@example.org", )[0] == 429


@pytest.mark.parametrize("service", [{"global_hourly": 2}], indirect=True)
def test_the_global_limit_trips_for_everyone(service, project):
    for n in range(2):
        assert service.post("subscribe", {"email": f"r{n}@example.org"},
                            headers={"X-Forwarded-For": f"198.51.100.{n}"})[0] == 200
    code, body, _ = service.post("subscribe", {"email": "late@example.org"},
                                 headers={"X-Forwarded-For": "198.51.100.9"})
    assert code == 429 and "more sign-ups than usual" in body


@pytest.mark.parametrize("service", [{"require_form_token": True}], indirect=True)
def test_a_blind_post_is_refused_when_the_form_token_is_required(service, project):
    code, body, _ = sign_up(service, "a@example.org")
    assert code == 400 and "expected a sign-up from the form on our site" in body
    token = json.loads(service.get("form-token")[1])["token"]
    assert sign_up(service, "a@example.org", form_token=token)[0] == 200


def test_confirmation_links_expire_and_bad_ones_are_refused(service, project, monkeypatch):
    sign_up(service, "late@example.org")
    link = confirm_link(service, "late@example.org")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(NOW + 73 * HOUR))
    code, page, _ = service.get(link)
    assert code == 410 and "This link has expired" in page
    assert service.post("confirm", {"token": link.split("token=")[1]})[0] == 410
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(NOW))
    token = link.split("token=")[1]
    forged = Signer("another-secret-0123456789-abcdefghijk").token(CONFIRM, 1, None, "x")
    for bad in (token[:-3], forged, quote("t1.é.x.y"), "", token.replace("t1.", "t2.", 1)):
        code, page, _ = service.post("confirm", {"token": bad})
        assert code == 400 and "not valid" in page, bad
    unsubscribe_token = Signer(SECRET).unsubscribe_token(1)
    assert service.post("confirm", {"token": unsubscribe_token})[0] == 400  # one purpose per token
    assert rows(project, "SELECT count(*) FROM subscribers") == [(0,)]


def test_unconfirmed_sign_ups_are_deleted_after_seven_days(service, project, monkeypatch):
    sign_up(service, "never@example.org")
    assert rows(project, "SELECT count(*) FROM signups") == [(1,)]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(NOW + 8 * 24 * HOUR))
    service.outbox.wake()
    from tipsheet.audience.service import ListService

    ListService._purged = 0.0  # the next sign-up purges (at most once an hour per process)
    sign_up(service, "another@example.org", **{})
    assert [r[0] for r in rows(project, "SELECT email FROM signups")] == ["another@example.org"]


def test_pages_are_noindex_with_a_strict_policy(service):
    for path in ("subscribe", "confirm?token=x", "preferences?token=x", "unsubscribe?token=x"):
        _, body, headers = service.get(path)
        assert headers["X-Robots-Tag"] == "noindex, nofollow", path
        assert headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'self';"), path
        assert "<script" not in body and '<meta name="robots" content="noindex, nofollow">' in body, path


def test_cors_only_for_the_sites_own_origin(service):
    _, _, headers = service.post("subscribe", json_body={"email": "a@example.org"},
                                 headers={"Origin": "https://tips.example.org", "Accept": "application/json"})
    assert headers["Access-Control-Allow-Origin"] == "https://tips.example.org"
    _, _, headers = service.post("subscribe", json_body={"email": "b@example.org"},
                                 headers={"Origin": "https://evil.example", "Accept": "application/json"})
    assert "Access-Control-Allow-Origin" not in headers


def test_the_digest_links_each_readers_preferences_page(service, project, relay):
    add("reader@example.org")
    assert main(["send"]) == 0
    digest = next(m for m in relay.sink.messages() if m["Subject"].startswith("Test Tips: Box"))
    text = digest.get_body(("plain",)).get_content()
    link = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Choose topics or pause: "))
    assert link.startswith(service.url + "preferences?token=")
    code, page, _ = service.get(link.removeprefix(service.url))
    assert code == 200 and "reader@example.org" in page
    html = digest.get_body(("html",)).get_content()
    assert "Choose topics or pause</a>" in html


def test_without_its_database_the_service_says_503_and_the_server_will_not_start(service, project, capsys):
    for path in project.glob("tipsheet.db*"):
        path.rename(path.with_name("moved-" + path.name))
    code, body, _ = sign_up(service, "a@example.org")
    assert code == 503 and "nothing was changed" in body
    assert not (project / "tipsheet.db").exists()
    assert main(["list-server", "--port", "0"]) == 1
    assert "tipsheet.db: expected a tipsheet database, got no file there" in capsys.readouterr().err


def test_the_wsgi_entry_under_gunicorn(project, relay, tmp_path):
    """tipsheet.cli.wsgi:application as a deployment runs it: gunicorn, 2 workers, settings from the environment."""
    import os
    import shutil
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from listkit import configure_signup

    listening = socket.socket()  # bound here and handed to gunicorn: nobody can take the port in between
    listening.bind(("127.0.0.1", 0))
    listening.listen(64)
    port = listening.getsockname()[1]
    configure_signup(project, list_url=f"http://127.0.0.1:{port}/")
    env = {**os.environ, "TIPSHEET_CONFIG": str(project / "mkdocs.yml"), "TIPSHEET_DB": str(project / "tipsheet.db")}
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable))
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen([gunicorn, "--workers", "2", "--bind", f"fd://{listening.fileno()}",
                               "tipsheet.cli.wsgi:application"], cwd=tmp_path, env=env, stdout=log, stderr=log,
                              pass_fds=(listening.fileno(),))
    listening.close()
    try:
        service = Service(f"http://127.0.0.1:{port}/", project, relay, outbox=type("Idle", (), {"wake": lambda s: 0})())
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(service.url + "subscribe", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.2)
        code, body, _ = sign_up(service, "gunicorn@example.org")
        assert code == 200 and ANSWER.search(body)
        link = confirm_link(service, "gunicorn@example.org")  # sent by a worker's outbox thread
        assert service.post("confirm", {"token": link.split("token=")[1]})[0] == 200
        assert status_of(project, "gunicorn@example.org") == "active"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        log.close()
    assert "sign-up: accepted" in (tmp_path / "gunicorn.log").read_text()  # the service's own log lines


def test_the_wsgi_entry_without_a_database_answers_503_and_says_why_in_the_log(project, monkeypatch, capfd):
    import io

    import tipsheet.cli.wsgi as wsgi

    monkeypatch.setenv("TIPSHEET_CONFIG", str(project / "mkdocs.yml"))
    monkeypatch.setenv("TIPSHEET_DB", str(project / "nowhere.db"))
    monkeypatch.setattr(wsgi, "_app", None)
    answered = []
    body = wsgi.application({"REQUEST_METHOD": "POST", "PATH_INFO": "/subscribe", "wsgi.input": io.BytesIO(b"")},
                            lambda status, headers: answered.append(status))
    assert answered == ["503 Service Unavailable"] and b"nothing was changed" in b"".join(body)
    assert not (project / "nowhere.db").exists()
    assert "the list service cannot start: " in capfd.readouterr().err


@pytest.mark.parametrize("service", [{"per_client_hourly": 2}], indirect=True)
def test_tripped_limits_show_in_the_publishers_status(service, project, capsys):
    for n in range(3):
        sign_up(service, f"r{n}@example.org")
    sign_up(service, "bot@example.org", website="http://spam.example/")
    capsys.readouterr()
    main(["status"])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Sign-ups")]
    assert lines == ["Sign-ups, last 24 hours: 2 accepted; LIMITS TRIPPED: 1 refused by the per-client limit, "
                     "1 honeypot (bots)"]
