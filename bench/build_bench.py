#!/usr/bin/env python3
"""Build benchmark: an N-tip site with every tipsheet feature on, against the same tips without tipsheet.

For each N, writes the tips with ../shared/bench/gen_tips.py (--layout tipsheet) into two
projects made from this repository's own mkdocs.yml, overrides and pages:

  tipsheet  every plugin on (tips, tag/series/archive pages, feeds, digests), as the sample site
  plain     the same tips and theme with the tipsheet plugins off; tips kept out of the nav
            (not_in_nav), so only MkDocs and Material render them

and runs `mkdocs build` on each, alternating, --runs times, printing the median wall time,
the peak memory (maximum resident set) and the ratios, measured in the same run so the ratios
hold on a noisy machine.  With --peer-python, also builds the same tips with the Material blog
stack (blog + tags + mkdocs-rss-plugin, front-matter dates) and Pelican (tags, Atom and RSS feeds;
--pelican-python when Pelican lives in another environment).  Every build deletes its previous
output itself, inside the timed run: MkDocs empties site/, Pelican runs with
--delete-output-directory.

usage: .venv/bin/python bench/build_bench.py [--n 200 1000 3000] [--runs 5] [--keep DIR]
       .venv/bin/python bench/build_bench.py --n 3000 10000 --runs 3 --peer-python /work/peers/venv/bin/python \\
           --pelican-python /work/peers/pelican-venv/bin/python
       .venv/bin/python bench/build_bench.py --serve 1000     # mkdocs serve: rebuild after each kind of change
       .venv/bin/python bench/build_bench.py --check 3000     # tipsheet check
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.normpath(os.path.join(REPO, "..", "shared", "bench", "gen_tips.py"))
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true",
       "SOURCE_DATE_EPOCH": "1795305600"}
# Runs a module as its command line would, then reports wall time and peak memory (this process
# and any it forked) on stderr.
MEASURE = """
import resource, runpy, sys, time
start = time.perf_counter()
module, sys.argv = sys.argv[1], [sys.argv[1], *sys.argv[2:]]
status = 0
try:
    runpy.run_module(module, run_name="__main__", alter_sys=True)
except SystemExit as exc:
    status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
print("RESULT", time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(status)
"""
Result = tuple[float, float, float]  # wall seconds, peak MB of the process, peak MB of what it forked


def load() -> str:
    return os.getloadavg().__repr__() if hasattr(os, "getloadavg") else "?"


def make_project(folder: str, n: int, plain: bool, search_on_serve: bool = True, search: str = "pagefind") -> None:
    os.makedirs(os.path.join(folder, "content"))
    for name in os.listdir(os.path.join(REPO, "content")):
        if name.endswith(".md"):
            shutil.copy(os.path.join(REPO, "content", name), os.path.join(folder, "content", name))
    shutil.copytree(os.path.join(REPO, "overrides"), os.path.join(folder, "overrides"))
    subprocess.run([sys.executable, GEN, "--layout", "tipsheet", "--n", str(n), "--out",
                    os.path.join(folder, "content", "tips")], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(REPO, "mkdocs.yml"), encoding="utf-8") as handle:
        config = handle.read()
    config = re.sub(r"^ +start_here: .*\n", "", config, flags=re.MULTILINE)  # they name the sample's own tips
    if plain:
        config = config[: config.index("  - tipsheet/tips:")]  # plugins: search only
        config = re.sub(r"\nnav:\n(?:  - .*\n)+", "\nnav:\n  - Home: index.md\n  - Subscribe: subscribe.md\n"
                                                   "  - About: about.md\nnot_in_nav: |\n  /tips/\n", config)
        with open(os.path.join(folder, "content", "index.md"), encoding="utf-8") as handle:
            home = handle.read()
        with open(os.path.join(folder, "content", "index.md"), "w", encoding="utf-8") as handle:
            handle.write(home.replace("template: home.html\n", ""))
    if not search_on_serve:
        config = config.replace("  - tipsheet/search\n", "  - tipsheet/search:\n      on_serve: false\n")
    if search == "material":  # Material's own search plugin instead of tipsheet/search (Pagefind)
        config = config.replace("  - tipsheet/search\n", "").replace("plugins:\n", "plugins:\n  - search\n", 1)
    with open(os.path.join(folder, "mkdocs.yml"), "w", encoding="utf-8") as handle:
        handle.write(config)


def measured(python: str, folder: str, module: str, *args: str) -> Result:
    """One run of ``python -m module args`` in ``folder``: (wall seconds, peak MB, peak MB of its workers)."""
    done = subprocess.run([python, "-c", MEASURE, module, *args], cwd=folder, env=ENV, capture_output=True,
                          text=True)
    if done.returncode != 0:
        sys.exit(f"{module} failed in {folder}:\n{done.stderr[-2000:]}")
    wall, peak_kb, child_kb = done.stderr.rsplit("RESULT", 1)[1].split()[:3]
    return float(wall), float(peak_kb) / 1024, float(child_kb) / 1024


def peer(layout: str, n: int, python: str, root: str) -> Result:
    """One build of a peer (Material blog stack or Pelican) of the same tips, with a Python that has it."""
    folder = os.path.join(root, layout)
    if not os.path.isdir(folder):
        subprocess.run([sys.executable, GEN, "--layout", layout, "--n", str(n), "--out", folder], check=True,
                       stdout=subprocess.DEVNULL)
    if layout == "pelican":  # deleting its output first, inside the run, as MkDocs empties site/
        return measured(python, folder, "pelican", "content", "-s", "pelicanconf.py", "-q",
                        "--delete-output-directory")
    return measured(python, folder, "mkdocs", "build", "-q")


def bench(n: int, runs: int, keep: str | None, peers: dict[str, str], search: str) -> dict[str, Result]:
    root = tempfile.mkdtemp(prefix=f"tipsheet-bench-{n}-", dir=keep)
    projects = {"tipsheet": os.path.join(root, "tipsheet"), "plain": os.path.join(root, "plain")}
    for name, folder in projects.items():
        make_project(folder, n, plain=name == "plain", search=search)
    names = list(projects) + list(peers)
    results: dict[str, list[Result]] = {name: [] for name in names}
    for _ in range(runs):
        for name in names:  # alternate, so all see the same machine
            if name in projects:
                results[name].append(measured(sys.executable, projects[name], "mkdocs", "build", "-q"))
            else:
                results[name].append(peer(name, n, peers[name], root))
    if not keep:
        shutil.rmtree(root)
    return {name: (statistics.median(r[0] for r in rs), max(r[1] for r in rs), max(r[2] for r in rs))
            for name, rs in results.items()}


SERVE = r"""
import json, os, statistics, sys, time
from mkdocs.commands.build import build
from mkdocs.config import load_config

folder, runs = sys.argv[1], int(sys.argv[2])
path, served = os.path.join(folder, "mkdocs.yml"), os.path.join(folder, "served")
config = load_config(path, site_dir=served)
config.plugins.on_startup(command="serve", dirty=False)
tips = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(folder, "content", "tips")) for f in fs)
target = tips[len(tips) // 2]

caught_up = []  # tipsheet/search: serve shows the pages first; the index follows in the background

def timed():
    start = time.perf_counter()
    config = load_config(path, site_dir=served)
    build(config, serve_url="http://127.0.0.1:8000/")
    seconds = time.perf_counter() - start
    if "tipsheet/search" in config.plugins and config.plugins["tipsheet/search"].config.on_serve:
        assert config.plugins["tipsheet/search"].wait_for_index(600)
        caught_up.append(time.perf_counter() - start)
    return seconds

def rewrite(path, old, new):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert old in text, (path, old)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text.replace(old, new, 1))

first = timed()
edits = []
for i in range(runs):
    rewrite(target, "\n\n", f"\n\nEdited {i}.\n\n")
    edits.append(timed())
other = {}
with open(os.path.join(os.path.dirname(target), "added-by-the-bench.md"), "w", encoding="utf-8") as handle:
    handle.write("---\ntitle: Added by the bench\ndate: 2026-11-17\ntags: [sports]\n---\n\nNew.\n")
other["add"] = timed()
os.unlink(os.path.join(os.path.dirname(target), "added-by-the-bench.md"))
other["delete"] = timed()
rewrite(tips[1], "tags:\n", "tags:\n  - training\n")
other["retag"] = timed()
rewrite(tips[2], "date: 20", "date: 19")
other["re-date"] = timed()
rewrite(tips[3], "title: ", "slug: renamed-by-the-bench\ntitle: ")
other["rename a slug"] = timed()
print("RESULT " + json.dumps({"first": first, "edits": edits, "other": other, "caught_up": caught_up}))
"""


def serve_rebuild(n: int, runs: int, search: bool) -> None:
    """What a writer waits for in `mkdocs serve` after saving: a rebuild in the same process."""
    root = tempfile.mkdtemp(prefix=f"tipsheet-serve-{n}-")
    folder = os.path.join(root, "tipsheet")
    make_project(folder, n, plain=False, search_on_serve=search)
    env = {**ENV}
    env.pop("SOURCE_DATE_EPOCH")  # as a writer runs it: today is today
    done = subprocess.run([sys.executable, "-c", SERVE, folder, str(runs)], cwd=folder, env=env,
                          capture_output=True, text=True)
    shutil.rmtree(root)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        sys.exit(f"serve benchmark failed:\n{done.stderr[-2000:]}")
    import json

    result = json.loads(lines[-1][len("RESULT "):])
    median = statistics.median(result["edits"])
    label = "" if search else " (tipsheet/search on_serve: false)"
    print(f"{n} tips, mkdocs serve{label}: first build {result['first']:.2f} s; rebuild after editing one tip's text: "
          f"median {median:.2f} s over {len(result['edits'])} ({median / result['first']:.2f} of the first build)")
    print("  after one " + "; ".join(f"{kind}: {seconds:.2f} s" for kind, seconds in result["other"].items()))
    if result["caught_up"]:
        edits = result["caught_up"][1:1 + len(result["edits"])]
        print(f"  search index in place (Pagefind, in the background): median {statistics.median(edits):.2f} s "
              f"after an edit's rebuild started (first build: {result['caught_up'][0]:.2f} s)")


def check(n: int, runs: int) -> None:
    """`tipsheet check` on N tips: the writer's check of every tip."""
    root = tempfile.mkdtemp(prefix=f"tipsheet-check-{n}-")
    folder = os.path.join(root, "tipsheet")
    make_project(folder, n, plain=False)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tipsheet.cli", "check"], cwd=folder, env=ENV,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    shutil.rmtree(root)
    print(f"{n} tips, tipsheet check: median {statistics.median(times):.2f} s over {runs} "
          f"(min {min(times):.2f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[200, 1000, 3000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="keep the generated projects under this folder")
    parser.add_argument("--serve", type=int, metavar="N", help="measure mkdocs serve rebuilds at N tips instead")
    parser.add_argument("--check", type=int, metavar="N", help="measure tipsheet check at N tips instead")
    parser.add_argument("--search", choices=("pagefind", "material"), default="pagefind",
                        help="the site's search: tipsheet/search as in mkdocs.yml, or Material's search plugin")
    parser.add_argument("--serve-without-search", action="store_true",
                        help="with --serve: tipsheet/search with on_serve: false (no Pagefind index per rebuild)")
    parser.add_argument("--peer-python", metavar="PYTHON",
                        help="a Python with mkdocs-material and mkdocs-rss-plugin: also time the Material blog stack")
    parser.add_argument("--pelican-python", metavar="PYTHON", help="a Python with pelican (default: --peer-python)")
    args = parser.parse_args()
    if not os.path.isfile(GEN):
        sys.exit(f"{GEN}: expected the shared tip generator beside the repository")
    print(f"load average at start: {load()}")
    if args.serve:
        serve_rebuild(args.serve, args.runs, search=not args.serve_without_search)
    elif args.check:
        check(args.check, args.runs)
    else:
        builds(args)
    print(f"load average at end: {load()}")
    return 0


def builds(args: argparse.Namespace) -> None:
    peers = {}
    if args.peer_python:
        peers["material-blog"] = args.peer_python
    if args.pelican_python or args.peer_python:
        peers["pelican"] = args.pelican_python or args.peer_python
    print(f"median of {args.runs} builds each; search: {args.search}; peak = maximum resident set of the build "
          "process (workers = of the processes it started)")
    head = (f"{'N tips':>7} | {'tipsheet s':>10} {'peak MB':>8} {'workers':>8} | {'plain s':>8} {'peak MB':>8} "
            f"| {'ratio':>5}")
    if "material-blog" in peers:
        head += f" | {'blog s':>7} {'peak MB':>8} {'ratio':>6}"
    if "pelican" in peers:
        head += f" | {'pelican s':>9} {'peak MB':>8} {'ratio':>6}"
    print(head)
    results = {}
    for n in args.n:
        r = results[n] = bench(n, args.runs, args.keep, peers, args.search)
        (ts, tm, tw), (ps, pm, _) = r["tipsheet"], r["plain"]
        line = f"{n:>7} | {ts:>10.2f} {tm:>8.0f} {tw:>8.0f} | {ps:>8.2f} {pm:>8.0f} | {ts / ps:>5.2f}"
        for name in ("material-blog", "pelican"):
            if name in r:
                seconds, peak, _ = r[name]
                line += f" | {seconds:>{9 if name == 'pelican' else 7}.2f} {peak:>8.0f} {ts / seconds:>6.2f}"
        print(line, flush=True)
    for small, large in ((1000, 3000), (3000, 10000)):
        if small in results and large in results:
            scale = results[large]["tipsheet"][0] / results[small]["tipsheet"][0]
            print(f"scaling: time({large}) / time({small}) = {scale:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
