"""After an import the site builds with --strict, and every old permalink, served, lands on the right tip.

The publisher's path from the README: import, paste the printed blocks into
mkdocs.yml, ``tipsheet check --strict``, ``mkdocs build --strict``.  The built
site is then served on 127.0.0.1 and each old address is requested over HTTP;
the page there must send the reader (meta refresh, and the canonical link) to
the tip, which must answer with that tip's title.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit
from urllib.request import urlopen

import lxml.html
import pytest
import yaml

from importkit import WORDPRESS, make_project, paste, read, run_cli, run_import, serving
from sitekit import Site, run_build


@pytest.fixture
def built(tmp_path: Path) -> Site:
    root = make_project(tmp_path / "site")
    shutil.copy(WORDPRESS / "frontline.xml", root / "export.xml")
    run = run_import(root, "wordpress", "export.xml")
    assert run.status == 0, run.err
    paste(root, run.out)
    check = run_cli(root, "check", "--strict")
    assert check.status == 0, check.out + check.err
    site = run_build(Site(root, root / "mkdocs.yml"), strict=True)
    assert site.ok, site.error
    assert site.warnings == []
    return site


@pytest.fixture
def served(built: Site) -> Iterator[tuple[Site, str]]:
    with serving(built.out) as base:
        yield built, base


def fetch(url: str) -> lxml.html.HtmlElement:
    with urlopen(url, timeout=10) as response:
        assert response.status == 200
        return lxml.html.fromstring(response.read())


def test_the_first_strict_build_after_an_import_passes_and_makes_a_page_per_old_address(built):
    assert "tipsheet: redirects: 9 pages at old addresses, 17 lines in _redirects and nginx-redirects.map" \
        in built.notices
    assert built.exists("2017/05/02/café-etiquette/")
    assert built.exists("tips/plain-words/")
    assert not built.exists("tips/first-phone-call/")  # scheduled for 2030


def test_every_old_permalink_served_lands_on_its_tip(served):
    site, base = served
    mapping = yaml.safe_load(read(site.root, "redirects.yml"))
    titles = {}
    for tip in (site.root / "content" / "tips").rglob("*.md"):
        meta = yaml.safe_load(tip.read_text(encoding="utf-8").split("---")[1])
        titles[tip.relative_to(site.root / "content").as_posix()] = (str(meta["slug"]), meta["title"])
    requested = 0
    for old, target in mapping.items():
        if "?" in old:
            continue
        page = fetch(base + old)  # as the old site wrote it: percent-encoded
        refresh = page.xpath('//meta[@http-equiv="refresh"]/@content')[0]
        landing = urljoin(base + old, refresh.split("url=", 1)[1])
        slug, title = titles[target]
        assert urlsplit(landing).path == f"/tips/{slug}/", old
        assert page.xpath('//link[@rel="canonical"]/@href') == [f"https://tips.example.org/tips/{slug}/"]
        tip_page = fetch(landing)
        assert tip_page.xpath("string(//h1)").strip() == title, old
        requested += 1
    assert requested == 9


def test_a_decoded_request_for_a_unicode_permalink_is_served_too(served):
    _, base = served
    page = fetch(base + "/2017/06/06/" + quote("ευγένεια") + "/")
    assert page.xpath('//meta[@http-equiv="refresh"]/@content') == ["0; url=../../../../tips/post-112/"]


def test_server_rules_are_written_for_netlify_and_nginx(built):
    netlify = built.read("_redirects").splitlines()
    assert netlify[0].startswith("#")
    assert "/2016/03/01/answer-within-an-hour/ /tips/answer-within-the-hour/ 301" in netlify
    assert "/ p=101 /tips/answer-within-the-hour/ 301" in netlify
    assert "/2017/05/02/caf%c3%a9-etiquette/ /tips/cafe-etiquette/ 301" in netlify
    assert len([line for line in netlify if not line.startswith("#")]) == 17
    nginx = built.read("nginx-redirects.map").splitlines()
    assert '"/?p=115" "/tips/answer-within-the-hour-2/";' in nginx
    assert '"/2018/02/06/own-it/" "/tips/own-it/";' in nginx


def test_the_readme_walkthrough_from_export_file_to_first_strict_build(tmp_path):
    """The README's 'Moving from WordPress' steps, with its mkdocs.yml, as a publisher would follow them."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Moving from WordPress", 1)[1].split("\n## ", 1)[0]
    config = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    root = tmp_path / "desk"
    (root / "content").mkdir(parents=True)
    (root / "content" / "index.md").write_text("# Frontline Service Desk\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copy(WORDPRESS / "frontline.xml", root / "export.xml")
    assert "tipsheet import wordpress export.xml --dry-run" in section
    assert run_import(root, "wordpress", "export.xml", "--dry-run").status == 0
    run = run_import(root, "wordpress", "export.xml", "--tag-map", "tags.yml")
    assert run.status == 0, run.err
    paste(root, run.out)
    assert "tipsheet check --strict && mkdocs build --strict" in section
    check = run_cli(root, "check", "--strict")
    assert check.status == 0, check.out
    site = run_build(Site(root, root / "mkdocs.yml"), strict=True)
    assert site.ok and site.warnings == [], site.error + "\n".join(site.warnings)
    assert "url=../../../../tips/answer-within-the-hour/" in site.read("2016/03/01/answer-within-an-hour/")
