"""The tips plugin's ``redirects`` option on its own: pages at old paths, server files, and what goes wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitekit import Site, run_build, tip, write_project
from tipsheet.importers import redirects

TIPS = {
    "tips/2016/answer.md": tip("Answer within the hour", "2016-03-01", slug="answer-within-the-hour"),
    "tips/2016/later.md": tip("Not out yet", "2027-01-05"),
    "about.md": "---\ntitle: About\n---\n\nUs.\n",
}


def build(root: Path, lines: str, files: dict[str, str] | None = None, strict: bool = False, **config: object) -> Site:
    config_file = write_project(root, {**TIPS, **(files or {})}, tips={"redirects": "redirects.yml"}, **config)
    (root / "redirects.yml").write_text(lines, encoding="utf-8")
    return run_build(Site(root, config_file), strict=strict)


def test_a_page_at_each_old_path_sends_readers_on_without_javascript(tmp_path):
    site = build(tmp_path, "/2016/03/01/answer/: tips/2016/answer.md\n/archives/17: tips/2016/answer.md\n"
                           "/old/answer.html: tips/2016/answer.md\n")
    assert site.ok, site.error
    assert site.read("2016/03/01/answer/") == (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Answer within the hour</title>\n'
        '<meta name="robots" content="noindex">\n'
        '<link rel="canonical" href="https://tips.example.org/tips/answer-within-the-hour/">\n'
        '<meta http-equiv="refresh" content="0; url=../../../../tips/answer-within-the-hour/">\n</head>\n<body>\n'
        '<p>This has moved to <a href="../../../../tips/answer-within-the-hour/">Answer within the hour</a>.</p>\n'
        "</body>\n</html>")
    assert 'url=../../tips/answer-within-the-hour/"' in site.read("archives/17/")
    assert 'url=../tips/answer-within-the-hour/"' in site.read("old/answer.html")
    assert "<script" not in site.read("2016/03/01/answer/")


def test_a_redirect_follows_the_tip_when_its_slug_changes(tmp_path):
    files = {"tips/2016/answer.md": tip("Answer within the hour", "2016-03-01", slug="within-the-hour")}
    site = build(tmp_path, "/2016/03/01/answer/: tips/2016/answer.md\n", files)
    assert 'url=../../../../tips/within-the-hour/"' in site.read("2016/03/01/answer/")


def test_a_line_whose_file_is_gone_is_a_warning_so_strict_builds_stop(tmp_path):
    site = build(tmp_path, "/2016/03/01/gone/: tips/2016/gone.md\n", strict=True)
    assert not site.ok
    assert ("tipsheet: redirects.yml: line 1: /2016/03/01/gone/: expected a file of the site, got "
            "'tips/2016/gone.md', which is not there (if the tip moved, change the line; if it was deleted, "
            "remove the line)") in site.warnings


def test_an_old_path_that_a_page_of_the_site_uses_is_left_out_with_a_warning(tmp_path):
    site = build(tmp_path, "/about/: tips/2016/answer.md\n")
    assert site.ok
    assert any("line 1: /about/: expected an address no page of the site uses, got the address of about.md"
               in w for w in site.warnings)
    assert "Us." in site.read("about/")


def test_a_tip_not_yet_published_gets_its_redirect_when_it_is(tmp_path):
    site = build(tmp_path, "/2027/01/05/later/: tips/2016/later.md\n")
    assert site.ok and site.warnings == []
    assert not site.exists("2027/01/05/later/")
    assert any("1 wait for their tip to be published" in n for n in site.notices)


def test_the_sites_own_redirects_come_first_in_netlifys_file(tmp_path):
    site = build(tmp_path, "/?p=7: tips/2016/answer.md\n/a/: tips/2016/answer.md\n",
                 {"_redirects": "/shop/* https://shop.example.org/:splat 302\n"})
    assert site.read("_redirects") == (
        "/shop/* https://shop.example.org/:splat 302\n"
        "# Old addresses of imported tips (written by tipsheet on every build).\n"
        "/ p=7 /tips/answer-within-the-hour/ 301\n/a/ /tips/answer-within-the-hour/ 301\n")
    assert site.read("nginx-redirects.map").endswith(
        '"/?p=7" "/tips/answer-within-the-hour/";\n"/a/" "/tips/answer-within-the-hour/";\n')
    assert not site.exists("index.html?p=7")


@pytest.mark.parametrize(("text", "message"), [
    ("/a/: [tips/x.md]\n", "redirects.yml: line 1: expected 'old path: file', got a nested value"),
    ("a/: tips/x.md\n", "redirects.yml: line 1: expected an old path starting with '/', got 'a/'"),
    ("/a/: https://elsewhere.example/\n", "redirects.yml: line 1: /a/: expected a file under the docs folder, "
                                          "like tips/2012/slug.md, got 'https://elsewhere.example/'"),
    ("/a/: x\n  b: [\n", "redirects.yml: line 2: expected valid YAML"),
])
def test_a_redirects_file_that_cannot_be_read_stops_the_build_naming_the_line(tmp_path, text, message):
    site = build(tmp_path, text)
    assert not site.ok
    assert message in site.error


def test_old_paths_become_files_only_where_a_static_host_can_serve_them():
    assert redirects.static_path("/2012/01/04/slug/") == "2012/01/04/slug/index.html"
    assert redirects.static_path("/archives/123") == "archives/123/index.html"
    assert redirects.static_path("/2012/01/slug.html") == "2012/01/slug.html"
    assert redirects.static_path("/2017/06/06/%ce%b5%cf%85/") == "2017/06/06/ευ/index.html"
    assert redirects.static_path("/?p=12") is None
    assert redirects.static_path("/") is None
    assert redirects.static_path("/a/%2e%2e/etc/") is None
    assert redirects.static_path("//greek/%ce%b5/") == "greek/ε/index.html"


def test_a_site_under_a_sub_path_gets_pages_only_for_old_paths_below_it(tmp_path):
    site = build(tmp_path, "/tips/2016/old-answer/: tips/2016/answer.md\n/2016/03/01/answer/: tips/2016/answer.md\n",
                 site_url="https://example.org/tips/")
    assert site.ok, site.error
    assert 'url=../../tips/answer-within-the-hour/"' in site.read("2016/old-answer/")
    assert not site.exists("2016/03/01/answer/")
    assert site.read("_redirects").splitlines()[1:] == [
        "/tips/2016/old-answer/ /tips/tips/answer-within-the-hour/ 301",
        "/2016/03/01/answer/ /tips/tips/answer-within-the-hour/ 301"]


def test_the_redirects_file_is_written_one_quoted_line_per_address_and_read_back_the_same(tmp_path):
    mapping = {"/2017/05/02/caf%c3%a9/": "tips/2017/cafe.md", "/?p=7": "tips/a.md", "/yes/": "tips/no.md",
               "/a: b/": "tips/c #1.md"}
    text = redirects.dump(mapping)
    assert text.split("\n\n", 1)[1] == ("/2017/05/02/caf%c3%a9/: tips/2017/cafe.md\n/?p=7: tips/a.md\n"
                                        "'/a: b/': 'tips/c #1.md'\n/yes/: tips/no.md\n")
    (tmp_path / "r.yml").write_text(text, encoding="utf-8")
    assert {r.old: r.target for r in redirects.load(str(tmp_path / "r.yml"), "r.yml")} == mapping
    assert [r.line for r in redirects.load(str(tmp_path / "r.yml"), "r.yml")] == [7, 8, 9, 10]
