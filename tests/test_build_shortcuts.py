"""The build's shortcuts (one Markdown instance per build, theme fragments shared per folder) change no byte."""

from __future__ import annotations

from datetime import date, timedelta

from sitekit import Site, build_in_fresh_process, tip, write_project

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
    # two Markdown workers and one for the generated pages: each forked and handed back its work
    assert parallel.forks == [{"forked": True, "returned": True, "timed_out": False, "reaped": True}] * 3
    assert alone.forks == []
    a, b = forked.output(), single.output()
    assert a.keys() == b.keys() and [name for name in a if a[name] != b[name]] == []
    assert len([name for name in a if name.startswith("tags/")]) > 5
    warning = [w for w in parallel.messages("WARNING") if "nothere.md" in w]
    assert warning and warning == [w for w in alone.messages("WARNING") if "nothere.md" in w]  # replayed
    assert sorted(parallel.messages("WARNING")) == sorted(alone.messages("WARNING"))
    assert [m for m in parallel.messages("INFO") if m.startswith("Page skipped")] == []  # the parent's empty pages


def test_a_failing_page_worker_is_replaced_by_the_parent(tmp_path):
    site = Site(tmp_path, write_project(tmp_path, files(20)))
    done = build_in_fresh_process(site, workers=2, pages="crash")
    assert done.ok
    failed = {"forked": True, "returned": False, "timed_out": False, "reaped": True}
    assert failed in done.forks  # the page worker was started, and failed
    assert site.card_titles("archive/page/2/")  # built by the parent after the worker failed
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
