"""Broken tips: each one fails the build with exactly this line, and nothing is half-built."""

from __future__ import annotations

import os

import pytest

from sitekit import tip

GOOD = tip("A good tip", tags=["sports"])
P = "content/tips/x.md"

CASES: list[tuple[str, str | bytes, str]] = [
    ("yaml syntax", "---\ntitle: Fine\ndate: 2026-11-03\ntags: [sports\n---\nBody\n",
     f"{P}: front matter: expected valid YAML, got a YAML error on line 5: did not find expected ',' or ']'"),
    ("colon in value", "---\ntitle: Own it: swap they for I\ndate: 2026-11-03\ntags: [sports]\n---\nBody\n",
     f"{P}: front matter: expected valid YAML, got a second ':' in one value on line 2 (put the value in quotes)"),
    ("tab indentation", "---\ntitle: Tabs\ndate: 2026-11-03\ntags:\n\t- sports\n---\nBody\n",
     f"{P}: front matter: expected spaces for indentation, got a tab on line 5 (replace the tab with spaces)"),
    ("missing title", tip(None),
     f"{P}: title: expected a title in plain text, got nothing (add 'title: ...' to the front matter)"),
    ("empty title", tip(""),
     f"{P}: title: expected a title in plain text, got an empty text (add 'title: ...' to the front matter)"),
    ("title is a number", tip(2024),
     f'{P}: title: expected text, got the number 2024 (put it in quotes: title: "2024")'),
    ("carriage return in title", tip("Free tickets\rBcc: victim@example.org"),
     f"{P}: title: expected one line of text without control characters, got '\\r' at character 13 (remove it)"),
    ("missing date", tip(date=None),
     f"{P}: date: expected a date as YYYY-MM-DD (or an ISO date and time with offset), got nothing "
     "(add 'date: YYYY-MM-DD')"),
    ("unparseable date", tip(date="next tuesday"),
     f"{P}: date: expected a date as YYYY-MM-DD (or an ISO date and time with offset), got the text 'next tuesday'"),
    ("day first date", tip(date="13/04/2024"),
     f"{P}: date: expected a date as YYYY-MM-DD (or an ISO date and time with offset), got the text "
     "'13/04/2024' (write it as 2024-04-13)"),
    ("ambiguous date", tip(date="04/05/2024"),
     f"{P}: date: expected a date as YYYY-MM-DD (or an ISO date and time with offset), got the text "
     "'04/05/2024' (write it as YYYY-MM-DD: 2024-05-04 or 2024-04-05)"),
    ("no such day", tip(date="2024-02-30"),
     f"{P}: date: expected a date as YYYY-MM-DD (or an ISO date and time with offset), got '2024-02-30', "
     "which is not a day of the calendar (February 2024 has 29 days)"),
    ("no tags", tip(tags=None),
     f"{P}: tags: expected a list of 1 or more tags, got nothing (add 'tags: [one, two]')"),
    ("empty tag list", tip(tags=[]),
     f"{P}: tags: expected a list of 1 or more tags, got nothing (add 'tags: [one, two]')"),
    ("tags as a string", tip(tags="sports, government"),
     f"{P}: tags: expected a list like [a, b], got the text 'sports, government' "
     "(write tags: [sports, government])"),
    ("empty tag", tip(tags=["sports", ""]),
     f"{P}: tags: expected a tag name in each entry, got an empty entry"),
    ("tag typo", tip(tags=["sprots"]),
     f"{P}: tags: expected a tag of the site's vocabulary, got 'sprots' (did you mean 'sports'?)"),
    ("unknown tag far from any", tip(tags=["zzz"]),
     f"{P}: tags: expected a tag of the site's vocabulary, got 'zzz' "
     "(known tags: government, persistence, responsiveness, sports)"),
    ("tag twice", tip(tags=["sports", "Sports"]),
     f"{P}: tags: expected each tag once, got 'sports' twice"),
    ("unknown author", tip(author="bne"),
     f"{P}: author: expected one of the site's authors, got 'bne' (did you mean 'ben'?)"),
    ("unknown series", tip(series="first-step"),
     f"{P}: series: expected one of the site's series, got 'first-step' (did you mean 'first-steps'?)"),
    ("bad slug", tip(slug="My Slug"),
     f"{P}: slug: expected lowercase letters, digits and hyphens, got the text 'My Slug' (try 'my-slug')"),
    ("updated before date", tip(date="2026-11-03", updated="2026-10-01"),
     f"{P}: updated: expected a date on or after the tip's date (2026-11-03), got 2026-10-01"),
    ("draft not a yes/no", tip(draft="maybe"),
     f"{P}: draft: expected true or false, got the text 'maybe'"),
    ("pinned not a yes/no", tip(pinned="always"),
     f"{P}: pinned: expected true or false, got the text 'always'"),
    ("field twice", "---\ntitle: One\ntitle: Two\ndate: 2026-11-03\ntags: [sports]\n---\nBody\n",
     f"{P}: title: expected the field once, got it twice (again on line 3)"),
    ("no front matter", "Just some text.\n",
     f"{P}: front matter: expected '---' on the first line, got the text 'Just some text.' "
     "(a tip starts with its fields between two '---' lines)"),
    ("front matter not closed", "---\ntitle: Open\ndate: 2026-11-03\ntags: [sports]\n\nBody\n",
     f"{P}: front matter: expected a closing '---' line after the fields, got the end of the file "
     "(add a line '---' after the last field)"),
    ("front matter is a list", "---\n- title\n- date\n---\nBody\n",
     f"{P}: front matter: expected fields, one 'name: value' per line, got a list of 2"),
    ("front matter is a string", "---\njust words\n---\nBody\n",
     f"{P}: front matter: expected fields, one 'name: value' per line, got the text 'just words'"),
    ("empty front matter", "---\n---\nBody\n",
     f"{P}: front matter: expected fields like 'title: ...', got nothing"),
    ("empty file", "",
     f"{P}: front matter: expected '---' fields '---' at the top, got an empty file (start from 'tipsheet new')"),
    ("not utf-8", b"---\ntitle: Caf\xe9\ndate: 2026-11-03\ntags: [sports]\n---\nBody\n",
     f"{P}: file: expected UTF-8 text, got byte 0xe9 on line 2, which is not UTF-8 (save the file as UTF-8)"),
    ("hide is not a list", tip(hide=True),
     f"{P}: hide: expected a list like [toc, navigation], got true (a yes/no value)"),
    ("search is not fields", tip(search="exclude"),
     f"{P}: search: expected fields like {{exclude: true}} or {{boost: 2}}, got the text 'exclude'"),
    ("unrenderable link", tip(body="See [this](http://[oops/)."),
     f"{P}: body: expected Markdown that renders, got ValueError: Invalid IPv6 URL (check its links and images)"),
    ("huge file", tip(body="word " * 1_100_000),
     f"{P}: file: expected a tip under 1000 KB, got 5.5 MB (split it, or move large data out of content/)"),
]


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_tip_fails_the_build_with_its_message(build_site, content, expected):
    site = build_site({"tips/ok.md": GOOD, "tips/x.md": content})
    assert not site.ok
    lines = [line.strip() for line in site.error.splitlines()]
    assert expected in lines, site.error
    assert "Traceback" not in site.error
    assert not site.out.exists(), "a failed build must not write a site"


def test_an_upper_case_extension_is_named_not_published_raw(build_site):
    site = build_site({"tips/ok.md": GOOD, "tips/Shout.MD": tip("Shout")})
    assert ("content/tips/Shout.MD: file: expected a name ending in .md, got 'Shout.MD' (rename it to Shout.md)"
            in [line.strip() for line in site.error.splitlines()])


def test_every_problem_of_every_file_is_listed_at_once(build_site):
    site = build_site({
        "tips/ok.md": GOOD,
        "tips/a.md": tip(None, tags=["sprots"]),
        "tips/b.md": tip(date="2024-13-01"),
        "tips/c.md": "no front matter\n",
    })
    lines = [line.strip() for line in site.error.splitlines()]
    assert "4 problems in content:" in lines
    assert sum(line.startswith("content/tips/a.md:") for line in lines) == 2
    assert sum(line.startswith("content/tips/b.md:") for line in lines) == 1
    assert sum(line.startswith("content/tips/c.md:") for line in lines) == 1


def test_duplicate_slug_names_both_files(build_site):
    site = build_site({
        "tips/2025/same.md": tip("One"),
        "tips/2026/same.md": tip("Two"),
    })
    assert ("content/tips/2026/same.md: slug: expected a slug no other tip uses, got 'same', already used by "
            "content/tips/2025/same.md (set 'slug:' to something else)") in [s.strip() for s in site.error.splitlines()]


def test_symlink_loop_is_reported_not_followed(build_site, tmp_path):
    site = build_site({"tips/ok.md": GOOD})
    loop = site.root / "content" / "tips" / "loop"
    os.symlink("..", loop)
    from sitekit import run_build

    run_build(site)
    assert ("content/tips/loop: folder: expected a folder of tips, got a link back to content (a loop) "
            "(remove the link)") in [s.strip() for s in site.error.splitlines()]


def test_unknown_field_is_a_warning_that_fails_strict(build_site):
    site = build_site({"tips/x.md": tip(tag=["sports"])})
    assert site.ok
    assert f"tipsheet: {P}: tag: expected a known field, got an unknown field (did you mean 'tags'?)" in site.warnings
    strict = build_site({"tips/x.md": tip(tag=["sports"])}, strict=True)
    assert not strict.ok
