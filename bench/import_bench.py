#!/usr/bin/env python3
"""Import benchmark: `tipsheet import wordpress` on generated exports of N posts (bench/gen_wxr.py).

For each N, writes the export once, then --runs times: a fresh project, the first import (every
tip new) and the same import again (every tip unchanged).  Each import runs in its own process;
its wall time and peak memory (maximum resident set, from os.wait4) are measured, and the
medians printed with the machine's load average.  Target: 1,000 posts in under 10 s, with
memory that does not grow with the posts (bodies are streamed; only an index of a few KB
per post is kept, for slugs, links between posts and redirects).

usage: .venv/bin/python bench/import_bench.py [--n 1000 10000] [--runs 3] [--keep DIR]
       flock /tmp/tipsheet-bench.lock .venv/bin/python bench/import_bench.py      # numbers for a report
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MKDOCS_YML = """\
site_name: Tip Archive
site_url: https://tips.example.org/
docs_dir: content
theme: {name: material, font: false}
markdown_extensions: [toc, attr_list, tables, md_in_html, fenced_code]
plugins:
  - tipsheet/tips:
      timezone: Europe/Amsterdam
      tags: {general: {title: General}}
"""


def measure(args: list[str], cwd: str) -> tuple[float, float]:
    """(seconds, peak MB) of one command run in its own process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def project(folder: str) -> None:
    os.makedirs(os.path.join(folder, "content"))
    with open(os.path.join(folder, "mkdocs.yml"), "w", encoding="utf-8") as handle:
        handle.write(MKDOCS_YML)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="keep the exports and projects in this folder")
    args = parser.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="tipsheet-import-bench-")
    tipsheet = os.path.join(os.path.dirname(sys.executable), "tipsheet")
    rows = []
    try:
        for n in args.n:
            export = os.path.join(work, f"export-{n}.xml")
            subprocess.run([sys.executable, os.path.join(HERE, "gen_wxr.py"), "--n", str(n), "--out", export],
                           check=True)
            first: list[tuple[float, float]] = []
            again: list[tuple[float, float]] = []
            for run in range(args.runs):
                folder = os.path.join(work, f"site-{n}-{run}")
                shutil.rmtree(folder, ignore_errors=True)
                project(folder)
                first.append(measure([tipsheet, "import", "wordpress", export], folder))
                again.append(measure([tipsheet, "import", "wordpress", export], folder))
                if not args.keep:
                    shutil.rmtree(folder)
            size = os.path.getsize(export) / 1_000_000
            rows.append((n, size, statistics.median(t for t, _ in first), max(m for _, m in first),
                         statistics.median(t for t, _ in again), max(m for _, m in again)))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"tipsheet import wordpress, median of {args.runs} runs (load average {load})")
    print(f"{'posts':>7} {'export':>9} {'first import':>13} {'peak':>8} {'again':>8} {'peak':>8} {'per post':>9}")
    for n, size, t1, m1, t2, m2 in rows:
        print(f"{n:>7,} {size:>7.1f}MB {t1:>12.2f}s {m1:>6.0f}MB {t2:>7.2f}s {m2:>6.0f}MB {t1 / n * 1000:>7.2f}ms")
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        print(f"memory: {large[3] / small[3]:.2f}x the peak for {large[0] / small[0]:.0f}x the posts")


if __name__ == "__main__":
    main()
