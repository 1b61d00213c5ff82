"""Shared by the browser tests: the sample site built once, served on 127.0.0.1, and Debian's Chromium.

Registered as a pytest plugin by conftest.py, so every browser test module gets the same fixtures:
``site_dir`` (the built sample site), ``base`` (its local URL), ``browser`` (headless Chromium driven
by Playwright; never ``playwright install``), ``tab``/``phone`` (a watched page at desktop or phone
width) and :func:`open_tab` for other options. Every page is watched: a request that leaves 127.0.0.1
is aborted and recorded, and so are console errors, page errors and responses of 400 or more; a test
ends with ``tab.assert_clean()``. Set TIPSHEET_SHOTS=<folder> to save screenshots.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
PAGES = {"home": "", "tag": "tags/sports/", "tip": TIP, "digest": "digests/2026-W46/", "topics": "tags/"}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 800}
SHOTS = os.environ.get("TIPSHEET_SHOTS")

# axe-core violations that come from Material for MkDocs' own templates and styles, not from tipsheet's
# fragments (ts-*), the sample's overrides (fw-*) or content: (rule id, target) -> why it is accepted.
AXE_ALLOWED: dict[tuple[str, str], str] = {
    # (none since tipsheet/search replaced Material's search, whose dialog had no name)
}


# -- the site, its server, the browser -------------------------------------------------------------

def build_sample(out: Path, list_url: str | None = None) -> Path:
    """The repository's sample site built into ``out``; ``list_url`` points its sign-up forms elsewhere."""
    site = Site(REPO, REPO / "mkdocs.yml")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", TODAY)
        config = load_config(str(REPO / "mkdocs.yml"), site_dir=str(out))
        if list_url is not None:
            config.plugins["tipsheet/digests"].config.signup.list_url = list_url
        config.plugins.on_startup(command="build", dirty=False)
        run_build(site, config=config)
        config.plugins.on_shutdown()
    assert site.ok, site.error
    return out


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("browser") / "site")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path, port: int = 0) -> Iterator[str]:
    """A static web server for ``folder`` on 127.0.0.1: its root URL, e.g. http://127.0.0.1:40123/."""
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_QuietHandler, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def base(site_dir: Path) -> Iterator[str]:
    """The sample site's local URL."""
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
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


AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '), impact: n.impact,
                              summary: n.failureSummary}))}));
}"""



def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (pinned by tests/browser/package-lock.json)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(REPO)} is missing: run `npm ci` in tests/browser "
                    "(scripts/test.sh does it)", pytrace=False)
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(AXE_RUN)
    return found


def serious(violations: list[dict[str, Any]], allowed: dict[tuple[str, str], str] | None = None) -> list[str]:
    """The serious and critical ones, one line each, less those allowed (Material's own, with the reason)."""
    allowed = AXE_ALLOWED if allowed is None else allowed
    return [f"{v['id']} ({n['impact']}) {n['target']}: {v['help']}\n    {n['summary']}"
            for v in violations for n in v["nodes"]
            if n["impact"] in ("serious", "critical") and (v["id"], n["target"]) not in allowed]
