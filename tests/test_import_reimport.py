"""Importing again is safe (the ledger), the tag map is the publisher's to edit, uploads are copied, not fetched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from importkit import FEEDS, WORDPRESS, make_project, paste, read, run_cli, run_import, tree
from sitekit import Site, run_build

RENEWAL = "content/tips/2016/the-renewal-call.md"
ANSWER = "content/tips/2016/answer-within-the-hour.md"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "site")
    shutil.copy(WORDPRESS / "frontline.xml", root / "export.xml")
    return root


def facts(root: Path) -> dict:
    return json.loads(read(root, "import-report.json"))


# -- the ledger --------------------------------------------------------------------------------------------
def test_importing_the_same_export_again_changes_no_byte(root):
    assert run_import(root, "wordpress", "export.xml").status == 0
    first = tree(root)
    again = run_import(root, "wordpress", "export.xml")
    assert again.status == 0
    assert "Files: 11 unchanged.\n" in again.out
    assert tree(root) == first
    ledger = json.loads(read(root, ".tipsheet/import-ledger.json"))
    assert ledger["posts"]["wordpress:desk.example.com:101"]["path"] == ANSWER
    assert len(ledger["posts"]) == 11


def test_a_tip_edited_since_the_import_is_kept_and_reported_unless_forced(root):
    run_import(root, "wordpress", "export.xml")
    edited = read(root, ANSWER).replace("within the hour.", "within the hour, every time.")
    (root / ANSWER).write_text(edited, encoding="utf-8")
    again = run_import(root, "wordpress", "export.xml")
    assert "Files: 1 kept-edited, 10 unchanged.\n" in again.out
    assert read(root, ANSWER) == edited
    assert facts(root)["kept_edited"] == [ANSWER]
    assert f"## Tips edited since the last import (kept; --force overwrites)\n\n- `{ANSWER}`\n" in read(
        root, "import-report.md")
    forced = run_import(root, "wordpress", "export.xml", "--force")
    assert "Files: 1 forced, 10 unchanged.\n" in forced.out
    assert "every time" not in read(root, ANSWER)
    assert facts(root)["kept_edited"] == []


def test_a_tip_the_writer_deleted_is_not_brought_back(root):
    run_import(root, "wordpress", "export.xml")
    (root / RENEWAL).unlink()
    again = run_import(root, "wordpress", "export.xml")
    assert "Files: 1 kept-deleted, 10 unchanged.\n" in again.out
    assert not (root / RENEWAL).exists()
    assert facts(root)["kept_deleted"] == [RENEWAL]


def test_a_post_changed_in_wordpress_updates_a_tip_nobody_edited(root):
    run_import(root, "wordpress", "export.xml")
    export = read(root, "export.xml").replace("Ring the ones who", "Call the ones who")
    (root / "export.xml").write_text(export, encoding="utf-8")
    again = run_import(root, "wordpress", "export.xml")
    assert "Files: 10 unchanged, 1 updated.\n" in again.out
    assert "Call the ones who have not renewed" in read(root, RENEWAL)


def test_a_post_gone_from_the_export_is_reported_and_its_tip_kept(root):
    run_import(root, "wordpress", "export.xml")
    export = read(root, "export.xml")
    start = export.index("<item>\n\t\t<title><![CDATA[Season tickets")
    (root / "export.xml").write_text(export[:start] + export[export.index("</item>", start) + 7:], encoding="utf-8")
    again = run_import(root, "wordpress", "export.xml")
    assert again.status == 0
    assert (root / RENEWAL).exists()
    assert facts(root)["gone_from_source"] == [RENEWAL]


def test_a_damaged_ledger_stops_the_import_before_anything_is_written(root):
    run_import(root, "wordpress", "export.xml")
    (root / ".tipsheet" / "import-ledger.json").write_text("{not json", encoding="utf-8")
    before = tree(root)
    again = run_import(root, "wordpress", "export.xml")
    assert again.status == 1
    assert again.err.startswith("tipsheet import: .tipsheet/import-ledger.json: expected the ledger of earlier "
                                "imports, got Expecting property name")
    assert tree(root) == before


# -- the tag map -------------------------------------------------------------------------------------------
def test_a_dry_run_writes_only_the_tag_map(root):
    before = tree(root)
    run = run_import(root, "wordpress", "export.xml", "--dry-run")
    assert run.status == 0
    assert "Wrote the tag map tags.yml (7 terms: 5 tags, 0 series, 2 dropped). Nothing else was changed.\n" in run.out
    after = tree(root)
    assert set(after) - set(before) == {"tags.yml"}
    assert {k: v for k, v in after.items() if k != "tags.yml"} == before
    assert read(root, "tags.yml").split("\n\n", 1)[1] == (
        "fallback: general\nterms:\n"
        "  category/business-advice: {name: Business Advice, posts: 2, tag: business-advice}\n"
        "  category/government: {name: Government, posts: 6, tag: government}\n"
        "  category/sports: {name: Sports, posts: 3, tag: sports}\n"
        "  category/uncategorized: {name: Uncategorized, posts: 1, drop: true}\n"
        "  post_tag/responsiveness: {name: responsiveness, posts: 2, tag: responsiveness}\n"
        "  post_tag/season-tickets: {name: season tickets, posts: 1, tag: season-tickets}\n"
        "  post_format/post-format-aside: {name: Aside, posts: 1, drop: true}\n")


def edit_map(root: Path) -> None:
    text = read(root, "tags.yml")
    text = text.replace("fallback: general", "fallback: everyday")
    text = text.replace("tag: season-tickets}", "tag: tickets}")  # rename
    text = text.replace("posts: 2, tag: responsiveness}", "posts: 2, tag: government}")  # merge
    text = text.replace("posts: 2, tag: business-advice}", "posts: 2, series: better-business}")  # a series
    text = text.replace("posts: 3, tag: sports}", "posts: 3, drop: true}")  # drop
    (root / "tags.yml").write_text(text, encoding="utf-8")


def test_the_edited_map_merges_renames_drops_and_makes_series(root):
    run_import(root, "wordpress", "export.xml", "--dry-run")
    edit_map(root)
    run = run_import(root, "wordpress", "export.xml", "--tag-map", "tags.yml")
    assert run.status == 0, run.err
    assert "tags: [government]\n" in read(root, ANSWER)
    assert "tags: [tickets]\n" in read(root, RENEWAL)
    plain = read(root, "content/tips/2016/plain-words.md")
    assert "tags: [government]\nauthor: marta\nseries: better-business\n" in plain
    assert "tags: [everyday]\n" in read(root, "content/tips/2017/cafe-etiquette.md")
    assert ("      tags:\n        everyday: {title: Everyday}\n        tickets: {title: season tickets}\n"
            in run.out)
    assert "      series:\n        better-business: {title: Business Advice}\n" in run.out
    paste(root, run.out)
    assert run_cli(root, "check", "--strict").status == 0


def test_a_second_dry_run_keeps_the_publishers_edits(root):
    run_import(root, "wordpress", "export.xml", "--dry-run")
    edit_map(root)
    edited = read(root, "tags.yml")
    run_import(root, "wordpress", "export.xml", "--dry-run")
    assert read(root, "tags.yml") == edited


def test_terms_missing_from_the_map_are_dropped_and_reported(root):
    run_import(root, "wordpress", "export.xml", "--dry-run")
    text = "\n".join(line for line in read(root, "tags.yml").splitlines() if "post_tag/responsiveness" not in line)
    (root / "tags.yml").write_text(text + "\n", encoding="utf-8")
    assert run_import(root, "wordpress", "export.xml").status == 0
    assert facts(root)["unmapped_terms"] == {"post_tag/responsiveness": 2}
    assert "tags: [government]\n" in read(root, ANSWER)


def test_a_tag_map_with_mistakes_names_each_and_changes_nothing(root):
    (root / "tags.yml").write_text(
        "fallback: General Stuff\nterms:\n  category/sports: {name: Sports, tag: Sports Desk}\n"
        "  category/government: {tag: government, drop: true}\n  post_tag/x: {tags: x}\n", encoding="utf-8")
    before = tree(root)
    run = run_import(root, "wordpress", "export.xml", "--tag-map", "tags.yml")
    assert run.status == 2
    assert run.err == (
        "tipsheet import: tags.yml: fallback: expected a tag key, got 'General Stuff' (try 'general-stuff')\n"
        "tags.yml: terms: category/sports: tag: expected lowercase letters, digits and hyphens, got 'Sports Desk' "
        "(try 'sports-desk')\n"
        "tags.yml: terms: category/government: expected exactly one of tag, drop: true or series, got tag and drop\n"
        "tags.yml: terms: post_tag/x: expected name, posts, tag, drop or series, got tags\n"
        "tags.yml: terms: post_tag/x: expected exactly one of tag, drop: true or series, got none\n")
    assert tree(root) == before


def test_a_named_tag_map_that_does_not_exist_is_an_error(root):
    run = run_import(root, "wordpress", "export.xml", "--tag-map", "mine.yml")
    assert run.status == 2
    assert "mine.yml: expected the tag map that --dry-run writes, got no such file" in run.err


def test_missing_markdown_extensions_are_asked_for_before_anything_is_written(tmp_path):
    root = make_project(tmp_path / "site", markdown_extensions=["toc", "tables"])
    shutil.copy(WORDPRESS / "frontline.xml", root / "export.xml")
    before = tree(root)
    run = run_import(root, "wordpress", "export.xml")
    assert run.status == 2
    assert run.err.startswith("tipsheet import: mkdocs.yml: markdown_extensions: expected md_in_html, fenced_code "
                              "(imported tips use pipe tables, fenced code and <figure markdown>)")
    assert tree(root) == before


# -- uploads ------------------------------------------------------------------------------------------------
def test_uploads_are_copied_from_a_local_folder_and_linked_relatively(root):
    uploads = root.parent / "backup" / "wp-content" / "uploads"
    (uploads / "2016" / "04").mkdir(parents=True)
    (uploads / "2016" / "04" / "renewal-call.jpg").write_bytes(b"\xff\xd8 full size")  # no -300x200 variant
    (uploads / "2016" / "04" / "seat-map.png").write_bytes(b"\x89PNG seat map")
    run = run_import(root, "wordpress", "export.xml", "--uploads", str(uploads))
    assert run.status == 0, run.err
    renewal = read(root, RENEWAL)
    assert ("[![A box office agent on the phone](../../uploads/2016/04/renewal-call.jpg)]"
            "(../../uploads/2016/04/renewal-call.jpg)") in renewal
    assert "![Seat map of the north stand](../../uploads/2016/04/seat-map.png)" in renewal
    assert "![The permit desk](https://desk.example.com/wp-content/uploads/2016/05/permit-desk.jpg)" in renewal
    assert (root / "content/uploads/2016/04/seat-map.png").read_bytes() == b"\x89PNG seat map"
    report = facts(root)
    assert report["images"] == {"copied": 2, "kept as absolute URLs": 0, "missing": 1}
    assert report["missing_images"] == [{
        "ref": "", "path": "https://desk.example.com/wp-content/uploads/2016/05/permit-desk.jpg",
        "detail": f"looked for {uploads}/2016/05/permit-desk.jpg"}]
    paste(root, run.out)
    site = run_build(Site(root, root / "mkdocs.yml"), strict=True)
    assert site.ok, site.error
    assert site.exists("uploads/2016/04/seat-map.png")
    assert 'src="../../uploads/2016/04/seat-map.png"' in site.read("tips/the-renewal-call/")


def test_an_uploads_folder_that_is_not_there_is_an_error(root):
    run = run_import(root, "wordpress", "export.xml", "--uploads", "nowhere")
    assert run.status == 2
    assert run.err == "tipsheet import: --uploads: expected a folder (a copy of wp-content/uploads), got 'nowhere'\n"


def test_a_slug_an_existing_tip_of_the_site_uses_gets_a_suffix_and_the_tip_is_left_alone(tmp_path):
    mine = "---\ntitle: Own it\ndate: 2026-11-03\ntags: [government]\nsummary: Mine.\n---\n\nWritten here.\n"
    root = make_project(tmp_path / "site")
    (root / "content" / "tips" / "2026").mkdir(parents=True)
    (root / "content" / "tips" / "2026" / "own-it.md").write_text(mine, encoding="utf-8")
    shutil.copy(WORDPRESS / "frontline.xml", root / "export.xml")
    assert run_import(root, "wordpress", "export.xml").status == 0
    assert read(root, "content/tips/2026/own-it.md") == mine
    assert "slug: own-it-2\n" in read(root, "content/tips/2018/own-it-2.md")
    assert "/2018/02/06/own-it/: tips/2018/own-it-2.md\n" in read(root, "redirects.yml")
    assert {"ref": "post 114", "path": "content/tips/2018/own-it-2.md",
            "detail": "'own-it' is taken (by content/tips/2026/own-it.md); the slug is 'own-it-2'"} \
        in facts(root)["slug_changes"]


def test_a_broken_redirects_file_stops_the_import_before_anything_is_written(root):
    (root / "redirects.yml").write_text("/old/: [oops\n", encoding="utf-8")
    before = tree(root)
    run = run_import(root, "wordpress", "export.xml")
    assert run.status == 1
    assert run.err.startswith("tipsheet import: redirects.yml: line 2: expected valid YAML")
    assert tree(root) == before


def test_two_sources_never_give_two_tips_one_slug(tmp_path):
    root = make_project(tmp_path / "site")
    shutil.copy(WORDPRESS / "wxr-1.0.xml", root / "old.xml")
    shutil.copy(FEEDS / "newsletter.rss", root / "newsletter.rss")
    assert run_import(root, "wordpress", "old.xml").status == 0
    assert run_import(root, "feed", "newsletter.rss").status == 0
    assert "slug: walk-the-queue\n" in read(root, "content/tips/2009/walk-the-queue.md")
    assert "slug: walk-the-queue-2\n" in read(root, "content/tips/2024/walk-the-queue-2.md")
    again = run_import(root, "wordpress", "old.xml")
    assert "Files: 1 unchanged.\n" in again.out


def test_the_same_site_under_www_or_https_is_the_same_source(tmp_path):
    root = make_project(tmp_path / "site")
    shutil.copy(WORDPRESS / "wxr-1.0.xml", root / "old.xml")
    assert run_import(root, "wordpress", "old.xml").status == 0
    moved = read(root, "old.xml").replace("http://counter.example.org", "https://www.counter.example.org")
    (root / "old.xml").write_text(moved, encoding="utf-8")
    again = run_import(root, "wordpress", "old.xml")
    assert "Files: 1 unchanged.\n" in again.out
    assert sorted(p.name for p in (root / "content" / "tips").rglob("*.md")) == ["walk-the-queue.md"]
