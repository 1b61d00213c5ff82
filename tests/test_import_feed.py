"""``tipsheet import feed``: RSS and Atom, from a file or from an address served on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from importkit import FEEDS, make_project, paste, project_with, read, run_cli, run_import, serving, tree
from sitekit import Site, run_build

SAY_THE_WAIT = """\
---
title: Say the wait out loud
date: 2024-05-07T07:00:00+00:00
slug: say-the-wait
tags: [waiting]
author: rosa-delgado
summary: Why a number beats "shortly".
---

"About twenty minutes" beats "shortly". People can plan around a number.

Earlier we wrote about [walking the queue](walk-the-queue.md).

Subscribe!
"""


@pytest.fixture
def feed_server() -> Iterator[str]:
    with serving(FEEDS) as base:
        yield base


def project(tmp_path: Path, *names: str) -> Path:
    return project_with(tmp_path, FEEDS, *names)


def test_an_rss_feed_with_full_content_becomes_tips_with_links_between_them_rewritten(tmp_path):
    root = project(tmp_path, "newsletter.rss")
    run = run_import(root, "feed", "newsletter.rss")
    assert run.status == 0, run.err
    assert read(root, "content/tips/2024/say-the-wait.md") == SAY_THE_WAIT
    assert read(root, "content/tips/2024/walk-the-queue.md").startswith(
        "---\ntitle: Walk the queue\ndate: 2024-04-30T07:00:00+00:00\nslug: walk-the-queue\ntags: [waiting, queues]\n"
        "author: rosa-delgado\n---\n\nWalk the queue every ten minutes and ask each person what they came for.\n\n"
        "<!-- more -->\n")
    assert read(root, "redirects.yml").split("\n\n", 1)[1] == (
        "/p/say-the-wait: tips/2024/say-the-wait.md\n/p/walk-the-queue: tips/2024/walk-the-queue.md\n")
    assert run.out.splitlines()[1] == "Note: a feed holds only its latest entries; older posts are not in it."
    paste(root, run.out)
    assert run_cli(root, "check", "--strict").status == 0
    site = run_build(Site(root, root / "mkdocs.yml"), strict=True)
    assert site.ok, site.error
    assert "url=../../tips/say-the-wait/" in site.read("p/say-the-wait/")


def test_a_summary_only_atom_feed_is_imported_with_a_warning_and_its_dates_keep_their_offset(tmp_path):
    root = project(tmp_path, "summaries.atom")
    run = run_import(root, "feed", "summaries.atom")
    assert run.status == 0, run.err
    assert read(root, "content/tips/2020/close-the-loop.md") == (
        "---\ntitle: Close the loop\ndate: 2020-06-09T10:00:00+02:00\nupdated: 2020-06-12T10:00:00+02:00\n"
        "slug: close-the-loop\ntags: [follow-up]\nauthor: ole-brandt\n---\n\n"
        "Tell the customer when it is done, even if they did not ask.\n\n<!-- more -->\n")
    warning = ("1 of 1 entries had only a summary, not the full text: import those from the full export if the old "
               "system has one")
    assert f"Warning: {warning}\n" in run.out
    assert json.loads(read(root, "import-report.json"))["warnings"] == [warning]


def test_a_feed_is_read_from_its_address(tmp_path, feed_server):
    root = make_project(tmp_path / "site")
    run = run_import(root, "feed", f"{feed_server}/newsletter.rss")
    assert run.status == 0, run.err
    assert read(root, "content/tips/2024/say-the-wait.md") == SAY_THE_WAIT
    again = run_import(root, "feed", f"{feed_server}/newsletter.rss")
    assert "Files: 2 unchanged.\n" in again.out


def test_an_address_that_is_not_there_is_one_line(tmp_path, feed_server):
    root = make_project(tmp_path / "site")
    run = run_import(root, "feed", f"{feed_server}/gone.rss")
    assert run.status == 1
    assert run.err == f"tipsheet import: {feed_server}/gone.rss: expected a feed, got HTTP status 404\n"


def test_a_malformed_feed_names_its_line_and_nothing_is_written(tmp_path):
    root = make_project(tmp_path / "site")
    (root / "broken.rss").write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel>\n<item><title>A</title>'
                                     "\n</channel></rss>\n", encoding="utf-8")
    before = tree(root)
    run = run_import(root, "feed", "broken.rss")
    assert run.status == 1
    assert run.err == "tipsheet import: broken.rss: line 4: mismatched tag\n"
    assert tree(root) == before


def test_a_file_that_holds_no_feed_is_named(tmp_path):
    root = make_project(tmp_path / "site")
    (root / "notes.txt").write_text("just some notes\n", encoding="utf-8")
    run = run_import(root, "feed", "notes.txt")
    assert run.status == 1
    assert run.err.startswith("tipsheet import: notes.txt: ")
