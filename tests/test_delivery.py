"""Subscribers and `tipsheet send` against a real SMTP server on loopback; the unsubscribe app over real HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from sitekit import tip, write_project
from smtpkit import Server, Sink
from tipsheet.audience.store import Store
from tipsheet.audience.tokens import Signer
from tipsheet.audience.web import UnsubscribeApp
from tipsheet.cli import main

SECRET = "test-secret-0123456789-abcdefghijklmnop"
PASSWORD = "s3cret-relay-pass-Zq9"
TIPS = {
    "tips/old.md": tip("Back catalogue", date="2026-11-03", tags=["sports"], summary="Old."),
    "tips/gov.md": tip("Permit desk tip", date="2026-11-10", tags=["government"], summary="Gov."),
    "tips/sport.md": tip("Box office tip", date="2026-11-12", tags=["sports", "persistence"], summary="Sport."),
    "tips/now.md": tip("This week", date="2026-11-17", tags=["sports"], summary="Current."),
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    write_project(tmp_path, TIPS, digests={"retry_delay": 0.01, "rate": 0, "tags": ["sports"]})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIPSHEET_SECRET", SECRET)
    monkeypatch.setenv("TIPSHEET_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TIPSHEET_SMTP_SECURITY", "none")
    monkeypatch.delenv("TIPSHEET_DB", raising=False)
    assert main(["subscribers", "init"]) == 0
    return tmp_path


def add(*args):
    assert main(["subscribers", "add", *args]) == 0


@pytest.fixture
def relay(monkeypatch):
    sink = Sink()
    with Server(sink) as server:
        monkeypatch.setenv("TIPSHEET_SMTP_PORT", str(server.port))
        yield server


def test_each_subscriber_gets_their_own_message(project, relay, capsys):
    emails = [f"reader{i:02d}@example.org" for i in range(25)]
    for e in emails:
        add(e, "--name", f"Reader {e[6:8]}")
    assert main(["send"]) == 0
    assert sorted(relay.sink.recipients()) == emails
    signer = Signer(SECRET)
    for _, raw in relay.sink.received:
        header = raw.split(b"\r\n\r\n", 1)[0]
        assert b"\r\nList-Unsubscribe: <https://tips.example.org/unsubscribe/?token=" in header
        assert b"=?" not in header
    for msg in relay.sink.messages():
        to = msg["To"].addresses[0]
        assert msg["Subject"] == "Test Tips: Box office tip (+1 more)"  # 2026-W46: the latest complete week
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        token = signer.token(to.addr_spec)
        link = f"https://tips.example.org/unsubscribe/?token={token}"
        assert msg["List-Unsubscribe"].startswith(f"<{link}>, <mailto:unsubscribe@tips.example.org?subject=")
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link in msg.get_body(("plain",)).get_content()
        assert link.replace("&", "&amp;") in msg.get_body(("html",)).get_content()
        assert "Back catalogue" not in msg.get_body(("plain",)).get_content()
    out = capsys.readouterr().out
    assert "sent 25, skipped 0 (already sent), no matching tips 0, retried 0, bounced 0, failed 0" in out


def test_a_second_run_sends_nothing(project, relay, capsys):
    add("a@example.org")
    add("b@example.org")
    assert main(["send"]) == 0
    assert main(["send"]) == 0
    assert relay.sink.recipients() == ["a@example.org", "b@example.org"]
    assert "sent 0, skipped 2 (already sent)" in capsys.readouterr().out


def test_first_send_never_mails_the_back_catalogue(project, relay):
    add("a@example.org")
    assert main(["send"]) == 0
    subjects = [m["Subject"] for m in relay.sink.messages()]
    assert subjects == ["Test Tips: Box office tip (+1 more)"]
    with Store(str(project / "tipsheet.db")) as store:
        assert store.delivered_count("2026-W46") == 1
        assert store.delivered_count("2026-W45") == 0


def test_tag_filters(project, relay):
    add("gov@example.org", "--tags", "government")
    add("sport@example.org", "--tags", "sports")
    add("nothing@example.org", "--tags", "responsiveness")
    add("all@example.org")
    assert main(["send"]) == 0
    got = {m["To"].addresses[0].addr_spec: m for m in relay.sink.messages()}
    assert sorted(got) == ["all@example.org", "gov@example.org", "sport@example.org"]
    assert "Permit desk tip" in got["gov@example.org"].get_body(("plain",)).get_content()
    assert "Box office tip" not in got["gov@example.org"].get_body(("plain",)).get_content()
    sport = got["sport@example.org"].get_body(("plain",)).get_content()
    assert "Box office tip" in sport and "Permit desk tip" not in sport
    assert "https://tips.example.org/digests/sports/2026-W46/" in sport  # their own archive page


def test_451_is_retried_then_delivered(project, relay, capsys):
    relay.sink.replies["slow@example.org"] = ["451 4.7.1 greylisted, try later", "451 4.7.1 still greylisted"]
    add("slow@example.org")
    add("fine@example.org")
    assert main(["send"]) == 0
    assert sorted(relay.sink.recipients()) == ["fine@example.org", "slow@example.org"]
    out = capsys.readouterr().out
    assert "retried 2" in out and "sent 2" in out


def test_throttling_at_mail_from_and_a_421_are_retried(project, relay, capsys):
    relay.sink.mail_replies = ["451 4.7.1 slow down"]
    relay.sink.data_replies = ["421 4.3.0 closing connection"]
    add("a@example.org")
    add("b@example.org")
    assert main(["send"]) == 0
    assert sorted(relay.sink.recipients()) == ["a@example.org", "b@example.org"]
    assert "retried 2" in capsys.readouterr().out


def test_two_sends_at_once_are_refused(project, relay, capsys):
    import fcntl

    add("a@example.org")
    with open(project / "tipsheet.db.send-lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert main(["send"]) == 1
    assert "expected no other 'tipsheet send' on this database, got one still running" in capsys.readouterr().err
    assert relay.sink.received == []
    assert main(["send"]) == 0  # the lock went with the other run
    assert relay.sink.recipients() == ["a@example.org"]


def test_550_marks_the_subscriber_bounced_and_goes_on(project, relay, capsys):
    relay.sink.replies["gone@example.org"] = ["550 5.1.1 no such user"]
    add("gone@example.org")
    add("fine@example.org")
    assert main(["send"]) == 0
    assert relay.sink.recipients() == ["fine@example.org"]
    with Store(str(project / "tipsheet.db")) as store:
        assert store.get("gone@example.org").status == "bounced"
    assert "bounced 1" in capsys.readouterr().out
    assert main(["send"]) == 0  # a bounced address is not tried again
    assert relay.sink.recipients() == ["fine@example.org"]


def test_a_killed_run_then_a_rerun_deliver_each_message_exactly_once(project, relay):
    emails = [f"r{i:02d}@example.org" for i in range(12)]
    for e in emails:
        add(e)
    relay.sink.hold_after = 5  # the relay takes 5 messages, then hangs on the 6th
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "tipsheet.cli", "send"], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while len(relay.sink.received) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)  # a crash: no cleanup, no summary
    proc.wait(timeout=10)
    relay.sink.release.set()
    assert len(relay.sink.received) == 5
    relay.sink.hold_after = None
    assert main(["send"]) == 0
    assert sorted(relay.sink.recipients()) == emails  # 5 + 7, nobody twice
    with Store(str(project / "tipsheet.db")) as store:
        assert store.delivered_count("2026-W46") == 12


def test_dry_run_sends_nothing(project, relay, capsys):
    add("a@example.org")
    add("b@example.org", "--tags", "responsiveness")
    assert main(["send", "--dry-run"]) == 0
    assert relay.sink.received == []
    out = capsys.readouterr().out.splitlines()
    assert "would send 2026-W46 to a@example.org: 2 tips, 'Test Tips: Box office tip (+1 more)'" in out
    assert "would skip b@example.org: no tip of 2026-W46 has their tags" in out
    with Store(str(project / "tipsheet.db")) as store:
        assert store.delivered_count("2026-W46") == 0


def test_password_never_appears_in_output_or_files(project, monkeypatch, capfd):
    sink = Sink()
    with Server(sink, user="relayuser", password=PASSWORD) as server:
        monkeypatch.setenv("TIPSHEET_SMTP_PORT", str(server.port))
        monkeypatch.setenv("TIPSHEET_SMTP_USER", "relayuser")
        monkeypatch.setenv("TIPSHEET_SMTP_PASSWORD", PASSWORD)
        add("a@example.org")
        assert main(["send"]) == 0
        monkeypatch.setenv("TIPSHEET_SMTP_PASSWORD", "wrong-" + PASSWORD)
        add("b@example.org")
        assert main(["send"]) == 1  # refused login: one line, no password
    assert sink.logins[0] == (b"relayuser", PASSWORD.encode())
    assert sink.recipients() == ["a@example.org"]
    out, err = capfd.readouterr()
    assert "login refused (535)" in err
    assert PASSWORD not in out + err
    for path in Path(project).rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_names_cannot_inject_headers(project, relay, capsys):
    assert main(["subscribers", "add", "x@example.org", "--name", "Eve\r\nBcc: victim@example.org"]) == 1
    assert "name: expected one line of text" in capsys.readouterr().err
    add("y@example.org", "--name", 'O\'Brien, "Ann" <ann@evil.example>')
    assert main(["send"]) == 0
    msg = relay.sink.messages()[0]
    assert relay.sink.recipients() == ["y@example.org"]
    assert msg["To"].addresses[0].display_name == 'O\'Brien, "Ann" <ann@evil.example>'
    assert msg["To"].addresses[0].addr_spec == "y@example.org"
    assert "Bcc" not in msg


@pytest.mark.parametrize("title", ["Free tickets\rBcc: victim@example.org", "Free tickets\r\nBcc: victim@example.org",
                                   "Free tickets\u2028Bcc: victim@example.org", "Free\x00tickets"])
def test_a_title_that_could_inject_a_header_is_refused_at_load(project, relay, capsys, title):
    (project / "content" / "tips" / "now.md").write_text(tip(title, date="2026-11-17"))
    add("a@example.org")
    assert main(["send"]) == 1
    err = capsys.readouterr().err
    assert "content/tips/now.md: title: expected one line" in err and "Traceback" not in err
    assert relay.sink.received == []


def test_a_title_with_quotes_brackets_and_colons_reaches_the_subject_intact(project, relay):
    title = 'Say "sorry", then <fix it> — Bcc: nobody@example.org & café 🎉'
    (project / "content" / "tips" / "now.md").write_text(tip(title, date="2026-11-13", tags=["sports"]))
    add("a@example.org")
    assert main(["send"]) == 0
    msg = relay.sink.messages()[0]
    assert msg["Subject"] == f"Test Tips: {title} (+2 more)"
    assert "Bcc" not in msg and relay.sink.recipients() == ["a@example.org"]
    assert title in msg.get_body(("plain",)).get_content()


def test_unreachable_relay_is_one_line(project, monkeypatch, capsys):
    add("a@example.org")
    from smtpkit import free_port

    monkeypatch.setenv("TIPSHEET_SMTP_PORT", str(free_port()))
    assert main(["send"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("tipsheet send: smtp 127.0.0.1:") and "cannot connect" in err


def test_send_needs_the_secret(project, relay, monkeypatch, capsys):
    monkeypatch.delenv("TIPSHEET_SECRET")
    add("a@example.org")
    assert main(["send"]) == 2
    assert "TIPSHEET_SECRET: expected a secret of at least 32 characters, got 0" in capsys.readouterr().err
    assert relay.sink.received == []


# -- the list ---------------------------------------------------------------------

def test_add_twice_updates_and_normalises(project, capsys):
    add("Ana@EXAMPLE.org", "--name", "Ana")
    add("ana@example.org", "--name", "Ana Pereira", "--tags", "Sports")
    assert main(["subscribers", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2].split() == ["Ana@example.org", "active", "sports", "Ana", "Pereira"]
    assert out[-1] == "1 active, 0 unsubscribed, 0 bounced"


@pytest.mark.parametrize(("args", "message"), [
    (["not-an-address"], "tipsheet subscribers: email: expected an address like name@example.org, got "
                         "'not-an-address' (An email address must have an @-sign.)"),
    (["a@example.org", "--tags", "sprots"], "tipsheet subscribers: tags: expected tags of the site, got 'sprots' "
                                            "(did you mean 'sports'?)"),
])
def test_add_refuses_bad_input(project, capsys, args, message):
    assert main(["subscribers", "add", *args]) == 1
    assert capsys.readouterr().err.strip() == message


def test_import_is_all_or_nothing_and_names_lines(project, capsys):
    bad = project / "people.csv"
    bad.write_text("email,name,tags\nok@example.org,Ok,sports\nbroken,Bad,\nok2@example.org,Ok2,sprots\n"
                   "OK@example.org,Again,\n")
    assert main(["subscribers", "import", str(bad)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"tipsheet subscribers: {bad}: nothing imported, 3 bad rows:"
    assert err[1].startswith(f"  {bad}: line 3: email: expected an address like name@example.org, got 'broken'")
    assert err[2] == f"  {bad}: line 4: tags: expected tags of the site, got 'sprots' (did you mean 'sports'?)"
    assert err[3] == (f"  {bad}: line 5: email: expected each address once, got 'OK@example.org' again "
                      "(first on line 2)")
    with Store(str(project / "tipsheet.db")) as store:
        assert list(store.all()) == []
    good = project / "good.csv"
    good.write_text("email,name,tags\nok@example.org,Ok,sports\nok2@example.org,\"Two, Jr.\",\n")
    assert main(["subscribers", "import", str(good)]) == 0
    assert "imported" in capsys.readouterr().out
    assert main(["subscribers", "export"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "email,name,tags,status,created"
    assert lines[1].startswith("ok2@example.org,\"Two, Jr.\",,active,")
    assert lines[2].startswith("ok@example.org,Ok,sports,active,")


def test_remove_and_unsubscribe(project, capsys):
    add("a@example.org")
    add("b@example.org")
    token = Signer(SECRET).token("b@example.org")
    assert main(["unsubscribe", "a@example.org"]) == 0
    assert main(["unsubscribe", token]) == 0
    assert main(["unsubscribe", token]) == 0
    assert main(["unsubscribe", token[:-2] + "xx"]) == 1
    assert main(["subscribers", "remove", "a@example.org"]) == 0
    out = capsys.readouterr().out
    assert "unsubscribed a@example.org" in out and "b@example.org was already unsubscribed" in out
    with Store(str(project / "tipsheet.db")) as store:
        assert store.get("a@example.org") is None
        assert store.get("b@example.org").status == "unsubscribed"


# -- the unsubscribe endpoint over real HTTP ------------------------------------------

class _Silent(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint(tmp_path):
    db = str(tmp_path / "subs.db")
    with Store.create(db) as store:
        store.upsert("ana@example.org", "Ana", ())
        store.upsert("ben@example.org", "Ben", ())
    app = UnsubscribeApp(db, Signer(SECRET), "Test Tips", "https://tips.example.org/")
    server = make_server("127.0.0.1", 0, app, handler_class=_Silent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", db
    server.shutdown()
    server.server_close()


def http(url, data=None):
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def status_of(db, email):
    with Store(db) as store:
        return store.get(email).status


def test_one_click_post_unsubscribes_and_is_idempotent(endpoint):
    base, db = endpoint
    url = f"{base}?token={Signer(SECRET).token('ana@example.org')}"
    assert http(url, b"List-Unsubscribe=One-Click")[0] == 200
    assert status_of(db, "ana@example.org") == "unsubscribed"
    code, body = http(url, b"List-Unsubscribe=One-Click")
    assert code == 200 and "You are unsubscribed" in body
    assert status_of(db, "ben@example.org") == "active"


def test_get_shows_a_confirmation_page_and_changes_nothing(endpoint):
    base, db = endpoint
    token = Signer(SECRET).token("ben@example.org")
    code, body = http(f"{base}?token={token}")
    assert code == 200
    assert "Unsubscribe from Test Tips?" in body and "ben@example.org" in body and 'method="post"' in body
    assert status_of(db, "ben@example.org") == "active"


@pytest.mark.parametrize("token", ["", "garbage", "YW5hQGV4YW1wbGUub3Jn.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                   Signer("another-secret-0123456789-abcdefghijk").token("ana@example.org")])
def test_forged_tokens_get_400_and_change_nothing(endpoint, token):
    base, db = endpoint
    for data in (None, b"List-Unsubscribe=One-Click"):
        code, body = http(f"{base}?token={token}", data)
        assert code == 400 and "not valid" in body
    assert status_of(db, "ana@example.org") == "active"


# -- rate limit (logic only; speed is the benchmark's job) ------------------------------

def test_rate_limit_spaces_messages(project, relay):
    from tipsheet.audience.delivery import Policy, Sender, SmtpTransport, smtp_settings
    from tipsheet.cli.project import open_project

    for i in range(5):
        add(f"r{i}@example.org")
    p = open_project()
    catalog = p.catalog()
    digest = p.digest_index(catalog).find("2026-W46")
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    with p.store() as store:
        sender = Sender(store, p.digest_renderer(), p.envelope(), p.unsubscribe_url, p.signer(),
                        SmtpTransport(smtp_settings({}, os.environ)), Policy(rate=2.0), lambda line: None,
                        sleep=sleep, clock=lambda: now[0])
        summary = sender.run(digest)
    assert summary.sent == 5
    assert sleeps == [0.5, 0.5, 0.5, 0.5]  # 2 messages a second: one every 0.5 s after the first


def test_bulk_policy_writes_exactly_what_smtp_writes(project):
    from email.policy import SMTP

    from tipsheet.cli.project import open_project
    from tipsheet.mail.mime import BulkPolicy, address, build_message

    p = open_project()
    rendered = p.digest_renderer().render(p.digest_index(p.catalog()).find("2026-W46"))
    bulk = BulkPolicy()
    for i in range(BulkPolicy.LIMIT + 50):  # past the cache's limit, so it is emptied once
        to = address(f"r{i}@example.org", f"Reader «{i}» with a rather long display name, to be folded")
        url = p.unsubscribe_url(f"token{i}")
        plain = build_message(rendered, p.envelope(), to, url, f"token{i}").as_bytes()
        assert build_message(rendered, p.envelope(), to, url, f"token{i}", bulk).as_bytes() == plain
    assert len(bulk._tipsheet_folded) <= BulkPolicy.LIMIT
    assert SMTP.linesep == bulk.linesep == "\r\n"
