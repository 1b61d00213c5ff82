"""``tipsheet publish``: check, build, deploy, verify, then send the digest that is due; safe to run every hour.

Each step is idempotent: the build is deterministic, a deploy of a site that
is already live does nothing, and a digest whose run finished is never sent
again, so a timer can run this every hour and the subscribers get each digest
once, at the first run after its send time.  A step that fails stops the
ones after it: nothing is sent unless the site that the email links to is
built, deployed and answering with the digest's page.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..audience import health
from ..audience.store import finished_cleanly
from ..content import clock
from ..content.catalog import Catalog
from ..mail.digests import Digest, DigestIndex
from ..publish.deploy import (
    Deployed,
    DeployError,
    Ledger,
    deploy_command,
    deploy_directory,
    deploy_gh_pages,
    fingerprint,
)
from ..publish.verify import VerifyError, verify_page
from ..site.urls import Urls, absolute
from .check_cmd import print_text
from .common import CliError, add_config_option, local_minutes, plural

if TYPE_CHECKING:
    from .project import Project

HELP = """Publish the site and send the digest that is due, in that order, each step only if the one
before it worked:

  check    every tip and editor's note, as 'tipsheet check --strict'
  build    'mkdocs build --strict' (a tip dated today appears on the site)
  deploy   deploy: in mkdocs.yml: a directory (switched atomically), gh-pages, or a command
  verify   the digest's page answers at site_url, with a link to each of its tips
  send     the digest, through the same path as 'tipsheet send'

Run it every hour (a systemd timer or cron): a site already live is not deployed again,
and a digest that went out is never sent again, so the subscribers get each digest once,
at the first run after its send time (send_at: in mkdocs.yml).

Exit status: 0 done (or nothing to do), 1 a step failed (nothing after it ran), 2 bad setup.

examples:
  tipsheet publish --dry-run        what each step would do; builds, deploys and sends nothing
  tipsheet publish
"""


def register(commands: Any) -> None:
    parser = commands.add_parser("publish", help="check, build, deploy, then send the due digest (run hourly)",
                                 description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="say what each step would do; change nothing")
    parser.add_argument("--redeploy", action="store_true", help="deploy even if this site is already live")
    parser.add_argument("--ignore-rates", action="store_true",
                        help="send even with a complaint or bounce rate at its stop level (one run)")
    add_config_option(parser)
    parser.set_defaults(run=run)


def say(step: str, text: str) -> None:
    print(f"{step + ':':<8} {text}", flush=True)


@contextlib.contextmanager
def publish_lock(root: str) -> Iterator[None]:
    """One publish at a time per site (a timer and a hand-started run); the kernel drops it with the process."""
    with open(os.path.join(root, ".tipsheet-publish.lock"), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise CliError("expected no other 'tipsheet publish' of this site, got one still running "
                           "(nothing was done; the next run takes over)") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run(args: argparse.Namespace) -> int:
    from .project import open_project

    project = open_project(args.config_file)
    with publish_lock(project.root):
        return Publisher(project, dry_run=args.dry_run, redeploy=args.redeploy,
                         ignore_rates=args.ignore_rates).run()


class Publisher:
    def __init__(self, project: Project, dry_run: bool = False, redeploy: bool = False,
                 ignore_rates: bool = False) -> None:
        self.project, self.dry_run, self.redeploy, self.ignore_rates = project, dry_run, redeploy, ignore_rates
        try:
            self.now = clock.now()
        except clock.ClockError as exc:
            raise CliError(str(exc), 2) from None
        self.site_dir = project.mkdocs.site_dir
        self.would = "would " if dry_run else ""

    def run(self) -> int:
        settings = self.project.settings
        local = self.now.astimezone(settings.timezone)
        print(f"tipsheet publish{' (dry run)' if self.dry_run else ''}: {settings.site_name}, "
              f"{local:%Y-%m-%d %H:%M} {settings.timezone.key}")
        target = self.deploy_target()
        self.check()
        self.build()
        self.deploy(target)
        return self.send()

    # -- check and build ---------------------------------------------------------------------------
    def check(self) -> None:
        from .check_cmd import check_problems

        problems, files = check_problems(self.project)
        if problems:
            errors = sum(p.is_error for p in problems)
            print_text(problems, files, errors, len(problems) - errors, strict=True)
            raise CliError(f"check: expected no errors or warnings (publish checks as 'tipsheet check --strict'), "
                           f"got {plural(errors, 'error')} and {plural(len(problems) - errors, 'warning')}: "
                           "nothing was built, deployed or sent")
        say("check", f"{plural(files, 'tip')} and the editor's notes: all good")

    def build(self) -> None:
        where = os.path.relpath(self.site_dir)
        if self.dry_run:
            say("build", f"would run 'mkdocs build --strict' into {where}/")
            return
        started = time.monotonic()
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(self.now.timestamp()))}  # the run's one "now"
        done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                               self.project.config_file], cwd=self.project.root, env=env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            lines = [line for line in (done.stderr + done.stdout).splitlines()
                     if line.startswith(("ERROR", "WARNING", "Aborted", "  "))]
            for line in lines[-20:]:
                print(f"  {line}", file=sys.stderr)
            raise CliError(f"build: expected 'mkdocs build --strict' to succeed, got exit status "
                           f"{done.returncode}: nothing was deployed or sent (the previous {where}/ is unchanged)")
        say("build", f"{where}/ built in {time.monotonic() - started:.1f} s")

    # -- deploy --------------------------------------------------------------------------------------
    def deploy_target(self) -> str | None:
        """Where ``deploy:`` puts the site, checked before anything is built; None when it is not configured."""
        config = self.project.tips_config.deploy
        where = f"{self.project.rel(self.project.config_file)}: tipsheet/tips: deploy"
        if config.to is None:
            return None
        if config.to == "directory" and not config.path:
            raise CliError(f"{where}: path: expected the folder the web server serves (a symbolic link that "
                           "tipsheet switches), got nothing", 2)
        if config.to == "command" and not config.command:
            raise CliError(f"{where}: command: expected the command that deploys, as a list like "
                           "[netlify, deploy, --prod, --dir, site], got nothing", 2)
        if config.keep < 1:
            raise CliError(f"{where}: keep: expected 1 or more releases, got {config.keep}", 2)
        return {"directory": os.path.join(self.project.root, config.path or ""),
                "command": " ".join(config.command or ()),
                "gh-pages": f"{self.project.mkdocs.remote_name}/{self.project.mkdocs.remote_branch}"}[config.to]

    def deploy(self, target: str | None) -> None:
        config = self.project.tips_config.deploy
        if target is None:
            say("deploy", "none configured (deploy: to: in mkdocs.yml); the site is served from where you put it")
            return
        if self.dry_run:
            say("deploy", f"would deploy {os.path.relpath(self.site_dir)}/ to {config.to} {target}, unless it is "
                          "already live there")
            return
        try:
            print_ = fingerprint(self.site_dir)
            ledger = Ledger(self.site_dir)
            result: Deployed
            if config.to == "directory":
                result = deploy_directory(self.site_dir, target, print_, config.keep)
            elif config.to == "command":
                result = deploy_command(self.site_dir, config.command or [], self.project.root, print_, ledger,
                                        config.timeout, self.redeploy)
            else:
                result = deploy_gh_pages(self.site_dir, self.project.root, self.project.mkdocs.remote_name,
                                         self.project.mkdocs.remote_branch, print_, ledger, config.timeout,
                                         self.redeploy)
        except DeployError as exc:
            raise CliError(f"{exc}: nothing was sent") from None
        say("deploy", result.detail if result.changed else f"nothing to do: {result.detail}")

    # -- the digest ------------------------------------------------------------------------------------
    def index(self) -> DigestIndex:
        catalog = Catalog(self.project.tips(), self.project.settings, self.now)
        return self.project.digest_index(catalog)

    def send(self) -> int:
        config = self.project.digests_config
        if config is None or not config.enabled:
            say("send", "no digests (tipsheet/digests is not in mkdocs.yml): done")
            return 0
        index = self.index()
        due = index.due()
        later = next_send(index)
        if due is None:
            say("send", f"nothing due yet; the first digest goes out {later}")
            return 0
        with self.project.store() as store:
            record = store.send_record(due.id)
            missed = missed_digests(index, due, store.send_record)
            findings = health.assess(store.rates(health.WINDOW_DAYS))
        for digest in missed:
            say("send", f"note: digest {digest.id} was never sent; publish sends only the newest due digest "
                        f"(send it by hand if you want: tipsheet send --period {digest.id})")
        if record is not None and finished_cleanly(record):
            say("send", f"nothing to do: digest {due.id} went out "
                        f"{local_minutes(str(record['finished']), self.project.settings.timezone)} "
                        f"to {plural(int(str(record['sent'])), 'subscriber')}; the next goes out {later}")
            return 0
        state = "resuming" if record is not None else "due"
        say("send", f"digest {due.id} is {state} ({plural(len(due.tips), 'tip')}, since "
                    f"{due.period.start:%Y-%m-%d %H:%M}, due {due.period.end:%Y-%m-%d %H:%M})")
        for finding in findings:
            if finding.level != health.OK:
                say("send", finding.line())
        if health.worst(findings) == health.STOP and not self.ignore_rates and not self.dry_run:
            raise CliError("send: expected complaint and bounce rates under their stop levels, got one at it: "
                           "nothing was sent (see 'tipsheet status'; once you have looked, 'tipsheet publish "
                           "--ignore-rates' sends this once)")
        self.verify(due)
        from .delivery_cmd import deliver

        summary = deliver(self.project, due, self.dry_run)
        if summary.stopped:
            raise CliError(f"send: stopped: {summary.stopped}")
        return 1 if summary.failed else 0

    def verify(self, digest: Digest) -> None:
        site_url = self.project.mkdocs.site_url or ""
        urls = self.project.urls
        page = absolute(site_url, urls.page(digest.folder))
        wanted = [(t.title, absolute(site_url, urls.page(Urls.tip(t.slug)))) for t in digest.tips]
        config = self.project.tips_config.deploy
        if self.dry_run:
            say("verify", f"would fetch {page} and expect a link to each of its {plural(len(wanted), 'tip')}")
            return
        try:
            verify_page(page, wanted, config.verify_timeout, config.verify_wait)
        except VerifyError as exc:
            raise CliError(f"verify: expected {page} to serve digest {digest.id}, got {exc}: nothing was sent "
                           "(is the web server up, and serving what deploy: writes? the next run tries again)"
                           ) from None
        say("verify", f"{page} serves digest {digest.id}")


def next_send(index: DigestIndex) -> str:
    """When the period going on now ends: ``2026-12-08 09:00 (America/New_York)``."""
    period, _ = index.upcoming()
    return f"{period.end:%Y-%m-%d %H:%M} ({index.settings.timezone.key})"


def missed_digests(index: DigestIndex, due: Digest, record: Callable[[str], object],
                   look_back: int = 10) -> list[Digest]:
    """Complete digests older than ``due`` that were never sent, back to the last one that was.

    Nothing on the very first run (no digest ever sent): the back catalogue is not "missed".
    """
    missed: list[Digest] = []
    for digest in [d for d in index.site if d.period.end < due.period.end][:look_back]:
        if record(digest.id) is not None:
            return missed
        missed.append(digest)
    return []
