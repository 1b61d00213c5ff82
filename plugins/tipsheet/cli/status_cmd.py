"""``tipsheet status``: what a publisher checks on a Monday morning, in one screen (or JSON for monitoring).

Scheduled tips and the day each appears, the last digest sent, the one due or
coming next and what it holds, the list by status, and the bounce and
complaint rates of the last 30 days against the mailbox providers' limits.
It only reads: the list through the store's own queries, the tips as the
build reads them.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..audience import health
from ..audience.db import StoreError
from ..audience.store import finished_cleanly
from ..content import clock
from ..content.catalog import Catalog
from ..content.model import Tip
from .common import CliError, add_config_option, local_minutes, plural

if TYPE_CHECKING:
    from .project import Project

HELP = """Show the state of the publication: scheduled tips, the last digest sent, the next one and what it
will hold, the list (active, pending, paused, unsubscribed, bounced, suppressed) and the bounce and
complaint rates of the last 30 days, with a warning at the mailbox providers' limits (complaints:
0.1% warn, 0.3% stop; bounces: 2% warn, 5% stop).

Exit status: 0, or 1 when a rate is at its stop level or the last digest's run stopped or failed
(for monitoring: 'tipsheet status --format json').

examples:
  tipsheet status
  tipsheet status --format json
"""


def register(commands: Any) -> None:
    parser = commands.add_parser("status", help="scheduled tips, digests, the list and its health",
                                 description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    add_config_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .project import open_project

    project = open_project(args.config_file)
    report = gather(project)
    if args.format == "json":
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_report(report)
    return 1 if report["alarm"] else 0


def _local(when: datetime, project: Project) -> str:
    return when.astimezone(project.settings.timezone).isoformat(timespec="minutes")


def _tip(tip: Tip, project: Project) -> dict[str, Any]:
    local = tip.date.astimezone(project.settings.timezone)
    return {"title": tip.title, "path": tip.path, "date": local.isoformat(timespec="minutes"),
            "day": f"{local:%a %Y-%m-%d}" + ("" if (local.hour, local.minute) == (0, 0) else f" {local:%H:%M}")}


def gather(project: Project) -> dict[str, Any]:
    """Everything the status shows, as plain data (what --format json prints)."""
    try:
        now = clock.now()
    except clock.ClockError as exc:
        raise CliError(str(exc), 2) from None
    catalog = project.catalog()
    scheduled = sorted((t for t in catalog.all if not t.draft and t.date > now), key=lambda t: t.date)
    report: dict[str, Any] = {
        "site": project.settings.site_name, "now": _local(now, project),
        "timezone": project.settings.timezone.key,
        "scheduled_tips": [_tip(t, project) for t in scheduled],
        "drafts": sum(1 for t in catalog.all if t.draft),
        "schedule": None, "last_sent": None, "due": None, "next": None, "list": None, "rates": None,
        "signups_24h": {},
        "alarm": False,
    }
    digests = project.digests_config
    if digests is not None and digests.enabled:
        _digests(project, catalog, report)
    try:
        store = project.store()
    except CliError as exc:
        report["list"] = {"error": str(exc)}
        return report
    with store:
        try:
            counts = store.counts()
            rates = store.rates(health.WINDOW_DAYS)
            sends = store.last_sends(1)
            guards = store.signup_guards(24)
            due = report["due"]
            record = store.send_record(due["digest"]) if due else None
        except StoreError as exc:  # pragma: no cover - a database that opened is readable
            raise CliError(str(exc)) from None
    report["list"] = counts
    report["signups_24h"] = guards
    findings = health.assess(rates)
    report["rates"] = {"days": health.WINDOW_DAYS, **rates,
                       "levels": {f.rate: f.level for f in findings},
                       "limits": {rate: {"warn": warn, "stop": stop} for rate, (warn, stop) in health.LIMITS.items()},
                       "lines": [f.line() for f in findings]}
    if sends:
        last = sends[0]
        report["last_sent"] = {key: last.get(key) for key in ("digest", "started", "finished", "sent", "failed",
                                                              "bounced", "stopped")}
    if report["due"] is not None:
        report["due"]["state"] = "sent" if finished_cleanly(record) else "resume" if record is not None else "due"
    last = report["last_sent"]
    troubled = last is not None and not finished_cleanly(last)
    report["alarm"] = health.worst(findings) == health.STOP or troubled
    return report


def _digests(project: Project, catalog: Catalog, report: dict[str, Any]) -> None:
    index = project.digest_index(catalog)
    schedule = index.schedule
    report["schedule"] = {"send_at": str(schedule.send_at) if schedule.send_at else None,
                          "period": schedule.legacy, "describe": schedule.describe(),
                          "scheduled_from": schedule.since.isoformat() if schedule.since else None}
    notes = project.notes().by_period
    due = index.due()
    if due is not None:
        report["due"] = {"digest": due.id, "due_at": _local(due.period.end, project),
                         "tips": [t.title for t in due.tips], "note": due.period.id in notes}
    period, tips = index.upcoming()
    report["next"] = {"digest": period.id, "goes_out": _local(period.end, project),
                      "tips": [_tip(t, project) for t in tips], "note": period.id in notes}


def _short(iso: str) -> str:
    """``2026-11-24T10:00+01:00`` as ``2026-11-24 10:00``: the text shows local times, the zone said once."""
    return iso[:16].replace("T", " ")


def print_report(report: dict[str, Any]) -> None:
    print(f"{report['site']}, {_short(report['now'])} {report['timezone']}")
    schedule = report["schedule"]
    if schedule:
        print(f"Digests go out {schedule['describe']}.")
    tips = report["scheduled_tips"]
    print(f"\nScheduled tips: {len(tips) or 'none'}" + (f" (and {plural(report['drafts'], 'draft')})"
                                                       if report["drafts"] else ""))
    for tip in tips:
        print(f"  {tip['day']:<20} {tip['title']}  ({tip['path']})")
    if schedule:
        print()
        last = report["last_sent"]
        if last is None:
            print("Last digest: none sent yet")
        else:
            finished = str(last["finished"] or "")
            zone = ZoneInfo(report["timezone"])
            done = f"finished {local_minutes(finished, zone)}" if finished else "NOT FINISHED (a crash?)"
            stopped = f"; STOPPED: {last['stopped']}" if last["stopped"] else ""
            print(f"Last digest: {last['digest']}, {done}, sent to {plural(int(last['sent']), 'subscriber')}, "
                  f"{last['failed']} failed, {last['bounced']} bounced{stopped}")
        due = report["due"]
        if due is not None and due.get("state") != "sent":
            verb = "due now, not sent yet" if due.get("state") == "due" else "due, its run did not finish"
            print(f"Digest {due['digest']}: {verb} (the next 'tipsheet publish' sends it): "
                  f"{plural(len(due['tips']), 'tip')}")
        upcoming = report["next"]
        note = " and an editor's note" if upcoming["note"] else ""
        if upcoming["tips"]:
            print(f"Next digest: {upcoming['digest']}, goes out {_short(upcoming['goes_out'])}, "
                  f"with {plural(len(upcoming['tips']), 'tip')}{note} so far:")
            for tip in upcoming["tips"]:
                print(f"  {tip['day']:<20} {tip['title']}")
        else:
            print(f"Next digest: {upcoming['digest']}, due {_short(upcoming['goes_out'])}: no tip dated in it yet"
                  f"{note} (without one, nothing goes out)")
    listed = report["list"]
    print()
    if listed is None or "error" in listed:
        print(f"List: {listed['error'] if listed else 'none'}")
        return
    print(f"List: {listed['active']} active, {listed['pending']} pending, {listed['paused']} paused, "
          f"{listed['unsubscribed']} unsubscribed, {listed['bounced']} bounced; {listed['suppressed']} suppressed "
          "addresses")
    guards = report.get("signups_24h") or {}
    if guards:
        held = {"client-limit": "refused by the per-client limit", "global-limit": "refused by the global limit",
                "mail-limit": "mails held back (one address asked too often)", "honeypot": "honeypot (bots)"}
        tripped = [f"{guards[k]} {text}" for k, text in held.items() if guards.get(k)]
        print(f"Sign-ups, last 24 hours: {guards.get('accepted', 0)} accepted"
              + (f"; LIMITS TRIPPED: {', '.join(tripped)}" if tripped else ""))
    rates = report["rates"]
    print(f"Last {rates['days']} days: {plural(rates['sent'], 'message')} sent, "
          f"{plural(rates['bounces'], 'hard bounce')} ({rates['bounce_rate']:.2%}), "
          f"{plural(rates['complaints'], 'complaint')} ({rates['complaint_rate']:.2%})")
    for line in rates["lines"]:
        print(f"  {line}")
