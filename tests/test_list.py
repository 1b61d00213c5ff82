"""The list as the publisher keeps it: a database that is never made by accident, suppression, CSV both ways."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import stat

import pytest

from listkit import SECRET, add, rows, status_of, subscriber
from test_tokens import legacy_token
from tipsheet.audience.tokens import Signer
from tipsheet.cli import main

V1_SCHEMA = """
CREATE TABLE subscribers (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'unsubscribed', 'bounced')), created TEXT NOT NULL, updated TEXT NOT NULL,
    status_changed TEXT, status_reason TEXT NOT NULL DEFAULT '');
CREATE TABLE deliveries (digest TEXT NOT NULL, subscriber_id INTEGER NOT NULL REFERENCES subscribers(id)
    ON DELETE CASCADE, message_id TEXT NOT NULL, sent TEXT NOT NULL, PRIMARY KEY (digest, subscriber_id));
INSERT INTO subscribers VALUES (1, 'ana@example.org', 'Ana', 'sports', 'active', '2026-01-01', '2026-01-01', NULL, '');
INSERT INTO subscribers VALUES (2, 'ben@example.org', '', '', 'bounced', '2026-01-01', '2026-02-01', '2026-02-01',
    '550 5.1.1 user unknown');
INSERT INTO deliveries VALUES ('2026-W02', 1, '<x@y>', '2026-01-12');
"""


def test_init_makes_a_database_only_its_owner_can_read(project, capsys):
    db = project / "tipsheet.db"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    add("a@example.org")
    for extra in (project / "tipsheet.db-wal",):
        if extra.exists():
            assert stat.S_IMODE(extra.stat().st_mode) == 0o600, extra
    assert main(["subscribers", "init"]) == 0
    assert "already there, brought up to date" in capsys.readouterr().out
    assert status_of(project, "a@example.org") == "active"  # a second init changed nothing


@pytest.mark.parametrize("args", [["subscribers", "list"], ["subscribers", "add", "a@example.org"],
                                  ["unsubscribe", "a@example.org"], ["send", "--dry-run"]])
def test_no_command_makes_an_empty_database_where_a_list_was_expected(project, capsys, args, monkeypatch):
    monkeypatch.setenv("TIPSHEET_DB", str(project / "typo.db"))
    assert main(args) == 1
    assert ("typo.db: expected a tipsheet database, got no file there (create the list once with 'tipsheet "
            "subscribers init')") in capsys.readouterr().err
    assert not (project / "typo.db").exists()


def test_a_file_that_is_not_a_list_is_refused(project, capsys, monkeypatch):
    (project / "other.db").write_bytes(b"not a database at all, just some bytes" * 10)
    sqlite3.connect(project / "empty.db").close()
    for name, message in (("other.db", "expected a tipsheet database, got not a database SQLite can read"),
                          ("empty.db", "expected a tipsheet database, got a database without tipsheet's tables")):
        monkeypatch.setenv("TIPSHEET_DB", str(project / name))
        assert main(["subscribers", "list"]) == 1
        assert message in capsys.readouterr().err


def test_a_list_made_by_the_first_tipsheet_is_migrated_with_its_history(project, capsys):
    db = project / "old.db"
    with sqlite3.connect(db) as old:
        old.executescript(V1_SCHEMA)
    os.environ["TIPSHEET_DB"] = str(db)
    try:
        assert main(["subscribers", "list"]) == 0
        out = capsys.readouterr().out
        assert "ana@example.org" in out and "[550 5.1.1 user unknown]" in out
        assert main(["subscribers", "add", "cy@example.org"]) == 0
    finally:
        del os.environ["TIPSHEET_DB"]
    with sqlite3.connect(db) as migrated:
        assert migrated.execute("SELECT email, status FROM subscribers ORDER BY id").fetchall() == \
            [("ana@example.org", "active"), ("ben@example.org", "bounced"), ("cy@example.org", "active")]
        assert migrated.execute("SELECT digest, subscriber_id FROM deliveries").fetchall() == [("2026-W02", 1)]


def test_add_twice_updates_and_normalises(project, capsys):
    add("Ana@EXAMPLE.org", "--name", "Ana")
    add("ana@example.org", "--name", "Ana Pereira", "--tags", "Sports")
    assert main(["subscribers", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2].split() == ["Ana@example.org", "active", "sports", "Ana", "Pereira"]
    assert out[-1] == "1 active, 0 pending, 0 paused, 0 unsubscribed, 0 bounced, 0 suppressed"


@pytest.mark.parametrize(("args", "message"), [
    (["not-an-address"], "tipsheet subscribers: email: expected an address like name@example.org, got "
                         "'not-an-address' (An email address must have an @-sign.)"),
    (["a@example.org", "--tags", "sprots"], "tipsheet subscribers: tags: expected tags of the site, got 'sprots' "
                                            "(did you mean 'sports'?)"),
    (["a" * 250 + "@example.org"], "tipsheet subscribers: email: expected an address of at most 254 characters, "
                                   "got 262"),
    (["a@example.org\r\nBcc: x@example.org"], "tipsheet subscribers: email: expected an address on one line, got "
                                              "'a@example.org\\r\\nBcc: x@example.org'"),
])
def test_add_refuses_bad_input(project, capsys, args, message):
    assert main(["subscribers", "add", *args]) == 1
    assert capsys.readouterr().err.strip() == message
    assert rows(project, "SELECT count(*) FROM subscribers") == [(0,)]


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
    assert rows(project, "SELECT count(*) FROM subscribers") == [(0,)]
    good = project / "good.csv"
    good.write_text("email,name,tags\nok@example.org,Ok,sports\nok2@example.org,\"Two, Jr.\",\n")
    assert main(["subscribers", "import", str(good)]) == 0
    assert "imported" in capsys.readouterr().out
    assert main(["subscribers", "export"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "email,name,tags,status,created"
    assert lines[1].startswith("ok2@example.org,\"Two, Jr.\",,active,")
    assert lines[2].startswith("ok@example.org,Ok,sports,active,")


def test_an_export_never_holds_a_spreadsheet_formula(project, capsys):
    for n, name in enumerate(("=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "-cmd", "@SUM(1)", "Plain name")):
        add(f"r{n}@example.org", f"--name={name}")
    capsys.readouterr()
    assert main(["subscribers", "export"]) == 0
    cells = [row[1] for row in csv.reader(io.StringIO(capsys.readouterr().out))][1:]
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells), cells
    assert sorted(cells) == ["'+1+2", "'-cmd", "'=HYPERLINK(\"http://evil.example\",\"x\")", "'@SUM(1)", "Plain name"]


def test_a_hard_bounced_or_removed_address_is_never_added_or_imported_again(project, capsys):
    add("gone@example.org")
    add("erased@example.org")
    with sqlite3.connect(project / "tipsheet.db") as db:  # as a 550 5.1.1 during a send would
        sid = db.execute("SELECT id FROM subscribers WHERE email = 'gone@example.org'").fetchone()[0]
    from listkit import store

    with store(project) as opened:
        opened.mark_bounced(sid, "550 5.1.1 user unknown", "smtp")
    assert main(["subscribers", "remove", "erased@example.org"]) == 0
    capsys.readouterr()
    assert main(["subscribers", "add", "gone@example.org", "--reactivate"]) == 1
    assert "got 'gone@example.org', on the suppression list (hard bounce on 2026-11-22;" in capsys.readouterr().err
    people = project / "people.csv"
    people.write_text("email,name,tags\nerased@example.org,Back,\nnew@example.org,New,\n")
    assert main(["subscribers", "import", str(people)]) == 0
    assert "1 added, 0 updated, 1 left out (on the suppression list): erased@example.org" in capsys.readouterr().out
    assert main(["subscribers", "unsuppress", "erased@example.org"]) == 0
    assert "cleared erased@example.org (erased on 2026-11-22)" in capsys.readouterr().out
    add("erased@example.org")
    assert status_of(project, "erased@example.org") == "active"


def test_a_removed_address_is_kept_only_as_a_hash(project):
    add("private.person@example.org", "--name", "Private Person")
    assert main(["subscribers", "remove", "private.person@example.org"]) == 0
    assert rows(project, "SELECT count(*) FROM subscribers") == [(0,)]
    (digest,) = rows(project, "SELECT email_hash FROM suppressions")[0]
    assert len(str(digest)) == 64
    for path in project.glob("tipsheet.db*"):
        data = path.read_bytes()
        assert b"private.person" not in data and b"Private Person" not in data, path


def test_list_says_why_each_inactive_address_is_inactive(project, capsys):
    add("a@example.org")
    add("b@example.org")
    add("c@example.org")
    assert main(["unsubscribe", "b@example.org"]) == 0
    assert main(["subscribers", "suppress", "c@example.org"]) == 0
    capsys.readouterr()
    assert main(["subscribers", "list"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[:-1]}
    assert "[" not in lines["a@example.org"]
    assert lines["b@example.org"].endswith("[command line]")
    assert lines["c@example.org"].endswith("[suppressed by the publisher; suppressed: publisher on 2026-11-22]")


def test_unsubscribe_by_address_by_token_and_by_a_token_from_before(project, capsys):
    for e in ("a@example.org", "b@example.org", "c@example.org"):
        add(e)
    token = Signer(SECRET).unsubscribe_token(subscriber(project, "b@example.org").id)
    assert main(["unsubscribe", "a@example.org"]) == 0
    assert main(["unsubscribe", token]) == 0
    assert main(["unsubscribe", token]) == 0
    assert main(["unsubscribe", legacy_token(SECRET, "c@example.org")]) == 0
    assert main(["unsubscribe", token[:-2] + "xx"]) == 1
    out = capsys.readouterr().out
    assert "unsubscribed a@example.org" in out and "b@example.org was already unsubscribed" in out
    assert [status_of(project, e) for e in ("a@example.org", "b@example.org", "c@example.org")] == \
        ["unsubscribed"] * 3
