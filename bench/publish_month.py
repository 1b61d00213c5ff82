#!/usr/bin/env python3
"""A month of `tipsheet publish` runs on the sample site, driven by SOURCE_DATE_EPOCH: what each run did.

Copies the sample site to a temporary folder and sets it up as a server would run it: digests every
Tuesday at 09:00 (New York), deployed to a directory served over HTTP on 127.0.0.1, sent to an SMTP
server (aiosmtpd) on 127.0.0.1, with tips written ahead for every Tuesday of December 2026, an
editor's note and a call to action.  Then runs `tipsheet publish` as the hourly timer would, but only
at the hours where something can happen (00:05, when a tip dated that day appears, and 09:05 every day;
08:05 to 11:05 on Tuesdays), with a few things going wrong on the way: the web server down one Tuesday
morning, a hand-made folder where the deploy link goes, a reader's mailbox that no longer exists.
Before the month the site sent ISO-week digests by hand; it moves to send_at with scheduled_from.
Prints one block per run that did something and a count of the quiet ones, then `tipsheet status` in the
middle of the month and at its end.

usage: .venv/bin/python bench/publish_month.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from smtpkit import Server, Sink  # noqa: E402 (the tests' relay on 127.0.0.1)

NEW_YORK = ZoneInfo("America/New_York")
AHEAD = {  # tips written ahead, one per Tuesday of December
    "2026-12-08": ("Tell people in line how long, not just where", "responsiveness", "A queue you can measure is a "
                   "queue people will wait in."),
    "2026-12-15": ("Put the holiday hours everywhere at once", "complaints", "Website, voicemail, door sign and "
                   "email footer, on the same day."),
    "2026-12-22": ("Give the returns desk a script for gifts", "retention", "A gift return is a first meeting with "
                   "someone who did not choose you."),
    "2026-12-29": ("Write down what went wrong in December", "training", "The week between the holidays is when "
                   "the lessons are still fresh."),
}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class Web:
    """The web server of the one-server setup, serving the folder 'tipsheet publish' switches."""

    def __init__(self, folder: Path, port: int = 0) -> None:
        self.folder, self.port, self.server = folder, port, None

    def start(self) -> None:
        handler = partial(Quiet, directory=str(self.folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.server = server

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def set_up(root: Path, port: int) -> None:
    for name in ("content", "overrides", "mkdocs.yml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["site_url"] = f"http://127.0.0.1:{port}/"
    for entry in config["plugins"]:
        if isinstance(entry, dict) and "tipsheet/tips" in entry:
            entry["tipsheet/tips"]["call_to_action"] = {
                "heading": "Let's talk about your front line", "link": "https://larkspur.example.org/contact/",
                "text": "A no-obligation consultation: an hour on what your team hears most.",
                "label": "Book a consultation"}
            entry["tipsheet/tips"]["deploy"] = {"to": "directory", "path": "www", "verify_wait": 0}
        if isinstance(entry, dict) and "tipsheet/digests" in entry:
            entry["tipsheet/digests"].update({"send_at": "tuesday 09:00", "scheduled_from": "2026-11-30",
                                              "rate": 0, "retry_delay": 0.1})
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    tips = root / "content" / "tips" / "2026"
    for path in tips.glob("*.md"):  # the sample keeps two tips without a summary; publish checks --strict
        text = path.read_text(encoding="utf-8")
        if "\nsummary:" not in text.split("\n---", 1)[0]:
            path.write_text(text.replace("\ntags:", "\nsummary: The short version, for cards and emails.\ntags:", 1),
                            encoding="utf-8")
    for day, (title, tag, summary) in AHEAD.items():
        slug = "-".join(title.lower().replace(",", "").split())
        (tips / f"{slug}.md").write_text(f"---\ntitle: {title}\ndate: {day}\ntags: [{tag}]\nsummary: {summary}\n"
                                         f"---\n\n{summary}\n\n<!-- more -->\n\nThe rest of the tip.\n",
                                         encoding="utf-8")
    notes = root / "content" / "digests"
    notes.mkdir(exist_ok=True)  # the sample has a note of its own
    (notes / "2026-12-01.md").write_text("---\ntitle: A note before the holidays\n---\n\nDecember is when queues get "
                                         "long; the next four tips are for the busiest weeks of the year.\n",
                                         encoding="utf-8")


def tipsheet(root: Path, env: dict[str, str], when: datetime, *args: str) -> subprocess.CompletedProcess[str]:
    run_env = {**env, "SOURCE_DATE_EPOCH": str(int(when.timestamp()))}
    return subprocess.run([str(Path(sys.executable).parent / "tipsheet"), *args], cwd=root, env=run_env,
                          capture_output=True, text=True)


def runs() -> list[datetime]:
    day, out = datetime(2026, 11, 30, tzinfo=NEW_YORK), []
    while day.month != 1:
        hours = (0, 8, 9, 10, 11) if day.weekday() == 1 else (0, 9)
        out += [day.replace(hour=h, minute=5) for h in hours]
        day += timedelta(days=1)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args()
    root = Path(args.keep or tempfile.mkdtemp(prefix="tipsheet-month-"))
    root.mkdir(parents=True, exist_ok=True)
    sink = Sink()
    web = Web(root / "www")
    web.start()
    with Server(sink) as relay:
        set_up(root, web.port)
        env = {**os.environ, "TIPSHEET_SECRET": "simulated-month-secret-0123456789abcdef",
               "TIPSHEET_SMTP_HOST": "127.0.0.1", "TIPSHEET_SMTP_PORT": str(relay.port),
               "TIPSHEET_SMTP_SECURITY": "none", "NO_MKDOCS_2_WARNING": "1"}
        start = datetime(2026, 11, 29, 12, tzinfo=NEW_YORK)
        tipsheet(root, env, start, "subscribers", "init")
        people = "\n".join(f"reader{n:02d}@example.org,Reader {n},{'sports' if n % 5 == 0 else ''}"
                           for n in range(1, 41))
        (root / "people.csv").write_text("email,name,tags\n" + people + "\n", encoding="utf-8")
        tipsheet(root, env, start, "subscribers", "import", "people.csv")
        # Until now the site sent its ISO weeks by hand: the last one, week 47, went out on Monday the 23rd.
        tipsheet(root, env, datetime(2026, 11, 23, 9, 0, tzinfo=NEW_YORK), "send", "--period", "2026-W47")
        quiet, middle = 0, ""
        for when in runs():
            label = f"{when:%a %Y-%m-%d %H:%M}"
            events = []
            if when == datetime(2026, 12, 3, 9, 5, tzinfo=NEW_YORK):
                tipsheet(root, env, when, "subscribers", "add", "new.reader@example.org", "--name", "New Reader")
                events.append("a reader subscribes (new.reader@example.org)")
            if when == datetime(2026, 12, 8, 8, 5, tzinfo=NEW_YORK):
                web.stop()
                events.append("the web server is down")
            if when == datetime(2026, 12, 8, 10, 5, tzinfo=NEW_YORK):
                web.start()
                events.append("the web server is back")
            if when == datetime(2026, 12, 14, 9, 5, tzinfo=NEW_YORK):
                sink.replies["reader07@example.org"] = ["550 5.1.1 <reader07@example.org>: user unknown"]
                (root / "content" / "digests" / "2026-12-22.md").write_text(
                    "The office is closed from December 24 to 26; the tip of the 29th is written already.\n",
                    encoding="utf-8")
                events.append("reader07's mailbox is gone; a note for 2026-12-22 is written")
            if when == datetime(2026, 12, 22, 8, 5, tzinfo=NEW_YORK):
                live = root / "www"
                target = os.path.realpath(live)
                live.unlink()
                shutil.copytree(target, live)  # someone "fixes" the site by hand with a plain folder
                events.append("someone replaces the www link with a copied folder")
            if when == datetime(2026, 12, 22, 10, 5, tzinfo=NEW_YORK):
                shutil.rmtree(root / "www")
                events.append("the publisher removes the folder (as the error said)")
            done = tipsheet(root, env, when, "publish")
            if when == datetime(2026, 12, 14, 9, 5, tzinfo=NEW_YORK):
                middle = tipsheet(root, env, when.replace(hour=10, minute=0), "status").stdout
            lines = [line for line in done.stdout.splitlines() if line.startswith(("deploy:", "verify:", "send:"))
                     or line.startswith(("sent ", "bounced: "))]
            interesting = events or done.returncode != 0 or any(
                ("nothing to do" not in line and line.startswith(("deploy:", "send:"))) for line in lines)
            if not interesting:
                quiet += 1
                continue
            print(f"{label}  exit {done.returncode}" + "".join(f"\n  ({event})" for event in events))
            for line in lines:
                print(f"  {line}")
            for line in done.stderr.strip().splitlines():
                print(f"  ! {line}")
        print(f"\n{quiet} other runs did nothing (site already live, digest already sent); "
              f"{len(sink.received)} messages reached the relay in the month")
        status = tipsheet(root, env, datetime(2026, 12, 31, 9, 0, tzinfo=NEW_YORK), "status")
        print("\n$ tipsheet status    # Monday, December 14, 10:00\n" + middle.rstrip())
        print("\n$ tipsheet status    # Thursday, December 31, 09:00\n" + status.stdout.rstrip())
    web.stop()
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
