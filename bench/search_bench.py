#!/usr/bin/env python3
"""Search benchmark: Material's search against tipsheet/search (Pagefind) on an N-tip site, in a real browser.

Writes N tips with ../shared/bench/gen_tips.py into three projects made from this repository's
mkdocs.yml (as bench/build_bench.py does), which differ only in their search:

  material  Material's `search` plugin, as tipsheet had before tipsheet/search
  pagefind  tipsheet/search
  none      no search at all: the baseline for the build time indexing adds

Two tips get a word no other tip has ("zymurgy", "quokka"), so "a word of one tip's body" has exactly
one result. Each project is built --runs times, alternating, and the median wall time printed. Then each
built site is served on 127.0.0.1 by a small server that gzips text, scripts, styles, JSON and
WebAssembly as static hosts do (Pagefind's own files are already compressed), and Debian's Chromium
(Playwright) measures, each in a fresh browser context, --runs times:

  page load    bytes transferred by a tip page (what the network carried), and how much of it is search
  first query  bytes transferred from opening search until the results for the rare word show
  results      milliseconds from the last keystroke to the rare word's tip in the results, on the first
               query (cold: Pagefind loads while the reader types) and on a second one (warm)

usage: .venv/bin/python bench/search_bench.py [--n 3000] [--runs 3] [--keep DIR] [--json out.json]
Run final numbers one at a time: flock /tmp/tipsheet-bench.lock .venv/bin/python bench/search_bench.py
"""

from __future__ import annotations

import argparse
import functools
import gzip
import io
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_bench import GEN, build, make_project

VARIANTS = ("material", "pagefind", "none")
RARE = {"zymurgy": 0.5, "quokka": 0.75}  # word -> where (share of the tips, sorted by path) its one tip is
COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/wasm")
CHROMIUM = "/usr/bin/chromium"


def configure(folder: Path, variant: str) -> None:
    config = (folder / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - tipsheet/search\n" in config, "expected the repository's mkdocs.yml to use tipsheet/search"
    if variant != "pagefind":
        config = config.replace("  - tipsheet/search\n", "")
    if variant == "material":
        config = config.replace("plugins:\n", "plugins:\n  - search\n", 1)
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")


def plant_rare_words(folder: Path) -> dict[str, tuple[str, str]]:
    """Append each rare word to one tip's body; word -> (tip title, tip URL)."""
    tips = sorted((folder / "content" / "tips").rglob("*.md"))
    planted = {}
    for word, share in RARE.items():
        path = tips[int(len(tips) * share)]
        text = path.read_text(encoding="utf-8")
        path.write_text(text.rstrip("\n") + f"\n\nA note on {word}, which only this tip mentions.\n", encoding="utf-8")
        title = next(line for line in text.splitlines() if line.startswith("title: "))[7:].strip().strip('"')
        slug = path.stem
        planted[word] = (title.replace('\\"', '"'), f"tips/{slug}/")
    return planted


def projects(root: Path, n: int) -> tuple[dict[str, Path], dict[str, tuple[str, str]]]:
    first = root / VARIANTS[0]
    make_project(str(first), n, plain=False)
    planted = plant_rare_words(first)
    folders = {VARIANTS[0]: first}
    for variant in VARIANTS[1:]:
        shutil.copytree(first, root / variant)
        folders[variant] = root / variant
    for variant, folder in folders.items():
        configure(folder, variant)
    return folders, planted


# -- serving ---------------------------------------------------------------------------------------

class GzipHandler(SimpleHTTPRequestHandler):
    """Static files, gzipped when the browser accepts it and the type is worth it, as static hosts do."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        kind = self.guess_type(str(path))
        if ("gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file()
                or not kind.startswith(COMPRESSED)):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


GzipHandler.extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                              ".pagefind": "application/wasm", ".js": "application/javascript"}


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(folder)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# -- the browser -----------------------------------------------------------------------------------

WATCH = """([selector, title, word, summary]) => {
  // When the results for the whole word (not a prefix typed on the way) first list the tip.
  window.__bench = {last: 0, found: 0};
  const done = () => [...document.querySelectorAll(selector)].some(e => e.textContent.includes(title)) &&
    (!summary || (document.querySelector(summary)?.textContent || '').includes('for ' + word));
  document.addEventListener('input', () => { window.__bench.last = performance.now(); window.__bench.found = 0; },
                            true);
  new MutationObserver(() => {
    if (!window.__bench.found && window.__bench.last && done()) { window.__bench.found = performance.now(); }
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true});
}"""

SEARCH_UI = {
    "material": {"open": ".md-search__input", "input": ".md-search__input", "result": ".md-search-result__item",
                 "summary": ""},  # Material searches on every keystroke: its last results are the word's
    "pagefind": {"open": ".ts-search__trigger", "input": "pagefind-modal input", "result": "pagefind-modal .ts-result",
                 "summary": "pagefind-modal pagefind-summary"},
}


def is_search(variant: str, url: str) -> bool:
    if variant == "pagefind":
        return "/pagefind/" in url
    return "/search/search_index.json" in url or "/workers/search" in url or "/lunr/" in url


class Meter:
    """Bytes a browser context transferred (headers and encoded bodies) and decoded, per request, from a point on.

    Watched on the context, not the page: Material's search index is fetched by a web worker.
    """

    def __init__(self, context: Any, variant: str) -> None:
        self.variant = variant
        self.rows: list[tuple[str, int, int]] = []
        self.open = 0
        self.quiet_since = time.monotonic()
        context.on("request", self._started)
        context.on("requestfinished", self._finished)
        context.on("requestfailed", self._ended)

    def _started(self, request: Any) -> None:
        self.open += 1

    def _ended(self, request: Any) -> None:
        self.open -= 1
        self.quiet_since = time.monotonic()

    def settle(self, page: Any, quiet: float = 1.0) -> None:
        """Wait until no request of the context (a worker's too) has been open for ``quiet`` seconds."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            page.wait_for_timeout(100)
            if self.open <= 0 and time.monotonic() - self.quiet_since >= quiet:
                return

    def _finished(self, request: Any) -> None:
        self._ended(request)
        sizes = request.sizes()
        response = request.response()
        raw = len(response.body()) if response is not None and request.method == "GET" else 0
        self.rows.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"], raw))

    def mark(self) -> int:
        return len(self.rows)

    def total(self, since: int = 0, search_only: bool = False) -> tuple[int, int]:
        rows = [r for r in self.rows[since:] if not search_only or is_search(self.variant, r[0])]
        return sum(r[1] for r in rows), sum(r[2] for r in rows)


def measure(browser: Any, base: str, variant: str, planted: dict[str, tuple[str, str]],
            page_path: str) -> dict[str, float]:
    ui = SEARCH_UI[variant]
    (cold_word, (cold_title, _)), (warm_word, (warm_title, _)) = planted.items()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        meter = Meter(context, variant)
        page = context.new_page()
        page.goto(base + page_path, wait_until="load")
        meter.settle(page)
        load_transfer, load_raw = meter.total()
        load_search, load_search_raw = meter.total(search_only=True)
        since = meter.mark()

        page.evaluate(WATCH, [ui["result"], cold_title, cold_word, ui["summary"]])
        page.locator(ui["open"]).click()
        page.locator(ui["input"]).wait_for()
        page.keyboard.type(cold_word)
        page.wait_for_function("window.__bench.found > 0", timeout=60000)
        cold = page.evaluate("window.__bench.found - window.__bench.last")
        meter.settle(page)
        query_transfer, query_raw = meter.total(since)

        page.evaluate(WATCH, [ui["result"], warm_title, warm_word, ui["summary"]])
        page.locator(ui["input"]).fill("")
        page.locator(ui["input"]).press_sequentially(warm_word)
        page.wait_for_function("window.__bench.found > 0", timeout=60000)
        warm = page.evaluate("window.__bench.found - window.__bench.last")
    finally:
        context.close()
    return {"load_kb": load_transfer / 1000, "load_raw_kb": load_raw / 1000, "load_search_kb": load_search / 1000,
            "load_search_raw_kb": load_search_raw / 1000, "query_kb": query_transfer / 1000,
            "query_raw_kb": query_raw / 1000, "cold_ms": cold, "warm_ms": warm}


def browse(sites: dict[str, Path], planted: dict[str, tuple[str, str]], runs: int) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    page_path = next(iter(planted.values()))[1]  # a tip page (the search results are for other tips too)
    out: dict[str, list[dict[str, float]]] = {v: [] for v in SEARCH_UI}
    servers = {v: serve(sites[v] / "site") for v in SEARCH_UI}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            for _ in range(runs):
                for variant in SEARCH_UI:
                    out[variant].append(measure(browser, servers[variant][1], variant, planted, page_path))
        finally:
            browser.close()
    for server, _ in servers.values():
        server.shutdown()
    return {v: {k: statistics.median(r[k] for r in rows) for k in rows[0]} for v, rows in out.items()}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed_build(folder: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the build and every process it started: forks, Pagefind)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = build(str(folder))[0]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def wait_for_quiet(threshold: float, patience: float) -> None:
    """On a shared machine: wait (up to ``patience`` s) until the 1-minute load is under ``threshold``."""
    deadline = time.monotonic() + patience
    while threshold and os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        time.sleep(5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="keep the projects under this folder")
    parser.add_argument("--json", help="also write the numbers to this file")
    parser.add_argument("--quiet-load", type=float, default=0.0, metavar="LOAD",
                        help="before each round of builds, wait (up to --patience s) for a 1-minute load under LOAD")
    parser.add_argument("--patience", type=float, default=600)
    args = parser.parse_args()
    if not os.path.isfile(GEN):
        sys.exit(f"{GEN}: expected the shared tip generator beside the repository")
    root = Path(tempfile.mkdtemp(prefix=f"tipsheet-search-bench-{args.n}-", dir=args.keep))
    folders, planted = projects(root, args.n)
    print(f"{args.n} tips; median of {args.runs}; load average before: {load()}", flush=True)

    times: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
    loads = []
    for _ in range(args.runs):
        wait_for_quiet(args.quiet_load, args.patience)
        loads.append(os.getloadavg()[0])
        for variant in VARIANTS:  # alternate, so all see the same machine
            wall, seconds = timed_build(folders[variant])
            times[variant].append(wall)
            cpu[variant].append(seconds)
    build_s = {v: statistics.median(t) for v, t in times.items()}
    cpu_s = {v: statistics.median(t) for v, t in cpu.items()}
    print("build (s): " + ", ".join(f"{v} {build_s[v]:.2f}" for v in VARIANTS)
          + "; CPU (s): " + ", ".join(f"{v} {cpu_s[v]:.2f}" for v in VARIANTS)
          + f"; 1-minute load at each round's start: {' '.join(f'{x:.2f}' for x in loads)}")
    # each round builds the three one after the other, so a round's ratios share the machine's load
    added = statistics.median(p / n for p, n in zip(times["pagefind"], times["none"], strict=True))
    versus = statistics.median(p / m for p, m in zip(times["pagefind"], times["material"], strict=True))
    print(f"  indexing adds {100 * (added - 1):+.0f}% to a build without search, {100 * (versus - 1):+.0f}% to one "
          f"with Material's search (medians of the rounds' ratios); every build: "
          + "; ".join(f"{v} " + " ".join(f"{t:.2f}" for t in times[v]) for v in VARIANTS), flush=True)

    seen = browse(folders, planted, args.runs)
    print(f"browser (load {load()}):")
    head = ("variant", "page load KB", "of it search", "first query KB", "results cold ms", "warm ms")
    print(" | ".join(head))
    for variant, m in seen.items():
        print(f"{variant} | {m['load_kb']:.0f} ({m['load_raw_kb']:.0f} raw) | {m['load_search_kb']:.0f} "
              f"({m['load_search_raw_kb']:.0f} raw) | {m['query_kb']:.0f} ({m['query_raw_kb']:.0f} raw) | "
              f"{m['cold_ms']:.0f} | {m['warm_ms']:.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"n": args.n, "runs": args.runs, "build_s": build_s, "builds": times,
                                               "cpu_s": cpu_s, "cpus": cpu, "loads": loads, "browser": seen},
                                              indent=2), encoding="utf-8")
    if not args.keep:
        shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
