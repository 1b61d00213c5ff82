"""The sample site in a real Chromium: clicking through it, search, feeds, digests, phones, accessibility.

The site, its server and the browser come from browserkit (a pytest plugin registered in conftest.py).
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import re
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from playwright.sync_api import Browser, expect

from browserkit import (
    DESKTOP,
    PAGES,
    PHONE,
    REPO,
    SHOTS,
    SITE_URL,
    TIP,
    TODAY,
    Tab,
    axe_violations,
    local,
    open_tab,
    serious,
)

pytestmark = pytest.mark.browser


# -- reading the site by clicking ------------------------------------------------------------------

def test_home_to_tag_to_tip_to_related_tip_and_back_to_the_tag(tab: Tab) -> None:
    page = tab.goto("")
    assert tab.h1() == "Frontline Weekly"
    chip = page.locator(".ts-latest .ts-card").first.locator(".ts-tag").first
    tag = chip.inner_text().strip()
    tag_url = chip.evaluate("a => a.href")[len(tab.base):]
    assert re.fullmatch(r"tags/[a-z0-9-]+/", tag_url), tag_url
    chip.click()
    tab.at(tag_url, tag)

    title = page.locator(".ts-card__title a").first
    tip_title = title.inner_text().strip()
    title.click()
    expect(page.locator(".ts-tip-header h1")).to_have_text(tip_title)
    assert re.fullmatch(r"tips/[a-z0-9-]+/", page.url[len(tab.base):]), page.url
    assert tag in page.locator(".ts-tip-header .ts-tag").all_inner_texts()

    related = page.locator(".ts-related a").first
    related_title = related.inner_text().strip()
    assert related_title != tip_title
    related.click()
    expect(page.locator(".ts-tip-header h1")).to_have_text(related_title)
    assert re.fullmatch(r"tips/[a-z0-9-]+/", page.url[len(tab.base):]), page.url

    page.locator(".ts-tip-header .ts-tag", has_text=re.compile(f"^{re.escape(tag)}$")).click()
    tab.at(tag_url, tag)
    expect(page.locator(".ts-card__title a", has_text=re.compile(f"^{re.escape(related_title)}$"))).to_have_count(1)
    tab.assert_clean()


def test_archive_pages_by_clicking_older_and_back(tab: Tab) -> None:
    page = tab.goto("archive/")
    first = tab.texts(".ts-card__title a", 10)
    expect(page.locator(".ts-pager a[rel=prev]")).to_have_count(0)
    page.locator(".ts-pager a[rel=next]").click()
    tab.at("archive/page/2/", "Archive (page 2 of 2)")
    second = tab.texts(".ts-card__title a", 10)
    assert not set(first) & set(second)  # the next ten, 20 published in all
    expect(page.locator(".ts-pager a[rel=next]")).to_have_count(0)
    expect(page.locator(".ts-pager__pages a[aria-current=page]")).to_have_text("2")

    page.locator(".ts-pager__pages a", has_text=re.compile("^1$")).click()
    tab.at("archive/", "Archive")
    assert tab.texts(".ts-card__title a", 10) == first
    page.locator(".ts-pager__pages a", has_text=re.compile("^2$")).click()
    tab.at("archive/page/2/", "Archive (page 2 of 2)")
    page.locator(".ts-pager a[rel=prev]").click()  # "Newer tips"
    tab.at("archive/", "Archive")
    tab.assert_clean()


# -- feeds and digests ------------------------------------------------------------------------------

@pytest.mark.parametrize("path, own", [("", "feed.xml"), ("tags/sports/", "tags/sports/feed.xml"),
                                       ("series/first-five-minutes/", "series/first-five-minutes/atom.xml"),
                                       (TIP, "feed.json")])
def test_feed_autodiscovery_links_resolve_to_feeds(tab: Tab, path: str, own: str) -> None:
    response = tab.page.goto(tab.base + path)
    assert response is not None and response.status == 200
    # Feed readers read the HTML as served: rel="alternate" exactly. In the live page the feeds' rel is
    # "alternate feed", out of the way of Material's look-up of language versions (fragments/feed_links.html).
    served = lxml.html.fromstring(response.body()).cssselect("head link[rel=alternate][type]")
    links = [(link.get("type"), link.get("href")) for link in served]
    live = tab.page.locator("head link[rel~=alternate][type]").evaluate_all(
        "links => links.map(l => [l.type, l.getAttribute('href')])")
    assert [tuple(x) for x in live] == links
    hrefs = [href for _, href in links]
    assert SITE_URL + own in hrefs, hrefs
    assert len(set(hrefs)) == len(hrefs)
    for kind, href in links:
        feed_response = tab.page.request.get(local(tab.base, href))
        assert feed_response.status == 200, href
        if "json" in kind:
            feed = json.loads(feed_response.text())
            assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["items"], href
        else:
            root = lxml.etree.fromstring(feed_response.body())
            expected = "rss" if kind == "application/rss+xml" else "{http://www.w3.org/2005/Atom}feed"
            assert root.tag == expected, href
            assert root.findall("channel/item") or root.findall("{http://www.w3.org/2005/Atom}entry"), href
    tab.assert_clean()


def test_digest_archive_opens_a_digest(tab: Tab) -> None:
    page = tab.goto("digests/")
    assert tab.h1() == "Digest archive"
    entry = page.locator(".ts-digestlist li", has=page.locator("a", has_text="Week 46"))
    count = int(entry.locator(".ts-count").inner_text().split()[0])
    entry.locator("a").click()
    tab.at("digests/2026-W46/", re.compile("Week 46"))
    assert count > 0
    expect(page.locator(".ts-card")).to_have_count(count)
    page.locator("a[rel=prev]", has_text="Previous digest").click()
    tab.at("digests/2026-W45/", re.compile("Week 45"))
    tab.assert_clean()


def test_digest_email_links_open_the_digest_and_its_tips(tab: Tab, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from tipsheet.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", TODAY)
    eml = tmp_path / "d.eml"
    logger = logging.getLogger("mkdocs")
    saved = (logger.handlers[:], logger.level, logger.propagate)  # main() sets up mkdocs' logging for a CLI
    try:
        assert main(["digest", "--period", "2026-W46", "--out", str(eml), "-f", str(REPO / "mkdocs.yml")]) == 0
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    doc = lxml.html.fromstring(html_part.get_content())
    view = [a.get("href") for a in doc.iter("a") if a.text_content().strip() == "View this digest in your browser"]
    assert len(view) == 1, view

    page = tab.page
    page.goto(local(tab.base, view[0]))
    tab.at("digests/2026-W46/", re.compile("Week 46"))
    on_page = set(page.locator(".ts-card__title a").evaluate_all("links => links.map(a => a.href)"))

    tips = {a.get("href") for a in doc.iter("a") if a.get("href", "").startswith(SITE_URL + "tips/")}
    assert tips and {local(tab.base, href) for href in tips} == on_page  # the email's tips are the page's
    for href in sorted(tips):
        response = page.request.get(local(tab.base, href))
        assert response.status == 200, href
        assert "ts-tip-header" in response.text(), href
    tab.assert_clean()


# -- phones -----------------------------------------------------------------------------------------

OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5 && e.getClientRects().length)
    .slice(0, 8)
    .map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' +
         e.className.trim().split(/\\s+/).join('.') : '') + ' right=' + Math.round(e.getBoundingClientRect().right));
}"""


@pytest.mark.parametrize("name", list(PAGES))
def test_no_horizontal_scroll_at_375px(phone: Tab, name: str) -> None:
    page = phone.goto(PAGES[name])
    fits = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert fits, f"{PAGES[name] or '/'} scrolls sideways at 375 px: {page.evaluate(OVERFLOWING)}"
    phone.assert_clean()


# -- accessibility ----------------------------------------------------------------------------------

MODES = {"desktop": {"viewport": DESKTOP}, "phone": {"viewport": PHONE},
         "dark": {"viewport": DESKTOP, "color_scheme": "dark"}}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_violation(browser: Browser, base: str, name: str, mode: str) -> None:
    with open_tab(browser, base, **MODES[mode]) as tab:
        page = tab.goto(PAGES[name])
        if mode == "dark":
            expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{mode}.png"), full_page=True)
        found = serious(axe_violations(page))
        assert not found, f"{PAGES[name] or '/'} ({mode}):\n" + "\n".join(found)
        tab.assert_clean()
