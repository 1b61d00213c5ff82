"""The body pipeline piece by piece: wpautop, shortcodes, block comments, oEmbed lines, HTML to Markdown."""

from __future__ import annotations

import pytest

from tipsheet.importers import htmltomd
from tipsheet.importers.shortcodes import Attachment, Shortcodes, autoembed, parse_atts
from tipsheet.importers.wpautop import wpautop
from tipsheet.importers.wpbody import body_html

UPLOADS = "https://desk.example.com/wp-content/uploads/2016/04/"
ATTACHMENTS = [Attachment(5, 9, 2, UPLOADS + "a.jpg", "A", "Cap A"), Attachment(6, 9, 1, UPLOADS + "b.png", "B"),
               Attachment(7, 9, 0, UPLOADS + "c.mp3")]


def shortcodes() -> Shortcodes:
    by_id = {a.post_id: a for a in ATTACHMENTS}
    return Shortcodes(9, lambda parent: ATTACHMENTS if parent == 9 else [], by_id.get)


def markdown(html: str) -> str:
    return htmltomd.to_markdown(htmltomd.parse(html))


# -- wpautop ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "html"), [
    ("One\ntwo\n\nThree", "<p>One<br />\ntwo</p>\n<p>Three</p>\n"),
    ("Code:\n<pre>a\n\n  b</pre>\nAfter", "<p>Code:</p>\n<pre>a\n\n  b</pre>\n<p>After</p>\n"),
    ("<div>x\ny</div>\n\n<blockquote>Quote\nline</blockquote>",
     "<div>x<br />\ny</div>\n<blockquote><p>Quote<br />\nline</p></blockquote>\n"),
    ("<ul>\n<li>a</li>\n<li>b</li>\n</ul>\nText", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<p>Text</p>\n"),
    ("A <a\nhref=\"x\">link</a>", "<p>A <a\nhref=\"x\">link</a></p>\n"),
    ("   \n\n", ""),
])
def test_wpautop_makes_paragraphs_and_line_breaks_as_wordpress_displays_them(text, html):
    assert wpautop(text) == html


# -- shortcodes --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "html"), [
    ('[caption id="attachment_5" width="300"]<img src="i.jpg" alt="i" /> The caption[/caption]',
     '<figure><img src="i.jpg" alt="i" /><figcaption>The caption</figcaption></figure>'),
    ('[caption caption="Old style" width="300"]<img src="i.jpg" alt="i" />[/caption]',
     '<figure><img src="i.jpg" alt="i" /><figcaption>Old style</figcaption></figure>'),
    ('[wp_caption]<img src="i.jpg" alt="i" />[/wp_caption]', '<figure><img src="i.jpg" alt="i" /></figure>'),
    ("[gallery]", f'<figure><img src="{UPLOADS}b.png" alt="B" /></figure>\n'
                  f'<figure><img src="{UPLOADS}a.jpg" alt="A" /><figcaption>Cap A</figcaption></figure>'),
    ('[gallery exclude="5"]', f'<p><img src="{UPLOADS}b.png" alt="B" /></p>'),
    ('[gallery ids="6,5" columns="2"]', f'<figure><img src="{UPLOADS}b.png" alt="B" /></figure>\n'
                                        f'<figure><img src="{UPLOADS}a.jpg" alt="A" /><figcaption>Cap A</figcaption>'
                                        "</figure>"),
    ("[embed width=\"500\"]https://vimeo.com/1[/embed]", '<p><a href="https://vimeo.com/1">https://vimeo.com/1</a></p>'),
    ("[audio]", f'<p><a href="{UPLOADS}c.mp3">c.mp3</a></p>'),
    ('[video mp4="https://v.example/v.mp4"]', '<p><a href="https://v.example/v.mp4">v.mp4</a></p>'),
    ("[playlist]", f'<ul><li><a href="{UPLOADS}c.mp3">c.mp3</a></li></ul>'),
    ("[[caption]]", "[caption]"),
    ("<code>[gallery]</code> and <pre>[embed]x[/embed]</pre>",
     "<code>[gallery]</code> and <pre>[embed]x[/embed]</pre>"),
])
def test_wordpress_own_shortcodes_become_html(text, html):
    found = shortcodes()
    assert found.expand(text) == html
    assert found.notes.unknown == []


@pytest.mark.parametrize(("text", "unknown"), [
    ("use [ssh] to connect, see note [1]", []),
    ("<p>[toc]</p>", ["toc"]),
    ('Write to us: [contact-form-7 id="4"]', ["contact-form-7"]),
    ("[note]Careful[/note] there", ["note"]),
    ("a [spacer /] b", ["spacer"]),
])
def test_other_brackets_stay_as_written_and_only_real_looking_shortcodes_are_reported(text, unknown):
    found = shortcodes()
    assert found.expand(text) == text
    assert found.notes.unknown == unknown


def test_a_gallery_with_nothing_to_show_is_reported():
    found = shortcodes()
    assert found.expand('[gallery ids="99"]') == ""
    assert found.notes.empty == ["gallery"]


def test_shortcode_attributes_are_parsed_as_wordpress_parses_them():
    assert parse_atts(' id="4" title=\'Ask us\' width=300 "loose" bare') == (
        {"id": "4", "title": "Ask us", "width": "300"}, ["loose", "bare"])


def test_a_url_alone_on_its_line_becomes_a_link_but_not_inside_code_or_attributes():
    text = ('See\nhttps://a.example/x?y=1&z=2\n<p>https://b.example/</p>\n<a href="https://c.example/">'
            "https://c.example/</a>\n<pre>\nhttps://d.example/\n</pre>")
    assert autoembed(text) == (
        'See\n<a href="https://a.example/x?y=1&amp;z=2">https://a.example/x?y=1&amp;z=2</a>\n'
        '<p><a href="https://b.example/">https://b.example/</a></p>\n<a href="https://c.example/">https://c.example/'
        "</a>\n<pre>\nhttps://d.example/\n</pre>")


# -- whole bodies ---------------------------------------------------------------------------------------------
def test_block_comments_go_and_a_block_body_is_not_auto_paragraphed():
    body = ('<!-- wp:paragraph {"className":"intro","style":{"typography":{"fontSize":"18px"}}} -->\n'
            '<p class="intro">One\nline</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:separator /-->\n'
            "<!-- wp:more --><!--more Keep reading--><!-- /wp:more -->\n<!-- wp:nextpage --><!--nextpage-->"
            "<!-- /wp:nextpage -->")
    assert body_html(body, shortcodes()) == (
        f'\n<p class="intro">One\nline</p>\n\n\n\n\n\n<p>{htmltomd.MORE_TOKEN}</p>\n\n\n\n\n<hr />\n\n')


def test_only_the_first_more_marker_counts_and_it_ends_up_on_its_own_line():
    html = body_html("First part <!--more--> second part\n\nThird <!--more--> fourth", shortcodes())
    assert markdown(html) == "First part\n\n<!-- more -->\n\nsecond part\n\nThird fourth\n"


# -- HTML to Markdown --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("html", "expected"), [
    ("<p>Use &lt;Tab&gt; &amp;copy; Q&amp;A a_b *x*</p>", "Use &lt;Tab> &amp;copy; Q&A a\\_b \\*x\\*\n"),
    ("<p>1. Not a list<br />\n# not a heading<br />\n- not a bullet<br />\n&gt; not a quote</p>",
     "1\\. Not a list<br>\n\\# not a heading<br>\n\\- not a bullet<br>\n\\> not a quote\n"),
    ("<pre>a <b>bold</b>\n``` fence<br>x</pre>", "````\na bold\n``` fence\nx\n````\n"),
    ('<pre class="brush: php">echo 1;</pre>', "```php\necho 1;\n```\n"),
    ("<p>H<sub>2</sub>O, x<sup>2</sup>, <del>old</del> <s>gone</s> <u>under</u> <mark>hi</mark></p>",
     "H<sub>2</sub>O, x<sup>2</sup>, <del>old</del> <del>gone</del> <u>under</u> <mark>hi</mark>\n"),
    ("<table><tr><td rowspan='2'>A</td><td>B</td></tr><tr><td>C</td></tr></table>",
     '<table><tr><td rowspan="2">A</td><td>B</td></tr><tr><td>C</td></tr></table>\n'),
    ("<table><tr><td>no</td><td>header</td></tr></table>", "<table><tr><td>no</td><td>header</td></tr></table>\n"),
    ("<table><tr><th>a|b</th></tr><tr><td>1</td></tr></table>", "<table><tr><th>a|b</th></tr><tr><td>1</td></tr>"
                                                                "</table>\n"),
    ("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td><em>2</em></td></tr></table>",
     "| A | B |\n| --- | --- |\n| 1 | *2* |\n"),
    ("<dl><dt>Term</dt><dd>Means</dd></dl>", "<dl><dt>Term</dt><dd>Means</dd></dl>\n"),
    ('<p><audio controls src="a.mp3"></audio></p>', '<audio controls="" src="a.mp3"></audio>\n'),
    ("<p>Hi</p><script>track()</script>", "Hi\n"),
    ("<h2>Big <em>news</em></h2><ol start='3'><li>three</li><li>four</li></ol>",
     "## Big *news*\n\n3. three\n4. four\n"),
    ('<figure><img src="a.jpg" alt="Alt [x]"/><figcaption>One<br>two</figcaption></figure>',
     '<figure markdown="span">\n![Alt \\[x\\]](a.jpg)\n<figcaption markdown="span">One<br> two</figcaption>\n'
     "</figure>\n"),
    ('<figure class="wp-block-table"><table><tr><th>A</th></tr><tr><td>1</td></tr></table>'
     "<figcaption>Prices</figcaption></figure>", "| A |\n| --- |\n| 1 |\n\nPrices\n"),
])
def test_html_becomes_markdown_in_the_house_style_and_what_markdown_cannot_say_stays_html(html, expected):
    assert markdown(html) == expected


def test_the_teaser_marker_goes_after_the_first_paragraph_else_the_first_block_else_at_the_end():
    for html, expected in [("<h2>T</h2><p>One</p><p>Two</p>", "## T\n\nOne\n\n<!-- more -->\n\nTwo\n"),
                           ("<blockquote><p>Q</p></blockquote><ul><li>a</li></ul>",
                            "> Q\n\n<!-- more -->\n\n- a\n"),
                           ("", "<!-- more -->\n")]:
        soup = htmltomd.parse(html)
        htmltomd.mark_teaser(soup)
        assert htmltomd.to_markdown(soup) == expected


def test_plain_text_of_a_title_drops_markup_and_decodes_entities():
    assert htmltomd.plain_text("Markup: Title <em>With</em> <b>Mark<sup>up</sup></b> &amp; more") == \
        "Markup: Title With Markup & more"
