"""`mkdocs serve` rebuilds with the same plugin objects; a failed `mkdocs build` keeps the last good site."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from mkdocs.config import load_config

from sitekit import Site, differences, run_build, tip, write_project


def serve_builds(tmp_path, files, **config):
    """A project built as `mkdocs serve` builds it: one startup, then a build per change."""
    config_file = write_project(tmp_path / "p", files, **config)
    site = Site(tmp_path / "p", config_file)
    config = load_config(str(config_file))
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = config.plugins["tipsheet/tips"]

    def rebuild():
        fresh = load_config(str(config_file))  # serve reloads mkdocs.yml before every rebuild...
        assert fresh.plugins["tipsheet/tips"] is plugin  # ...and keeps the plugin objects
        run_build(site, command="serve", config=fresh)
        if site.ok and "tipsheet/search" in fresh.plugins:  # serve lets the index follow the pages
            assert fresh.plugins["tipsheet/search"].wait_for_index(120)
        return site

    return site, rebuild


def test_edit_add_retag_delete_show_on_the_next_rebuild(tmp_path):
    content = tmp_path / "p" / "content" / "tips"
    site, rebuild = serve_builds(tmp_path, {
        "tips/a.md": tip("Alpha", date="2026-11-03", tags=["sports"]),
        "tips/b.md": tip("Beta", date="2026-11-10", tags=["sports"]),
    })
    rebuild()
    assert site.card_titles("tags/sports/") == ["Beta", "Alpha"]

    (content / "a.md").write_text(tip("Alpha edited", date="2026-11-03", tags=["government"]))
    (content / "c.md").write_text(tip("Gamma", date="2026-11-17", tags=["sports"]))
    (content / "b.md").unlink()
    rebuild()
    assert site.card_titles("tags/sports/") == ["Gamma"]
    assert site.card_titles("tags/government/") == ["Alpha edited"]
    assert site.card_titles("archive/") == ["Gamma", "Alpha edited"]
    assert not site.exists("tips/b/")
    assert site.html("tips/a/").cssselect(".ts-tip-header h1")[0].text_content() == "Alpha edited"
    counts = {li.cssselect(".ts-taglist__name")[0].text_content(): li.cssselect(".ts-count")[0].text_content()
              for li in site.html("tags/").cssselect(".ts-taglist li")}
    assert counts["Sports"] == "1 tip" and counts["Government"] == "1 tip"


def test_a_broken_edit_fails_the_rebuild_and_the_fix_recovers(tmp_path):
    content = tmp_path / "p" / "content" / "tips"
    site, rebuild = serve_builds(tmp_path, {"tips/a.md": tip("Alpha")})
    rebuild()
    (content / "a.md").write_text(tip("Alpha", tags=["sprots"]))
    assert not rebuild().ok
    (content / "a.md").write_text(tip("Alpha fixed"))
    assert rebuild().ok
    assert site.card_titles("archive/") == ["Alpha fixed"]


def test_serve_previews_drafts_and_scheduled_tips_with_a_mark(tmp_path):
    site, rebuild = serve_builds(tmp_path, {
        "tips/live.md": tip("Live", date="2026-11-17"),
        "tips/draft.md": tip("Draft", date="2026-11-10", draft=True),
        "tips/later.md": tip("Later", date="2026-12-01"),
    })
    rebuild()
    assert site.ok, site.error
    marks = {c.cssselect(".ts-card__title a")[0].text_content(): [m.text_content() for m in c.cssselect(".ts-mark")]
             for c in site.html("archive/").cssselect(".ts-card")}
    assert marks == {"Later": ["Scheduled"], "Live": [], "Draft": ["Draft"]}
    assert "Draft: this tip is left out" in site.html("tips/draft/").cssselect(".ts-banner")[0].text_content()
    assert "DRAFT" in site.read("tips/draft/")


def project_with(tmp_path, files):
    config_file = write_project(tmp_path / "p", files)
    return Site(tmp_path / "p", config_file)


def mkdocs_build(site, *args):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *args], cwd=site.root, env=env,
                          capture_output=True, text=True)


def test_a_failed_build_keeps_the_last_good_site(tmp_path):
    site = project_with(tmp_path, {"tips/a.md": tip("Alpha")})
    done = mkdocs_build(site)
    assert done.returncode == 0, done.stderr
    before = {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()}

    (site.root / "content" / "tips" / "a.md").write_text(tip("Alpha", tags=["sprots"]))
    failed = mkdocs_build(site)
    assert failed.returncode == 1
    assert "content/tips/a.md: tags: expected a tag of the site's vocabulary, got 'sprots'" in failed.stderr
    assert "Traceback" not in failed.stderr
    after = {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    assert after == before
    assert not list(tmp_path.glob("p/site.tipsheet-*"))


def test_strict_warnings_keep_the_last_good_site(tmp_path):
    site = project_with(tmp_path, {"tips/a.md": tip("Alpha")})
    assert mkdocs_build(site, "--strict").returncode == 0
    (site.root / "content" / "tips" / "b.md").write_text(tip("Beta", tag=["sports"]))
    failed = mkdocs_build(site, "--strict")
    assert failed.returncode == 1
    assert "Aborted with 1 warnings in strict mode!" in failed.stdout + failed.stderr
    assert not site.exists("tips/b/") and site.exists("tips/a/")


def test_a_good_build_replaces_the_site(tmp_path):
    site = project_with(tmp_path, {"tips/a.md": tip("Alpha")})
    assert mkdocs_build(site).returncode == 0
    (site.root / "content" / "tips" / "a.md").unlink()
    (site.root / "content" / "tips" / "b.md").write_text(tip("Beta"))
    assert mkdocs_build(site).returncode == 0
    assert site.exists("tips/b/") and not site.exists("tips/a/")
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["content", "mkdocs.yml", "site"]


def test_serve_reuses_unchanged_tips_and_still_reports_their_warnings(tmp_path, monkeypatch):
    from tipsheet.mkdocs.markdown_reuse import SharedMarkdown

    converted = []
    original = SharedMarkdown.convert

    def counting(self, page, config, files):
        converted.append(page.file.src_uri)
        return original(self, page, config, files)

    monkeypatch.setattr(SharedMarkdown, "convert", counting)
    content = tmp_path / "p" / "content" / "tips"
    site, rebuild = serve_builds(tmp_path, {
        "tips/a.md": tip("Alpha", date="2026-11-03", body="See [x](missing.md)."),
        "tips/b.md": tip("Beta", date="2026-11-10", body="Old text."),
    })
    rebuild()
    assert sorted(converted) == ["tips/a.md", "tips/b.md"]
    first_warnings = [w for w in site.warnings if "missing.md" in w]
    assert first_warnings
    converted.clear()
    (content / "b.md").write_text(tip("Beta", date="2026-11-10", body="New text."))
    rebuild()
    assert converted == ["tips/b.md"]  # only the edited tip is rendered again
    assert "New text." in site.read("tips/b/") and "Old text." not in site.read("tips/b/")
    assert [w for w in site.warnings if "missing.md" in w] == first_warnings  # the reused tip's warning again
    converted.clear()
    (content / "c.md").write_text(tip("Gamma", date="2026-11-17"))
    rebuild()
    assert converted == ["tips/c.md"]  # a new tip that no link looks for: only itself
    converted.clear()
    (content / "missing.md").write_text(tip("Missing no more", date="2026-11-18"))
    rebuild()
    assert sorted(converted) == ["tips/a.md", "tips/missing.md"]  # a's link looked for it: a is rendered again
    assert not [w for w in site.warnings if "missing.md" in w]


def test_serve_updates_links_when_a_linked_tip_changes_its_slug(tmp_path):
    content = tmp_path / "p" / "content" / "tips"
    site, rebuild = serve_builds(tmp_path, {
        "tips/a.md": tip("Alpha", date="2026-11-03"),
        "tips/b.md": tip("Beta", date="2026-11-10", body="See [alpha](a.md)."),
    })
    rebuild()

    def alpha_link():
        links = site.html("tips/b/").cssselect(".md-content a")
        return next(a.get("href") for a in links if a.text_content() == "alpha")

    assert site.resolve("tips/b/", alpha_link()) == "tips/a/"
    (content / "a.md").write_text(tip("Alpha", date="2026-11-03", slug="alpha-renamed"))
    rebuild()
    assert site.resolve("tips/b/", alpha_link()) == "tips/alpha-renamed/"


def test_a_build_keeps_what_mkdocs_keeps_in_the_site_folder(tmp_path):
    site = project_with(tmp_path, {"tips/a.md": tip("Alpha")})
    assert mkdocs_build(site).returncode == 0
    (site.out / ".git").mkdir()
    (site.out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (site.out / ".htaccess").write_text("Options -Indexes\n")
    assert mkdocs_build(site).returncode == 0
    assert (site.out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (site.out / ".htaccess").is_file() and site.exists("tips/a/")


def test_a_site_folder_that_is_a_link_stays_a_link(tmp_path):
    site = project_with(tmp_path, {"tips/a.md": tip("Alpha")})
    served = tmp_path / "www"
    served.mkdir()
    (served / "keep.txt").write_text("served elsewhere\n")
    os.symlink(served, site.out)
    assert mkdocs_build(site).returncode == 0
    assert site.out.is_symlink() and (served / "tips" / "a" / "index.html").is_file()


def test_a_site_folder_that_is_a_link_keeps_its_previous_site_when_a_build_fails(tmp_path):
    site = project_with(tmp_path, {"tips/a.md": tip("Alpha")})
    served = tmp_path / "www" / "site"
    served.mkdir(parents=True)
    os.symlink(served, site.out)
    assert mkdocs_build(site).returncode == 0
    (served / ".well-known").mkdir()
    (served / ".well-known" / "security.txt").write_text("Contact: mailto:web@example.org\n")
    before = {p: p.read_bytes() for p in served.rglob("*") if p.is_file()}
    (site.root / "content" / "tips" / "b.md").write_text(tip("Beta", tag=["sports"]))  # a warning: strict fails
    assert mkdocs_build(site, "--strict").returncode == 1
    assert site.out.is_symlink() and {p: p.read_bytes() for p in served.rglob("*") if p.is_file()} == before
    (site.root / "content" / "tips" / "b.md").unlink()
    (site.root / "content" / "tips" / "a.md").write_text(tip("Alpha again"))
    assert mkdocs_build(site).returncode == 0
    assert site.out.is_symlink() and "Alpha again" in site.read("tips/a/")
    assert (served / ".well-known" / "security.txt").is_file()
    assert sorted(p.name for p in served.parent.iterdir()) == ["site"]


@pytest.mark.parametrize("failing", ["the previous site aside", "the new site in"])
def test_a_swap_that_fails_loses_nothing_of_the_previous_site(tmp_path, monkeypatch, failing):
    import tipsheet.mkdocs.staging as staging

    site = project_with(tmp_path, {"tips/a.md": tip("Alpha")})
    assert mkdocs_build(site).returncode == 0
    (site.out / ".git").mkdir()
    (site.out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (site.out / ".htaccess").write_text("Options -Indexes\n")
    before = {p.relative_to(site.out): p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    real_replace = os.replace

    def replace(source, target):
        moving_aside = str(target).endswith(".tipsheet-old") and failing == "the previous site aside"
        moving_in = str(source).endswith(".tipsheet-new") and failing == "the new site in"
        if moving_aside or moving_in:
            raise PermissionError(13, "Permission denied")
        real_replace(source, target)

    monkeypatch.setattr(staging.os, "replace", replace)
    (site.root / "content" / "tips" / "b.md").write_text(tip("Beta"))
    failed = run_build(site)
    assert "expected to put the new site in place, got [Errno 13] Permission denied; the previous site was kept " \
           "as it was" in failed.error
    after = {p.relative_to(site.out): p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in site.root.iterdir()) == ["content", "mkdocs.yml", "site"]


def test_exclude_docs_and_draft_docs_apply_to_tips(build_site):
    files = {
        "tips/live.md": tip("Live", date="2026-11-17"),
        "tips/private/secret.md": tip("Secret", date="2026-11-16"),
        "tips/wip.md": tip("Work in progress", date="2026-11-10"),
    }
    site = build_site(files, exclude_docs="tips/private/\n", draft_docs="tips/wip.md\n")
    assert site.ok, site.error
    assert site.card_titles("archive/") == ["Live"]
    assert not site.exists("tips/secret/") and not site.exists("tips/wip/")
    assert b"Secret" not in site.file("feed.xml").read_bytes() and b"Work in" not in site.file("feed.xml").read_bytes()
    assert "tipsheet: 1 tips left out by exclude_docs: content/tips/private/secret.md" in site.notices


def test_exclude_docs_applies_to_what_the_commands_send(tmp_path, monkeypatch, capsys):
    from tipsheet.cli import main

    write_project(tmp_path, {"tips/live.md": tip("Live", date="2026-11-10"),
                             "tips/private/secret.md": tip("Secret", date="2026-11-11")},
                  exclude_docs="tips/private/\n", draft_docs="")
    monkeypatch.chdir(tmp_path)
    assert main(["digest", "--list"]) == 0
    assert capsys.readouterr().out.split() == ["2026-W46", "1", "tip", "Live"]


def test_serve_shows_a_draft_docs_tip_as_a_draft(tmp_path):
    site, rebuild = serve_builds(tmp_path, {"tips/live.md": tip("Live", date="2026-11-17"),
                                            "tips/wip.md": tip("Work in progress", date="2026-11-10")})
    site.config_file.write_text(site.config_file.read_text() + "draft_docs: tips/wip.md\n")
    rebuild()
    assert site.ok, site.error
    assert "Draft: this tip is left out" in site.html("tips/wip/").cssselect(".ts-banner")[0].text_content()


HOOK = """
from mkdocs.plugins import event_priority

@event_priority(100)
def on_files(files, config):
    files.remove(files.get_file_from_path("tips/gone.md"))
    return files
"""


def test_a_tip_whose_file_another_plugin_removed_is_on_no_card_and_in_no_feed(build_site, tmp_path):
    hook = tmp_path / "remove_gone.py"
    hook.write_text(HOOK)
    site = build_site({"tips/live.md": tip("Live", date="2026-11-17"), "tips/gone.md": tip("Gone", date="2026-11-16")},
                      hooks=[str(hook)])
    assert site.ok, site.error
    assert site.card_titles("archive/") == ["Live"] and not site.exists("tips/gone/")
    assert b"Gone" not in site.file("feed.xml").read_bytes()
    assert site.warnings == ["tipsheet: content/tips/gone.md: file: expected MkDocs to build it, got no such file "
                             "among its documentation files (a plugin listed before tipsheet/tips removed it); left "
                             "out of every page and feed"]


# -- mkdocs serve reuses what an edit did not change, and serves what a clean build would ---------------

CLEAN_SERVE_BUILDS = """
import json, os, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

for project, out in json.loads(sys.argv[1]):
    os.chdir(project)
    config = load_config(os.path.join(project, "mkdocs.yml"), site_dir=out)
    config.plugins.on_startup(command="serve", dirty=False)  # a new session: nothing to reuse
    build(config, serve_url=config.site_url)
    if "tipsheet/search" in config.plugins:  # serve lets the index follow the pages
        assert config.plugins["tipsheet/search"].wait_for_index(300)
"""


def clean_serve_outputs(snapshots):
    """Each (project copy, output folder) built as the first build of a new `mkdocs serve`, in a fresh process."""
    import json
    import shutil

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    pairs = json.dumps([[str(project), str(out)] for project, out in snapshots])
    done = subprocess.run([sys.executable, "-c", CLEAN_SERVE_BUILDS, pairs], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    outputs = []
    for project, out in snapshots:
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
        shutil.rmtree(project)
    return outputs


def kb_tips(n=24):
    tags = ["sports", "government", "responsiveness", "persistence"]
    out = {"about.md": "# About\n\nWho writes the tips.\n"}
    for i in range(n):
        year = 2025 if i >= n // 2 else 2026
        day = f"{year}-{(i % 11) + 1:02d}-{(i % 27) + 1:02d}"
        body = f"Tip {i} opens here.\n\n<!-- more -->\n\nSee [the first tip](t0.md) and *more*.\n\n## Part {i}\n\nText."
        out[f"tips/t{i}.md"] = tip(f"Tip {i}", date=day, tags=[tags[i % 4], tags[(i + 1) % 4]], body=body,
                                   series="first-steps" if i % 6 == 0 else None)
    return out


CHANGES = {
    "edit a tip's text": lambda c: (c / "t5.md").write_text(
        (c / "t5.md").read_text().replace("Tip 5 opens here.", "Tip 5 opens here, edited.")),
    "add a tip": lambda c: (c / "new.md").write_text(tip("A new tip", date="2026-11-20", tags=["sports"])),
    "delete a tip": lambda c: (c / "t7.md").unlink(),
    "retag a tip": lambda c: (c / "t3.md").write_text(
        (c / "t3.md").read_text().replace("- persistence", "- government")),
    "re-date a tip": lambda c: (c / "t2.md").write_text(
        (c / "t2.md").read_text().replace("date: '2026-03-03'", "date: '2025-01-09'")),
    "rename a slug": lambda c: (c / "t0.md").write_text(
        (c / "t0.md").read_text().replace("title: Tip 0\n", "title: Tip 0\nslug: the-very-first\n")),
    "draft a tip": lambda c: (c / "t9.md").write_text(
        (c / "t9.md").read_text().replace("---\n\n", "draft: true\n---\n\n")),
    "edit a theme override": lambda c: (c.parent.parent / "overrides" / "main.html").write_text(
        OVERRIDE.replace("Read on", "Keep reading")),
    "edit the site's config": lambda c: (c.parent.parent / "mkdocs.yml").write_text(
        (c.parent.parent / "mkdocs.yml").read_text().replace("Tips for tests.", "Tips for tests, revised.")),
}
OVERRIDE = '{% extends "base.html" %}\n{% block footer %}<p class="read-on">Read on</p>{{ super() }}{% endblock %}\n'
THEMED = {"theme": {"name": "material", "font": False, "language": "en", "custom_dir": "overrides"}}


def test_serve_rebuilds_after_every_kind_of_change_are_byte_identical_to_clean_builds(tmp_path):
    import shutil

    (tmp_path / "p" / "overrides").mkdir(parents=True)
    (tmp_path / "p" / "overrides" / "main.html").write_text(OVERRIDE)
    site, rebuild = serve_builds(tmp_path, kb_tips(), **THEMED)
    content = site.root / "content" / "tips"
    assert rebuild().ok
    plugin = site.config.plugins["tipsheet/tips"]
    served, snapshots, reuse = [], [], {}
    for n, (kind, change) in enumerate(CHANGES.items()):
        before = (content / "t2.md").read_text()
        change(content)
        assert before != (content / "t2.md").read_text() or kind != "re-date a tip"  # the change did change it
        done = rebuild()
        assert done.ok, (kind, done.error)
        served.append((kind, site.output()))
        reuse[kind] = dict(plugin.session.pages.stats)
        copy = tmp_path / f"clean{n}"
        shutil.copytree(site.root, copy, ignore=shutil.ignore_patterns("site"))
        snapshots.append((copy, tmp_path / f"clean{n}-site"))
    for (kind, output), clean in zip(served, clean_serve_outputs(snapshots), strict=True):
        assert differences(output, clean) == [], kind
    pages = len([name for name in served[0][1] if name.endswith(".html")])
    assert "Keep reading" in served[-2][1]["tips/t1/index.html"].decode()
    for kind, stats in reuse.items():  # each rebuild reused most pages and rewrote few files
        if kind not in ("edit the site's config", "edit a theme override"):
            assert stats.get("reused", 0) > pages // 2, (kind, stats, pages)
            assert stats.get("unwritten", 0) > pages // 2, (kind, stats, pages)
    assert reuse["edit the site's config"].get("reused", 0) == 0  # mkdocs.yml changed: every page rendered
    assert reuse["edit a theme override"].get("reused", 0) == 0  # a template changed: every page rendered


PAGE_HOOK = """
def on_post_page(output, page, config):
    return output.replace("</body>", "<!-- seen by a hook --></body>")
"""


def test_serve_reuse_steps_aside_for_a_plugin_with_page_hooks_it_does_not_know(tmp_path):
    hook = tmp_path / "stamp.py"
    hook.write_text(PAGE_HOOK)
    site, rebuild = serve_builds(tmp_path, kb_tips(8), hooks=[str(hook)])
    assert rebuild().ok
    (site.root / "content" / "tips" / "t1.md").write_text(tip("Tip 1 again", date="2026-02-02"))
    assert rebuild().ok
    plugin = site.config.plugins["tipsheet/tips"]
    assert plugin.session.pages.stats.get("reused", 0) == 0
    assert any(n.startswith("tipsheet: reuse_on_serve is off for this build: the page hooks of ") and "stamp.py" in n
               for n in site.notices), site.notices
    assert "seen by a hook" in site.read("tips/t3/")


def test_serve_reuse_checks_itself_and_steps_aside_when_a_kept_page_would_differ(tmp_path, monkeypatch):
    """If the inputs of a page missed something it shows, the first reused page of its kind gives it away."""
    import tipsheet.mkdocs.serve_reuse as serve_reuse

    monkeypatch.setattr(serve_reuse, "page_inputs", lambda page: page.file.src_uri)  # blind to every change
    site, rebuild = serve_builds(tmp_path, kb_tips(8))
    assert rebuild().ok
    content = site.root / "content" / "tips"
    (content / "t0.md").write_text((content / "t0.md").read_text().replace("Tip 0 opens here.", "Tip 0, edited."))
    assert rebuild().ok
    assert "Tip 0, edited." in site.read("tips/t0/")
    assert any(n.startswith("tipsheet: reuse on mkdocs serve is off until serve restarts: ")
               and "rendered differently from its kept HTML" in n for n in site.notices), site.notices
    (content / "t1.md").write_text((content / "t1.md").read_text().replace("Tip 1 opens here.", "Tip 1, edited."))
    assert rebuild().ok
    assert "Tip 1, edited." in site.read("tips/t1/")  # off for the rest of the session


def test_serve_search_index_reuse_steps_aside_for_a_search_index_it_does_not_know(tmp_path, monkeypatch):
    from material.plugins.search.plugin import SearchIndex

    original = SearchIndex.add_entry_from_context

    def add_entry_from_context(self, page):  # a Material release that indexes differently
        original(self, page)

    monkeypatch.setattr(SearchIndex, "add_entry_from_context", add_entry_from_context)
    site, rebuild = serve_builds(tmp_path, kb_tips(4))
    assert rebuild().ok
    assert rebuild().ok
    assert any(n.startswith("tipsheet: reuse_on_serve: the search index is built from every page: Material's "
                            "SearchIndex.add_entry_from_context is not the one") for n in site.notices), site.notices


def test_serve_with_pagefind_search_serves_what_a_clean_build_would(tmp_path):
    """tipsheet/search writes its index from its own process, beside the build: the stale parts go too."""
    import shutil

    site, rebuild = serve_builds(tmp_path, kb_tips(10), search={})
    content = site.root / "content" / "tips"
    assert rebuild().ok
    served, snapshots = [], []
    changes = [CHANGES["edit a tip's text"], CHANGES["delete a tip"], CHANGES["add a tip"]]
    for n, change in enumerate(changes):
        change(content)
        done = rebuild()
        assert done.ok, done.error
        served.append(site.output())
        copy = tmp_path / f"clean{n}"
        shutil.copytree(site.root, copy, ignore=shutil.ignore_patterns("site"))
        snapshots.append((copy, tmp_path / f"clean{n}-site"))
    for output, clean in zip(served, clean_serve_outputs(snapshots), strict=True):
        assert any(name.startswith("pagefind/fragment/") for name in output)
        assert differences(output, clean) == []
