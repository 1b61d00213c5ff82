#!/usr/bin/env python3
"""Sign-up load benchmark: the list service under gunicorn (2 workers) on loopback, SQLite in WAL mode.

Copies the sample site to a temporary folder, creates its list, starts an SMTP sink (aiosmtpd, its own
process) and gunicorn running ``tipsheet.cli.wsgi:application`` with --workers 2, then sends N sign-ups
(distinct addresses, form-encoded POSTs as the site's form makes them) from C concurrent clients of an
asyncio load generator in its own process.  The hourly sign-up limits are off (they would stop a
benchmark, as they should stop a flood), and so is the per-address mail limit's effect (each address
is new).  Prints requests per second, p50/p99 latency, errors (any answer but 200, and every "database
is locked" in the server's log), the sign-ups counted in the database afterwards, and the confirmation
mails the sink received once the outbox had drained.

usage: .venv/bin/python bench/signup_bench.py [--n 10000] [--clients 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SINK = r"""
import sys
from aiosmtpd.controller import Controller
class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"
c = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.readline()
print(Count.n, flush=True)
sys.stdin.read()
c.stop()
"""
LOAD = r"""
import asyncio, statistics, sys, time, urllib.parse
host, port, n, clients = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
latencies, errors = [], []

async def one(i):
    body = urllib.parse.urlencode({"email": f"reader{i:06d}@example.org", "topics": "sports", "form": "tip",
                                   "wording": "1", "website": ""}).encode()
    head = (f"POST /subscribe HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(head + body)
    await writer.drain()
    status = (await reader.readline()).split(b" ", 2)[1]
    await reader.read()
    writer.close()
    latencies.append(time.perf_counter() - started)
    if status != b"200":
        errors.append(status.decode())

async def client(queue):
    while True:
        try:
            i = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        try:
            await one(i)
        except OSError as exc:
            errors.append(type(exc).__name__)

async def main():
    queue = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    started = time.perf_counter()
    await asyncio.gather(*(client(queue) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    print(f"RESULT {n / elapsed:.1f} {p(0.5):.1f} {p(0.99):.1f} {len(errors)} {elapsed:.2f} {sorted(set(errors))}")

asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, deadline: float = 30.0) -> None:
    end = time.monotonic() + deadline
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def setup(folder: str, port: int) -> None:
    for name in ("content", "overrides"):
        shutil.copytree(os.path.join(REPO, name), os.path.join(folder, name))
    with open(os.path.join(REPO, "mkdocs.yml"), encoding="utf-8") as handle:
        config = handle.read()
    config = config.replace("        list_url: https://frontline.example.org/list/\n",
                            f"        list_url: http://127.0.0.1:{port}/\n        per_client_hourly: 0\n"
                            "        global_hourly: 0\n")
    with open(os.path.join(folder, "mkdocs.yml"), "w", encoding="utf-8") as handle:
        handle.write(config)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", help="keep the project under this folder")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="tipsheet-signup-", dir=args.keep)
    port, smtp_port = free_port(), free_port()
    setup(folder, port)
    db = os.path.join(folder, "tipsheet.db")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TIPSHEET_SECRET": "bench-secret-0123456789-abcdefghijklmnop",
           "TIPSHEET_SMTP_HOST": "127.0.0.1", "TIPSHEET_SMTP_PORT": str(smtp_port), "TIPSHEET_SMTP_SECURITY": "none",
           "TIPSHEET_CONFIG": os.path.join(folder, "mkdocs.yml"), "TIPSHEET_DB": db}
    env.pop("SOURCE_DATE_EPOCH", None)
    subprocess.run([sys.executable, "-m", "tipsheet.cli", "subscribers", "init"], cwd=folder, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(smtp_port)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert sink.stdin is not None and sink.stdout is not None
    sink.stdout.readline()
    log_path = os.path.join(folder, "gunicorn.log")
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    with open(log_path, "w") as log:
        server = subprocess.Popen([gunicorn, "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
                                   "--backlog", "2048", "tipsheet.cli.wsgi:application"], cwd=folder, env=env,
                                  stdout=log, stderr=log)
    try:
        wait_for(port)
        for _ in range(args.workers * 2):  # let each worker make its service before the clock starts
            subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{port}/subscribe"], check=False)
        done = subprocess.run([sys.executable, "-c", LOAD, "127.0.0.1", str(port), str(args.n), str(args.clients)],
                              capture_output=True, text=True, check=True)
        result = done.stdout.split("RESULT ", 1)[1].split(None, 5)
        deadline = time.monotonic() + 600
        with sqlite3.connect(db) as check:
            while check.execute("SELECT count(*) FROM outbox WHERE sent IS NULL").fetchone()[0] and \
                    time.monotonic() < deadline:
                time.sleep(0.5)
            rows = check.execute("SELECT count(*) FROM signups").fetchone()[0]
            unsent = check.execute("SELECT count(*) FROM outbox WHERE sent IS NULL OR error != ''").fetchone()[0]
    finally:
        server.terminate()
        server.wait(30)
        sink.stdin.write("\n")
        sink.stdin.flush()
        mails = int(sink.stdout.readline())
        sink.stdin.close()
        sink.wait(10)
    with open(log_path) as log:
        locked = log.read().count("database is locked")
    print(f"{args.n} sign-ups, {args.clients} clients, gunicorn --workers {args.workers}, SQLite WAL")
    heads = ("req/s", "p50 ms", "p99 ms", "errors", "locked", "rows", "mails", "unsent")
    print(" ".join(f"{h:>8}" for h in heads))
    print(f"{float(result[0]):>8.1f} {float(result[1]):>8.1f} {float(result[2]):>8.1f} {int(result[3]):>8} "
          f"{locked:>8} {rows:>8} {mails:>8} {unsent:>8}   ({float(result[4]):.1f} s; errors {result[5].strip()})")
    if not args.keep:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
