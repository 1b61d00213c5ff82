"""The comments option of tipsheet/tips on real builds: where the block goes, its thread, and bad config."""

from __future__ import annotations

import pytest

from sitekit import tip

ON = {"comments": {"enabled": True, "url": "https://comments.tips.example.org"}}
TIPS = {
    "tips/a.md": tip("Alpha & <friends>", date="2026-11-03"),
    "tips/quiet.md": tip("Quiet", date="2026-11-10", comments=False),
    "tips/later.md": tip("Later", date="2026-12-01"),
}


def test_each_published_tip_ends_with_its_own_thread(build_site) -> None:
    site = build_site(TIPS, tips=ON)
    assert site.ok, site.error
    section = site.html("tips/a/").cssselect("section.ts-comments")
    assert len(section) == 1
    assert section[0].get("data-server") == "https://comments.tips.example.org/"
    assert section[0].get("data-load") == "scroll"
    thread = section[0].cssselect("#isso-thread")[0]
    assert (thread.get("data-isso-id"), thread.get("data-title")) == ("/tips/a/", "Alpha & <friends>")
    assert not section[0].cssselect("script[src]")  # Isso's script is added only when the reader gets there
    assert not site.html("tips/quiet/").cssselect(".ts-comments")  # comments: false
    assert not site.html("").cssselect(".ts-comments") and not site.html("tags/sports/").cssselect(".ts-comments")


def test_the_thread_is_the_tips_path_on_the_public_site(build_site) -> None:
    site = build_site(TIPS, site_url="https://example.org/frontline/",
                      tips={"comments": {**ON["comments"], "load": "click"}})
    assert site.ok, site.error
    section = site.html("tips/a/").cssselect("section.ts-comments")[0]
    assert section.get("data-load") == "click"
    assert section.cssselect("#isso-thread")[0].get("data-isso-id") == "/frontline/tips/a/"


def test_comments_are_off_unless_enabled(build_site) -> None:
    site = build_site(TIPS, tips={"comments": {"url": "https://comments.tips.example.org/"}})
    assert site.ok, site.error
    assert not [p for p in site.out.rglob("*.html") if "comments.tips.example.org" in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("url, got", [(None, "nothing"), ("comments.example.org", "'comments.example.org'")])
def test_comments_without_a_server_address_stop_the_build(build_site, url: str | None, got: str) -> None:
    site = build_site(TIPS, tips={"comments": {"enabled": True, **({"url": url} if url else {})}})
    assert not site.ok
    assert (f"comments: url: expected the address of your Isso server, like https://comments.example.org/, "
            f"got {got}") in site.error
