"""`tipsheet send` against a real SMTP server on 127.0.0.1: exactly once, every reply read for what it means."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from listkit import SECRET, add, rows, status_of, subscriber
from sitekit import tip
from smtpkit import Server, Sink
from tipsheet.audience.tokens import Signer
from tipsheet.cli import main

PASSWORD = "s3cret-relay-pass-Zq9"
SUBJECT = "Test Tips: Box office tip (+1 more)"  # 2026-W46, the latest complete week on 2026-11-22


def test_each_subscriber_gets_their_own_message(project, relay, capsys):
    emails = [f"reader{i:02d}@example.org" for i in range(25)]
    for e in emails:
        add(e, "--name", f"Reader {e[6:8]}")
    assert main(["send"]) == 0
    assert sorted(relay.sink.recipients()) == emails
    signer = Signer(SECRET)
    for _, raw in relay.sink.received:
        header = raw.split(b"\r\n\r\n", 1)[0]
        assert b"\r\nList-Unsubscribe: <https://tips.example.org/unsubscribe/?token=t1." in header
        assert b"=?" not in header
        assert email_of_address_not_in(header, b"token=")
    for msg in relay.sink.messages():
        to = msg["To"].addresses[0]
        who = subscriber(project, to.addr_spec)
        assert msg["Subject"] == SUBJECT
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        link = f"https://tips.example.org/unsubscribe/?token={signer.unsubscribe_token(who.id)}"
        assert msg["List-Unsubscribe"].startswith(f"<{link}>, <mailto:unsubscribe@tips.example.org?subject=")
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg["Feedback-ID"] == "2026-W46:digest.tips.example.org:digest:tips.example.org"
        assert link in msg.get_body(("plain",)).get_content()
        assert link.replace("&", "&amp;") in msg.get_body(("html",)).get_content()
        assert "Back catalogue" not in msg.get_body(("plain",)).get_content()
    out = capsys.readouterr().out
    assert "sent 25, skipped 0 (already sent), no matching tips 0, retried 0, bounced 0, failed 0" in out


def email_of_address_not_in(header: bytes, marker: bytes) -> bool:
    """No address appears in a link: tokens name a subscriber, never their address (it ends up in server logs)."""
    return all(b"@" not in line.split(marker, 1)[1].split(b">", 1)[0] for line in header.split(b"\r\n")
               if marker in line)


def test_each_message_has_its_own_envelope_sender_and_is_dated_when_sent(project, relay):
    add("a@example.org")
    add("b@example.org")
    before = time.time()
    assert main(["send"]) == 0
    after = time.time()
    signer = Signer(SECRET)
    senders = {rcpt: mail_from for mail_from, rcpt, _ in relay.sink.envelopes}
    for email in ("a@example.org", "b@example.org"):
        token = senders[email].removeprefix("bounces+").removesuffix("@tips.example.org")
        assert token.islower() and signer.verp_subject(token) == subscriber(project, email).id
    for msg in relay.sink.messages():  # SOURCE_DATE_EPOCH is 2026-11-22, but the Date is when it was sent
        assert before - 1 <= parsedate_to_datetime(msg["Date"]).timestamp() <= after + 1


def test_a_second_run_sends_nothing(project, relay, capsys):
    add("a@example.org")
    add("b@example.org")
    assert main(["send"]) == 0
    assert main(["send"]) == 0
    assert sorted(relay.sink.recipients()) == ["a@example.org", "b@example.org"]
    assert "sent 0, skipped 2 (already sent)" in capsys.readouterr().out


def test_first_send_never_mails_the_back_catalogue(project, relay):
    add("a@example.org")
    assert main(["send"]) == 0
    assert [m["Subject"] for m in relay.sink.messages()] == [SUBJECT]
    assert rows(project, "SELECT digest, count(*) FROM deliveries GROUP BY digest") == [("2026-W46", 1)]


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


# -- what each reply means (RFC 3463) ----------------------------------------------------------------

def test_550_5_1_1_for_one_address_marks_only_that_one(project, relay, capsys):
    relay.sink.replies["gone@example.org"] = ["550 5.1.1 <gone@example.org>: user unknown"]
    for email in ("a@example.org", "gone@example.org", "z@example.org"):
        add(email)
    assert main(["send"]) == 0
    assert sorted(relay.sink.recipients()) == ["a@example.org", "z@example.org"]
    assert [status_of(project, e) for e in ("a@example.org", "gone@example.org", "z@example.org")] == \
        ["active", "bounced", "active"]
    out = capsys.readouterr().out
    assert "bounced: gone@example.org: 550 5.1.1 <gone@example.org>: user unknown" in out and "bounced 1" in out
    assert main(["subscribers", "add", "gone@example.org", "--reactivate"]) == 1  # suppressed: not even by hand
    assert main(["send"]) == 0
    assert sorted(relay.sink.recipients()) == ["a@example.org", "z@example.org"]


@pytest.mark.parametrize(("reply", "stage"), [
    ("554 5.7.1 <x@example.org>: Relay access denied", "RCPT TO"),
    ("550 5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC policy", "RCPT TO"),
    ("554 Transaction failed", "RCPT TO"),
])
def test_a_refusal_of_everyone_marks_nobody_and_stops_after_the_first(project, relay, capsys, reply, stage):
    relay.sink.rcpt_default = reply
    for i in range(6):
        add(f"r{i}@example.org")
    assert main(["send"]) == 1
    err = capsys.readouterr().err
    assert re.search(f"stopped: the relay answered {stage} with '{re.escape(reply)}' for r[01]@example.org", err)
    assert "nobody was marked" in err
    assert len(relay.sink.attempts) <= 2  # the first message of each of the 2 connections, then nothing
    assert [status_of(project, f"r{i}@example.org") for i in range(6)] == ["active"] * 6
    assert rows(project, "SELECT count(*) FROM deliveries") == [(0,)]
    assert rows(project, "SELECT count(*) FROM suppressions") == [(0,)]


def test_a_message_too_big_after_data_stops_the_run(project, relay, capsys):
    relay.sink.data_replies = ["552 5.3.4 Message size exceeds fixed limit"]
    add("a@example.org")
    add("b@example.org")
    assert main(["send"]) == 1
    assert "with '552 5.3.4 Message size exceeds fixed limit'" in capsys.readouterr().err
    assert {status_of(project, e) for e in ("a@example.org", "b@example.org")} == {"active"}
    # the other connection's message, already in flight, may have gone: recorded exactly when it did
    delivered = rows(project, "SELECT email FROM deliveries JOIN subscribers ON subscribers.id = subscriber_id")
    assert [(rcpt,) for rcpt in relay.sink.recipients()] == delivered and len(delivered) <= 1


def test_a_refused_sender_stops_the_run(project, relay, capsys):
    relay.sink.mail_replies = ["553 5.7.1 <bounces+x@tips.example.org>: Sender address rejected: not owned by user"]
    add("a@example.org")
    assert main(["send"]) == 1
    assert "the relay answered MAIL FROM with '553 5.7.1" in capsys.readouterr().err
    assert status_of(project, "a@example.org") == "active"


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


def test_a_full_mailbox_is_a_soft_bounce_not_a_bounce(project, relay, capsys):
    relay.sink.replies["full@example.org"] = ["552 5.2.2 mailbox full"]
    add("full@example.org")
    assert main(["send"]) == 0
    assert status_of(project, "full@example.org") == "active"
    assert "soft bounce: full@example.org: 552 5.2.2 mailbox full" in capsys.readouterr().out
    assert rows(project, "SELECT kind, status, source FROM bounce_events") == \
        [("soft", "552 5.2.2 mailbox full", "smtp")]


def test_the_breaker_stops_after_five_failures_of_one_kind_and_marks_none_of_them(project, relay, capsys):
    for i in range(8):
        relay.sink.replies[f"r{i}@example.org"] = ["550 5.1.1 user unknown"]
        add(f"r{i}@example.org")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TIPSHEET_SMTP_PORT", str(relay.port))
        assert main(["send", "-f", str(project / "mkdocs.yml")]) == 1
    err = capsys.readouterr().err
    assert "stopped: 5 messages in a row got '550 5.1.1 user unknown'" in err and "nobody was marked" in err
    assert {status_of(project, f"r{i}@example.org") for i in range(8)} == {"active"}
    assert rows(project, "SELECT count(*) FROM suppressions") == [(0,)]


def test_fewer_failures_than_the_breaker_are_marked_when_a_success_follows(project, relay):
    for i in range(4):
        relay.sink.replies[f"r{i}@example.org"] = ["550 5.1.1 user unknown"]
        add(f"r{i}@example.org")
    add("ok@example.org")
    assert main(["send"]) == 0
    assert [status_of(project, f"r{i}@example.org") for i in range(4)] == ["bounced"] * 4
    assert relay.sink.recipients() == ["ok@example.org"]


# -- exactly once, and what it cannot promise ----------------------------------------------------

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
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)  # a crash: no cleanup, no summary
    proc.wait(timeout=10)
    relay.sink.release.set()
    assert len(relay.sink.received) == 5
    relay.sink.hold_after = None
    assert main(["send"]) == 0
    assert sorted(relay.sink.recipients()) == emails  # 5 + 7, nobody twice
    assert rows(project, "SELECT count(*) FROM deliveries WHERE digest = '2026-W46'") == [(12,)]


def test_the_one_message_a_crash_can_send_twice_is_the_one_accepted_but_not_yet_recorded(project, relay):
    """The window the README admits: the relay said 250, the process died before the ledger row was written."""
    for e in ("a@example.org", "b@example.org", "c@example.org"):
        add(e)
    holder = sqlite3.connect(project / "tipsheet.db", timeout=0, isolation_level=None, check_same_thread=False)
    locked = threading.Event()

    def lock_before_the_second_250(envelope):
        if len(relay.sink.received) == 2:  # b's message is kept; its 250 goes out once the ledger is locked
            holder.execute("BEGIN EXCLUSIVE")
            locked.set()

    relay.sink.before_reply = lock_before_the_second_250
    project.joinpath("mkdocs.yml").write_text(project.joinpath("mkdocs.yml").read_text()
                                              .replace("connections: 2", "connections: 1"))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "tipsheet.cli", "send"], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert locked.wait(30)
    time.sleep(0.5)  # the sender has the 250 and waits on the ledger: it cannot have recorded b
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    holder.execute("ROLLBACK")
    holder.close()
    relay.sink.before_reply = None
    assert main(["send"]) == 0
    assert relay.sink.recipients() == ["a@example.org", "b@example.org", "b@example.org", "c@example.org"]
    messages = relay.sink.messages()
    assert messages[1]["Message-ID"] == messages[2]["Message-ID"]  # the same message, so mail programs show one


def test_someone_who_leaves_during_a_run_is_not_mailed_by_it(project, relay, capsys):
    for e in ("a@example.org", "b@example.org", "c@example.org"):
        add(e)
    project.joinpath("mkdocs.yml").write_text(project.joinpath("mkdocs.yml").read_text()
                                              .replace("connections: 2", "connections: 1"))

    def c_unsubscribes(envelope):
        if envelope.rcpt_tos == ["a@example.org"]:
            assert main(["unsubscribe", "c@example.org"]) == 0

    relay.sink.before_reply = c_unsubscribes
    assert main(["send"]) == 0
    assert relay.sink.recipients() == ["a@example.org", "b@example.org"]
    assert "left during the run 1" in capsys.readouterr().out


def test_dry_run_sends_nothing(project, relay, capsys):
    add("a@example.org")
    add("b@example.org", "--tags", "responsiveness")
    assert main(["send", "--dry-run"]) == 0
    assert relay.sink.received == []
    out = capsys.readouterr().out.splitlines()
    assert f"would send 2026-W46 to a@example.org: 2 tips, '{SUBJECT}'" in out
    assert "would skip b@example.org: no tip of 2026-W46 has their tags" in out
    assert rows(project, "SELECT count(*) FROM deliveries") == [(0,)]


def test_connections_send_in_parallel_each_subscriber_once(project, monkeypatch, capsys):
    sink = Sink(delay=0.02)  # every reply after 20 ms: the connections overlap
    with Server(sink) as server:
        monkeypatch.setenv("TIPSHEET_SMTP_PORT", str(server.port))
        project.joinpath("mkdocs.yml").write_text(project.joinpath("mkdocs.yml").read_text()
                                                  .replace("connections: 2", "connections: 4"))
        emails = [f"p{i:03d}@example.org" for i in range(40)]
        for e in emails:
            add(e)
        assert main(["send"]) == 0
    assert sorted(sink.recipients()) == emails
    assert "4 connections" in capsys.readouterr().out


def test_the_rate_is_kept_over_all_connections():
    from tipsheet.audience.delivery import Policy, Sender

    sleeps: list[float] = []
    sender = Sender("unused.db", None, None, None, None, None, Policy(rate=4.0, connections=4),  # type: ignore[arg-type]
                    lambda line: None, sleep=sleeps.append, clock_=lambda: 100.0)
    threads = [threading.Thread(target=sender._pace) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sleeps) == [0.25, 0.5, 0.75, 1.0]  # 4 a second: the first at once, then one every 0.25 s


# -- the relay's settings ---------------------------------------------------------------------------

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


def test_a_password_is_never_sent_in_clear_to_a_relay_on_another_machine(project, monkeypatch, capsys):
    monkeypatch.setenv("TIPSHEET_SMTP_HOST", "smtp.example.net")
    monkeypatch.setenv("TIPSHEET_SMTP_USER", "relayuser")
    monkeypatch.setenv("TIPSHEET_SMTP_PASSWORD", PASSWORD)
    add("a@example.org")
    assert main(["send"]) == 2
    assert capsys.readouterr().err.strip() == (
        "tipsheet send: TIPSHEET_SMTP_SECURITY: expected starttls or tls to send a password to smtp.example.net, got "
        "none (the password would cross the network in clear; 'none' is only for a relay on this machine)")


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
    import socket

    add("a@example.org")
    with socket.socket() as closed:  # bound but not listening: a connection is refused, by no one else
        closed.bind(("127.0.0.1", 0))
        monkeypatch.setenv("TIPSHEET_SMTP_PORT", str(closed.getsockname()[1]))
        assert main(["send"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("tipsheet send: smtp 127.0.0.1:") and "cannot connect" in err
    assert status_of(project, "a@example.org") == "active"


def test_send_needs_the_secret(project, relay, monkeypatch, capsys):
    monkeypatch.delenv("TIPSHEET_SECRET")
    add("a@example.org")
    assert main(["send"]) == 2
    assert "TIPSHEET_SECRET: expected a secret of at least 32 characters, got 0" in capsys.readouterr().err
    assert relay.sink.received == []


def test_send_without_a_list_is_one_line_and_creates_nothing(project, relay, capsys):
    (project / "tipsheet.db").unlink()
    assert main(["send"]) == 1
    assert "tipsheet.db: expected a tipsheet database, got no file there (create the list once with 'tipsheet " \
           "subscribers init')" in capsys.readouterr().err
    assert not (project / "tipsheet.db").exists()


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
