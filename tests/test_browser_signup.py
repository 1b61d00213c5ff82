"""A reader subscribes from the sample site in a real Chromium, with JavaScript on and off, and manages it.

The sample site is built with its forms pointing at the list service, which runs under waitress on
127.0.0.1 (another port: another origin, so the JavaScript path goes through CORS) and sends its mail
through a real SMTP server on 127.0.0.1. Every page is watched as in the other browser tests.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from browserkit import REPO, SHOTS, TIP, TODAY, Tab, axe_violations, build_sample, open_tab, serious, serve
from listkit import SECRET, LateApp, Service, wsgi_server
from smtpkit import Server, Sink
from tipsheet.audience.store import Store
from tipsheet.cli.listservice import make_service
from tipsheet.cli.project import open_project

pytestmark = pytest.mark.browser


@dataclass
class Rig:
    site: str  # the sample site's root
    service: Service
    db: Path

    def subscriber(self, email: str) -> tuple[str, tuple[str, ...]] | None:
        with Store(str(self.db)) as store:
            found = store.get(email)
        return (found.status, found.tags) if found else None


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    folder = tmp_path_factory.mktemp("signup")
    late = LateApp()
    db = folder / "list.db"
    Store.create(str(db)).close()
    sink = Sink()
    with wsgi_server(late) as port, Server(sink) as relay, pytest.MonkeyPatch.context() as env:
        service_url = f"http://127.0.0.1:{port}/"
        site = build_sample(folder / "site", list_url=service_url)
        for name, value in {"TIPSHEET_DB": str(db), "TIPSHEET_SECRET": SECRET, "TIPSHEET_SMTP_HOST": "127.0.0.1",
                            "TIPSHEET_SMTP_PORT": str(relay.port), "TIPSHEET_SMTP_SECURITY": "none",
                            "SOURCE_DATE_EPOCH": TODAY}.items():
            env.setenv(name, value)
        with serve(site) as site_url:
            late.app, outbox = make_service(open_project(str(REPO / "mkdocs.yml")), os.environ, service_url,
                                            origins=(site_url.rstrip("/"),))
            outbox.start(every=0.5)
            try:
                yield Rig(site_url, Service(service_url, folder, relay, outbox), db)
            finally:
                outbox.stop()


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def confirm_and_manage(tab: Tab, rig: Rig, email: str, label: str) -> None:
    """From the confirmation mail to confirmed, topics changed, and unsubscribed: all by clicking."""
    page = tab.page
    mails = rig.service.mails_to(email)
    assert [m["Subject"] for m in mails] == ["Confirm your subscription to Frontline Weekly"]
    assert rig.subscriber(email) is None  # pending: not on the list, mailed nothing but this
    page.goto(rig.service.url + rig.service.link_in(mails[0]))
    expect(page.locator("h1")).to_have_text("Confirm your subscription")
    shot(page, f"signup-confirm-{label}")
    assert rig.subscriber(email) is None  # opening the link changes nothing (mail scanners open links)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("h1")).to_have_text("You're subscribed")
    assert rig.subscriber(email) == ("active", ("sports",))
    page.get_by_role("link", name="Choose topics, pause or leave").click()
    expect(page.locator("h1")).to_have_text("Your subscription")
    page.get_by_label("Sports").uncheck()
    page.get_by_label("Government").check()
    page.get_by_role("button", name="Save topics").click()
    expect(page.locator(".done")).to_have_text("Saved: you will get Government.")
    shot(page, f"signup-preferences-{label}")
    assert rig.subscriber(email) == ("active", ("government",))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("h1")).to_have_text("You are unsubscribed")
    assert rig.subscriber(email) == ("unsubscribed", ("government",))


def test_subscribe_from_a_tip_with_javascript(browser: Browser, rig: Rig) -> None:
    with open_tab(browser, rig.site, viewport={"width": 1280, "height": 900}) as tab:
        page = tab.goto(TIP)
        form = page.locator(".ts-tip-footer form.ts-signup")
        form.get_by_label("Your email address").fill("js.reader@example.org")
        form.locator("summary").click()
        form.get_by_label("Sports").check()
        shot(page, "signup-form-tip")
        form.get_by_role("button", name="Subscribe").click()
        expect(form.locator(".ts-signup__status")).to_contain_text("Check your inbox")  # in place
        assert page.url == rig.site + TIP
        confirm_and_manage(tab, rig, "js.reader@example.org", "js")
        tab.assert_clean()


def test_subscribe_from_the_home_page_without_javascript(browser: Browser, rig: Rig) -> None:
    with open_tab(browser, rig.site, viewport={"width": 375, "height": 800}, java_script_enabled=False) as tab:
        page = tab.goto("")
        form = page.locator(".fw-hero form.ts-signup")
        form.get_by_label("Your email address").fill("plain.reader@example.org")
        form.locator("summary").click()
        form.get_by_label("Sports").check()
        form.get_by_role("button", name="Subscribe").click()  # a plain POST: the service answers with a page
        expect(page.locator("h1")).to_have_text("Check your inbox")
        assert page.url == rig.service.url + "subscribe"
        confirm_and_manage(tab, rig, "plain.reader@example.org", "plain")
        tab.assert_clean()


@pytest.mark.parametrize("path", ["subscribe", "unsubscribe?token=x"])
def test_the_list_pages_pass_axe(browser: Browser, rig: Rig, path: str) -> None:
    """axe runs as an injected script, which the pages' CSP forbids: the test lets it past (bypass_csp)."""
    with open_tab(browser, rig.service.url, viewport={"width": 375, "height": 800}, bypass_csp=True) as tab:
        tab.page.goto(rig.service.url + path)
        found = serious(axe_violations(tab.page), allowed={})
        assert not found, "\n".join(found)


def test_the_confirm_and_preferences_pages_pass_axe(browser: Browser, rig: Rig) -> None:
    rig.service.post("subscribe", {"email": "axe@example.org", "topics": ["sports"]},
                     headers={"X-Forwarded-For": "192.0.2.77"})
    link = rig.service.link_in(rig.service.mails_to("axe@example.org")[0])
    with open_tab(browser, rig.service.url, viewport={"width": 1280, "height": 900}, bypass_csp=True) as tab:
        page = tab.page
        page.goto(rig.service.url + link)
        assert not serious(axe_violations(page), allowed={})
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("link", name="Choose topics, pause or leave").click()
        expect(page.locator("h1")).to_have_text("Your subscription")
        found = serious(axe_violations(page), allowed={})
        assert not found, "\n".join(found)
        assert re.search(r"axe@example\.org", page.content())
