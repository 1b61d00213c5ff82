#!/usr/bin/env python3
"""Delivery benchmark: N subscribers, one digest, sent to an SMTP sink on loopback.

Copies the sample site to a temporary folder, imports N subscribers (70% every
tip, 30% with one of a few tag filters) with `tipsheet subscribers import`,
starts an aiosmtpd sink in its own process (so it does not share our CPU
time), and times `tipsheet send` with the rate limit off.  Prints messages
per second and the sender's peak memory for each N.

usage: .venv/bin/python bench/send_bench.py [--n 1000 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SINK = r"""
import asyncio, sys
from aiosmtpd.controller import Controller
class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"
c = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
print(Count.n, flush=True)
"""
MEASURED_SEND = (  # `tipsheet send`, reporting its own peak resident memory
    "import resource, sys\nfrom tipsheet.cli import main\nstatus = main(['send'])\n"
    "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\nsys.exit(status)\n"
)
FILTERS = ["", "", "", "", "", "", "", "sports", "government,persistence", "responsiveness"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def setup(folder: str, n: int) -> None:
    for name in ("content", "overrides"):
        shutil.copytree(os.path.join(REPO, name), os.path.join(folder, name))
    with open(os.path.join(REPO, "mkdocs.yml"), encoding="utf-8") as handle:
        config = handle.read()
    with open(os.path.join(folder, "mkdocs.yml"), "w", encoding="utf-8") as handle:
        handle.write(config.replace("      period: weekly\n", "      period: weekly\n      rate: 0\n"))
    with open(os.path.join(folder, "people.csv"), "w", encoding="utf-8") as handle:
        handle.write("email,name,tags\n")
        for i in range(n):
            handle.write(f"reader{i:06d}@example.org,Reader {i},\"{FILTERS[i % len(FILTERS)]}\"\n")


def run(n: int, keep: str | None) -> dict[str, float]:
    folder = tempfile.mkdtemp(prefix=f"tipsheet-send-{n}-", dir=keep)
    setup(folder, n)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795305600",
           "TIPSHEET_SECRET": "bench-secret-0123456789-abcdefghijklmnop", "TIPSHEET_SMTP_HOST": "127.0.0.1",
           "TIPSHEET_SMTP_SECURITY": "none"}
    tipsheet = [sys.executable, "-m", "tipsheet.cli"]
    started = time.perf_counter()
    subprocess.run([*tipsheet, "subscribers", "import", "people.csv"], cwd=folder, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    imported = time.perf_counter() - started
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert sink.stdout is not None and sink.stdin is not None
    sink.stdout.readline()
    env["TIPSHEET_SMTP_PORT"] = str(port)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED_SEND], cwd=folder, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak_kb = int(done.stderr.split("MAXRSS_KB ")[-1].split()[0])
    sink.stdin.close()
    received = int(sink.stdout.read().split()[-1])
    sink.wait()
    if done.returncode != 0:
        sys.exit(f"send failed: {done.stderr}")
    summary = done.stdout.strip().splitlines()[-1]
    if not keep:
        shutil.rmtree(folder)
    return {"n": n, "import_s": imported, "send_s": seconds, "received": received,
            "msg_per_s": received / seconds, "peak_mb": peak_kb / 1024, "summary": summary}  # type: ignore[dict-item]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", help="keep the projects under this folder")
    args = parser.parse_args()
    print(f"{'subscribers':>11} {'import s':>9} {'send s':>8} {'messages':>9} {'msg/s':>7} {'peak MB':>8}")
    for n in args.n:
        r = run(n, args.keep)
        print(f"{r['n']:>11} {r['import_s']:>9.2f} {r['send_s']:>8.2f} {r['received']:>9} {r['msg_per_s']:>7.0f} "
              f"{r['peak_mb']:>8.1f}   {r['summary']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
