"""The site a reader gets, from real builds: home, archive, tags, series, tip pages."""

from __future__ import annotations

import json

import pytest

from sitekit import tip

TAGS = ["responsiveness", "persistence", "government", "sports"]


def weekly(n: int, **fields):
    """n tips, one a week back from 2026-11-17, tags cycling so every tag has several."""
    files = {}
    for i in range(n):
        day = 17 - 7 * (i % 3)
        month = 11 - i // 3
        tags = [TAGS[i % 4]] + ([TAGS[(i + 1) % 4]] if i % 2 else [])
        files[f"tips/2026/tip-{i:02d}.md"] = tip(f"Tip {i:02d}", date=f"2026-{month:02d}-{day:02d}", tags=tags,
                                               body=f"Body of tip {i:02d}. Word{i:02d}unique.", **fields)
    return files


@pytest.fixture
def site(build_site):
    s = build_site(weekly(7))
    assert s.ok, s.error
    return s


def test_home_lists_latest_tips_with_excerpt_and_read_more(site):
    home = site.html("")
    cards = home.cssselect(".ts-latest .ts-card")
    assert [c.cssselect(".ts-card__title a")[0].text_content() for c in cards] == [
        "Tip 00", "Tip 01", "Tip 02", "Tip 03", "Tip 04"]
    first = cards[0]
    assert first.cssselect(".ts-card__summary")[0].text_content() == "Body of tip 00. Word00unique."
    assert first.cssselect("time")[0].get("datetime") == "2026-11-17T00:00:00+01:00"
    assert "Read more" in first.cssselect(".ts-more")[0].text_content()
    assert site.resolve("", first.cssselect(".ts-more")[0].get("href")) == "tips/tip-00/"
    assert site.resolve("", home.cssselect(".ts-latest__more a")[0].get("href")) == "archive/"
    assert "Welcome." in home.cssselect(".md-content")[0].text_content()


def test_archive_is_paginated_newest_first_with_stable_urls(site):
    pages = ["archive/", "archive/page/2/", "archive/page/3/"]
    titles = [t for url in pages for t in site.card_titles(url)]
    assert titles == [f"Tip {i:02d}" for i in range(7)]
    assert not site.exists("archive/page/4/")
    pager = site.html("archive/page/2/").cssselect(".ts-pager")[0]
    assert site.resolve("archive/page/2/", pager.cssselect("a[rel=prev]")[0].get("href")) == "archive/"
    assert site.resolve("archive/page/2/", pager.cssselect("a[rel=next]")[0].get("href")) == "archive/page/3/"
    assert pager.cssselect("a[aria-current=page]")[0].text_content() == "2"


def test_archive_per_year(build_site):
    s = build_site({"tips/a.md": tip("New", date="2026-01-06"), "tips/b.md": tip("Old", date="2025-12-30")})
    assert s.card_titles("archive/2026/") == ["New"]
    assert s.card_titles("archive/2025/") == ["Old"]
    years = [a.text_content() for a in s.html("archive/").cssselect(".ts-years a")]
    assert years == ["2026", "2025"]


def test_each_tip_is_on_each_of_its_tag_pages_across_pagination(site):
    for tag in TAGS:
        urls = ["tags/" + tag + "/"]
        while True:
            older = site.html(urls[-1]).cssselect(".ts-pager a[rel=next]")
            if not older:
                break
            urls.append(site.resolve(urls[-1], older[0].get("href")))
        listed = [t for url in urls for t in site.card_titles(url)]
        expected = [f"Tip {i:02d}" for i in range(7) if TAGS[i % 4] == tag or (i % 2 and TAGS[(i + 1) % 4] == tag)]
        assert listed == expected, tag


def test_tags_overview_counts_and_tag_page_describes(site):
    overview = site.html("tags/")
    rows = {li.cssselect(".ts-taglist__name")[0].text_content(): li.cssselect(".ts-count")[0].text_content()
            for li in overview.cssselect(".ts-taglist li")}
    assert rows == {"Responsiveness": "3 tips", "Persistence": "2 tips", "Government": "4 tips", "Sports": "1 tip"}
    assert site.html("tags/government/").cssselect(".ts-intro")[0].text_content() == "City halls & permit desks."


def test_series_page_is_oldest_first_and_tips_show_their_part(build_site):
    s = build_site({
        "tips/one.md": tip("Part one", date="2026-10-06", series="first-steps"),
        "tips/two.md": tip("Part two", date="2026-10-13", series="first-steps"),
        "tips/three.md": tip("Part three", date="2026-10-20", series="first-steps"),
        "tips/other.md": tip("Other", date="2026-10-27"),
    })
    assert s.card_titles("series/first-steps/") == ["Part one", "Part two", "Part three"]
    page = s.html("tips/two/")
    label = page.cssselect(".ts-series-label")[0]
    assert label.text_content() == "First steps, part 2 of 3"
    assert s.resolve("tips/two/", label.cssselect("a")[0].get("href")) == "series/first-steps/"
    parts = {a.cssselect(".ts-neighbour__label")[0].text_content(): s.resolve("tips/two/", a.get("href"))
             for a in page.cssselect(".ts-neighbours--series a")}
    assert parts == {"Previous part": "tips/one/", "Next part": "tips/three/"}
    assert [a.text_content() for a in s.html("series/").cssselect(".ts-taglist__name")] == ["First steps"]


def test_tip_page_has_everything_a_reader_needs(build_site):
    words = " ".join(["word"] * 450)
    s = build_site({
        "tips/main.md": tip("Main tip", date="2026-10-13", tags=["sports", "government"], author="ben",
                            updated="2026-11-01", body=words),
        "tips/older.md": tip("Older", date="2026-10-06", tags=["responsiveness"]),
        "tips/newer.md": tip("Newer", date="2026-10-20", tags=["persistence"]),
        "tips/both.md": tip("Shares both", date="2026-09-01", tags=["government", "sports"]),
        "tips/one-a.md": tip("Shares one, recent", date="2026-11-03", tags=["sports"]),
        "tips/one-b.md": tip("Shares one, old", date="2026-08-04", tags=["government"]),
        "tips/one-c.md": tip("Shares one, oldest", date="2026-07-07", tags=["sports"]),
    })
    page = s.html("tips/main/")
    header = page.cssselect(".ts-tip-header")[0]
    assert header.cssselect("h1")[0].text_content() == "Main tip"
    times = [t.get("datetime") for t in header.cssselect("time")]
    assert times == ["2026-10-13T00:00:00+02:00", "2026-11-01T00:00:00+01:00"]
    assert "By Ben Okafor" in header.text_content()
    assert "3 min read" in header.text_content()
    tag_links = [s.resolve("tips/main/", a.get("href")) for a in header.cssselect(".ts-tag")]
    assert tag_links == ["tags/sports/", "tags/government/"]
    assert all(s.exists(url) for url in tag_links)
    older = page.cssselect(".ts-neighbour--older")[0]
    newer = page.cssselect(".ts-neighbour--newer")[0]
    assert s.resolve("tips/main/", older.get("href")) == "tips/older/"
    assert s.resolve("tips/main/", newer.get("href")) == "tips/newer/"
    related = [a.text_content() for a in page.cssselect(".ts-related a")]
    assert related == ["Shares both", "Shares one, recent", "Shares one, old"]
    assert page.cssselect("title")[0].text_content() == "Main tip - Test Tips"


def test_drafts_and_scheduled_tips_are_left_out_of_the_build(build_site):
    s = build_site({
        "tips/live.md": tip("Live", date="2026-11-17"),
        "tips/draft.md": tip("Draft", date="2026-11-10", draft=True),
        "tips/later.md": tip("Later", date="2026-11-24"),
    })
    assert s.card_titles("archive/") == ["Live"]
    assert s.card_titles("tags/sports/") == ["Live"]
    assert not s.exists("tips/draft/") and not s.exists("tips/later/")
    assert "Draft" not in s.read("search/search_index.json")


def test_scheduled_tip_appears_once_its_day_has_come(build_site, monkeypatch):
    files = {"tips/later.md": tip("Later", date="2026-11-24")}
    assert build_site(files).card_titles("archive/") == []
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1795305600 + 3 * 86400))
    assert build_site(files).card_titles("archive/") == ["Later"]


def test_nav_does_not_grow_with_the_archive(build_site):
    def nav(site):
        return [a.get("href") for a in site.html("about/").cssselect("nav.md-nav--primary a")]

    few = build_site({**weekly(3), "about.md": "# About\n"})
    many = build_site({**weekly(30), "about.md": "# About\n"})
    assert nav(few) == nav(many)
    assert not any("tips/" in href for href in nav(many))


def test_generated_pages_are_never_written_into_content(build_site):
    s = build_site(weekly(4))
    written = sorted(p.relative_to(s.root / "content").as_posix() for p in (s.root / "content").rglob("*"))
    assert written == ["index.md", "tips", "tips/2026"] + [f"tips/2026/tip-{i:02d}.md" for i in range(4)]


def test_search_index_finds_a_tip_by_a_word_of_its_body(site):
    index = json.loads(site.read("search/search_index.json"))
    hits = [doc["location"] for doc in index["docs"] if "Word03unique" in doc["text"]]
    assert hits and all(h.startswith("tips/tip-03/") for h in hits)
    assert not any(doc["location"].startswith(("tags/", "archive/")) for doc in index["docs"])


HOSTILE = 'Use <Tab> & "quotes" to move'


def test_titles_and_summaries_are_escaped_everywhere(build_site):
    s = build_site({
        "tips/hostile.md": tip(HOSTILE, summary="A <b>bold</b> & sneaky \"summary\"", tags=["sports"]),
        "tips/other.md": tip("Other", date="2026-11-02", tags=["sports"]),
    })
    assert s.ok, s.error
    page = s.html("tips/hostile/")
    assert page.cssselect("title")[0].text_content() == f"{HOSTILE} - Test Tips"
    assert page.cssselect(".ts-tip-header h1")[0].text_content() == HOSTILE
    assert page.cssselect(".md-header__topic .md-ellipsis")[-1].text_content().strip() == HOSTILE
    assert page.cssselect('meta[name="description"]')[0].get("content") == 'A <b>bold</b> & sneaky "summary"'
    for url in ("", "archive/", "tags/sports/", "tips/other/"):
        doc = s.html(url)
        assert not doc.cssselect("tab") and not doc.cssselect(".md-content b"), url
        texts = [a.text_content() for a in doc.cssselect(".ts-card__title a, .ts-neighbour__title, .ts-related a")]
        assert HOSTILE in texts, url
    assert "<Tab>" not in s.read("tips/hostile/")


def test_excerpt_comes_from_summary_else_more_marker_else_first_paragraph(build_site):
    s = build_site({
        "tips/a.md": tip("With summary", date="2026-11-03", summary="The summary.", body="First para.\n\nSecond."),
        "tips/b.md": tip("With more", date="2026-11-02",
                         body="Intro *one*.\n\nIntro [two](a.md).\n\n<!-- more -->\n\nRest of it."),
        "tips/c.md": tip("Plain", date="2026-11-01", body="!!! note\n    Aside.\n\nFirst para.\n\nSecond para."),
    })
    summaries = [p.text_content() for p in s.html("archive/").cssselect(".ts-card__summary")]
    assert summaries == ["The summary.", "Intro one. Intro two.", "First para."]


def test_links_on_generated_pages_resolve(site):
    for url in ["", "archive/", "archive/page/2/", "archive/2026/", "tags/", "tags/sports/", "series/",
                "tips/tip-03/"]:
        for a in site.html(url).cssselect(".md-content a[href]"):
            href = a.get("href")
            if href.startswith(("#", "http", "mailto:")):
                continue
            assert site.exists(site.resolve(url, href)), (url, href)


def test_without_directory_urls(build_site):
    s = build_site(weekly(4), use_directory_urls=False)
    assert s.ok, s.error
    assert s.exists("tips/tip-00/index.html")
    assert s.exists("archive/page/2/index.html")
    href = s.html("archive/index.html").cssselect(".ts-card__title a")[0].get("href")
    assert href == "../tips/tip-00/index.html"


def test_same_content_gives_byte_identical_site(build_site, monkeypatch):
    first = build_site(weekly(5))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1795305600 + 40 * 86400))
    second = build_site(weekly(5))

    def files(site):
        return {p.relative_to(site.out).as_posix(): p.read_bytes() for p in site.out.rglob("*") if p.is_file()}

    a, b = files(first), files(second)
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []


def test_every_label_on_a_tip_page_points_at_a_control(build_site):
    s = build_site({"tips/x.md": tip("Headings", body="Intro.\n\n## One\n\nText.\n\n## Two\n\nText.")})
    page = s.html("tips/x/")
    ids = {el.get("id") for el in page.iter() if el.get("id")}
    targets = [label.get("for") for label in page.cssselect("label[for]")]
    assert "__toc" in targets
    assert [t for t in targets if t not in ids] == []
