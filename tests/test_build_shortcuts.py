"""The build's shortcuts (one Markdown instance per build, theme fragments shared per folder) change no byte."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from sitekit import Site, build_in_fresh_process, differences, tip, write_project

BODY = """First paragraph with a [link to another tip](t1.md#part) and a footnote.[^1]

!!! tip "Try this"
    An admonition.

## Part

Text with *emphasis* and `code`.{: .special }

[^1]: The footnote.
"""


def files(n=14):
    tags = ["sports", "government", "responsiveness", "persistence"]
    out = {"about.md": "# About\n\nAbout us.[^a]\n\n[^a]: Note.\n"}
    for i in range(n):
        day = (date(2026, 11, 17) - timedelta(days=3 * i)).isoformat()
        out[f"tips/t{i}.md"] = tip(f"Tip {i}", date=day, tags=[tags[i % 4], tags[(i + 1) % 4]],
                                   body=BODY, series="first-steps" if i % 5 == 0 else None)
    return out


EXTENSIONS = [{"toc": {"permalink": True}}, "admonition", "attr_list", "tables", "footnotes"]


def test_shortcuts_give_byte_identical_output(build_site):
    fast = build_site(files(), markdown_extensions=EXTENSIONS)
    slow = build_site(files(), markdown_extensions=EXTENSIONS,
                      tips={"cache_theme_fragments": False, "reuse_markdown": False})
    assert fast.ok and slow.ok, fast.error + slow.error

    a, b = fast.output(), slow.output()
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []
    assert len([name for name in a if name.startswith("tips/")]) == 14
    page = fast.read("tips/t3/")
    assert 'class="footnote"' in page and "admonition tip" in page and 'href="../t1/#part"' in page


def test_work_done_in_forked_workers_gives_the_same_site(tmp_path):
    """Markdown of the last tips and the generated pages built in forked processes: same bytes, same warnings."""
    broken = dict(files(30))
    broken["tips/t29.md"] = tip("Tip 29", date="2026-11-01", body="See [this](nothere.md).")  # last: a child's share
    forked = Site(tmp_path / "forked", write_project(tmp_path / "forked", broken))
    single = Site(tmp_path / "single", write_project(tmp_path / "single", broken, tips={"parallel": False}))
    parallel = build_in_fresh_process(forked)
    alone = build_in_fresh_process(single)
    assert parallel.ok and alone.ok
    # one reading tips, two rendering Markdown and one building the generated pages: each forked and handed back
    assert parallel.forks == [{"forked": True, "returned": True, "timed_out": False, "reaped": True}] * 4
    assert alone.forks == []
    a, b = forked.output(), single.output()
    assert a.keys() == b.keys() and [name for name in a if a[name] != b[name]] == []
    assert len([name for name in a if name.startswith("tags/")]) > 5
    warning = [w for w in parallel.messages("WARNING") if "nothere.md" in w]
    assert warning and warning == [w for w in alone.messages("WARNING") if "nothere.md" in w]  # replayed
    assert sorted(parallel.messages("WARNING")) == sorted(alone.messages("WARNING"))
    assert [m for m in parallel.messages("INFO") if m.startswith("Page skipped")] == []  # the parent's empty pages


@pytest.mark.parametrize("worker", ["tips", "markdown", "pages"])
def test_a_failing_worker_is_replaced_by_the_parent(tmp_path, worker):
    site = Site(tmp_path, write_project(tmp_path, files(20)))
    done = build_in_fresh_process(site, workers=2, **{worker: "crash"})
    assert done.ok
    failed = {"forked": True, "returned": False, "timed_out": False, "reaped": True}
    assert failed in done.forks  # the worker was started, and failed
    assert site.card_titles("archive/page/2/")  # the parent did its share
    assert site.exists("tags/sports/") and site.exists("series/first-steps/")
    single = Site(tmp_path / "single", write_project(tmp_path / "single", files(20), tips={"parallel": False}))
    build_in_fresh_process(single)
    assert site.output() == single.output()


def test_the_mkdocs_command_counts_warnings_from_forked_workers(tmp_path):
    """Under the real command line (which stops the mkdocs logger propagating) --strict still sees them."""
    import os
    import subprocess
    import sys

    many = files(80)
    many.pop("about.md")  # its footnote needs an extension this site does not load: one warning is enough
    many["tips/t79.md"] = tip("Tip 79", date="2026-11-01", body="See [this](nothere.md).")
    write_project(tmp_path, many)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "'tips/nothere.md' is not found among documentation files" in output
    assert "Aborted with 1 warnings in strict mode!" in output
    assert not (tmp_path / "site").exists()


# -- the sample site's own mkdocs.yml: every shortcut on, each off, all off ---------------------------

REPO = Path(__file__).resolve().parent.parent
SWITCHES = ("reuse_markdown", "cache_theme_fragments", "parallel")


def sample_copy(root: Path, **options: bool) -> Site:
    """The repository's sample site (its own mkdocs.yml, content and overrides), with tips options set."""
    root.mkdir(parents=True)
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "overrides", root / "overrides")
    config = (REPO / "mkdocs.yml").read_text()
    settings = "".join(f"      {name}: {str(value).lower()}\n" for name, value in options.items())
    config = config.replace("  - tipsheet/tips:\n", "  - tipsheet/tips:\n" + settings, 1)
    (root / "mkdocs.yml").write_text(config)
    return Site(root, root / "mkdocs.yml")


def test_the_sample_site_is_the_same_with_every_shortcut_on_each_off_and_all_off(tmp_path):
    variants = {"all on": {}, **{f"{name} off": {name: False} for name in SWITCHES},
                "all off": dict.fromkeys(SWITCHES, False)}
    outputs, runs = {}, {}
    for label, options in variants.items():
        site = sample_copy(tmp_path / label.replace(" ", "-"), **options)
        runs[label] = build_in_fresh_process(site, workers=3, min_pages=5)
        assert runs[label].ok, runs[label].messages("ERROR")
        outputs[label] = site.output()
    forked = {"forked": True, "returned": True, "timed_out": False, "reaped": True}
    assert runs["all on"].forks == [forked] * 4  # reading tips, two rendering Markdown, one for generated pages
    assert runs["parallel off"].forks == runs["all off"].forks == []
    assert runs["reuse_markdown off"].forks == [forked] * 2  # no shared instance, so no Markdown workers
    reference = outputs["all off"]
    assert len([name for name in reference if name.startswith("tips/")]) >= 20
    for label, output in outputs.items():
        assert differences(output, reference) == [], label
    for label, run in runs.items():  # no shortcut stepped aside on this engine and theme
        assert [m for m in run.messages("INFO") if " is off " in m or "rendered for each page" in m] == [], label


# -- each guard: the shortcut steps aside, says why once, and the site is what MkDocs would make ----------

def notices_with(site: Site, text: str) -> list[str]:
    return [n for n in site.notices if text in n]


def test_reuse_markdown_steps_aside_when_mkdocs_page_render_is_not_the_known_one(build_site, monkeypatch):
    from mkdocs.structure import pages

    from tipsheet.mkdocs.markdown_reuse import SharedMarkdown

    render = pages.Page.render

    def changed_render(self, config, files):  # a new MkDocs release
        render(self, config, files)

    converted = []
    convert = SharedMarkdown.convert
    monkeypatch.setattr(SharedMarkdown, "convert", lambda *a: converted.append(1) or convert(*a))
    monkeypatch.setattr(pages.Page, "render", changed_render)
    moved = build_site(files(), markdown_extensions=EXTENSIONS)
    monkeypatch.undo()
    plain = build_site(files(), markdown_extensions=EXTENSIONS, tips={"reuse_markdown": False})
    assert moved.ok and plain.ok
    assert converted == []
    assert notices_with(moved, "reuse_markdown is off for this build: mkdocs 1.6.1's Page.render is not the one "
                               "tipsheet was checked against")
    assert moved.output() == plain.output()


def test_a_failure_inside_reuse_markdown_is_not_reported_as_the_tips_error(build_site, monkeypatch):
    """An internal that moved under the shortcut alone: MkDocs' own rendering takes over for the build."""
    from types import SimpleNamespace

    from mkdocs.structure import pages

    import tipsheet.mkdocs.markdown_reuse as markdown_reuse

    internals = {name: getattr(pages, name) for name in dir(pages) if not name.startswith("__")}
    del internals["_ExtractTitleTreeprocessor"]  # renamed in a new MkDocs
    monkeypatch.setattr(markdown_reuse, "mkdocs_pages", SimpleNamespace(**internals))
    site = build_site(files(), markdown_extensions=EXTENSIONS)
    monkeypatch.undo()
    plain = build_site(files(), markdown_extensions=EXTENSIONS, tips={"reuse_markdown": False})
    assert site.ok, site.error
    said = notices_with(site, "reuse_markdown is off for the rest of this build: the shared Markdown instance failed")
    assert len(said) == 1 and "AttributeError" in said[0]
    assert site.output() == plain.output()


def test_a_tip_that_mkdocs_cannot_render_either_is_still_the_tips_error(build_site):
    broken = files(3)
    broken["tips/t1.md"] = tip("Tip 1", date="2026-11-10", body="See [x](http://[oops/).")
    site = build_site(broken)
    assert not site.ok
    assert "content/tips/t1.md: body: expected Markdown that renders, got ValueError" in site.error


def test_reuse_markdown_steps_aside_for_footnotes_with_unique_ids(build_site):
    extensions = [*EXTENSIONS[:-1], {"footnotes": {"UNIQUE_IDS": True}}]
    fast = build_site(files(), markdown_extensions=extensions)
    plain = build_site(files(), markdown_extensions=extensions, tips={"reuse_markdown": False})
    assert fast.ok and plain.ok
    assert notices_with(fast, "reuse_markdown is off for this build: footnotes with UNIQUE_IDS")
    assert fast.output() == plain.output()
    ids = {re.search(r'id="(fn:[^"]+)"', fast.read(f"tips/t{n}/")).group(1) for n in (1, 3, 7)}  # type: ignore[union-attr]
    assert len(ids) == 1  # each page numbered alone, as MkDocs renders each page with a new instance


def test_reuse_markdown_steps_aside_for_an_extension_it_does_not_know(build_site):
    site = build_site(files(4), markdown_extensions=[*EXTENSIONS, "pymdownx.snippets"])
    assert site.ok, site.error
    assert notices_with(site, "reuse_markdown is off for this build: the Markdown extension 'pymdownx.snippets' "
                              "(pymdownx.snippets) is not known to render the same on a reused instance")


ALL_EXTENSIONS = [
    {"toc": {"permalink": True}}, "tables", "fenced_code", "admonition", "attr_list", "footnotes", "def_list",
    "abbr", "md_in_html", "sane_lists", "pymdownx.superfences", "pymdownx.details", "pymdownx.tabbed",
    "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.tasklist", "pymdownx.mark", "pymdownx.tilde",
    "pymdownx.caret", "pymdownx.keys", "pymdownx.smartsymbols", "pymdownx.critic", "pymdownx.betterem",
    "pymdownx.magiclink", "pymdownx.emoji",
]
EVERYTHING = """First[^1] and ==marked== ~~gone~~ H~2~O x^2^ ++ctrl+c++ (c) --> https://example.org/x

[^1]: A note.

*[HTML]: Hyper Text Markup Language

HTML here. Term
:   Its definition.

=== "One"
    First tab.
=== "Two"
    Second tab.

??? note "Details"
    Hidden.

- [x] done
- [ ] to do

<div markdown>
*inside*
</div>

```python
print("hi")
```

## Same
## Same

{++added++} `#!python print(1)`
"""


def test_reuse_markdown_is_byte_identical_for_every_extension_it_reuses(build_site):
    many = {f"tips/t{i}.md": tip(f"Tip {i}", date=f"2026-11-{10 + i}", body=EVERYTHING) for i in range(6)}
    fast = build_site(many, markdown_extensions=ALL_EXTENSIONS)
    plain = build_site(many, markdown_extensions=ALL_EXTENSIONS, tips={"reuse_markdown": False})
    assert fast.ok and plain.ok, fast.error + plain.error
    assert notices_with(fast, "reuse_markdown is off") == []
    assert fast.output() == plain.output()
    page = fast.read("tips/t3/")
    assert 'class="footnote"' in page and "tabbed-set" in page and "<mark>" in page and "<abbr" in page


SEEN_HOOK = """
import json, os

seen = {}

def on_post_page(output, page, config):
    seen[page.file.src_uri] = len(output)
    return output

def on_post_build(config):
    with open(os.path.join(config.site_dir, "seen.json"), "w") as out:
        json.dump(seen, out, sort_keys=True)
"""


def test_forking_steps_aside_for_a_plugin_whose_page_hooks_it_does_not_know(tmp_path):
    """A hook that records every page's HTML would see the generated pages' HTML only in a forked worker."""
    hook = tmp_path / "seen.py"
    hook.write_text(SEEN_HOOK)
    site = Site(tmp_path / "p", write_project(tmp_path / "p", files(20), hooks=[str(hook)]))
    done = build_in_fresh_process(site)
    assert done.ok
    assert done.forks == []
    assert [m for m in done.messages("INFO") if m.startswith("tipsheet: parallel is off for this build: the page "
                                                              "hooks of ") and "seen.py" in m]
    seen = json.loads(site.file("seen.json").read_text())
    assert len(seen) > 40 and min(seen.values()) > 1000  # every page, generated ones too, with its real HTML


@pytest.mark.parametrize("worker", ["tips", "markdown", "pages"])
def test_a_worker_that_hangs_is_stopped_and_its_share_done_by_the_parent(tmp_path, worker):
    site = Site(tmp_path / "p", write_project(tmp_path / "p", files(20)))
    done = build_in_fresh_process(site, workers=2, wait_floor=1.0, **{worker: "hang"})
    assert done.ok
    hung = {"forked": True, "returned": False, "timed_out": True, "reaped": True}
    assert hung in done.forks  # started, stopped after the timeout, and gone
    assert [m for m in done.messages("INFO") if "a build worker had not finished after" in m]
    single = Site(tmp_path / "single", write_project(tmp_path / "single", files(20), tips={"parallel": False}))
    assert build_in_fresh_process(single).ok
    assert site.output() == single.output()


@pytest.mark.parametrize(("internal", "said"), [
    ("_build_page", "tipsheet: parallel (for the generated pages) is off for this build: mkdocs 1.6.1"),
    ("build", "tipsheet: the site is built in place, as MkDocs does: mkdocs 1.6.1")])
def test_forked_pages_and_staging_step_aside_when_their_mkdocs_internal_is_not_the_known_one(tmp_path, internal,
                                                                                               said):
    site = Site(tmp_path / "p", write_project(tmp_path / "p", files(20)))
    done = build_in_fresh_process(site, workers=2, patch=internal)
    assert done.ok
    assert [m for m in done.messages("INFO") if m.startswith(said) and internal in m]
    if internal == "_build_page":
        assert len(done.forks) == 2  # the workers reading tips and rendering Markdown still run
    else:
        assert site.exists("tips/t1/") and not list(site.root.glob("site.tipsheet-*"))


# -- the theme-fragment cache ----------------------------------------------------------------------

FOOTER_READS_THE_PAGE = '<footer class="md-footer"><p class="whose">{{ page.title }}</p></footer>\n'
FOOTER_HIDES_THE_PAGE = ('{% set current = page %}<footer class="md-footer"><p class="whose">{{ current.title }}'
                         '</p></footer>\n')
FOOTER_READS_A_STAMP = '<footer class="md-footer"><p class="whose">{{ config.extra.stamp }}</p></footer>\n'
STAMP_HOOK = """
def on_page_context(context, page, config, nav):
    config.extra["stamp"] = page.file.src_uri
    return context
"""
def themed_build(build_site, tmp_path, footer, **config):
    """A site whose theme overrides partials/footer.html with ``footer``."""
    (tmp_path / "overrides" / "partials").mkdir(parents=True, exist_ok=True)
    (tmp_path / "overrides" / "partials" / "footer.html").write_text(footer)
    theme = {"name": "material", "font": False, "language": "en", "custom_dir": str(tmp_path / "overrides")}
    return build_site(files(8), theme=theme, **config)


def test_a_partial_that_reads_the_page_is_keyed_on_what_it_reads(build_site, tmp_path):
    site = themed_build(build_site, tmp_path, FOOTER_READS_THE_PAGE)
    assert site.ok, site.error
    assert notices_with(site, "cache_theme_fragments") == []  # page.title joins the key: nothing to step aside for
    for n in range(8):
        assert site.html(f"tips/t{n}/").cssselect(".whose")[0].text_content() == f"Tip {n}"


def test_a_partial_that_uses_the_page_in_a_way_no_key_captures_is_rendered_for_each_page(build_site, tmp_path):
    site = themed_build(build_site, tmp_path, FOOTER_HIDES_THE_PAGE)
    assert site.ok, site.error
    assert notices_with(site, "cache_theme_fragments: partials/footer.html is rendered for each page: it uses the "
                              "page in a way not known to give sibling pages the same HTML (partials/footer.html: "
                              "page in Assign)")
    for n in range(8):
        assert site.html(f"tips/t{n}/").cssselect(".whose")[0].text_content() == f"Tip {n}"


def test_the_fragment_cache_checks_itself_and_steps_aside_on_a_difference(build_site, tmp_path):
    """A hook changes what a partial reads for every page: the first page that would reuse it tells."""
    hook = tmp_path / "stamp.py"
    hook.write_text(STAMP_HOOK)
    site = themed_build(build_site, tmp_path, FOOTER_READS_A_STAMP, hooks=[str(hook)])
    assert site.ok, site.error
    assert notices_with(site, "cache_theme_fragments is off for the rest of this build: partials/footer.html "
                              "rendered differently")
    for n in range(8):
        assert site.html(f"tips/t{n}/").cssselect(".whose")[0].text_content() == f"tips/t{n}.md"
