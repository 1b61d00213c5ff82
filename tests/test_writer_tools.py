"""`tipsheet new` and `tipsheet check`, run as a writer runs them, on real project folders."""

from __future__ import annotations

import json
import os

import pytest

from sitekit import tip, write_project
from test_bad_content import CASES, GOOD, P
from tipsheet.cli import main


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project on disk with two good tips; the tests run from inside it."""
    write_project(tmp_path, {
        "tips/2026/one.md": tip("One", date="2026-11-03", summary="One."),
        "tips/2026/two.md": tip("Two", date="2026-11-10", summary="Two."),
    })
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args):
    return main(["check", *args])


def check_json(capsys, *args):
    status = check("--format", "json", *args)
    return status, json.loads(capsys.readouterr().out)


# -- tipsheet new ---------------------------------------------------------------

def test_new_writes_a_complete_tip_that_checks_clean(project, capsys):
    assert main(["new", "Greet by name & smile", "--tags", "Sports,government", "--series", "first-steps",
                 "--author", "ben", "--date", "2026-11-24"]) == 0
    path = capsys.readouterr().out.strip()
    assert path == "content/tips/2026/greet-by-name-smile.md"
    text = (project / path).read_text()
    assert text.startswith("---\ntitle: Greet by name & smile\ndate: 2026-11-24\ntags: [sports, government]\n"
                           "author: ben\nseries: first-steps\nsummary:")
    assert "<!-- more -->" in text
    status, report = check_json(capsys)
    assert status == 0 and report["errors"] == 0 and report["tips"] == 3


def test_new_defaults_to_the_next_free_publishing_day(project, capsys):
    # today is Sunday 2026-11-22; the site publishes on Tuesdays; nothing is on 2026-11-24 yet
    assert main(["new", "First", "--tags", "sports"]) == 0
    assert "date: 2026-11-24" in (project / capsys.readouterr().out.strip()).read_text()
    assert main(["new", "Second", "--tags", "sports"]) == 0
    assert "date: 2026-12-01" in (project / capsys.readouterr().out.strip()).read_text()


def test_new_works_from_a_subfolder(project, capsys, monkeypatch):
    monkeypatch.chdir(project / "content" / "tips" / "2026")
    assert main(["new", "From below", "--tags", "sports", "--date", "2027-01-05"]) == 0
    assert capsys.readouterr().out.strip() == "../2027/from-below.md"
    assert (project / "content/tips/2027/from-below.md").is_file()


@pytest.mark.parametrize(("args", "message"), [
    (["--tags", "sprots"],
     "tipsheet new: --tags: expected one of the site's tags, got 'sprots' (did you mean 'sports'?)"),
    (["--tags", "sports", "--series", "first-step"],
     "tipsheet new: --series: expected one of the site's series, got 'first-step' (did you mean 'first-steps'?)"),
    (["--tags", "sports", "--author", "bne"],
     "tipsheet new: --author: expected one of the site's authors, got 'bne' (did you mean 'ben'?)"),
    (["--tags", "sports", "--date", "24/11/2026"],
     "tipsheet new: --date: expected a date as YYYY-MM-DD, got '24/11/2026'"),
    (["--tags", ""], "tipsheet new: --tags: expected 1 or more tags, like --tags sports,government, got nothing"),
])
def test_new_refuses_what_the_site_does_not_know(project, capsys, args, message):
    assert main(["new", "A title", *args]) == 1
    assert capsys.readouterr().err.strip() == message
    assert sorted(p.name for p in (project / "content/tips/2026").iterdir()) == ["one.md", "two.md"]


def test_new_never_overwrites(project, capsys):
    assert main(["new", "One", "--tags", "sports", "--date", "2026-12-01"]) == 1
    assert capsys.readouterr().err.strip() == ("tipsheet new: slug: expected a slug no other tip uses, got 'one', "
                                               "already used by content/tips/2026/one.md (choose another title, "
                                               "or pass --slug)")
    (project / "content/tips/2026/fresh.md").write_text("not a tip yet")
    assert main(["new", "Fresh", "--tags", "sports", "--date", "2026-12-01"]) == 1
    assert "expected a new file, got an existing one (nothing was changed)" in capsys.readouterr().err
    assert (project / "content/tips/2026/fresh.md").read_text() == "not a tip yet"


def test_help_shows_examples(capsys):
    for command in ("new", "check", "digest"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "examples:" in capsys.readouterr().out


def test_outside_a_project_says_where_it_looked(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert check() == 2
    assert "mkdocs.yml: expected it in this folder or one above, got none" in capsys.readouterr().err


# -- tipsheet check ---------------------------------------------------------------

# Every load-time case; a body MkDocs cannot render shows only when rendering (check warns on its link instead).
CHECK_CASES = [c for c in CASES if ": body: " not in c[2]]


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in CHECK_CASES], ids=[c[0] for c in CHECK_CASES])
def test_check_gives_exactly_the_builds_message(project, capsys, content, expected):
    path = project / P
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    status, report = check_json(capsys)
    assert status == 1
    assert expected in [p["message"] for p in report["problems"] if p["severity"] == "error"]
    assert report["tips"] == 3  # and it went on to check the others


def test_check_reports_a_symlink_loop_and_goes_on(project, capsys):
    os.symlink("..", project / "content/tips/2026/loop")
    status, report = check_json(capsys)
    assert status == 1
    assert [p["message"] for p in report["problems"]] == [
        "content/tips/2026/loop: folder: expected a folder of tips, got a link back to content/tips (a loop) "
        "(remove the link)"]
    assert report["tips"] == 2


def test_check_text_output_groups_by_file(project, capsys):
    (project / "content/tips/2026/bad.md").write_text(tip(None, tags=["sprots"]))
    assert check() == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "content/tips/2026/bad.md",
        "  error: tags: expected a tag of the site's vocabulary, got 'sprots' (did you mean 'sports'?)",
        "  error: title: expected a title in plain text, got nothing (add 'title: ...' to the front matter)",
        "3 tips checked: 2 errors, 0 warnings",
    ]


WARNINGS = {
    "long summary": (tip("Long", summary="word " * 70),
                     "summary: expected at most 300 characters (it shows on cards and in emails), got 349 characters "
                     "(keep it to one or two sentences)"),
    "no teaser": (tip("Plain", body="Just text."),
                  "summary: expected a summary, or a <!-- more --> line after the teaser, got neither "
                  "(the first paragraph is used, however long it is)"),
    "same title": (tip("one", summary="Again."),
                   "title: expected a title no other tip has, got 'one', as in content/tips/2026/one.md "
                   "(readers cannot tell them apart)"),
    "broken link": (tip("Link", summary="S.", body="See [this](nothere.md) and [that](one.md)."),
                    "link: expected a file that exists in content/, got 'nothere.md', which is not there "
                    "(check the name and the ../ steps)"),
    "missing image": (tip("Image", summary="S.", body="![A chart](img/chart.png)\n\n```\n![not](code.png)\n```"),
                      "image: expected a file that exists in content/, got 'img/chart.png', which is not there "
                      "(check the name and the ../ steps)"),
    "broken address": (tip("Broken", summary="S.", body="See [x](http://[oops/)."),
                       "link: expected a valid address, got 'http://[oops/' (check the brackets and slashes)"),
    "link to a draft": (tip("Draft link", summary="S.", body="See [soon](soon.md)."),
                        "link: expected a link to a published tip, got 'soon.md', a draft or scheduled tip "
                        "(the link is broken until that tip is published)"),
}


@pytest.mark.parametrize("name", list(WARNINGS))
def test_check_warnings(project, capsys, name):
    content, message = WARNINGS[name]
    (project / "content/tips/2026/soon.md").write_text(tip("Soon", date="2026-12-01", summary="Later."))
    (project / "content/tips/2026/z.md").write_text(content)
    status, report = check_json(capsys)
    assert status == 0
    assert [p["message"] for p in report["problems"]] == [f"content/tips/2026/z.md: {message}"]
    assert report["warnings"] == 1
    assert check("--strict") == 1


def test_check_clean_project(project, capsys):
    assert check() == 0
    assert capsys.readouterr().out.strip() == "2 tips checked: all good"


def test_check_and_build_agree(project, capsys, build_site):
    broken = {"tips/2026/a.md": tip(None, tags=["sprots"]), "tips/2026/b.md": tip(date="2024-02-30"),
              "tips/ok.md": GOOD}
    site = build_site(broken)
    monkey_cwd = os.getcwd()
    os.chdir(site.root)
    try:
        _, report = check_json(capsys)
    finally:
        os.chdir(monkey_cwd)
    build_lines = [line.strip() for line in site.error.splitlines() if line.startswith("  content/")]
    assert [p["message"] for p in report["problems"] if p["severity"] == "error"] == build_lines
