"""``tipsheet import wordpress`` on a hand-written export: every tip file, the redirects and the report, exactly.

tests/fixtures/wordpress/frontline.xml holds one post per case of the issue:
classic and block bodies, every shortcode WordPress defines plus unknown ones,
every status, percent-encoded and Greek slugs, an empty title, a title with
markup, links between posts, an old slug, a slug used twice.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from importkit import WORDPRESS, make_project, printed_block, read, run_import


@pytest.fixture
def imported(tmp_path: Path):
    root = make_project(tmp_path / "site")
    shutil.copy(WORDPRESS / "frontline.xml", root / "export.xml")
    run = run_import(root, "wordpress", "export.xml")
    assert run.status == 0, run.err
    return root, run


def report(root: Path) -> dict:
    return json.loads(read(root, "import-report.json"))


CLASSIC = """\
---
title: Answer within the hour, even when the answer is “not yet”
date: 2016-03-01T09:30:00-05:00
updated: 2016-03-04T11:00:00-05:00
slug: answer-within-the-hour
tags: [government, responsiveness]
author: marta
summary: Say when you will answer, then keep your word.
---

A resident who writes to the permit office on Monday morning wants to know one thing: has anyone seen this?<br>
So tell them, within the hour.

<!-- more -->

Three sentences are enough:

- We have your request.
- Here is what happens next.
- You will hear from us by Thursday.

See also [the renewal call](the-renewal-call.md) and [plain words at the permit desk](plain-words.md). \
Our [draft on complaints](https://desk.example.com/?p=104) is not out yet.
"""

SHORTCODES = """\
---
title: 'Season tickets: the renewal call'
date: 2016-04-12T10:00:00+02:00
slug: the-renewal-call
tags: [sports, season-tickets]
author: j-okoro
---

Renewal season is when a club learns what its fans really think. Ring the ones who have not renewed before they \
decide [1].

<!-- more -->

<figure markdown="span">
[![A box office agent on the phone](https://desk.example.com/wp-content/uploads/2016/04/renewal-call-300x200.jpg)]\
(https://desk.example.com/wp-content/uploads/2016/04/renewal-call.jpg)
<figcaption markdown="span">Maya at the *north stand* box office</figcaption>
</figure>

Before you call, look at the seat map with them:

<figure markdown="span">
![Seat map of the north stand](https://desk.example.com/wp-content/uploads/2016/04/seat-map.png)
<figcaption markdown="span">Rows A to K, north stand</figcaption>
</figure>

![The permit desk](https://desk.example.com/wp-content/uploads/2016/05/permit-desk.jpg)

Our script, line by line:

```
Hello, this is Maya from the club.

  Have you had a chance to look at next season?
```

If the line is busy, type [ssh] in the log and move on. To show writers a shortcode, we type [gallery].

<https://www.youtube.com/watch?v=renewal101>

<https://vimeo.com/1234567>

[contact-form-7 id="7" title="Ask us"]

[toc]

[1] Fans decide in the two weeks before the deadline.
"""

BLOCKS = """\
---
title: Plain words at the permit desk
date: 2016-05-10T09:00:00+02:00
slug: plain-words
tags: [government, business-advice]
author: marta
---

A permit form is a conversation the city started. Finish it in the resident's words, not the **ordinance's**.

<!-- more -->

### Swap these words

| Instead of | Say |
| --- | --- |
| remit | pay |
| commence | start |

<figure markdown="span">
![The permit desk](https://desk.example.com/wp-content/uploads/2016/05/permit-desk.jpg)
<figcaption markdown="span">The desk on a quiet morning</figcaption>
</figure>

- Read the form aloud.
- Cross out every word you would not say at the counter.

<https://www.youtube.com/watch?v=plainwords>

<iframe height="300" src="https://maps.example.net/embed?q=permit-desk" title="Map to the permit desk" \
width="600"></iframe>
"""


def test_a_classic_editor_post_gets_its_paragraphs_line_breaks_teaser_and_links(imported):
    root, _ = imported
    assert read(root, "content/tips/2016/answer-within-the-hour.md") == CLASSIC


def test_caption_gallery_embed_and_url_lines_are_converted_and_other_brackets_kept_as_written(imported):
    root, _ = imported
    assert read(root, "content/tips/2016/the-renewal-call.md") == SHORTCODES
    assert report(root)["unknown_shortcodes"] == {"contact-form-7": ["post 102"], "toc": ["post 102"]}


def test_a_block_editor_post_loses_its_block_comments_and_keeps_what_markdown_cannot_say_as_html(imported):
    root, _ = imported
    assert read(root, "content/tips/2016/plain-words.md") == BLOCKS


def test_drafts_and_pending_posts_are_drafts_and_a_scheduled_post_keeps_its_future_date(imported):
    root, _ = imported
    assert read(root, "content/tips/2016/handing-over-a-complaint.md") == (
        "---\ntitle: Handing over a complaint\ndate: 2016-06-02T16:45:00\nslug: handing-over-a-complaint\n"
        "tags: [business-advice]\nauthor: marta\ndraft: true\n---\n\n"
        "Never say \"that's not my department\". Walk the complaint over yourself.\n\n<!-- more -->\n")
    assert "draft: true\n" in read(root, "content/tips/2016/referee-queues.md")
    scheduled = read(root, "content/tips/2030/first-phone-call.md")
    assert "date: 2030-01-08T09:00:00+02:00\n" in scheduled and "draft" not in scheduled
    assert dict(report(root)["imported"]) == {"draft": 1, "pending": 1, "published": 8, "scheduled": 1}


def test_private_protected_trashed_posts_pages_and_other_types_are_skipped_with_their_reason(imported):
    root, _ = imported
    skipped = {s["ref"]: s["reason"] for s in report(root)["skipped"]}
    assert skipped == {
        "post 107": "private (only logged-in users could read it)",
        "post 108": "in the trash",
        "post 109": "password-protected (only readers with the password could read it)",
        "post 110": "an automatic draft WordPress made, never written",
        "page 301": "a page (add --pages to import pages)",
        "attachment 202": "an attachment (posts that show it link or embed its file)",
        "attachment 203": "an attachment (posts that show it link or embed its file)",
        "nav_menu_item 401": "a menu item",
        "revision 501": "a revision (the post itself is imported)",
        "product 601": "a custom post type ('product') from a plugin or theme",
    }
    written = sorted(p.relative_to(root).as_posix() for p in (root / "content" / "tips").rglob("*.md"))
    assert written == [
        "content/tips/2016/answer-within-the-hour.md", "content/tips/2016/handing-over-a-complaint.md",
        "content/tips/2016/plain-words.md", "content/tips/2016/referee-queues.md",
        "content/tips/2016/the-renewal-call.md", "content/tips/2017/cafe-etiquette.md",
        "content/tips/2017/post-112.md", "content/tips/2017/smile-before-you-pick-up-the-phone.md",
        "content/tips/2018/own-it.md", "content/tips/2019/answer-within-the-hour-2.md",
        "content/tips/2030/first-phone-call.md",
    ]
    assert report(root)["items"]["post"] == {"auto-draft": 1, "draft": 1, "future": 1, "pending": 1, "private": 1,
                                             "publish": 9, "trash": 1}


def test_slugs_are_decoded_made_ascii_and_unique_and_every_change_is_reported(imported):
    root, _ = imported
    assert "slug: cafe-etiquette\n" in read(root, "content/tips/2017/cafe-etiquette.md")
    assert "title: Ευγένεια στο τηλέφωνο\n" in read(root, "content/tips/2017/post-112.md")
    assert "slug: answer-within-the-hour-2\n" in read(root, "content/tips/2019/answer-within-the-hour-2.md")
    assert [(n["ref"], n["detail"]) for n in report(root)["slug_changes"]] == [
        ("post 112", "no Latin letters or digits in its slug or title; the slug is 'post-112'"),
        ("post 115", "'answer-within-the-hour' is taken (by content/tips/2016/answer-within-the-hour.md); "
                     "the slug is 'answer-within-the-hour-2'"),
    ]


def test_titles_lose_their_markup_and_entities_and_an_empty_title_gets_its_first_sentence(imported):
    root, _ = imported
    own_it = read(root, "content/tips/2018/own-it.md")
    assert own_it.startswith("---\ntitle: Own it & follow up\n")
    assert read(root, "content/tips/2017/smile-before-you-pick-up-the-phone.md").startswith(
        "---\ntitle: Smile before you pick up the phone.\ndate: 2017-07-04T09:00:00+02:00\n"
        "slug: smile-before-you-pick-up-the-phone\n")
    assert report(root)["title_fallbacks"] == [
        {"ref": "post 113", "path": "content/tips/2017/smile-before-you-pick-up-the-phone.md",
         "detail": "no title; it is 'Smile before you pick up the phone.'"}]


def test_a_long_excerpt_is_cut_at_a_sentence_and_uncategorized_posts_get_the_fallback_tag(imported):
    root, _ = imported
    own_it = read(root, "content/tips/2018/own-it.md")
    assert ("summary: 'When a caller reaches you, the problem is yours: not the department''s, not the system''s, "
            "not the colleague who left early. You may not be able to solve it today, and you may need help from "
            "three other teams, but you are the one who calls back, who chases, and who says when it is done.'\n"
            ) in own_it
    assert "tags: [general]\n" in own_it
    facts = report(root)
    assert facts["summaries_shortened"][0]["detail"] == "the excerpt had 383 characters"
    assert facts["fallback_tag"] == ["content/tips/2018/own-it.md"]


def test_every_old_permalink_and_old_slug_is_recorded_and_post_ids_are_listed_for_the_server(imported):
    root, _ = imported
    assert read(root, "redirects.yml").split("\n\n", 1)[1] == (
        "/2016/03/01/answer-within-an-hour/: tips/2016/answer-within-the-hour.md\n"
        "/2016/03/01/answer-within-the-hour/: tips/2016/answer-within-the-hour.md\n"
        "/2016/04/12/the-renewal-call/: tips/2016/the-renewal-call.md\n"
        "/2016/05/10/plain-words/: tips/2016/plain-words.md\n"
        "/2017/05/02/caf%c3%a9-etiquette/: tips/2017/cafe-etiquette.md\n"
        "/2017/06/06/%ce%b5%cf%85%ce%b3%ce%ad%ce%bd%ce%b5%ce%b9%ce%b1/: tips/2017/post-112.md\n"
        "/2017/07/04/113/: tips/2017/smile-before-you-pick-up-the-phone.md\n"
        "/2018/02/06/own-it/: tips/2018/own-it.md\n"
        "/2019/03/05/answer-within-the-hour/: tips/2019/answer-within-the-hour-2.md\n"
        "/?p=101: tips/2016/answer-within-the-hour.md\n"
        "/?p=102: tips/2016/the-renewal-call.md\n"
        "/?p=103: tips/2016/plain-words.md\n"
        "/?p=111: tips/2017/cafe-etiquette.md\n"
        "/?p=112: tips/2017/post-112.md\n"
        "/?p=113: tips/2017/smile-before-you-pick-up-the-phone.md\n"
        "/?p=114: tips/2018/own-it.md\n"
        "/?p=115: tips/2019/answer-within-the-hour-2.md\n")
    facts = report(root)
    assert facts["redirects"] == 9
    assert facts["server_only"] == ["/?p=101", "/?p=102", "/?p=103", "/?p=111", "/?p=112", "/?p=113", "/?p=114",
                                    "/?p=115"]
    assert facts["links_rewritten"] == 2
    assert facts["links_left"] == [{"ref": "post 101", "path": "https://desk.example.com/?p=104",
                                    "detail": "a draft post, not published"}]


def test_the_command_prints_what_to_add_to_mkdocs_yml_and_never_edits_it(imported):
    root, run = imported
    assert "tipsheet/tips:\n    timezone" in read(root, "mkdocs.yml") and "redirects" not in read(root, "mkdocs.yml")
    assert printed_block(run.out) == {
        "redirects": "redirects.yml",
        "tags": {"business-advice": {"title": "Business Advice"}, "general": {"title": "General"},
                 "season-tickets": {"title": "season tickets"}},
        "authors": {"j-okoro": {"name": "Jide Okoro"}, "marta": {"name": "Marta Lindqvist"}},
    }
    assert run.out.splitlines()[:7] == [
        "Read export.xml: 21 items (2 attachment, 1 nav_menu_item, 1 page, 15 post, 1 product, 1 revision).",
        "Imported 11 items (1 draft, 1 pending, 8 published, 1 scheduled); skipped 10.",
        "Files: 11 new.",
        "No tag map at tags.yml: the proposed one was used (run with --dry-run to write it and edit it).",
        "Redirects: 9 old addresses in redirects.yml, 8 more only a server can redirect.",
        "Unknown shortcodes kept as written: contact-form-7, toc.",
        "Report: import-report.md, import-report.json",
    ]


def test_the_report_counts_what_was_left_behind(imported):
    root, _ = imported
    facts = report(root)
    assert facts["comments_dropped"] == 2
    assert facts["teasers_marked"] == 8
    assert facts["images"] == {"copied": 0, "kept as absolute URLs": 4, "missing": 0}
    markdown = read(root, "import-report.md")
    assert "- `[contact-form-7]` in 1 post: post 102\n" in markdown
    assert "- post 109 (publish) 'For members: the renewal discount': password-protected" in markdown


def test_pages_are_imported_with_pages_and_keep_their_old_address(tmp_path):
    root = make_project(tmp_path / "site")
    shutil.copy(WORDPRESS / "frontline.xml", root / "export.xml")
    run = run_import(root, "wordpress", "export.xml", "--pages")
    assert run.status == 0, run.err
    assert read(root, "content/pages/about.md") == (
        "---\ntitle: About the desk\n---\n\nWe are two people who answered phones for fifteen years.\n\n"
        "Write to us any time.\n")
    assert "/about/: pages/about.md\n" in read(root, "redirects.yml")
    assert "/?page_id=301: pages/about.md\n" in read(root, "redirects.yml")
