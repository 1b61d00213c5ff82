"""Digests: the archive pages in real builds, and the .eml preview read back with Python's email parser."""

from __future__ import annotations

import email
import re
from email import policy
from email.utils import parsedate_to_datetime

import lxml.html
import pytest

from sitekit import tip
from tipsheet.cli import main

# Weeks of 2026: W44 = Oct 26-Nov 1, W45 = Nov 2-8, W46 = Nov 9-15, W47 = Nov 16-22
FILES = {
    "tips/a.md": tip("Alpha", date="2026-10-27", tags=["sports"], summary="Alpha summary."),
    "tips/b.md": tip("Beta", date="2026-11-03", tags=["government"], summary="Beta summary."),
    "tips/c.md": tip("Gamma", date="2026-11-05", tags=["sports", "persistence"], summary="Gamma summary."),
    "tips/d.md": tip("Delta", date="2026-11-17", tags=["sports"], body="Delta's first paragraph.\n\nMore."),
    "tips/later.md": tip("Later", date="2026-12-01", tags=["sports"]),
    "tips/draft.md": tip("Draft", date="2026-11-04", tags=["sports"], draft=True),
}


@pytest.fixture
def site(build_site):
    s = build_site(FILES, digests={"tags": ["sports"]})
    assert s.ok, s.error
    return s


def test_digest_archive_lists_periods_with_tips_newest_first(site):
    rows = [a.text_content() for a in site.html("digests/").cssselect(".ts-digestlist a")]
    assert rows == ["Week 47, 2026 (November 16–22)", "Week 45, 2026 (November 2–8)",
                    "Week 44, 2026 (October 26–November 1)"]
    assert not site.exists("digests/2026-W46/")  # a week without tips has no digest
    assert site.card_titles("digests/2026-W45/") == ["Beta", "Gamma"]
    older = site.html("digests/2026-W45/").cssselect(".ts-neighbour--older")[0]
    assert site.resolve("digests/2026-W45/", older.get("href")) == "digests/2026-W44/"


def test_per_tag_digests_hold_only_that_tag(site):
    assert site.card_titles("digests/sports/2026-W45/") == ["Gamma"]
    rows = [a.text_content() for a in site.html("digests/sports/").cssselect(".ts-digestlist a")]
    assert len(rows) == 3
    topics = [site.resolve("digests/", a.get("href")) for a in site.html("digests/").cssselect(".ts-taglist a")]
    assert topics == ["digests/sports/"]


def test_a_tag_has_no_digest_for_a_period_without_its_tips(build_site):
    s = build_site(FILES, digests={"tags": ["government"]})
    assert s.exists("digests/2026-W44/") and s.exists("digests/2026-W47/")  # the site's: Alpha, Delta (sports)
    assert not s.exists("digests/government/2026-W44/") and not s.exists("digests/government/2026-W47/")
    assert s.card_titles("digests/government/2026-W45/") == ["Beta"]
    rows = [a.text_content() for a in s.html("digests/government/").cssselect(".ts-digestlist a")]
    assert rows == ["Week 45, 2026 (November 2–8)"]


def test_subscribe_page_links_the_digest_archive(build_site):
    s = build_site({**FILES, "subscribe.md": "# Subscribe\n\nBy email.\n"})
    links = [s.resolve("subscribe/", a.get("href")) for a in s.html("subscribe/").cssselect(".ts-subscribe-page a")]
    assert "digests/" in links


def test_a_digest_too_large_for_gmail_fails_the_build_naming_it(build_site):
    huge = "Words " * 2500
    files = {f"tips/t{i}.md": tip(f"T{i}", date="2026-11-03", summary=huge) for i in range(7)}
    s = build_site(files, digests={"max_kb": 90})
    assert not s.ok
    assert re.search(r"digest 2026-W45: HTML part: expected at most 90 KB \(Gmail clips larger messages\), "
                     r"got 1\d\d\.\d KB", s.error), s.error
    assert not s.out.exists()


def preview(site, *args, out="d.eml"):
    path = site.root / out
    status = main(["digest", *args, "--out", str(path), "-f", str(site.config_file)])
    assert status == 0
    return path, email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_preview_eml_has_both_parts_and_every_tip(site):
    _, msg = preview(site, "--period", "2026-W45")
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert all(p["Content-Transfer-Encoding"] == "quoted-printable" for p in msg.iter_parts())
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for title, summary in (("Beta", "Beta summary."), ("Gamma", "Gamma summary.")):
        assert title in text and summary in text
        assert title in html and summary in html
    assert "Alpha" not in text and "Delta" not in text
    assert "https://tips.example.org/tips/c/" in text
    assert "https://tips.example.org/digests/2026-W45/" in text  # view in browser


def test_preview_headers(site):
    path, msg = preview(site, "--period", "2026-W45")
    raw = path.read_bytes()
    # one literal URL each, never an RFC 2047 encoded word: one-click unsubscribe reads the raw header
    assert b"\nList-Unsubscribe: <https://tips.example.org/unsubscribe/?token=PREVIEW>, <mailto:" in raw
    assert b"=?utf-8?" not in raw.split(b"\n\n", 1)[0]
    body_lines = raw.split(b"\n\n", 1)[1].split(b"\n")
    assert max(len(line) for line in body_lines) <= 76  # quoted-printable keeps to RFC 2045
    assert raw.count(b"MIME-Version: 1.0") == 1
    assert msg["Subject"] == "Test Tips: Gamma (+1 more)"
    assert msg["From"] == "Test Tips <tips@tips.example.org>"
    assert msg["To"] == "Subscriber <subscriber@example.invalid>"
    assert parsedate_to_datetime(msg["Date"]).isoformat() == "2026-11-08T23:00:00+00:00"  # end of W45, Amsterdam
    assert msg["Date"].endswith("+0000")
    assert re.fullmatch(r"<2026-W45\.[0-9a-f]{24}@tips\.example\.org>", msg["Message-ID"])
    assert msg["List-Id"] == "Test Tips <digest.tips.example.org>"
    assert msg["List-Unsubscribe"] == ("<https://tips.example.org/unsubscribe/?token=PREVIEW>, "
                                       "<mailto:unsubscribe@tips.example.org?subject=unsubscribe%20PREVIEW>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_html_part_is_a_proper_email(site):
    _, msg = preview(site, "--period", "2026-W45")
    html = msg.get_body(("html",)).get_content()
    doc = lxml.html.fromstring(html)
    assert doc.get("lang") == "en"
    for el in doc.iter():
        for attr in ("href", "src"):
            value = el.get(attr)
            if value:
                assert value.startswith("https://"), value
    assert all(img.get("alt") is not None for img in doc.iter("img"))
    assert doc.cssselect(".tip-title")[0].get("style")  # CSS inlined
    style = doc.cssselect("style")[0].text
    assert "@media only screen and (max-width: 620px)" in style and "prefers-color-scheme: dark" in style
    assert not re.search(r"(?<![-\w])color:\s*(#000\b|#000000|black)", html)
    preheader = doc.cssselect(".preheader")[0]
    assert "display: none" in preheader.get("style") and preheader.text_content() == "Gamma summary."
    assert "Gamma summary." in msg.get_body(("plain",)).get_content()
    assert "preheader" not in msg.get_body(("plain",)).get_content()
    assert len(html.encode()) < 90_000


def test_on_a_phone_every_block_of_the_email_narrows_its_side_padding(site):
    _, msg = preview(site, "--period", "2026-W45")
    style = lxml.html.fromstring(msg.get_body(("html",)).get_content()).cssselect("style")[0].text
    phone = style[style.index("@media only screen and (max-width: 620px)"):]
    phone = phone[:phone.index("\n}")]
    narrowed = [rule for rule in phone.splitlines() if "padding-left: 18px !important" in rule]
    assert len(narrowed) == 1, phone
    selectors = {name.strip() for name in narrowed[0].split("{")[0].split(",")}
    assert {".masthead", ".tip", ".note", ".cta", ".footer"} <= selectors
    assert "border-bottom" not in phone  # layout rules belong outside the phone block


def test_summaries_come_from_the_first_paragraph_when_there_is_none(site):
    _, msg = preview(site, "--period", "2026-W47")
    assert "Delta's first paragraph." in msg.get_body(("plain",)).get_content()


def test_tag_digest_preview_holds_only_that_tag(site):
    _, msg = preview(site, "--period", "2026-W45", "--tag", "sports")
    text = msg.get_body(("plain",)).get_content()
    assert "Gamma" in text and "Beta" not in text
    assert msg["Subject"] == "Test Tips: Sports · Gamma"


def test_preview_is_byte_identical_every_time(site, monkeypatch):
    first, _ = preview(site, "--period", "2026-W45", out="one.eml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1795305600 + 86400 * 30))
    second, _ = preview(site, "--period", "2026-W45", out="two.eml")
    assert first.read_bytes() == second.read_bytes()


def test_default_preview_is_the_latest_period(site):
    _, msg = preview(site)
    assert "Delta" in msg["Subject"]


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2026-W46"], "tipsheet digest: --period: expected a period with published tips, got "
                               "'2026-W46', which has none (see 'tipsheet digest --list')"),
    (["--period", "2026-46"], "tipsheet digest: --period: expected an ISO week like 2024-W46, got '2026-46'"),
    (["--period", "2026-11"], "tipsheet digest: --period: expected an ISO week like 2024-W46, got '2026-11' "
                              "(this site sends weekly digests)"),
    (["--tag", "sprots"], "tipsheet digest: --tag: expected one of the site's tags, got 'sprots' "
                          "(did you mean 'sports'?)"),
    (["--tag", "government"], "tipsheet digest: --tag: expected a tag with its own digest (digests: tags: in "
                              "mkdocs.yml), got 'government'"),
])
def test_cli_errors_are_one_line(site, capsys, args, message):
    status = main(["digest", *args, "--out", str(site.root / "x.eml"), "-f", str(site.config_file)])
    assert status == 1
    err = capsys.readouterr().err
    assert err.strip() == message
    assert not (site.root / "x.eml").exists()


def test_list(site, capsys):
    assert main(["digest", "--list", "-f", str(site.config_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["2026-W47   1 tip    Delta  (in progress)", "2026-W45   2 tips   Gamma",
                     "2026-W44   1 tip    Alpha"]


def test_monthly_digests(build_site, capsys):
    s = build_site(FILES, digests={"period": "monthly"})
    assert s.ok, s.error
    assert s.card_titles("digests/2026-11/") == ["Beta", "Gamma", "Delta"]
    assert s.card_titles("digests/2026-10/") == ["Alpha"]
    assert main(["digest", "--period", "2026-11", "--out", str(s.root / "m.eml"), "-f", str(s.config_file)]) == 0


HOSTILE = 'Use <Tab> & "quotes" 🎉 here'


def test_hostile_titles_cannot_break_the_html_or_the_headers(build_site):
    s = build_site({"tips/x.md": tip(HOSTILE, date="2026-11-03", summary="<script>alert(1)</script> & more")})
    assert s.ok, s.error
    _, msg = preview(s, "--period", "2026-W45")
    assert msg["Subject"] == f"Test Tips: {HOSTILE}"
    doc = lxml.html.fromstring(msg.get_body(("html",)).get_content())
    assert doc.cssselect(".tip-title a")[0].text_content() == HOSTILE
    assert not doc.cssselect("script") and not doc.cssselect("tab")
    assert doc.cssselect(".summary")[0].text_content() == "<script>alert(1)</script> & more"


def test_a_title_with_a_line_break_never_reaches_a_header(build_site):
    s = build_site({"tips/x.md": tip("Hello\nBcc: victim@example.org", date="2026-11-03")})
    assert not s.ok
    assert "content/tips/x.md: title: expected one line of text, got 2 lines" in s.error


def test_mime_refuses_header_injection_even_if_asked():
    from tipsheet.mail.mime import AddressError, address

    with pytest.raises(AddressError):
        address("Ana <ana@example.org>\r\nBcc: victim@example.org")
    with pytest.raises(AddressError):
        address("ana@example.org", name="Ana\nBcc: victim@example.org")


def test_a_site_name_with_a_comma_makes_a_proper_sender(build_site):
    s = build_site(FILES, site_name='Larkspur, "Frontline" Tips', digests={"from_address": None})
    _, msg = preview(s, "--period", "2026-W45")
    sender = msg["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ('Larkspur, "Frontline" Tips', "digest@tips.example.org")
