"""Search on the sample site in a real Chromium: the header box, the dialog, the /search/ page and its filters.

Pagefind's index and Component UI are the real ones the build wrote; nothing of them may be requested
before the reader opens search, and nothing leaves 127.0.0.1 (browserkit's Tab records both).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from browserkit import DESKTOP, PAGES, PHONE, REPO, SHOTS, TIP, Tab, axe_violations, open_tab, serious

pytestmark = pytest.mark.browser

WORD = "stragglers"  # only in the body of the rained-out tip, in a section far below its teaser
RAINED_OUT = "tips/rained-out-make-the-refund-boring/"
FILTER_WORD, FILTER_TAG = "immediately", "Government"  # in tips of several tags, some of them Government


class Requests:
    """The URLs of a tab's requests to Pagefind's bundle (/pagefind/...), in order."""

    def __init__(self, tab: Tab) -> None:
        self.urls: list[str] = []
        tab.page.on("request", lambda request: self.urls.append(request.url)
                    if "/pagefind/" in urlsplit(request.url).path else None)


def open_search(page: Page) -> None:
    page.keyboard.press("/")
    expect(page.locator("pagefind-modal[instance=ts-header] dialog")).to_be_visible()
    expect(page.locator("pagefind-modal[instance=ts-header] input")).to_be_focused()


def results(page: Page, scope: str, count: int) -> list[tuple[str, str]]:
    """(title, meta line) of the ``count`` results shown in ``scope``."""
    items = page.locator(f"{scope} .ts-result")
    expect(items).to_have_count(count)
    titles = [t.strip() for t in items.locator(".ts-result__link").all_inner_texts()]
    metas = [" ".join(m.split()) for m in items.locator(".ts-result__meta").all_inner_texts()]
    return list(zip(titles, metas, strict=True))


def test_search_finds_a_word_of_one_tips_body(tab: Tab) -> None:
    holders = [p.name for p in (REPO / "content").rglob("*.md") if WORD in p.read_text(encoding="utf-8").lower()]
    assert holders == ["rained-out-make-the-refund-boring.md"]
    page = tab.goto("")
    page.locator(".ts-search__trigger").click()
    page.locator("pagefind-modal[instance=ts-header] input").press_sequentially(WORD)
    assert results(page, "pagefind-modal", 1) == [("Rained out? Make the refund boring",
                                                   "July 14, 2026 · Sports, Complaints")]
    expect(page.locator("pagefind-modal .ts-result__excerpt mark")).to_have_text(re.compile(f"^{WORD}", re.I))
    page.locator("pagefind-modal .ts-result__link").click()
    tab.at(RAINED_OUT, "Rained out? Make the refund boring")
    tab.assert_clean()


def test_nothing_of_search_is_requested_until_the_reader_opens_it(tab: Tab) -> None:
    requests = Requests(tab)
    for path in PAGES.values():
        page = tab.goto(path)
        page.mouse.wheel(0, 20000)  # to the footer and back: nothing lazy is waiting there
        page.wait_for_load_state("networkidle")
        page.mouse.wheel(0, -20000)
    assert requests.urls == []
    open_search(page)
    page.keyboard.type(WORD)
    expect(page.locator("pagefind-modal .ts-result")).to_have_count(1)
    loaded = [urlsplit(u).path.rsplit("/", 1)[-1] for u in requests.urls]
    assert loaded[:2] == ["pagefind-component-ui.css", "pagefind-component-ui.js"], loaded
    assert any(name.endswith(".pf_index") for name in loaded) and any(n.endswith(".pf_fragment") for n in loaded)
    tab.assert_clean()


def test_search_by_keyboard_alone(tab: Tab) -> None:
    page = tab.goto(TIP)
    for _ in range(15):  # Tab through the header to the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('ts-search__trigger')"):
            break
    else:
        pytest.fail("the search box cannot be reached with Tab")
    page.keyboard.press("Enter")
    dialog = page.locator("pagefind-modal[instance=ts-header] dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("pagefind-modal input")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator(".ts-search__trigger")).to_be_focused()  # focus goes back where it was

    page.keyboard.press("Control+K")
    expect(dialog).to_be_visible()
    page.keyboard.type(WORD)
    expect(page.locator("pagefind-modal .ts-result")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(page.locator("pagefind-modal .ts-result__link")).to_be_focused()
    page.keyboard.press("Enter")
    tab.at(RAINED_OUT, "Rained out? Make the refund boring")
    tab.assert_clean()


def test_search_opens_again_in_the_moment_after_it_closed(tab: Tab) -> None:
    """Pagefind's modal counts itself open until its dialog's close event has run; a shortcut pressed
    in between (here: in the same task as the close) must still open it."""
    page = tab.goto(TIP)
    open_search(page)
    dialog = page.locator("pagefind-modal[instance=ts-header] dialog")
    page.evaluate("""() => {
        document.querySelector('pagefind-modal[instance=ts-header]').close();
        document.dispatchEvent(new KeyboardEvent('keydown', {key: 'k', ctrlKey: true, bubbles: true}));
    }""")
    expect(dialog).to_be_visible()
    expect(page.locator("pagefind-modal[instance=ts-header] input")).to_be_focused()
    tab.assert_clean()


def test_the_search_page_narrows_by_tag_and_keeps_the_search_in_its_address(tab: Tab) -> None:
    page = tab.goto("")
    open_search(page)
    page.keyboard.type(FILTER_WORD)
    page.locator("pagefind-modal .ts-result").first.wait_for()
    page.locator("[data-ts-search-more]").click()
    tab.at(f"search/?q={FILTER_WORD}", "Search")
    expect(page.locator("pagefind-input[instance=ts-page] input")).to_have_value(FILTER_WORD)
    summary = page.locator("pagefind-summary[instance=ts-page]")
    expect(summary).to_have_text(re.compile(rf"^\d+ results? for {FILTER_WORD}"))
    everything = results(page, ".ts-search-page", int(summary.inner_text().split()[0]))
    tagged = [r for r in everything if FILTER_TAG in r[1].split(" · ")[1].split(", ")]
    assert 0 < len(tagged) < len(everything), everything

    page.locator(f"pagefind-filter-pane input[name=tag][value='{FILTER_TAG}']").check()
    expect(page.locator(".ts-search-page .ts-result")).to_have_count(len(tagged))
    assert results(page, ".ts-search-page", len(tagged)) == tagged
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": [FILTER_WORD], "tag": [FILTER_TAG]}

    page.reload()  # the address alone brings back the same search and filter
    expect(page.locator(f"pagefind-filter-pane input[value='{FILTER_TAG}']")).to_be_checked()
    assert results(page, ".ts-search-page", len(tagged)) == tagged
    tab.assert_clean()


@pytest.mark.parametrize("where", ["dialog", "page"])
def test_search_fits_375px(phone: Tab, where: str) -> None:
    if where == "dialog":
        page = phone.goto(TIP)
        page.locator(".ts-search__trigger").click()
        page.locator("pagefind-modal input").press_sequentially(FILTER_WORD)
        page.locator("pagefind-modal .ts-result").first.wait_for()
    else:
        page = phone.goto(f"search/?q={FILTER_WORD}")
        page.locator(".ts-search-page .ts-result").first.wait_for()
    fits = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert fits, f"search ({where}) scrolls sideways at 375 px"
    box = page.locator("pagefind-modal dialog" if where == "dialog" else ".ts-search-page").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5
    phone.assert_clean()


MODES = {"desktop": {"viewport": DESKTOP}, "phone": {"viewport": PHONE},
         "dark": {"viewport": DESKTOP, "color_scheme": "dark"}}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("where", ["dialog", "page"])
def test_axe_finds_no_serious_violation_in_search(browser: Browser, base: str, where: str, mode: str) -> None:
    with open_tab(browser, base, **MODES[mode]) as tab:
        if where == "dialog":
            page = tab.goto(TIP)
            open_search(page)
            page.keyboard.type(FILTER_WORD)
            page.locator("pagefind-modal .ts-result").first.wait_for()
        else:
            page = tab.goto(f"search/?q={FILTER_WORD}&tag={FILTER_TAG}")
            page.locator(".ts-search-page .ts-result").first.wait_for()
        if mode == "dark":
            expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"search-{where}-{mode}.png"))
        found = serious(axe_violations(page))
        assert not found, f"search {where} ({mode}):\n" + "\n".join(found)
        tab.assert_clean()
