"""What an export may look like: WXR 1.0, 1.1 over https, a split export, control characters, malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from importkit import WORDPRESS, make_project, project_with, read, run_import, tree
from tipsheet.importers.wxr import Channel, Item, SourceError, read_export


def project(tmp_path: Path, *names: str) -> Path:
    return project_with(tmp_path, WORDPRESS, *names)


def test_a_wxr_1_0_export_with_categories_by_name_and_tags_as_domain_tag(tmp_path):
    root = project(tmp_path, "wxr-1.0.xml")
    run = run_import(root, "wordpress", "wxr-1.0.xml")
    assert run.status == 0, run.err
    assert read(root, "content/tips/2009/walk-the-queue.md") == (
        "---\ntitle: Keep the queue short by walking it\ndate: 2009-02-03T10:00:00+01:00\nslug: walk-the-queue\n"
        "tags: [business-advice, short-queues]\nauthor: admin\n---\n\n"
        "Walk the queue every ten minutes.<br>\nAsk each person what they came for.\n\n<!-- more -->\n\n"
        "Send the two-minute questions to the side desk.\n")
    assert json.loads(read(root, "import-report.json"))["versions"] == ["1.0"]


def test_a_wxr_1_1_export_with_its_namespaces_over_https(tmp_path):
    root = project(tmp_path, "wxr-1.1-https.xml")
    run = run_import(root, "wordpress", "wxr-1.1-https.xml")
    assert run.status == 0, run.err
    assert read(root, "content/tips/2012/name-the-wait.md") == (
        "---\ntitle: Name the wait\ndate: 2012-10-09T10:00:00+02:00\nslug: name-the-wait\ntags: [business-advice]\n"
        "author: admin\nsummary: Give a number.\n---\n\n\"About twenty minutes\" beats \"shortly\".\n")
    assert "admin: {name: Rosa Delgado}" in run.out


def test_a_split_export_is_read_as_one_site_so_a_gallery_finds_its_images_in_the_other_file(tmp_path):
    root = project(tmp_path, "split-posts.xml", "split-media.xml")
    run = run_import(root, "wordpress", "split-posts.xml", "split-media.xml")
    assert run.status == 0, run.err
    assert run.out.startswith("Read split-posts.xml, split-media.xml: 3 items (2 attachment, 1 post).\n")
    assert read(root, "content/tips/2021/signs.md").endswith(
        "Our gate signs, before and after:\n\n<!-- more -->\n\n"
        "![Gate sign: Entrance](https://matchday.example.net/wp-content/uploads/2021/09/gate-sign-before.jpg)\n"
        "![Gate sign: Gates A to D, this way](https://matchday.example.net/wp-content/uploads/2021/09/"
        "gate-sign-after.jpg)\n")


def test_control_characters_that_xml_forbids_are_removed_and_counted(tmp_path):
    root = make_project(tmp_path / "site")
    data = (WORDPRESS / "frontline.xml").read_bytes()
    data = data.replace(b"Three sentences are enough:", b"Three\x0b sentences\x1f are\x08 enough:")
    data = data.replace(b"<![CDATA[Plain words at the permit desk]]>",
                        b"<![CDATA[Plain words\x0c at the permit desk]]>")
    (root / "export.xml").write_bytes(data)
    run = run_import(root, "wordpress", "export.xml")
    assert run.status == 0, run.err
    assert "\nThree sentences are enough:\n" in read(root, "content/tips/2016/answer-within-the-hour.md")
    assert read(root, "content/tips/2016/plain-words.md").startswith("---\ntitle: Plain words at the permit desk\n")
    facts = json.loads(read(root, "import-report.json"))
    assert facts["control_characters"] == 4
    assert "4 control characters (invalid in XML) were removed before reading." in read(root, "import-report.md")


MALFORMED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<wp:wxr_version>1.2</wp:wxr_version>
<item>
<title>Fine</title>
</channel>
</rss>
"""


@pytest.mark.parametrize(("text", "message"), [
    (MALFORMED, "bad.xml: line 7: Opening and ending tag mismatch: item line 5 and channel"),
    ("", "bad.xml: line 1: expected a WordPress export, got an empty file"),
    ('<?xml version="1.0"?>\n<rss><channel><title>T &nbsp; x</title></channel></rss>',
     "bad.xml: line 2: Entity 'nbsp' not defined"),
    ('<?xml version="1.0"?>\n<html><body>Not an export</body></html>',
     "bad.xml: line 2: expected a WordPress export (<rss> with a <channel>), got <html>"),
    ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>A feed</title><item><title>x</title></item>'
     "</channel></rss>",
     "bad.xml: line 2: expected a WordPress export (a <wp:wxr_version> in its channel), got a file without one "
     "(for an RSS or Atom feed use 'tipsheet import feed')"),
])
def test_a_malformed_file_is_one_line_with_its_line_number_and_nothing_is_written(tmp_path, text, message):
    root = project(tmp_path, "frontline.xml")
    (root / "bad.xml").write_text(text, encoding="utf-8")
    before = tree(root)
    run = run_import(root, "wordpress", "frontline.xml", "bad.xml")
    assert run.status == 1
    assert run.err.startswith(f"tipsheet import: {message}")
    assert run.err.count("\n") == 1 and "Traceback" not in run.err
    assert tree(root) == before


def test_a_missing_export_is_named(tmp_path):
    root = make_project(tmp_path / "site")
    run = run_import(root, "wordpress", "nowhere.xml")
    assert run.status == 1
    assert run.err == "tipsheet import: nowhere.xml: expected a readable file, got No such file or directory\n"


def test_entities_are_never_resolved_so_an_export_cannot_read_local_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    export = (WORDPRESS / "wxr-1.1-https.xml").read_text(encoding="utf-8")
    export = export.replace('<?xml version="1.0" encoding="UTF-8" ?>',
                            f'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE rss [<!ENTITY leak SYSTEM '
                            f'"file://{secret}">]>')
    export = export.replace("<title>Name the wait</title>", "<title>Name the wait &leak;</title>")
    found = [x for x in read_export_text(tmp_path, export) if isinstance(x, Item)]
    assert [item.title for item in found] == ["Name the wait "]


def read_export_text(tmp_path: Path, text: str) -> list[Channel | Item]:
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")
    return list(read_export(str(path), "export.xml"))


def test_items_are_handed_over_one_at_a_time_and_then_dropped(tmp_path):
    items = "".join(f"<item><wp:post_id>{n}</wp:post_id><content:encoded>{'x' * 1000}</content:encoded></item>"
                    for n in range(1, 301))
    text = ('<rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/'
            f'content/"><channel><wp:wxr_version>1.2</wp:wxr_version>{items}</channel></rss>')
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")
    reader = read_export(str(path), "export.xml")
    channel = next(reader)
    assert isinstance(channel, Channel)
    first = next(reader)
    assert isinstance(first, Item) and first.post_id == 1 and len(first.content) == 1000
    rest = list(reader)
    assert [i.post_id for i in rest if isinstance(i, Item)] == list(range(2, 301))


def test_an_unreadable_export_is_a_source_error_not_a_traceback(tmp_path):
    with pytest.raises(SourceError, match=r"^gone\.xml: expected a readable file"):
        list(read_export(str(tmp_path / "gone.xml"), "gone.xml"))
