"""`tipsheet bounces`: returned mail in the shapes real servers send, each with the exact result it must give."""

from __future__ import annotations

import email
import json
import mailbox

import pytest

import bouncekit as kit
from listkit import SECRET, add, rows, status_of, store, subscriber
from tipsheet.audience.bounces import identify
from tipsheet.audience.reports import examine
from tipsheet.audience.tokens import Signer
from tipsheet.cli import main

DAY = 86400
NOW = 1795305600  # 2026-11-22

CASES = [  # (name, template, addressed by VERP?, kind, status)
    ("postfix user unknown", kit.POSTFIX_USER_UNKNOWN, True, "hard", "5.1.1"),
    ("postfix delay warning", kit.POSTFIX_DELAYED, True, "delay", "4.4.1"),
    ("gmail no such account", kit.GMAIL_NO_SUCH_ACCOUNT, True, "hard", "5.1.1"),
    ("exchange recipient not found", kit.EXCHANGE_NOT_FOUND, True, "hard", "5.1.10"),
    ("mailbox full", kit.MAILBOX_FULL_DSN, True, "soft", "5.2.2"),
    ("dmarc refusal", kit.POLICY_REFUSAL_DSN, True, "unknown",
     "5.7.1: a refusal that is not the subscriber's (policy, relay or message)"),
    ("exim plain text", kit.EXIM_PLAIN, True, "hard", "5.1.1"),
    ("yahoo plain text", kit.YAHOO_PLAIN, True, "hard", "554"),
    ("exim to the plain bounce address", kit.EXIM_PLAIN, False, "hard", "5.1.1"),
    ("complaint, recipient redacted", kit.ARF_COMPLAINT, False, "complaint", "abuse"),
    ("out of office reply", kit.AUTO_REPLY, True, "unknown", "not a bounce or complaint tipsheet can read"),
]


def render(template: str, project, email_address: str, verp: bool) -> str:
    who = subscriber(project, email_address)
    signer = Signer(SECRET)
    to = f"bounces+{signer.verp(who.id)}@tips.example.org" if verp else "bounces@tips.example.org"
    return template.format(to=to, rcpt=email_address, token=signer.unsubscribe_token(who.id))


@pytest.mark.parametrize(("name", "template", "verp", "kind", "status"), CASES, ids=[c[0] for c in CASES])
def test_each_shape_gives_its_result(project, name, template, verp, kind, status):
    add("reader@example.org")
    message = email.message_from_string(render(template, project, "reader@example.org", verp))
    with store(project) as opened:
        findings = examine(message, identify(opened, Signer(SECRET)))
    sid = subscriber(project, "reader@example.org").id
    assert [(f.kind, f.status) for f in findings] == [(kind, status)]
    assert [f.subscriber_id for f in findings] == [None if name == "out of office reply" else sid]


def test_a_report_about_someone_not_on_the_list_changes_nothing(project):
    add("reader@example.org")
    text = kit.POSTFIX_USER_UNKNOWN.format(to="bounces@tips.example.org", rcpt="stranger@example.net", token="")
    with store(project) as opened:
        findings = examine(email.message_from_string(text), identify(opened, Signer(SECRET)))
    assert [(f.kind, f.status, f.address) for f in findings] == [
        ("unknown", "hard 5.1.1, for no subscriber of this list", "stranger@example.net")]


def mbox_of(project, messages: list[tuple[str, str, bool]]):
    path = project / "returned.mbox"
    box = mailbox.mbox(path)
    for template, address, verp in messages:
        box.add(render(template, project, address, verp).encode())
    box.flush()
    box.close()
    return path


MIXED = [(kit.GMAIL_NO_SUCH_ACCOUNT, "gone@example.org", True), (kit.POSTFIX_DELAYED, "slow@example.org", True),
         (kit.MAILBOX_FULL_DSN, "full@example.org", True), (kit.ARF_COMPLAINT, "angry@example.org", False),
         (kit.AUTO_REPLY, "away@example.org", True)]
LINES = [
    "<6560d2f1.gmail-dsn-0001@mx.google.com>: gone@example.org: hard (5.1.1)",
    "<20261123130000.DELAY1@mail.tips.example.org>: slow@example.org: delay (4.4.1)",
    "<20261126070000.FULL1@mx.example.net>: full@example.org: soft (5.2.2)",
    "<arf-0001@fbl.mail.example.com>: angry@example.org: complaint (abuse)",
    "<ooo-0001@example.org>: -: unknown (not a bounce or complaint tipsheet can read)",
]


@pytest.fixture
def returned(project):
    for address in ("gone@example.org", "slow@example.org", "full@example.org", "angry@example.org",
                    "away@example.org", "fine@example.org"):
        add(address)
    return mbox_of(project, MIXED)


def test_an_mbox_is_processed_once_and_left_as_it_was(project, returned, capsys):
    before = returned.read_bytes()
    assert main(["bounces", "--mbox", str(returned)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [*LINES, "5 findings: 1 hard, 1 soft, 1 delay, 1 complaint, 1 unknown"]
    statuses = {e: status_of(project, e) for e in ("gone@example.org", "slow@example.org", "full@example.org",
                                                     "angry@example.org", "away@example.org", "fine@example.org")}
    assert statuses == {"gone@example.org": "bounced", "slow@example.org": "active", "full@example.org": "active",
                        "angry@example.org": "unsubscribed", "away@example.org": "active",
                        "fine@example.org": "active"}
    assert rows(project, "SELECT reason FROM suppressions ORDER BY reason") == [("complaint",), ("hard bounce",)]
    assert returned.read_bytes() == before  # read only: nothing moved, nothing deleted

    assert main(["bounces", "--mbox", str(returned)]) == 0  # the same mailbox again: nothing more changes
    again = capsys.readouterr().out.splitlines()
    assert again[2] == "<20261126070000.FULL1@mx.example.net>: full@example.org: soft (5.2.2, already processed)"
    assert rows(project, "SELECT kind, count(*) FROM bounce_events GROUP BY kind ORDER BY kind") == \
        [("complaint", 1), ("hard", 1), ("soft", 1)]


def test_dry_run_changes_nothing(project, returned, capsys):
    assert main(["bounces", "--mbox", str(returned), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:5] == LINES and out[5].startswith("dry run, nothing changed: 5 findings")
    assert {status_of(project, e) for e in ("gone@example.org", "angry@example.org")} == {"active"}
    assert rows(project, "SELECT count(*) FROM bounce_events") == [(0,)]
    assert rows(project, "SELECT count(*) FROM reports") == [(0,)]


def test_json_output(project, returned, capsys):
    assert main(["bounces", "--mbox", str(returned), "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found[0] == {"message": "<6560d2f1.gmail-dsn-0001@mx.google.com>", "address": "gone@example.org",
                        "kind": "hard", "status": "5.1.1"}
    assert [f["kind"] for f in found] == ["hard", "delay", "soft", "complaint", "unknown"]


def test_move_to_moves_only_what_was_handled(project, returned):
    done = project / "done.mbox"
    assert main(["bounces", "--mbox", str(returned), "--move-to", str(done)]) == 0
    left = [m["Message-ID"] for m in mailbox.mbox(returned)]
    moved = [m["Message-ID"] for m in mailbox.mbox(done)]
    assert left == ["<ooo-0001@example.org>"]  # not understood: never moved, never deleted
    assert len(moved) == 4


def test_a_maildir_is_read_too(project, tmp_path, capsys):
    add("gone@example.org")
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(render(kit.EXCHANGE_NOT_FOUND, project, "gone@example.org", True).encode())
    maildir.close()
    capsys.readouterr()
    assert main(["bounces", "--maildir", str(tmp_path / "Maildir")]) == 0
    assert capsys.readouterr().out.splitlines()[0] == \
        "<a1b2c3d4-exchange-ndr@outlook.example.com>: gone@example.org: hard (5.1.10)"
    assert status_of(project, "gone@example.org") == "bounced"


def test_soft_bounces_make_a_bounce_on_three_days_within_thirty(project, monkeypatch):
    add("full@example.org")
    sid = subscriber(project, "full@example.org").id

    def soft_on(day: int) -> bool:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(NOW + day * DAY))
        with store(project) as opened:
            return opened.soft_bounce(sid, "552 5.2.2 mailbox full", "mailbox")

    assert not soft_on(0) and not soft_on(0)  # twice the same day counts once
    assert not soft_on(10)
    assert status_of(project, "full@example.org") == "active"
    assert not soft_on(45)  # 35 quiet days: the old ones no longer count
    assert not soft_on(50)
    assert soft_on(60)  # days 45, 50 and 60
    assert status_of(project, "full@example.org") == "bounced"
    assert rows(project, "SELECT reason FROM suppressions") == [("hard bounce",)]


def test_bounces_needs_a_mailbox_that_exists(project, capsys):
    assert main(["bounces", "--mbox", str(project / "nothing.mbox")]) == 2
    assert capsys.readouterr().err.strip().startswith("tipsheet bounces: ")


# -- a real IMAP server ------------------------------------------------------------------------------


def test_imap_moves_what_it_handled_and_leaves_the_rest_unread(project, imap_server, monkeypatch, capsys):
    import imaplib

    for address in ("gone@example.org", "angry@example.org", "away@example.org"):
        add(address)
    inbox = mailbox.Maildir(imap_server.maildir, create=False)
    for template, address, verp in MIXED[:1] + MIXED[3:]:  # a hard bounce, a complaint, an out-of-office
        inbox.add(render(template, project, address, verp).encode())
    inbox.close()
    imap_server.give(imap_server.maildir)
    for name, value in imap_server.env().items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert main(["bounces", "--imap", "--dry-run"]) == 0
    assert "dry run, nothing changed: 3 findings" in capsys.readouterr().out
    assert status_of(project, "gone@example.org") == "active"

    assert main(["bounces", "--imap"]) == 0
    assert capsys.readouterr().out.splitlines() == [LINES[0], LINES[3], LINES[4],
                                                     "3 findings: 1 hard, 0 soft, 0 delay, 1 complaint, 1 unknown"]
    assert (status_of(project, "gone@example.org"), status_of(project, "angry@example.org")) == \
        ("bounced", "unsubscribed")
    imap = imaplib.IMAP4("127.0.0.1", imap_server.port)
    imap.login("bounces", imap_server.env()["TIPSHEET_IMAP_PASSWORD"])
    imap.select("INBOX", readonly=True)
    _, unseen = imap.search(None, "UNSEEN")
    _, everything = imap.search(None, "ALL")
    assert len(everything[0].split()) == 1 and unseen == everything  # the unknown one: still there, still unread
    _, data = imap.fetch(everything[0], "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    assert b"<ooo-0001@example.org>" in data[0][1]
    imap.select('"tipsheet-processed"', readonly=True)
    assert len(imap.search(None, "ALL")[1][0].split()) == 2
    imap.logout()

    assert main(["bounces", "--imap"]) == 0  # again: only the unknown one is there, and nothing changes
    assert capsys.readouterr().out.splitlines()[-1] == "1 findings: 0 hard, 0 soft, 0 delay, 0 complaint, 1 unknown"
