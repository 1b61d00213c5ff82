"""The core without MkDocs: model, catalog, dates, URLs, excerpts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tipsheet.content.catalog import Catalog
from tipsheet.content.fields import parse_when, slugify
from tipsheet.content.model import Settings, TagInfo, Tip
from tipsheet.site.excerpts import absolute_html, excerpt_text
from tipsheet.site.urls import Urls, root_of

TZ = ZoneInfo("Europe/Amsterdam")
SETTINGS = Settings(
    site_name="S", site_url="https://s.example/", site_description="", language="en", timezone=TZ,
    tags={k: TagInfo(k, k.title(), "") for k in "abcd"}, authors={}, default_author="x",
)
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def make(slug, days_ago, tags, **kw):
    return Tip(path=f"content/tips/{slug}.md", src_uri=f"tips/{slug}.md", slug=slug, title=slug.title(),
               date=NOW - timedelta(days=days_ago), tags=tuple(tags), author="x", body="", **kw)


def test_catalog_orders_newest_first_and_hides_unpublished():
    tips = [make("old", 30, "a"), make("new", 1, "a"), make("draft", 2, "a", draft=True), make("future", -3, "a")]
    catalog = Catalog(tips, SETTINGS, NOW)
    assert [t.slug for t in catalog.listed] == ["new", "old"]
    assert [catalog.status(t) for t in tips] == ["published", "published", "draft", "scheduled"]
    preview = Catalog(tips, SETTINGS, NOW, preview=True)
    assert [t.slug for t in preview.listed] == ["future", "new", "draft", "old"]
    assert [t.slug for t in preview.published] == ["new", "old"]


def test_same_day_tips_sort_by_slug_every_time():
    tips = [make("b", 1, "a"), make("a", 1, "a"), make("c", 1, "a")]
    assert [t.slug for t in Catalog(tips, SETTINGS, NOW).listed] == ["a", "b", "c"]
    assert [t.slug for t in Catalog(reversed(tips), SETTINGS, NOW).listed] == ["a", "b", "c"]


def test_neighbours_by_date():
    tips = [make("t1", 3, "a"), make("t2", 2, "b"), make("t3", 1, "c")]
    catalog = Catalog(tips, SETTINGS, NOW)
    assert catalog.older(tips[1]) is tips[0] and catalog.newer(tips[1]) is tips[2]
    assert catalog.newer(tips[2]) is None and catalog.older(tips[0]) is None


def test_related_prefers_shared_tags_then_recency_and_never_itself():
    me = make("me", 10, "abc")
    tips = [me, make("ab-old", 50, "ab"), make("abc-older", 60, "abcd"), make("a-new", 1, "a"),
            make("c-new", 2, "c"), make("d-only", 0, "d"), make("bc", 40, "bc")]
    catalog = Catalog(tips, SETTINGS, NOW)
    assert [t.slug for t in catalog.related(me)] == ["abc-older", "bc", "ab-old"]
    assert [t.slug for t in catalog.related(me, 5)] == ["abc-older", "bc", "ab-old", "a-new", "c-new"]
    assert "d-only" not in [t.slug for t in catalog.related(me, 10)]


def test_related_matches_brute_force_on_a_larger_archive():
    import random

    rng = random.Random(7)
    tips = [make(f"t{i}", i, rng.sample("abcd", rng.randint(1, 3))) for i in range(300)]
    catalog = Catalog(tips, SETTINGS, NOW)
    for tip in tips[::17]:
        others = [t for t in catalog.listed if t is not tip and set(t.tags) & set(tip.tags)]
        others.sort(key=lambda t: (-len(set(t.tags) & set(tip.tags)), t.sort_key()))
        assert catalog.related(tip) == others[:3]


def test_series_position():
    parts = [make(f"p{i}", 10 - i, "a", series="s") for i in range(3)]
    catalog = Catalog(parts, SETTINGS, NOW)
    pos = catalog.series_position(parts[1])
    assert (pos.number, pos.total, pos.previous, pos.next) == (2, 3, parts[0], parts[2])


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-03-05", datetime(2024, 3, 5, tzinfo=TZ)),
    ("2024-03-05T09:30:00+02:00", datetime(2024, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=2)))),
    ("2024-03-05T09:30:00Z", datetime(2024, 3, 5, 9, 30, tzinfo=UTC)),
    ("2024-03-05 09:30", datetime(2024, 3, 5, 9, 30, tzinfo=TZ)),
])
def test_dates(value, expected):
    when, _, _ = parse_when(value, TZ)
    assert when == expected and when.tzinfo is not None


def test_slugify():
    assert slugify("Café & Co. — 2024!") == "cafe-co-2024"
    assert slugify("When \"Dear <First name>\" goes out") == "when-dear-first-name-goes-out"


def test_links_from_a_page_start_at_its_root():
    assert root_of("tips/x/") + "tags/sports/" == "../../tags/sports/"
    assert root_of("tags/a/page/2/") + "feed.xml" == "../../../../feed.xml"
    assert root_of("") + "tags/" == "tags/"
    assert root_of("tips/x/index.html") == "../../"
    assert Urls(False).page(Urls.tag("a", 2)) == "tags/a/page/2/index.html"


def test_excerpts():
    assert excerpt_text("<p>One <em>two</em>.</p>\n<!-- more -->\n<p>Three</p>") == "One two."
    assert excerpt_text('<div class="admonition"><p>Aside</p></div><p>First.</p><p>Second.</p>') == "First."
    assert excerpt_text("<ul><li>Only a list</li></ul>") == "Only a list"
    assert excerpt_text('<h2 id="x">Head<a class="headerlink" href="#x">¶</a></h2><p>Para</p>') == "Para"


def test_absolute_html():
    html = ('<p><a href="../other/">o</a> <img alt="a" src="../2026/i.svg" srcset="../a.png 2x"></p>'
            '<h2 id="h">H<a class="headerlink" href="#h">¶</a></h2>')
    out = absolute_html(html, "https://s.example/tips/me/")
    assert 'href="https://s.example/tips/other/"' in out
    assert 'src="https://s.example/tips/2026/i.svg"' in out
    assert 'srcset="https://s.example/tips/a.png 2x"' in out
    assert "headerlink" not in out


def test_week_one_is_labelled_with_its_iso_year():
    from tipsheet.mail.digests import week_period

    assert week_period(2026, 1, TZ).label("en") == "Week 1, 2026 (December 29–January 4)"


def test_archive_years_follow_the_site_time_zone():
    new_york = Settings(**{**SETTINGS.__dict__, "timezone": ZoneInfo("America/New_York")})
    early = Tip(path="content/tips/e.md", src_uri="tips/e.md", slug="e", title="E", tags=("a",), author="x", body="",
                date=datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))))
    assert list(Catalog([early], new_york, NOW).by_year) == [2025]
