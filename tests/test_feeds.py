"""Feeds from real builds, read back with feedparser and lxml."""

from __future__ import annotations

import json

import feedparser
import pytest
from lxml import etree

from sitekit import tip
from tipsheet.feeds.build import rss_profile

ATOM = "{http://www.w3.org/2005/Atom}"


def archive(n=6):
    files = {"subscribe.md": "# Subscribe\n\nThe feeds.\n"}
    tags = ["sports", "government", "responsiveness"]
    for i in range(n):
        files[f"tips/t{i}.md"] = tip(f"Tip {i}", date=f"2026-10-{i + 1:02d}", tags=[tags[i % 3]],
                                     body=f"Para {i} with [a link](t0.md) and ![pic](img/p.png).\n\n## Part\n\nMore.")
    files["tips/img/p.png"] = b"\x89PNG fake"
    return files


@pytest.fixture
def site(build_site):
    s = build_site(archive(), feeds={"limit": 4})
    assert s.ok, s.error
    return s


def parsed(site, path):
    feed = feedparser.parse(site.file(path).read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_site_feeds_hold_the_newest_entries_in_order(site):
    for path in ("feed.xml", "atom.xml"):
        feed = parsed(site, path)
        assert [e.title for e in feed.entries] == ["Tip 5", "Tip 4", "Tip 3", "Tip 2"]
        assert feed.entries[0].link == "https://tips.example.org/tips/t5/"
        assert feed.feed.title == "Test Tips"
    assert parsed(site, "feed.xml").version == "rss20"
    assert parsed(site, "atom.xml").version == "atom10"


def test_tag_feed_holds_exactly_that_tags_newest_tips(site):
    for path in ("tags/sports/feed.xml", "tags/sports/atom.xml"):
        feed = parsed(site, path)
        assert [e.title for e in feed.entries] == ["Tip 3", "Tip 0"]
        assert all(any(t.term in ("sports", "Sports") for t in e.tags) for e in feed.entries)
    assert parsed(site, "tags/persistence/atom.xml").entries == []


def test_entries_carry_everything_a_reader_shows(site):
    entry = parsed(site, "atom.xml").entries[0]
    assert entry.id == "tag:tips.example.org,2026-10-06:tips/t5"
    assert entry.published == "2026-10-06T00:00:00+02:00"
    assert entry.author == "Ana Pereira"
    assert entry.summary == "Para 5 with a link and ."
    html = entry.content[0].value
    assert 'href="https://tips.example.org/tips/t0/"' in html
    assert 'src="https://tips.example.org/tips/img/p.png"' in html
    assert "headerlink" not in html and "<!--" not in html
    rss = parsed(site, "feed.xml").entries[0]
    assert rss.id == entry.id
    assert rss.author_detail.name == "Ana Pereira"
    assert rss.published_parsed[:3] == (2026, 10, 5)  # 00:00 in Amsterdam is the 5th in UTC


def test_no_relative_url_in_any_feed_content(site):
    for path in ("feed.xml", "atom.xml", "tags/sports/atom.xml"):
        for entry in parsed(site, path).entries:
            doc = etree.HTML(entry.content[0].value)
            for el in doc.iter():
                for attr in ("href", "src"):
                    value = el.get(attr)
                    if value:
                        assert value.startswith("https://tips.example.org/"), (path, value)


def test_feed_updated_comes_from_the_newest_entry_not_the_clock(site):
    atom = etree.fromstring(site.file("atom.xml").read_bytes())
    assert atom.findtext(f"{ATOM}updated") == "2026-10-06T00:00:00+02:00"
    rss = etree.fromstring(site.file("feed.xml").read_bytes())
    assert rss.findtext("channel/lastBuildDate") == "Tue, 06 Oct 2026 00:00:00 +0200"


def test_same_day_tips_get_distinct_updated_instants(build_site):
    s = build_site({"tips/a.md": tip("A", date="2026-10-06"), "tips/b.md": tip("B", date="2026-10-06")})
    updated = [e.updated for e in parsed(s, "atom.xml").entries]
    assert sorted(updated) == ["2026-10-06T00:00:00+02:00", "2026-10-06T00:00:01+02:00"]


def test_two_builds_give_identical_feeds_and_ids(build_site, monkeypatch):
    first = build_site(archive())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1795305600 + 86400 * 10))
    second = build_site(archive())
    for path in ("feed.xml", "atom.xml", "feed.json", "tags/sports/feed.xml", "series/first-steps/atom.xml"):
        assert first.file(path).read_bytes() == second.file(path).read_bytes(), path


def test_drafts_and_scheduled_tips_never_reach_a_feed(build_site):
    s = build_site({
        "tips/live.md": tip("Live", date="2026-11-17"),
        "tips/draft.md": tip("Draft", date="2026-11-10", draft=True),
        "tips/later.md": tip("Later", date="2026-12-01"),
    })
    for path in ("feed.xml", "atom.xml", "tags/sports/atom.xml"):
        assert [e.title for e in parsed(s, path).entries] == ["Live"]
    assert [i["title"] for i in json.loads(s.read("feed.json"))["items"]] == ["Live"]


def test_autodiscovery_links_point_at_feeds_that_exist(site):
    for url, expected in (("", 3), ("tips/t1/", 3), ("tags/sports/", 5), ("archive/page/2/", 3),
                          ("series/first-steps/", 5)):
        links = site.html(url).cssselect('head link[rel="alternate"][type]')
        assert len(links) == expected, url
        for link in links:
            href = link.get("href")
            assert href.startswith("https://tips.example.org/")
            assert site.exists(href.removeprefix("https://tips.example.org/")), href
    own = [link.get("href") for link in site.html("tags/sports/").cssselect('head link[rel="alternate"]')]
    assert "https://tips.example.org/tags/sports/atom.xml" in own


def test_tag_and_series_pages_show_subscribe_links(site):
    for url, feed in (("tags/sports/", "tags/sports/feed.xml"), ("series/first-steps/", "series/first-steps/atom.xml")):
        hrefs = [site.resolve(url, a.get("href")) for a in site.html(url).cssselect(".ts-subscribe a")]
        assert feed in hrefs
    rows = {row.cssselect("th")[0].text_content(): [site.resolve("subscribe/", a.get("href")) for a in row.iter("a")]
            for row in site.html("subscribe/").cssselect(".ts-feedtable tbody tr")}
    assert rows["Every tip"] == ["feed.xml", "atom.xml", "feed.json"]
    assert rows["Sports"] == ["tags/sports/feed.xml", "tags/sports/atom.xml"]
    assert rows["First steps"] == ["series/first-steps/feed.xml", "series/first-steps/atom.xml"]


SPECIAL = 'Fish & chips <b>not bold</b> "quoted" café 🎉 謝謝 шрифт'


def test_special_characters_come_through_intact(build_site):
    s = build_site({"tips/x.md": tip(SPECIAL, summary=SPECIAL, body=f"{SPECIAL.replace('<b>', '&lt;b&gt;')}")})
    assert s.ok, s.error
    for path in ("feed.xml", "atom.xml", "tags/sports/feed.xml"):
        entry = parsed(s, path).entries[0]
        assert entry.title == SPECIAL, path
        assert entry.summary == SPECIAL, path
    item = json.loads(s.read("feed.json"))["items"][0]
    assert item["title"] == SPECIAL and item["summary"] == SPECIAL


def test_rss_profile_escapes_change_spelling_not_meaning(site):
    raw = site.file("feed.xml").read_bytes()
    assert b"&lt;" not in raw and b"&#x3C;" in raw
    plain = raw.replace(b"&#x26;", b"&amp;").replace(b"&#x3C;", b"&lt;").replace(b"&#x3E;", b"&gt;")
    assert etree.tostring(etree.fromstring(plain), method="c14n") == \
        etree.tostring(etree.fromstring(rss_profile(plain)), method="c14n")


def test_summary_only_feeds(build_site):
    s = build_site(archive(2), feeds={"content": "summary"})
    entry = parsed(s, "atom.xml").entries[0]
    assert "content" not in entry and entry.summary.startswith("Para 1")


def test_json_feed(site):
    doc = json.loads(site.read("feed.json"))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == "https://tips.example.org/feed.json"
    assert [i["title"] for i in doc["items"]] == ["Tip 5", "Tip 4", "Tip 3", "Tip 2"]
    assert doc["items"][0]["content_html"].count("https://tips.example.org/") >= 2


@pytest.mark.parametrize(("site_url", "got"), [(None, "nothing"), ("", "nothing")])
def test_feeds_need_an_absolute_site_url(build_site, site_url, got):
    s = build_site(archive(1), site_url=site_url)
    assert not s.ok
    assert ("tipsheet/feeds: site_url: expected the site's public address, like https://tips.example.org/, "
            f"got {got} (set site_url in mkdocs.yml: feeds and emails need absolute links)") in s.error


def test_a_relative_site_url_is_refused_before_anything_is_built(tmp_path):
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    from sitekit import write_project

    config_file = write_project(tmp_path, archive(1), site_url="/tips/")
    with pytest.raises(Abort):
        load_config(str(config_file))
