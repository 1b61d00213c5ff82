"""Topics that guide: a tag's starting tips (start_here in mkdocs.yml, pinned: true in a tip) lead its page,
the topics page shows each tag's description, count, starting tips and latest tip, and a tip offers
"More on <tag>"."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sitekit import VOCABULARY, Site, tip


def vocabulary(**start_here: list[str]) -> dict[str, Any]:
    tags = copy.deepcopy(VOCABULARY)
    for key, slugs in start_here.items():
        tags[key]["start_here"] = slugs
    return {"tags": tags}


TIPS = {
    "tips/basics.md": tip("The basics", date="2026-01-06", tags=["sports"]),
    "tips/refunds.md": tip("Refunds", date="2026-03-03", tags=["sports", "government"]),
    "tips/queues.md": tip("Queues", date="2026-06-02", tags=["sports"], pinned=True),
    "tips/old-pin.md": tip("An old pin", date="2025-06-03", tags=["sports"], pinned=True),
    "tips/match-day.md": tip("Match day", date="2026-09-01", tags=["sports"]),
    "tips/newest.md": tip("Newest", date="2026-11-03", tags=["sports"]),
    "tips/permits.md": tip("Permits", date="2026-10-06", tags=["government"]),
    "tips/later.md": tip("Later", date="2026-12-01", tags=["sports"], pinned=True),  # scheduled
}


@pytest.fixture
def topics(build_site) -> Site:
    site = build_site(TIPS, tips=vocabulary(sports=["refunds", "basics"]))
    assert site.ok, site.error
    return site


def titles(site: Site, url: str, selector: str) -> list[str]:
    return [a.text_content().strip() for a in site.html(url).cssselect(selector)]


def test_starting_tips_lead_the_tag_page_named_first_then_pinned_newest_first(topics: Site) -> None:
    assert titles(topics, "tags/sports/", ".ts-start .ts-card__title a") == [
        "Refunds", "The basics", "Queues", "An old pin"]
    assert titles(topics, "tags/sports/", ".ts-start__title") == ["Start here"]
    assert titles(topics, "tags/sports/", ".ts-rest-title") == ["All tips on Sports, newest first"]
    rest = [t for url in ("tags/sports/", "tags/sports/page/2/") if topics.exists(url)
            for t in titles(topics, url, ".ts-cards:not(.ts-start .ts-cards) .ts-card__title a")]
    assert rest == ["Newest", "Match day"]  # each tip once; the scheduled pin is not shown
    assert not topics.html("tags/government/").cssselect(".ts-start")  # government's only start is sports'


def test_the_topics_page_shows_each_tag_with_where_to_start_and_what_is_new(topics: Site) -> None:
    page = topics.html("tags/")
    assert page.cssselect("h1")[0].text_content() == "Topics"
    items = {li.cssselect(".ts-taglist__name")[0].text_content(): li for li in page.cssselect(".ts-topic")}
    assert list(items) == ["Responsiveness", "Persistence", "Government", "Sports"]
    sports = items["Sports"]
    assert sports.cssselect(".ts-count")[0].text_content() == "6 tips"
    assert sports.cssselect(".ts-taglist__description")[0].text_content() == "Box offices and match days."
    start = sports.cssselect(".ts-topic__start")[0]
    assert start.cssselect(".ts-topic__label")[0].text_content() == "Start here:"
    assert [(a.text_content(), topics.resolve("tags/", a.get("href"))) for a in start.cssselect("a")] == [
        ("Refunds", "tips/refunds/"), ("The basics", "tips/basics/"), ("Queues", "tips/queues/"),
        ("An old pin", "tips/old-pin/")]
    latest = sports.cssselect(".ts-topic__latest")[0]
    assert " ".join(latest.text_content().split()) == "Latest: Newest, November 3, 2026"
    assert not items["Persistence"].cssselect(".ts-topic__latest") and not items["Persistence"].cssselect(
        ".ts-topic__start")
    assert items["Persistence"].cssselect(".ts-count")[0].text_content() == "0 tips"


def test_a_tip_offers_more_on_its_tags_besides_related_tips(topics: Site) -> None:
    page = topics.html("tips/refunds/")
    blocks = page.cssselect(".ts-more-on")
    assert [b.cssselect("h2")[0].text_content() for b in blocks] == ["More on Sports"]
    links = [(a.text_content(), topics.resolve("tips/refunds/", a.get("href")))
             for a in blocks[0].cssselect(".ts-related__list a")]
    assert links == [("The basics", "tips/basics/"), ("Queues", "tips/queues/"), ("An old pin", "tips/old-pin/")]
    everything = blocks[0].cssselect(".ts-more-on__all a")[0]
    assert (everything.text_content(), topics.resolve("tips/refunds/", everything.get("href"))) == (
        "All 6 tips on Sports", "tags/sports/")
    related = [a.text_content() for a in page.cssselect(".ts-related a")]
    assert related and not set(related) & {"The basics", "Queues", "An old pin"}  # not twice on one page
    assert not topics.html("tips/permits/").cssselect(".ts-more-on")  # government has no starting tips


@pytest.mark.parametrize(("start_here", "expected"), [
    (["refnds"], "mkdocs.yml: tags.sports.start_here: expected the slug of a tip tagged 'sports', got 'refnds', "
                 "which no tip has (did you mean 'refunds'?)"),
    (["permits"], "mkdocs.yml: tags.sports.start_here: expected the slug of a tip tagged 'sports', got 'permits' "
                  "(content/tips/permits.md), tagged government (add 'sports' to its tags, or take it out)"),
    (["basics", "basics"], "mkdocs.yml: tags.sports.start_here: expected each tip once, got 'basics' twice"),
])
def test_a_start_here_that_points_nowhere_fails_the_build_with_its_message(build_site, start_here: list[str],
                                                                           expected: str) -> None:
    site = build_site(TIPS, tips=vocabulary(sports=start_here))
    assert not site.ok
    assert expected in [line.strip() for line in site.error.splitlines()], site.error


def test_tipsheet_check_names_a_bad_start_here_too(build_site, capsys: pytest.CaptureFixture[str]) -> None:
    from tipsheet.cli import main

    site = build_site(TIPS, tips=vocabulary(sports=["refnds"]))
    assert main(["check", "-f", str(site.config_file)]) == 1
    out = capsys.readouterr().out
    assert "mkdocs.yml" in out and "tags.sports.start_here: expected the slug of a tip tagged 'sports'" in out


def test_a_tip_pinned_in_two_tags_is_offered_once(build_site) -> None:
    site = build_site({
        "tips/both.md": tip("Both", date="2026-05-05", tags=["sports", "government"], pinned=True),
        "tips/reader.md": tip("Reader", date="2026-06-02", tags=["sports", "government"]),
    }, tips=vocabulary())
    assert site.ok, site.error
    blocks = site.html("tips/reader/").cssselect(".ts-more-on")
    assert [[a.text_content() for a in b.cssselect(".ts-related__list a")] for b in blocks] == [["Both"]]
