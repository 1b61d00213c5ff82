"""The sample site in a real Chromium: clicking through it, search, feeds, digests, phones, accessibility.

One build of the repository's sample site, served by http.server on 127.0.0.1, and one headless
Debian Chromium driven by Playwright. Every page is watched: a request that leaves 127.0.0.1 is
aborted and recorded, and so are console errors, page errors and responses of 400 or more; each
test ends by asserting there were none. Set TIPSHEET_SHOTS=<folder> to save full-page screenshots.
"""

from __future__ import annotations

import email
import email.policy
import functools
import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import pytest
from mkdocs.config import load_config
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, expect, sync_playwright

from sitekit import Site, run_build

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
TODAY = "1795305600"  # 2026-11-22: the draft and the tip scheduled for 2026-12-01 stay out
SITE_URL = "https://frontline.example.org/"  # site_url of mkdocs.yml: absolute links start with it
TIP = "tips/climb-the-escalation-ladder-one-rung-at-a-time/"  # has an image and a link in its text
PAGES = {"home": "", "tag": "tags/sports/", "tip": TIP, "digest": "digests/2026-W46/"}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 800}
SHOTS = os.environ.get("TIPSHEET_SHOTS")

# axe-core violations that come from Material for MkDocs' own templates and styles, not from tipsheet's
# fragments (ts-*), the sample's overrides (fw-*) or content: (rule id, target) -> why it is accepted.
AXE_ALLOWED = {
    # Material's partials/search.html renders <div class="md-search" role="dialog"> without a name.
    ("aria-dialog-name", ".md-search"): "Material's search dialog has no aria-label",
}


# -- the site, its server, the browser -------------------------------------------------------------

@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    site = Site(REPO, REPO / "mkdocs.yml")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", TODAY)
        config = load_config(str(REPO / "mkdocs.yml"), site_dir=str(out))
        config.plugins.on_startup(command="build", dirty=False)
        run_build(site, config=config)
        config.plugins.on_shutdown()
    assert site.ok, site.error
    return out


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base(site_dir: Path) -> Iterator[str]:
    """The local server's root URL, e.g. http://127.0.0.1:40123/."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site_dir)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
                    "(sudo apt-get install chromium; scripts/test.sh does it when run as root)", pytrace=False)
    playwright: Playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


def local(base: str, url: str) -> str:
    """An absolute link of the site (https://frontline.example.org/...) on the local server."""
    assert url.startswith((SITE_URL, base)), f"not a link of the site: {url}"
    return base + url[len(SITE_URL):] if url.startswith(SITE_URL) else url


class Tab:
    """A browser context and page that record what should never happen."""

    def __init__(self, context: BrowserContext, base: str) -> None:
        self.context, self.base = context, base
        self.blocked: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        self.bad: list[str] = []
        context.route("**/*", self._route)
        context.on("console", lambda m: self.console.append(f"{m.text} ({m.location.get('url')})")
                   if m.type == "error" else None)
        context.on("weberror", lambda e: self.errors.append(str(e.error)))
        context.on("response", lambda r: self.bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        self.page: Page = context.new_page()

    def _route(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def goto(self, path: str) -> Page:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        return self.page

    def at(self, path: str, heading: str | re.Pattern[str]) -> None:
        """The browser has arrived at ``path`` and shows its ``heading``: waits for both before anything is read.

        A URL changes before the new page's content is there; the heading is what proves it is.
        """
        expect(self.page).to_have_url(self.base + path)
        expect(self.page.locator("h1").first).to_have_text(heading)

    def h1(self) -> str:
        """The heading of a page that has finished loading (after ``goto``, or after ``at``)."""
        return self.page.locator("h1").first.inner_text().strip()

    def texts(self, selector: str, count: int) -> list[str]:
        """The texts of ``count`` elements, once there are exactly that many."""
        items = self.page.locator(selector)
        expect(items).to_have_count(count)
        return [text.strip() for text in items.all_inner_texts()]

    def assert_clean(self) -> None:
        problems = {"requests that left 127.0.0.1": self.blocked, "console errors": self.console,
                    "page errors": self.errors, "responses >= 400": self.bad}
        assert not any(problems.values()), {k: v for k, v in problems.items() if v}


@contextmanager
def open_tab(browser: Browser, base: str, **options: Any) -> Iterator[Tab]:
    context = browser.new_context(**options)
    try:
        yield Tab(context, base)
    finally:
        context.close()


@pytest.fixture
def tab(browser: Browser, base: str) -> Iterator[Tab]:
    with open_tab(browser, base, viewport=DESKTOP) as opened:
        yield opened


@pytest.fixture
def phone(browser: Browser, base: str) -> Iterator[Tab]:
    with open_tab(browser, base, viewport=PHONE) as opened:
        yield opened


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


def test_search_finds_a_word_of_one_tips_body(tab: Tab) -> None:
    word = "stragglers"  # only in the body of the rained-out tip, in a section far below its teaser
    holders = [p.name for p in (REPO / "content").rglob("*.md") if word in p.read_text(encoding="utf-8").lower()]
    assert holders == ["rained-out-make-the-refund-boring.md"]
    page = tab.goto("")
    page.locator(".md-search__input").click()
    page.locator(".md-search__input").press_sequentially(word)
    items = page.locator(".md-search-result__item")
    expect(items).to_have_count(1)
    hrefs = items.locator("a").evaluate_all("links => links.map(a => a.href)")
    pages = {urlsplit(h)._replace(query="", fragment="").geturl() for h in hrefs}  # less ?h=word#section
    assert hrefs and pages == {tab.base + "tips/rained-out-make-the-refund-boring/"}
    expect(items.first).to_contain_text("Rained out? Make the refund boring")
    items.locator("a").first.click()
    expect(page.locator(".ts-tip-header h1")).to_have_text("Rained out? Make the refund boring")
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

AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '), impact: n.impact,
                              summary: n.failureSummary}))}));
}"""

MODES = {"desktop": {"viewport": DESKTOP}, "phone": {"viewport": PHONE},
         "dark": {"viewport": DESKTOP, "color_scheme": "dark"}}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_violation(browser: Browser, base: str, name: str, mode: str) -> None:
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(REPO)} is missing: run `npm ci` in tests/browser "
                    "(scripts/test.sh does it)", pytrace=False)
    with open_tab(browser, base, **MODES[mode]) as tab:
        page = tab.goto(PAGES[name])
        if mode == "dark":
            expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{mode}.png"), full_page=True)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(AXE_RUN)
        serious = [f"{v['id']} ({n['impact']}) {n['target']}: {v['help']}\n    {n['summary']}"
                   for v in violations for n in v["nodes"]
                   if n["impact"] in ("serious", "critical") and (v["id"], n["target"]) not in AXE_ALLOWED]
        assert not serious, f"{PAGES[name] or '/'} ({mode}):\n" + "\n".join(serious)
        tab.assert_clean()
