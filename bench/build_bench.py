#!/usr/bin/env python3
"""Build benchmark: an N-tip site with every tipsheet feature on, against the same tips without tipsheet.

For each N, writes the tips with ../shared/bench/gen_tips.py (--layout tipsheet) into two
projects made from this repository's own mkdocs.yml, overrides and pages:

  tipsheet  every plugin on (tips, tag/series/archive pages, feeds, digests), as the sample site
  plain     the same tips and theme with the tipsheet plugins off; tips kept out of the nav
            (not_in_nav), so only MkDocs and Material render them

and runs `mkdocs build` on each, alternating, --runs times, printing the median wall time,
the peak memory (maximum resident set) and the ratio, measured in the same run so the ratio
holds on a noisy machine.  With --peers, also builds the Material blog stack and Pelican
layouts of the same tips, when a Python with those tools is given (--peer-python).

usage: .venv/bin/python bench/build_bench.py [--n 200 1000 3000] [--runs 5] [--keep DIR]
       .venv/bin/python bench/build_bench.py --peer-python /tmp/peers/bin/python   # + blog stack, Pelican
       .venv/bin/python bench/build_bench.py --serve 1000     # rebuild time after editing one tip
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
MEASURE = """
import resource, sys, time
start = time.perf_counter()
from mkdocs.__main__ import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
    status = 0
except SystemExit as exc:
    status = exc.code or 0
print("RESULT", time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(status)
"""


def make_project(folder: str, n: int, plain: bool) -> None:
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
    with open(os.path.join(folder, "mkdocs.yml"), "w", encoding="utf-8") as handle:
        handle.write(config)


def build(folder: str, *args: str) -> tuple[float, float, float]:
    """(wall seconds, peak MB of the build process, peak MB of any process it forked)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795305600"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURE, "build", "-q", *args], cwd=folder, env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"build failed in {folder}:\n{done.stderr[-2000:]}")
    _, peak_kb, child_kb = done.stderr.rsplit("RESULT", 1)[1].split()[:3]
    return wall, float(peak_kb) / 1024, float(child_kb) / 1024


def peer(layout: str, n: int, python: str, root: str) -> tuple[float, float, float]:
    """One build of a peer (Material blog stack or Pelican) of the same tips, with a Python that has it."""
    folder = os.path.join(root, layout)
    if not os.path.isdir(folder):
        subprocess.run([sys.executable, GEN, "--layout", layout, "--n", str(n), "--out", folder], check=True,
                       stdout=subprocess.DEVNULL)
    if layout == "pelican":
        shutil.rmtree(os.path.join(folder, "output"), ignore_errors=True)  # as mkdocs empties site/ first
        command = [python, "-m", "pelican", "content", "-s", "pelicanconf.py", "-q"]
    else:
        command = [python, "-m", "mkdocs", "build", "-q"]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    subprocess.run(command, cwd=folder, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    return wall, 0.0, 0.0


def bench(n: int, runs: int, keep: str | None, peer_python: str | None) -> dict[str, tuple[float, float, float]]:
    root = tempfile.mkdtemp(prefix=f"tipsheet-bench-{n}-", dir=keep)
    projects = {"tipsheet": os.path.join(root, "tipsheet"), "plain": os.path.join(root, "plain")}
    for name, folder in projects.items():
        make_project(folder, n, plain=name == "plain")
    names = list(projects) + (["material-blog", "pelican"] if peer_python else [])
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    for _ in range(runs):
        for name in names:  # alternate, so all see the same machine
            if name in projects:
                results[name].append(build(projects[name]))
            else:
                results[name].append(peer(name, n, peer_python or "", root))
    if not keep:
        shutil.rmtree(root)
    return {name: (statistics.median(r[0] for r in runs_), max(r[1] for r in runs_), max(r[2] for r in runs_))
            for name, runs_ in results.items()}


def serve_rebuild(n: int, runs: int) -> None:
    """What a writer waits for in `mkdocs serve` after saving one tip: a full rebuild, same process."""
    root = tempfile.mkdtemp(prefix=f"tipsheet-serve-{n}-")
    folder = os.path.join(root, "tipsheet")
    make_project(folder, n, plain=False)
    code = f"""
import os, time, statistics
os.environ["NO_MKDOCS_2_WARNING"] = "1"
from mkdocs.config import load_config
from mkdocs.commands.build import build
path = os.path.join({folder!r}, "mkdocs.yml")
config = load_config(path, site_dir=os.path.join({folder!r}, "served"))
config.plugins.on_startup(command="serve", dirty=False)
tips = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join({folder!r}, "content", "tips")) for f in fs)
target = tips[len(tips) // 2]
times = []
for i in range({runs} + 1):
    with open(target, encoding="utf-8") as handle:
        text = handle.read()
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(text.replace("\\n\\n", f"\\n\\nEdited {{i}}.\\n\\n", 1))
    start = time.perf_counter()
    build(load_config(path, site_dir=os.path.join({folder!r}, "served")), serve_url="http://127.0.0.1:8000/")
    times.append(time.perf_counter() - start)
print("first build %.2f s; rebuild after one edit: median %.2f s over %d" % (times[0], statistics.median(times[1:]),
      len(times) - 1))
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=folder)
    shutil.rmtree(root)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[200, 1000, 3000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="keep the generated projects under this folder")
    parser.add_argument("--serve", type=int, metavar="N", help="measure mkdocs serve rebuilds at N tips instead")
    parser.add_argument("--peer-python", metavar="PYTHON",
                        help="a Python with mkdocs-material, mkdocs-rss-plugin and pelican: also time those peers")
    args = parser.parse_args()
    if not os.path.isfile(GEN):
        sys.exit(f"{GEN}: expected the shared tip generator beside the repository")
    if args.serve:
        serve_rebuild(args.serve, args.runs)
        return 0
    print(f"median of {args.runs} builds each; peak = maximum resident set of the build process "
          "(workers = of the processes it forked)")
    head = (f"{'N tips':>7} | {'tipsheet s':>10} {'peak MB':>8} {'workers':>8} | {'plain s':>8} {'peak MB':>8} "
            f"| {'ratio':>5}")
    if args.peer_python:
        head += f" | {'blog s':>7} {'/3 ratio':>8} | {'pelican s':>9} {'x':>5}"
    print(head)
    results = {}
    for n in args.n:
        r = bench(n, args.runs, args.keep, args.peer_python)
        results[n] = r
        (ts, tm, tw), (ps, pm, _) = r["tipsheet"], r["plain"]
        line = f"{n:>7} | {ts:>10.2f} {tm:>8.0f} {tw:>8.0f} | {ps:>8.2f} {pm:>8.0f} | {ts / ps:>5.2f}"
        if args.peer_python:
            blog, pelican = r["material-blog"][0], r["pelican"][0]
            line += f" | {blog:>7.2f} {ts / (blog / 3):>8.2f} | {pelican:>9.2f} {ts / pelican:>5.2f}"
        print(line, flush=True)
    if 1000 in results and 3000 in results:
        scale = results[3000]["tipsheet"][0] / results[1000]["tipsheet"][0]
        print(f"scaling time(3000) / time(1000) = {scale:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
