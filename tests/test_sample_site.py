"""The repository's own sample site builds with --strict and is what a reader should get."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config import load_config

from sitekit import Site, run_build

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    config = REPO / "mkdocs.yml"
    site = Site(REPO, config)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", "1795305600")  # 2026-11-22: the scheduled tip (2026-12-01) is ahead
        cfg = load_config(str(config), site_dir=str(out / "site"), strict=True)
        cfg.plugins.on_startup(command="build", dirty=False)
        run_build(site, config=cfg)
        cfg.plugins.on_shutdown()
    site.root = out  # read the output from the temporary folder
    assert site.ok, site.error
    assert site.warnings == []
    return site


def test_sample_site_publishes_twenty_tips(sample):
    titles = [t for url in ("archive/", "archive/page/2/") for t in sample.card_titles(url)]
    assert len(titles) == 20
    assert "Let silence do some of the work" not in titles  # the draft
    assert "Introduce new hires to your regulars" not in titles  # scheduled for 2026-12-01
    assert not sample.exists("tips/let-silence-do-some-of-the-work/")


def test_sample_site_has_every_tag_and_the_series(sample):
    names = [a.text_content() for a in sample.html("tags/").cssselect(".ts-taglist__name")]
    assert names == ["Responsiveness", "Persistence", "Government", "Sports", "Empathy", "Retention",
                     "Complaints", "Training"]
    assert len(sample.card_titles("series/first-five-minutes/")) == 4


def test_sample_site_escapes_its_awkward_title(sample):
    page = sample.html("tips/when-dear-first-name-goes-out-unfilled/")
    assert page.cssselect(".ts-tip-header h1")[0].text_content() == 'When "Dear <First name>" goes out unfilled'
    assert not page.cssselect("first")


def test_sample_site_feeds_parse_and_cover_every_tag_and_series(sample):
    import feedparser

    paths = ["feed.xml", "atom.xml"] + [f"tags/{t}/{f}" for t in ("responsiveness", "persistence", "government",
                                                                  "sports", "empathy", "retention", "complaints",
                                                                  "training") for f in ("feed.xml", "atom.xml")]
    paths += ["series/first-five-minutes/feed.xml", "series/first-five-minutes/atom.xml"]
    for path in paths:
        feed = feedparser.parse(sample.file(path).read_bytes())
        assert not feed.bozo and feed.entries, path
    assert len(feedparser.parse(sample.file("feed.xml").read_bytes()).entries) == 20
