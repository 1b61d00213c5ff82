#!/usr/bin/env python3
"""Write a WordPress export (WXR 1.2) of N posts, the same bytes for the same N and seed.

Posts look like a ten-year tip archive: classic-editor bodies (no <p>, WordPress adds them),
a share of block-editor bodies, captions, galleries with their attachments, links to earlier
posts, the odd unknown shortcode, categories and tags from a fixed vocabulary, mostly
published with some drafts and scheduled posts, and a few pages and menu items.  The XML is
written with lxml's incremental writer, so 100,000 posts take no more memory than 100.

usage: python bench/gen_wxr.py --n 1000 --out /tmp/export.xml [--seed 14]
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from typing import Any

from lxml import etree

WP = "http://wordpress.org/export/1.2/"
NS = {"excerpt": "http://wordpress.org/export/1.2/excerpt/", "content": "http://purl.org/rss/1.0/modules/content/",
      "wfw": "http://wellformedweb.org/CommentAPI/", "dc": "http://purl.org/dc/elements/1.1/", "wp": WP}
SITE = "https://archive.example.com"
CATEGORIES = [("government", "Government"), ("sports", "Sports"), ("business-advice", "Business Advice"),
              ("retail", "Retail"), ("hospitality", "Hospitality"), ("uncategorized", "Uncategorized")]
TAGS = [("complaints", "complaints"), ("phone", "phone"), ("email", "email"), ("queues", "queues"),
        ("empathy", "empathy"), ("follow-up", "follow-up"), ("training", "training"), ("refunds", "refunds")]
WORDS = ["customer", "resident", "fan", "caller", "visitor", "desk", "counter", "queue", "ticket", "permit", "refund",
         "apology", "promise", "answer", "question", "minute", "hour", "day", "week", "colleague", "manager", "form",
         "name", "phone", "letter", "email", "voice", "smile", "patience", "problem", "solution", "reason", "plan",
         "step", "habit", "moment"]
AUTHORS = [("marta", "Marta Lindqvist"), ("jide", "Jide Okoro"), ("rosa", "Rosa Delgado")]


def q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def sentence(rng: random.Random, words: int = 12) -> str:
    picked = [rng.choice(WORDS) for _ in range(rng.randint(words - 4, words + 4))]
    return " ".join(picked).capitalize() + "."


def classic_body(rng: random.Random, number: int, links: list[str]) -> str:
    parts = []
    for _ in range(rng.randint(3, 7)):
        lines = [" ".join(sentence(rng) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 2))]
        parts.append("\n".join(lines))
    parts.insert(1, "<!--more-->")
    if rng.random() < 0.3:
        parts.insert(2, "<ul>\n" + "\n".join(f"\t<li>{sentence(rng, 6)}</li>" for _ in range(3)) + "\n</ul>")
    if rng.random() < 0.2:
        image = f"{SITE}/wp-content/uploads/2016/04/photo-{number}.jpg"
        parts.append(f'[caption id="attachment_{number}" width="300"]<img src="{image}" alt="A photo" width="300" '
                     f'height="200" /> {sentence(rng, 6)}[/caption]')
    if rng.random() < 0.1:
        parts.append("[gallery]")
    if links and rng.random() < 0.4:
        parts.append(f'See also <a href="{rng.choice(links)}">an earlier tip</a>.')
    if rng.random() < 0.05:
        parts.append('[contact-form-7 id="7" title="Ask us"]')
    if rng.random() < 0.1:
        parts.append("<pre>Hello, this is the desk.\n\n  How can I help?</pre>")
    return "\n\n".join(parts)


def block_body(rng: random.Random) -> str:
    blocks = []
    for index in range(rng.randint(3, 6)):
        blocks.append(f"<!-- wp:paragraph -->\n<p>{sentence(rng)} {sentence(rng)}</p>\n<!-- /wp:paragraph -->")
        if index == 0:
            blocks.append("<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->")
    blocks.append('<!-- wp:heading {"level":3} -->\n<h3 class="wp-block-heading">' + sentence(rng, 4)
                  + "</h3>\n<!-- /wp:heading -->")
    return "\n\n".join(blocks)


def text(parent: Any, tag: str, value: str, cdata: bool = False) -> None:
    el = etree.SubElement(parent, tag)
    el.text = etree.CDATA(value) if cdata and value else value


def item(rng: random.Random, number: int, when: datetime, links: list[str]) -> tuple[etree._Element, str]:
    status = rng.choices(["publish", "draft", "future", "private"], weights=[90, 5, 3, 2])[0]
    slug = "-".join(rng.choice(WORDS) for _ in range(4)) + f"-{number}"
    link = f"{SITE}/{when:%Y/%m/%d}/{slug}/" if status == "publish" else f"{SITE}/?p={number}"
    el = etree.Element("item", nsmap=NS)
    text(el, "title", f"Tip {number}: {sentence(rng, 6).rstrip('.')}", cdata=True)
    text(el, "link", link)
    text(el, "pubDate", when.strftime("%a, %d %b %Y %H:%M:%S +0000"))
    login, _ = AUTHORS[number % len(AUTHORS)]
    text(el, q("dc", "creator"), login, cdata=True)
    guid = etree.SubElement(el, "guid", isPermaLink="false")
    guid.text = f"{SITE}/?p={number}"
    body = block_body(rng) if rng.random() < 0.25 else classic_body(rng, number, links)
    text(el, q("content", "encoded"), body, cdata=True)
    text(el, q("excerpt", "encoded"), sentence(rng, 10) if rng.random() < 0.3 else "", cdata=True)
    text(el, q("wp", "post_id"), str(number))
    text(el, q("wp", "post_date"), f"{when:%Y-%m-%d %H:%M:%S}", cdata=True)
    text(el, q("wp", "post_date_gmt"), f"{when - timedelta(hours=1):%Y-%m-%d %H:%M:%S}", cdata=True)
    text(el, q("wp", "post_modified"), f"{when:%Y-%m-%d %H:%M:%S}", cdata=True)
    text(el, q("wp", "post_modified_gmt"), f"{when - timedelta(hours=1):%Y-%m-%d %H:%M:%S}", cdata=True)
    text(el, q("wp", "post_name"), slug, cdata=True)
    text(el, q("wp", "status"), status, cdata=True)
    text(el, q("wp", "post_parent"), "0")
    text(el, q("wp", "menu_order"), "0")
    text(el, q("wp", "post_type"), "post", cdata=True)
    text(el, q("wp", "post_password"), "", cdata=True)
    nicename, name = rng.choice(CATEGORIES)
    category = etree.SubElement(el, "category", domain="category", nicename=nicename)
    category.text = etree.CDATA(name)
    for nicename, name in rng.sample(TAGS, rng.randint(0, 3)):
        tag = etree.SubElement(el, "category", domain="post_tag", nicename=nicename)
        tag.text = etree.CDATA(name)
    return el, (link if status == "publish" else "")


def attachment(number: int, parent: int, when: datetime, order: int) -> etree._Element:
    el = etree.Element("item", nsmap=NS)
    text(el, "title", f"photo {number}", cdata=True)
    text(el, "link", f"{SITE}/?attachment_id={number}")
    text(el, q("wp", "post_id"), str(number))
    text(el, q("wp", "post_date"), f"{when:%Y-%m-%d %H:%M:%S}", cdata=True)
    text(el, q("wp", "status"), "inherit", cdata=True)
    text(el, q("wp", "post_parent"), str(parent))
    text(el, q("wp", "menu_order"), str(order))
    text(el, q("wp", "post_type"), "attachment", cdata=True)
    text(el, q("wp", "attachment_url"), f"{SITE}/wp-content/uploads/{when:%Y/%m}/photo-{number}.jpg", cdata=True)
    return el


def write(path: str, n: int, seed: int) -> None:
    rng = random.Random(seed)
    start = datetime(2014, 1, 7, 9, 0)
    links: list[str] = []
    with etree.xmlfile(path, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("rss", version="2.0", nsmap=NS), xf.element("channel"):
            for tag, value in (("title", "Tip Archive"), ("link", SITE), (q("wp", "wxr_version"), "1.2"),
                               (q("wp", "base_site_url"), SITE), (q("wp", "base_blog_url"), SITE)):
                el = etree.Element(tag, nsmap={"wp": WP})
                el.text = value
                xf.write(el)
            for login, name in AUTHORS:
                author = etree.Element(q("wp", "author"), nsmap={"wp": WP})
                text(author, q("wp", "author_login"), login, cdata=True)
                text(author, q("wp", "author_display_name"), name, cdata=True)
                xf.write(author)
            next_id = n + 1
            for number in range(1, n + 1):
                when = start + timedelta(minutes=(number - 1) * (10 * 365 * 24 * 60 // n))  # ten years
                el, link = item(rng, number, when, links[-200:])
                xf.write(el)
                if link:
                    links.append(link)
                if number % 10 == 0:  # this post has a gallery's worth of attachments
                    for order in range(3):
                        xf.write(attachment(next_id, number, when, order))
                        next_id += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, required=True, help="number of posts")
    parser.add_argument("--out", required=True, help="the export file to write")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    write(args.out, args.n, args.seed)


if __name__ == "__main__":
    main()
