"""Comments under a tip, with a real Isso server on 127.0.0.1: posted, held for moderation, approved, shown.

The sample site is built again here with comments on (and once with them off), each build served on its
own port; Isso runs as its own process with a configuration file this module writes (moderation on, the
admin interface on, the sites' origins as its hosts). Nothing is requested from Isso before the reader
scrolls to the comments or clicks "Show comments", and never when comments are off.
"""

from __future__ import annotations

import functools
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from mkdocs.config import load_config
from playwright.sync_api import Browser, Page, expect

from browserkit import DESKTOP, PHONE, REPO, SHOTS, TIP, TODAY, _QuietHandler, axe_violations, open_tab, serious
from sitekit import Site, run_build

pytestmark = pytest.mark.browser

PASSWORD = "moderate-me-please"
NO_COMMENTS = "tips/when-dear-first-name-goes-out-unfilled/"  # the sample's tip with `comments: false`


@dataclass
class CommentSites:
    isso: str  # Isso's root URL
    on: str  # the sample site with comments on, loaded on scroll
    click: str  # ... on, loaded on a click only
    off: str  # ... off, though it names the same Isso server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=f"site-{folder.name}", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def build_sample(folder: Path, comments: dict[str, object]) -> None:
    """The sample site with ``comments`` as the tips plugin's option, built into ``folder / 'site'``."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(REPO / "content")
    config["theme"]["custom_dir"] = str(REPO / "overrides")
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "tipsheet/tips" in plugin:
            plugin["tipsheet/tips"]["comments"] = comments
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    site = Site(folder, folder / "mkdocs.yml")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", TODAY)
        loaded = load_config(str(folder / "mkdocs.yml"))
        loaded.plugins.on_startup(command="build", dirty=False)
        run_build(site, config=loaded)
        loaded.plugins.on_shutdown()
    assert site.ok, site.error


def isso_config(path: Path, port: int, hosts: list[str]) -> Path:
    path.write_text(f"""[general]
dbpath = {path.parent / "comments.db"}
host =
    {(chr(10) + "    ").join(hosts)}
notify = stdout

[moderation]
enabled = true

[admin]
enabled = true
password = {PASSWORD}

[server]
listen = http://127.0.0.1:{port}/

[guard]
enabled = true
""", encoding="utf-8")
    return path


def start_isso(root: Path, hosts: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    """Isso on a free port of 127.0.0.1, answering; another port is tried if one is taken meanwhile."""
    for attempt in range(5):
        port = free_port()
        config = isso_config(root / "isso.cfg", port, hosts)
        with (root / "isso.log").open("wb") as log:
            process = subprocess.Popen([str(Path(sys.executable).with_name("isso")), "-c", str(config), "run"],
                                       stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ISSO_SETTINGS": ""})
        isso = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(isso + "config", timeout=2) as answer:
                    if answer.status == 200:
                        return process, isso
            except OSError:
                time.sleep(0.2)
        process.terminate()
        process.wait(10)
        if attempt == 4:
            pytest.fail("Isso did not start:\n" + (root / "isso.log").read_text(errors="replace")[-3000:])
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def comment_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CommentSites]:
    root = tmp_path_factory.mktemp("comments")
    servers = {name: serve(root / name / "site") for name in ("on", "click", "off")}
    process, isso = start_isso(root, [url for _, url in servers.values()])  # first: its port is then taken
    try:
        build_sample(root / "on", {"enabled": True, "url": isso})
        build_sample(root / "click", {"enabled": True, "url": isso, "load": "click"})
        build_sample(root / "off", {"enabled": False, "url": isso})
        yield CommentSites(isso, *(url for _, url in servers.values()))
    finally:
        process.terminate()
        process.wait(10)
        for server, _ in servers.values():
            server.shutdown()
            server.server_close()


def isso_requests(page: Page, isso: str) -> list[str]:
    """Every request the page makes to the Isso server, as it makes them."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if request.url.startswith(isso) else None)
    return seen


def comments_of(page: Page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator("#isso-root .isso-comment .isso-text").all_inner_texts()]


def approve(browser: Browser, isso: str, text: str) -> None:
    """Isso's own moderation: log in to its admin interface and validate the pending comment."""
    with open_tab(browser, isso, viewport=DESKTOP) as admin:
        page = admin.page
        page.goto(isso + "admin/")
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[name=password]").press("Enter")
        pending = page.locator(".isso-comment", has_text=text)
        expect(pending).to_have_count(1)
        with page.expect_response(lambda r: "/activate/" in r.url and r.request.method == "POST") as done:
            pending.get_by_text("Validate").click()
        assert done.value.status == 200
        assert done.value.text() == "Comment has been activated"


def test_a_comment_is_posted_held_for_moderation_approved_and_shown(browser: Browser,
                                                                  comment_sites: CommentSites) -> None:
    text = "We tried this at the box office and the queue halved."
    with open_tab(browser, comment_sites.on, viewport=DESKTOP) as reader:
        asked = isso_requests(reader.page, comment_sites.isso)
        page = reader.goto(TIP)
        page.wait_for_load_state("networkidle")
        assert asked == []  # the comments are below the fold: nothing yet
        page.locator(".ts-comments").scroll_into_view_if_needed()
        postbox = page.locator("#isso-thread .isso-postbox")
        expect(postbox).to_be_visible()
        assert asked[0] == comment_sites.isso + "js/embed.min.js"
        postbox.locator("textarea").fill(text)
        postbox.locator("input[name=author]").fill("Dana from the box office")
        with page.expect_response(lambda r: urlsplit(r.url).path == "/new" and r.request.method == "POST") as posted:
            postbox.locator("input[type=submit]").click()
        assert posted.value.status == 202  # accepted, and held for moderation
        reader.assert_clean()

    with open_tab(browser, comment_sites.on, viewport=DESKTOP) as other:  # another reader does not see it yet
        page = other.goto(TIP)
        page.locator(".ts-comments").scroll_into_view_if_needed()
        expect(page.locator("#isso-thread .isso-thread-heading")).to_have_text(re.compile("No Comments Yet", re.I))
        assert comments_of(page) == []
        other.assert_clean()

    approve(browser, comment_sites.isso, text)

    with open_tab(browser, comment_sites.on, viewport=DESKTOP) as later:
        page = later.goto(TIP)
        page.locator(".ts-comments").scroll_into_view_if_needed()
        expect(page.locator("#isso-root .isso-comment")).to_have_count(1)
        assert comments_of(page) == [text]
        expect(page.locator("#isso-root .isso-comment .isso-author")).to_have_text("Dana from the box office")
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.locator("#ts-comments-title").evaluate("e => e.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(Path(SHOTS) / "tip-comments-desktop.png"))
        later.assert_clean()

    for mode in ({"viewport": DESKTOP}, {"viewport": PHONE}, {"viewport": DESKTOP, "color_scheme": "dark"}):
        with open_tab(browser, comment_sites.on, **mode) as reader:  # type: ignore[arg-type]
            page = reader.goto(TIP)
            page.locator(".ts-comments").scroll_into_view_if_needed()
            expect(page.locator("#isso-root .isso-comment")).to_have_count(1)
            found = serious(axe_violations(page))
            assert not found, f"{mode}:\n" + "\n".join(found)
            reader.assert_clean()


def test_with_load_click_only_the_button_asks_the_comment_server(browser: Browser,
                                                                comment_sites: CommentSites) -> None:
    with open_tab(browser, comment_sites.click, viewport=PHONE) as reader:
        asked = isso_requests(reader.page, comment_sites.isso)
        page = reader.goto(TIP)
        page.locator(".ts-comments").scroll_into_view_if_needed()
        page.mouse.wheel(0, 20000)
        page.wait_for_load_state("networkidle")
        assert asked == []
        page.locator(".ts-comments__show").click()
        expect(page.locator("#isso-thread .isso-postbox")).to_be_visible()
        expect(page.locator(".ts-comments__show")).to_be_hidden()
        assert asked and all(url.startswith(comment_sites.isso) for url in asked)
        fits = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert fits, "the comments scroll sideways at 375 px"
        reader.assert_clean()


@pytest.mark.parametrize("which, path", [("off", TIP), ("off", ""), ("off", "tags/sports/"), ("on", NO_COMMENTS)])
def test_without_comments_no_page_asks_a_comment_server(browser: Browser, comment_sites: CommentSites,
                                                        which: str, path: str) -> None:
    with open_tab(browser, getattr(comment_sites, which), viewport=DESKTOP) as reader:
        asked = isso_requests(reader.page, comment_sites.isso)
        page = reader.goto(path)
        page.mouse.wheel(0, 20000)
        page.wait_for_load_state("networkidle")
        assert asked == []
        assert page.locator("#isso-thread, .ts-comments").count() == 0
        assert comment_sites.isso not in page.content()
        reader.assert_clean()
