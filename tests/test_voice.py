"""The publisher's voice: an editor's note per digest and a call to action closing every tip and digest,
on the site (real builds) and in both parts of the email (the .eml preview read back)."""

from __future__ import annotations

import email
from email import policy

import pytest

from sitekit import tip
from tipsheet.cli import main

FILES = {
    "tips/beta.md": tip("Beta", date="2026-11-03", tags=["government"], summary="Beta summary."),
    "tips/gamma.md": tip("Gamma", date="2026-11-05", tags=["sports", "persistence"], summary="Gamma summary."),
    "tips/delta.md": tip("Delta", date="2026-11-17", tags=["sports"], summary="Delta summary."),
    "digests/2026-W45.md": "---\ntitle: Before the season\n---\n\nTwo tips this week, and "
                           "[the one on permits](../tips/beta.md) is the <b>one</b> to read.\n",
    "digests/2026-W47.md": "Just a line, no front matter.\n",
}
CTA = {"heading": "Let's talk", "text": "A no-obligation consultation about your front line.",
       "link": "https://larkspur.example.org/contact/", "label": "Book a call",
       "tags": {"sports": {"heading": "Match-day workshops", "link": "https://larkspur.example.org/workshops/"}}}


@pytest.fixture
def site(build_site):
    s = build_site(FILES, tips={"call_to_action": CTA}, digests={"tags": ["sports"]})
    assert s.ok, s.error
    return s


def test_the_note_is_above_the_tips_and_the_call_to_action_closes_the_digest_page(site):
    page = site.html("digests/2026-W45/")
    index = page.cssselect(".ts-index--digest")[0]
    order = [el.get("class") for el in index if el.get("class") in ("ts-note", "ts-cards", "ts-cta")]
    assert order == ["ts-note", "ts-cards", "ts-cta"]
    note = page.cssselect(".ts-note")[0]
    assert note.cssselect(".ts-note__title")[0].text_content() == "Before the season"
    link = note.cssselect("a")[0]
    assert site.resolve("digests/2026-W45/", link.get("href")) == "tips/beta/"
    assert note.cssselect("b")[0].text == "one"  # Markdown's HTML, as in a tip
    assert site.card_titles("digests/2026-W45/") == ["Beta", "Gamma"]  # the generated page, not the note's own
    cta = page.cssselect(".ts-cta")[0]
    assert cta.cssselect("h2")[0].text_content() == "Let's talk"
    button = cta.cssselect("a.md-button.md-button--primary")[0]
    assert (button.text_content(), button.get("href")) == ("Book a call", "https://larkspur.example.org/contact/")
    assert site.html("digests/2026-W47/").cssselect(".ts-note p")[0].text_content() == "Just a line, no front matter."


def test_a_tags_digest_and_a_tip_of_that_tag_close_with_the_tags_own_call_to_action(site):
    assert site.html("digests/sports/2026-W45/").cssselect(".ts-cta h2")[0].text_content() == "Match-day workshops"
    assert site.html("digests/sports/2026-W45/").cssselect(".ts-note")  # the period's note, in its tag's digest
    gamma = site.html("tips/gamma/").cssselect(".ts-cta")[0]
    assert gamma.cssselect("h2")[0].text_content() == "Match-day workshops"
    assert gamma.cssselect("a")[0].text_content() == "Find out more"  # no label: the default words
    beta = site.html("tips/beta/")
    assert beta.cssselect(".ts-cta h2")[0].text_content() == "Let's talk"
    # it closes the page: after the tip's own footer
    content = beta.cssselect("article")[0] if beta.cssselect("article") else beta
    classes = [el.get("class") or "" for el in content.iter() if el.get("class") in ("ts-tip-footer", "ts-cta")]
    assert classes == ["ts-tip-footer", "ts-cta"]


def test_a_site_without_a_call_to_action_shows_none(build_site):
    s = build_site({"tips/a.md": tip("A", date="2026-11-03", summary="S.")})
    assert s.ok, s.error
    assert not s.html("tips/a/").cssselect(".ts-cta") and not s.html("digests/2026-W45/").cssselect(".ts-cta")


def preview(site, *args):
    path = site.root / "d.eml"
    assert main(["digest", *args, "--out", str(path), "-f", str(site.config_file)]) == 0
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_both_email_parts_carry_the_note_first_and_the_call_to_action_last(site):
    msg = preview(site, "--period", "2026-W45")
    text = msg.get_body(("plain",)).get_content()
    assert text.index("Before the season") < text.index("Two tips this week, and [the one on permits]"
                                                         "(https://tips.example.org/tips/beta/)") < text.index("Beta\n")
    assert text.index("Gamma summary.") < text.index("Let's talk\nA no-obligation consultation about your front "
                                                     "line.\nBook a call: https://larkspur.example.org/contact/") \
        < text.index("View this digest in your browser")
    html = msg.get_body(("html",)).get_content()
    assert html.index('class="note"') < html.index('class="tip"') < html.index('class="cta"') < \
        html.index('class="footer"')
    assert 'href="https://tips.example.org/tips/beta/"' in html  # absolute in an email
    assert 'href="https://larkspur.example.org/contact/"' in html
    assert "<b" in html and "Book a call" in html
    sports = preview(site, "--period", "2026-W45", "--tag", "sports").get_body(("plain",)).get_content()
    assert "Match-day workshops\nFind out more: https://larkspur.example.org/workshops/" in sports
    assert "Before the season" in sports


def test_text_in_the_call_to_action_is_text(build_site):
    hostile = {"heading": "Use <Tab> & \"quotes\"", "text": "<script>alert(1)</script>",
               "link": "https://example.org/?a=1&b=2"}
    s = build_site({"tips/a.md": tip("A", date="2026-11-03", summary="S.")}, tips={"call_to_action": hostile})
    assert s.ok, s.error
    cta = s.html("tips/a/").cssselect(".ts-cta")[0]
    assert cta.cssselect("h2")[0].text_content() == 'Use <Tab> & "quotes"'
    assert cta.cssselect("p")[0].text_content() == "<script>alert(1)</script>" and not cta.cssselect("script")
    assert cta.cssselect("a")[0].get("href") == "https://example.org/?a=1&b=2"
    html = preview(s, "--period", "2026-W45").get_body(("html",)).get_content()
    assert "&lt;script&gt;" in html and "<script>" not in html


@pytest.mark.parametrize(("files", "message"), [
    ({"digests/week-45.md": "Hello.\n"},
     "content/digests/week-45.md: file: expected a name like 2024-W46.md, the period whose digest it introduces, "
     "got 'week-45.md' (see 'tipsheet digest --list' for the periods)"),
    ({"digests/2026-W45.md": "---\ntitle: Hi\nperiod: 2026-W45\n---\n\nHello.\n"},
     "content/digests/2026-W45.md: period: expected one of the fields of a note (title), got 'period' (the period "
     "comes from the file's name)"),
    ({"digests/2026-W45.md": "---\ntitle: Hi\n---\n\n"},
     "content/digests/2026-W45.md: body: expected the note's text, got nothing (write it, or delete the file)"),
    ({"digests/2026-W45.md": "---\ntitle: [a, b]\n---\n\nHello.\n"},
     "content/digests/2026-W45.md: title: expected one line of text, got a list of 2"),
    ({"digests/2026-W45.md": b"caf\xe9\n"},
     "content/digests/2026-W45.md: file: expected UTF-8 text, got byte 0xe9 on line 1, which is not UTF-8 (save "
     "the file as UTF-8)"),
])
def test_a_broken_note_fails_the_build_and_the_check_with_one_line(build_site, capsys, files, message):
    s = build_site({"tips/a.md": tip("A", date="2026-11-03", summary="S."), **files})
    assert not s.ok
    assert message in s.error and "in editor's notes" in s.error
    assert not s.out.exists()
    assert main(["check", "-f", str(s.config_file)]) == 1
    assert message.split(": ", 1)[1] in capsys.readouterr().out


def test_check_warns_about_a_note_linking_a_tip_not_published_yet(build_site, capsys):
    files = {"tips/a.md": tip("A", date="2026-11-03", summary="S."),
             "tips/later.md": tip("Later", date="2026-12-01", summary="S."),
             "digests/2026-W45.md": "See [next month](../tips/later.md) and [this](../tips/gone.md).\n"}
    s = build_site(files)
    assert s.ok, s.error
    assert main(["check", "--strict", "-f", str(s.config_file)]) == 1
    out = capsys.readouterr().out
    assert "content/digests/2026-W45.md\n  error: link: expected a link to a published tip, got '../tips/later.md', " \
           "a draft or scheduled tip" in out
    assert "error: link: expected a file that exists in content/, got '../tips/gone.md', which is not there" in out


def test_a_note_with_a_link_that_is_no_address_is_a_warning_not_a_traceback(build_site, capsys):
    files = {"tips/a.md": tip("A", date="2026-11-03", summary="S."),
             "digests/2026-W45.md": "See [the form](http://[bad/form).\n"}
    s = build_site(files)
    assert s.ok, s.error
    assert "http://[bad/form" in s.read("digests/2026-W45/")  # kept as written
    assert main(["check", "--strict", "-f", str(s.config_file)]) == 1
    out = capsys.readouterr().out
    assert "error: link: expected a valid address, got 'http://[bad/form' (check the brackets and slashes)" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(("cta", "message"), [
    ({"heading": "Talk", "link": "contact/"},
     "call_to_action: link: expected an absolute address (https://... or mailto:...), got 'contact/' (it goes into "
     "emails, where a relative link leads nowhere)"),
    ({"link": "https://example.org/"},
     "call_to_action: heading: expected the words of the call to action, got nothing"),
    ({"tags": {"sprots": {"heading": "H", "link": "https://example.org/"}}},
     "call_to_action: tags: expected a tag of the vocabulary, got 'sprots' (did you mean 'sports'?)"),
])
def test_a_bad_call_to_action_fails_the_build_naming_the_option(build_site, cta, message):
    s = build_site({"tips/a.md": tip("A", date="2026-11-03", summary="S.")}, tips={"call_to_action": cta})
    assert not s.ok
    assert message in s.error
