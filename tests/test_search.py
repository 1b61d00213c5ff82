"""tipsheet/search on real builds: what Pagefind indexes, what a page loads before search is opened, failures.

The index is read back from Pagefind's own output: each page's fragment is gzipped JSON (url, content,
meta, filters) behind a ``pagefind_dcd`` signature. Searching it for real is the browser tests' job.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from mkdocs.config import load_config

import sitekit
from sitekit import Site, run_build, tip, write_project

TIPS = {
    "tips/2026/answer-fast.md": tip("Answer within the hour", date="2026-11-03", tags=["responsiveness", "sports"],
                                    summary="Say when you will answer.", series="first-steps",
                                    body="Reply before the **stragglers** call again.\n\n## Then\n\nKeep going."),
    "tips/2025/own-it.md": tip("Own it", date="2025-06-10", tags=["persistence"], body="Say I, not they."),
    "tips/2026/hidden.md": tip("Not for search", date="2026-10-06", tags=["sports"], body="Quiet words.",
                               search={"exclude": True}),
    "about.md": "# About us\n\nWe write **plainspoken** tips.\n",
}
SEARCH: dict[str, Any] = {"search": {}}


def fragments(out: Path) -> dict[str, dict[str, Any]]:
    """Every page Pagefind indexed, by its result URL."""
    pages = {}
    for path in sorted((out / "pagefind" / "fragment").iterdir()):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd"), path
        page = json.loads(data[len(b"pagefind_dcd"):])
        pages[page["url"]] = page
    return pages


@pytest.fixture
def searched(build_site) -> Site:
    site = build_site(TIPS, **SEARCH)
    assert site.ok, site.error
    return site


def test_the_index_holds_tips_and_the_sites_own_pages_never_the_lists(searched: Site) -> None:
    pages = fragments(searched.out)
    assert set(pages) == {"/", "/about/", "/tips/answer-fast/", "/tips/own-it/"}
    for generated in ("archive/", "tags/", "tags/sports/", "series/first-steps/", "digests/", "search/"):
        assert searched.exists(generated), generated  # these pages exist, and are not in the index


def test_a_tip_is_indexed_with_its_metadata_and_filters(searched: Site) -> None:
    page = fragments(searched.out)["/tips/answer-fast/"]
    assert page["meta"] == {"title": "Answer within the hour", "date": "November 3, 2026",
                            "tags": "Responsiveness, Sports", "series": "First steps",
                            "summary": "Say when you will answer."}
    assert page["filters"] == {"tag": ["Responsiveness", "Sports"], "year": ["2026"], "series": ["First steps"]}
    assert "Reply before the stragglers call again." in page["content"]
    assert "¶" not in page["content"]  # heading permalinks are not text


def test_a_tip_marked_search_exclude_is_left_out(searched: Site) -> None:
    assert searched.exists("tips/hidden/")
    assert "/tips/hidden/" not in fragments(searched.out)


def test_the_home_pages_list_of_latest_tips_is_not_indexed_as_its_text(searched: Site) -> None:
    home = fragments(searched.out)["/"]
    assert "Welcome." in home["content"]
    assert "Answer within the hour" not in home["content"]  # the latest-tips block is data-search-exclude
    assert "plainspoken" in fragments(searched.out)["/about/"]["content"]


def test_no_page_fetches_anything_of_search_before_the_reader_opens_it(searched: Site) -> None:
    for path in sorted(searched.out.rglob("*.html")):
        if path.parts[-2] == "pagefind" or not path.read_text(encoding="utf-8").strip():
            continue
        doc = lxml.html.fromstring(path.read_bytes())
        loaded = doc.xpath("//script/@src | //link[@rel='stylesheet']/@href | //link[@rel='preload']/@href")
        assert not [u for u in loaded if "pagefind" in u], path
    tip_page = searched.html("tips/own-it/")
    box = tip_page.cssselect("header .md-header__inner .ts-search")
    assert len(box) == 1
    assert box[0].cssselect("a.ts-search__trigger")[0].get("href") == "../../search/"
    assert box[0].get("data-root") == "../../"
    assert box[0].cssselect("template pagefind-modal")  # inert until opened
    assert not searched.html("").cssselect(".md-search")  # Material's own search is gone


def test_the_search_page_has_the_filters_and_stays_out_of_the_nav(searched: Site) -> None:
    page = searched.html("search/")
    assert [h.text_content() for h in page.cssselect(".md-content h1")] == ["Search"]
    assert page.cssselect("pagefind-filter-pane[instance=ts-page]")
    assert page.cssselect("pagefind-results[instance=ts-page] script[type='text/pagefind-template']")
    nav = [a.get("href") for a in searched.html("").cssselect(".md-tabs a, .md-nav a")]
    assert not [href for href in nav if href and "search" in href]


def test_without_directory_urls_result_urls_keep_index_html(build_site) -> None:
    site = build_site(TIPS, use_directory_urls=False, **SEARCH)
    assert site.ok, site.error
    assert "/tips/own-it/index.html" in fragments(site.out)
    assert site.html("tips/own-it/index.html").cssselect(".ts-search__trigger")[0].get("href") == \
        "../../search/index.html"


def test_a_header_that_is_not_materials_keeps_the_box_out_with_one_info_line(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides" / "partials"
    overrides.mkdir(parents=True)
    (overrides / "header.html").write_text("<header>Our own header</header>\n", encoding="utf-8")
    config = write_project(tmp_path, TIPS, theme={"name": "material", "font": False, "custom_dir": "overrides"},
                           **SEARCH)
    site = run_build(Site(tmp_path, config))
    assert site.ok, site.error
    assert "Our own header" in site.read("tips/own-it/")
    assert not site.html("tips/own-it/").cssselect(".ts-search")
    assert len([n for n in site.notices if "search box is left out" in n]) == 1
    assert "/tips/own-it/" in fragments(site.out)  # search itself still works, at /search/


def test_materials_search_plugin_beside_it_is_a_warning(build_site) -> None:
    site = build_site(TIPS, plugins=["search", {"tipsheet/tips": sitekit.TIPS}, "tipsheet/search"])
    assert site.ok, site.error
    assert any("Material's 'search' plugin is enabled too" in w for w in site.warnings), site.warnings


def test_when_pagefind_fails_the_build_fails_and_keeps_the_previous_site(build_site, monkeypatch) -> None:
    site = build_site(TIPS, **SEARCH)
    assert site.ok
    before = site.read("tips/own-it/")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(site.root / "no-such-pagefind"))
    run_build(site)
    assert not site.ok
    assert any(line.startswith("tipsheet/search: expected Pagefind to index the site, got FileNotFoundError")
               and line.endswith("(is the 'pagefind[bin]' package installed?)") for line in site.errors), site.errors
    assert "Traceback" not in site.error
    assert site.read("tips/own-it/") == before
    assert not list(site.root.glob("site.tipsheet-*"))


def test_the_same_content_gives_the_same_index(build_site) -> None:
    """Byte for byte, except Pagefind 1.5.2's filter files, whose values it writes in hash-map order.

    That order (and so the filter files' names, the metadata file naming them and pagefind-entry.json)
    may change from build to build: fixed upstream after 1.5.2 (Pagefind #1124). What they hold must not.
    """
    first, second = build_site(TIPS, **SEARCH), build_site(TIPS, **SEARCH)
    one, two = first.output(), second.output()

    def volatile(path: str) -> bool:
        return path.startswith("pagefind/filter/") or path.endswith((".pf_meta", "/pagefind-entry.json"))

    assert {p: b for p, b in one.items() if not volatile(p)} == {p: b for p, b in two.items() if not volatile(p)}
    assert fragments(first.out) == fragments(second.out)

    def filters(out: Path) -> list[bytes]:
        return sorted(gzip.decompress(p.read_bytes()) for p in (out / "pagefind" / "filter").iterdir())

    assert len(filters(first.out)) == len(filters(second.out)) == 3  # tag, year, series
    assert sorted(map(len, filters(first.out))) == sorted(map(len, filters(second.out)))


def serve_builds(root: Path, files: dict[str, str], **config: Any) -> tuple[Site, Any]:
    """Builds as `mkdocs serve` makes them: one startup, the same plugin objects, a build per change.

    ``rebuild()`` returns once the pages are written, as serve does; with ``wait=True`` (the default)
    it then waits for the index, which serve lets follow in the background.
    """
    config_file = write_project(root, files, **config)
    site = Site(root, config_file)
    load_config(str(config_file)).plugins.on_startup(command="serve", dirty=False)

    def rebuild(wait: bool = True) -> Site:
        loaded = load_config(str(config_file))
        run_build(site, command="serve", config=loaded)
        if wait and site.ok:
            assert loaded.plugins["tipsheet/search"].wait_for_index(120)
        return site

    return site, rebuild


def test_mkdocs_serve_indexes_every_rebuild(tmp_path: Path) -> None:
    site, rebuild = serve_builds(tmp_path, {"tips/a.md": tip("Alpha", body="Nothing yet.")}, **SEARCH)
    assert rebuild().ok, site.error
    assert "pomegranate" not in fragments(site.out)["/tips/a/"]["content"]
    (site.root / "content" / "tips" / "a.md").write_text(tip("Alpha", body="A pomegranate."), encoding="utf-8")
    (site.root / "content" / "tips" / "b.md").write_text(tip("Beta", tags=["persistence"]), encoding="utf-8")
    assert rebuild().ok, site.error
    pages = fragments(site.out)
    assert "pomegranate" in pages["/tips/a/"]["content"]
    assert pages["/tips/b/"]["filters"]["tag"] == ["Persistence"]


def test_mkdocs_serve_shows_the_pages_first_and_a_newer_rebuild_replaces_an_unfinished_index(tmp_path: Path) -> None:
    """Serve does not wait for Pagefind; a rebuild that starts first cancels it, so only the newest index lands."""
    site, rebuild = serve_builds(tmp_path, {"tips/a.md": tip("Alpha", body="Nothing yet.")}, **SEARCH)
    assert rebuild().ok, site.error
    source = site.root / "content" / "tips" / "a.md"
    for fruit in ("pomegranate", "quince", "medlar"):
        source.write_text(tip("Alpha", body=f"A {fruit}."), encoding="utf-8")
        assert rebuild(wait=False).ok, site.error
        assert f"A {fruit}." in site.read("tips/a/")  # the page is served before its index is done
    assert rebuild().ok  # the same content once more, and this time its index is waited for
    pages = fragments(site.out)
    assert "medlar" in pages["/tips/a/"]["content"] and "quince" not in pages["/tips/a/"]["content"]
    assert len(list((site.out / "pagefind" / "fragment").iterdir())) == len(pages)  # one index, nothing stale


def test_in_mkdocs_serve_a_failed_index_is_a_warning_and_leaves_no_index(tmp_path: Path, monkeypatch) -> None:
    import logging

    site, rebuild = serve_builds(tmp_path, {"tips/a.md": tip("Alpha")}, **SEARCH)
    assert rebuild().ok, site.error
    assert (site.out / "pagefind" / "pagefind.js").exists()
    heard: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: heard.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("mkdocs.plugins.tipsheet.mkdocs.search")
    logger.addHandler(handler)
    try:
        monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
        assert rebuild().ok, site.error  # the pages are still served
    finally:
        logger.removeHandler(handler)
    assert any(line.startswith("tipsheet: search: expected Pagefind to index the site, got FileNotFoundError")
               and line.endswith("the preview has no search index until the next rebuild") for line in heard), heard
    assert not (site.out / "pagefind").exists()


def test_on_serve_false_leaves_search_out_of_mkdocs_serve(tmp_path: Path) -> None:
    site, rebuild = serve_builds(tmp_path, {"tips/a.md": tip("Alpha")}, search={"on_serve": False})
    assert rebuild().ok, site.error
    assert not (site.out / "pagefind").exists()
    assert not site.html("tips/a/").cssselect(".ts-search") and not site.exists("search/")
    assert any("search is off in mkdocs serve" in n for n in site.notices)
