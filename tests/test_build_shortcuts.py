"""The build's shortcuts (one Markdown instance per build, theme fragments shared per folder) change no byte."""

from __future__ import annotations

from datetime import date, timedelta

from sitekit import tip

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


def test_shortcuts_give_byte_identical_output(build_site):
    extensions = [{"toc": {"permalink": True}}, "admonition", "attr_list", "footnotes", "tables"]
    fast = build_site(files(), markdown_extensions=extensions)
    slow = build_site(files(), markdown_extensions=extensions,
                      tips={"cache_theme_fragments": False, "reuse_markdown": False})
    assert fast.ok and slow.ok, fast.error + slow.error

    def output(site):
        return {p.relative_to(site.out).as_posix(): p.read_bytes() for p in site.out.rglob("*") if p.is_file()}

    a, b = output(fast), output(slow)
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []
    assert len([name for name in a if name.startswith("tips/")]) == 14
    page = fast.read("tips/t3/")
    assert 'class="footnote"' in page and "admonition tip" in page and 'href="../t1/#part"' in page


def test_work_done_in_forked_workers_gives_the_same_site(build_site, monkeypatch):
    """Markdown of the last tips and the generated pages built in forked processes: same bytes, same warnings."""
    import tipsheet.mkdocs.forking as forking
    import tipsheet.mkdocs.parallel_markdown as parallel_markdown
    import tipsheet.mkdocs.parallel_pages as parallel_pages
    import tipsheet.mkdocs.tips as tips_plugin

    jobs = []
    original = forking.ForkJob.__init__

    def counting(self, work):
        jobs.append(work)
        original(self, work)

    monkeypatch.setattr(parallel_markdown, "MIN_PAGES", 5)
    monkeypatch.setattr(parallel_pages, "MIN_PAGES", 5)
    monkeypatch.setattr(tips_plugin, "workers", lambda: 3)
    monkeypatch.setattr(forking, "workers", lambda: 3)
    monkeypatch.setattr(forking.ForkJob, "__init__", counting)
    broken = dict(files(30))
    broken["tips/t29.md"] = tip("Tip 29", date="2026-11-01", body="See [this](nothere.md).")  # last: a child's share
    forked = build_site(broken)
    assert len(jobs) == 3  # two Markdown workers, one for the generated pages
    single = build_site(broken, tips={"parallel": False})
    assert len(jobs) == 3

    def output(site):
        return {p.relative_to(site.out).as_posix(): p.read_bytes() for p in site.out.rglob("*") if p.is_file()}

    assert forked.ok and single.ok
    a, b = output(forked), output(single)
    assert a.keys() == b.keys() and [name for name in a if a[name] != b[name]] == []
    assert len([name for name in a if name.startswith("tags/")]) > 5
    warning = [w for w in forked.warnings if "nothere.md" in w]
    assert warning and warning == [w for w in single.warnings if "nothere.md" in w]  # replayed from the child
    assert sorted(forked.warnings) == sorted(single.warnings)  # and no "Page skipped" notice leaks out
    strict = build_site(broken, strict=True)
    assert not strict.ok and f"Aborted with {len(single.warnings)} warnings in strict mode!" in strict.error


def test_a_failing_page_worker_is_replaced_by_the_parent(build_site, monkeypatch):
    import tipsheet.mkdocs.forking as forking
    import tipsheet.mkdocs.parallel_pages as parallel_pages

    monkeypatch.setattr(parallel_pages, "MIN_PAGES", 5)
    monkeypatch.setattr(forking, "workers", lambda: 2)

    def crash(self, pages):
        raise RuntimeError("worker dies")

    monkeypatch.setattr(parallel_pages.OffloadedPages, "_build", crash)
    site = build_site(files(20))
    assert site.ok, site.error
    assert site.card_titles("archive/page/2/")  # built by the parent after the worker failed
    assert site.exists("tags/sports/") and site.exists("series/first-steps/")


def test_the_mkdocs_command_counts_warnings_from_forked_workers(tmp_path):
    """Under the real command line (which stops the mkdocs logger propagating) --strict still sees them."""
    import os
    import subprocess
    import sys

    from sitekit import write_project

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
