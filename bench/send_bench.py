#!/usr/bin/env python3
"""Delivery benchmark: N subscribers, one digest, sent to an SMTP sink on loopback that answers like a relay.

Copies the sample site to a temporary folder, imports N subscribers (70% every
tip, 30% with one of a few tag filters) with `tipsheet subscribers import`,
starts an aiosmtpd sink in its own process (so it does not share our CPU
time) that waits --delay seconds before every reply (EHLO, MAIL, RCPT, DATA's
354 and the final 250: a real relay's round trip; 0.05 by default), and times
`tipsheet send`.  Prints messages per second and the sender's peak memory for
each N and each number of connections; --rate sets the rate limit (default:
the site's default, 40 a second; 0 for none).

usage: .venv/bin/python bench/send_bench.py [--n 1000 10000] [--connections 1 8] [--delay 0.05] [--rate 40]
       .venv/bin/python bench/send_bench.py --n 10000 --connections 1 --delay 0 --rate 0   # raw speed
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
from aiosmtpd.smtp import SMTP
DELAY = float(sys.argv[2])
class Count:
    n = 0
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        await asyncio.sleep(DELAY)
        session.host_name = hostname
        return responses
    async def handle_MAIL(self, server, session, envelope, address, options):
        await asyncio.sleep(DELAY)
        envelope.mail_from = address
        return "250 OK"
    async def handle_RCPT(self, server, session, envelope, address, options):
        await asyncio.sleep(DELAY)
        envelope.rcpt_tos.append(address)
        return "250 OK"
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(DELAY)
        Count.n += 1
        return "250 OK"
class SlowSMTP(SMTP):
    async def smtp_DATA(self, arg):
        await asyncio.sleep(DELAY)  # the round trip of DATA's 354 reply
        return await super().smtp_DATA(arg)
class Sink(Controller):
    def factory(self):
        return SlowSMTP(self.handler, **self.SMTP_kwargs)
c = Sink(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
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


def setup(folder: str, n: int, connections: int, rate: float | None) -> None:
    for name in ("content", "overrides"):
        shutil.copytree(os.path.join(REPO, name), os.path.join(folder, name))
    with open(os.path.join(REPO, "mkdocs.yml"), encoding="utf-8") as handle:
        config = handle.read()
    options = f"      connections: {connections}\n" + (f"      rate: {rate:g}\n" if rate is not None else "")
    with open(os.path.join(folder, "mkdocs.yml"), "w", encoding="utf-8") as handle:
        handle.write(config.replace("      period: weekly\n", "      period: weekly\n" + options))
    with open(os.path.join(folder, "people.csv"), "w", encoding="utf-8") as handle:
        handle.write("email,name,tags\n")
        for i in range(n):
            handle.write(f"reader{i:06d}@example.org,Reader {i},\"{FILTERS[i % len(FILTERS)]}\"\n")


def run(n: int, connections: int, delay: float, rate: float | None, keep: str | None) -> dict[str, float]:
    folder = tempfile.mkdtemp(prefix=f"tipsheet-send-{n}-", dir=keep)
    setup(folder, n, connections, rate)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795305600",
           "TIPSHEET_SECRET": "bench-secret-0123456789-abcdefghijklmnop", "TIPSHEET_SMTP_HOST": "127.0.0.1",
           "TIPSHEET_SMTP_SECURITY": "none"}
    tipsheet = [sys.executable, "-m", "tipsheet.cli"]
    started = time.perf_counter()
    subprocess.run([*tipsheet, "subscribers", "init"], cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*tipsheet, "subscribers", "import", "people.csv"], cwd=folder, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    imported = time.perf_counter() - started
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port), str(delay)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE,
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
    return {"n": n, "connections": connections, "import_s": imported, "send_s": seconds, "received": received,
            "msg_per_s": received / seconds, "peak_mb": peak_kb / 1024, "summary": summary}  # type: ignore[dict-item]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--connections", type=int, nargs="+", default=[8])
    parser.add_argument("--delay", type=float, default=0.05, help="seconds before each reply of the sink")
    parser.add_argument("--rate", type=float, default=None, help="messages a second (default: the site's, 40)")
    parser.add_argument("--keep", help="keep the projects under this folder")
    args = parser.parse_args()
    rate = "default (40)" if args.rate is None else f"{args.rate:g}"
    print(f"sink delay {args.delay * 1000:.0f} ms per reply, rate {rate}")
    print(f"{'subscribers':>11} {'conns':>5} {'import s':>9} {'send s':>8} {'messages':>9} {'msg/s':>7} {'peak MB':>8}")
    for n in args.n:
        for connections in args.connections:
            r = run(n, connections, args.delay, args.rate, args.keep)
            print(f"{r['n']:>11} {r['connections']:>5} {r['import_s']:>9.2f} {r['send_s']:>8.2f} {r['received']:>9} "
                  f"{r['msg_per_s']:>7.1f} {r['peak_mb']:>8.1f}   {r['summary']}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
