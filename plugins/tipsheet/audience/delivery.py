"""Sending one digest to every subscriber, exactly once, over a few SMTP connections at the relay's pace.

For each subscriber who receives digests and has no ledger entry for this
digest: their version of the digest (only their tags, when they chose some;
nothing when no tip matches), addressed to them with their own unsubscribe
link, from a per-subscriber envelope sender (VERP) so that a bounce that
comes back later names them.  A version is rendered once per distinct choice
of tags, never per subscriber.

``connections`` workers each keep one connection to the relay; the main
thread reads the recipients from the database in batches and hands each to
exactly one worker.  What a reply means is decided in :mod:`.replies`: a
subscriber is marked bounced only for a failure of their mailbox, and a
refusal that is about us, the message or the relay stops the run and marks
nobody.  A circuit breaker stops the run after ``stop_after`` consecutive
failures of the same kind (a relay that refuses everyone looks, one message at
a time, like a list of dead addresses) and marks nobody for them.

**What the ledger guarantees.**  A message is recorded, and committed, the
moment the relay accepts it, so a second run, or a run after a crash, sends
only what is missing.  One message can still go out twice: the one in flight
when the process dies after the relay's 250 reply and before that commit.
Its Message-ID is the same both times, so most mail programs show it once.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ..content import clock
from ..mail.digests import Digest
from ..mail.mime import BulkPolicy, Envelope, address, build_message, message_id
from ..mail.render import DigestRenderer, RenderedDigest
from .replies import Reply, Verdict, advice, classify
from .store import Store, Subscriber
from .tokens import PREFERENCES, Signer

SOURCE = "smtp"


class Transport(Protocol):
    def send(self, sender: str, recipient: str, data: bytes, envelope_id: str = "") -> Reply | None: ...

    def close(self) -> None: ...


@dataclass
class Summary:
    sent: int = 0
    skipped: int = 0  # already delivered before this run
    empty: int = 0  # no tip of this digest matches their tags
    left: int = 0  # unsubscribed, bounced or suppressed while the run was going
    retried: int = 0
    bounced: int = 0
    soft: int = 0
    failed: int = 0
    stopped: str = ""

    def line(self) -> str:
        text = (f"sent {self.sent}, skipped {self.skipped} (already sent), no matching tips {self.empty}, "
                f"retried {self.retried}, bounced {self.bounced}, failed {self.failed}")
        if self.soft:
            text += f", soft bounces {self.soft}"
        if self.left:
            text += f", left during the run {self.left}"
        return text


@dataclass
class Policy:
    rate: float = 0.0  # messages per second over all connections; 0: as fast as the relay takes them
    retries: int = 3
    retry_delay: float = 2.0  # doubled after each attempt
    progress_every: int = 100
    connections: int = 8
    stop_after: int = 5  # consecutive failures of one kind that stop the run; 0: never


@dataclass(frozen=True)
class Addressing:
    """How each message names its reader: links with their token, the envelope sender, the feedback id."""

    unsubscribe_url: Callable[[str], str]
    bounce_address: str | None  # 'bounces@example.org': sent as 'bounces+<token>@example.org'; None: no VERP
    feedback_id: str = ""
    preferences_url: Callable[[str], str] | None = None  # the list service's page, when there is one

    def envelope_sender(self, envelope: Envelope, verp_token: str) -> str:
        if self.bounce_address is None:
            return envelope.sender.addr_spec
        local, _, domain = self.bounce_address.rpartition("@")
        return f"{local}+{verp_token}@{domain}"


@dataclass
class _Breaker:
    """Consecutive failures of one kind; the marks they would make wait until the streak is broken."""

    limit: int
    kind: str = ""
    streak: int = 0
    waiting: list[Callable[[], None]] = field(default_factory=list)

    def success(self) -> list[Callable[[], None]]:
        ready, self.waiting, self.kind, self.streak = self.waiting, [], "", 0
        return ready

    def failure(self, kind: str, mark: Callable[[], None] | None) -> tuple[bool, list[Callable[[], None]]]:
        """(tripped, marks now due).  Tripping drops the waiting marks: nobody is marked for them."""
        ready: list[Callable[[], None]] = []
        if kind != self.kind:
            ready, self.waiting, self.kind, self.streak = self.waiting, [], kind, 0
        self.streak += 1
        if mark is not None:
            self.waiting.append(mark)
        if self.limit and self.streak >= self.limit:
            self.waiting = []
            return True, ready
        return False, ready


class Sender:
    def __init__(self, db_path: str, renderer: DigestRenderer, envelope: Envelope, addressing: Addressing,
                 signer: Signer | None, transports: Callable[[], Transport] | None, policy: Policy,
                 say: Callable[[str], None], tags_with_pages: frozenset[str] = frozenset(),
                 sleep: Callable[[float], None] = time.sleep, clock_: Callable[[], float] = time.monotonic) -> None:
        self.db_path, self.renderer, self.envelope, self.addressing = db_path, renderer, envelope, addressing
        self.signer, self.transports, self.policy, self.say = signer, transports, policy, say
        self.tags_with_pages, self.sleep, self.clock = tags_with_pages, sleep, clock_
        self._versions: dict[frozenset[str] | None, RenderedDigest | None] = {}
        self._lock = threading.Lock()  # versions, summary, breaker, rate, progress
        self._stop = threading.Event()
        self._breaker = _Breaker(policy.stop_after)
        self._next_slot = 0.0
        self._done = 0

    # -- what each reader gets -------------------------------------------------------------
    def version(self, digest: Digest, audience: frozenset[str] | None) -> RenderedDigest | None:
        """The digest as this audience gets it, rendered on first need; None when no tip matches."""
        with self._lock:
            if audience not in self._versions:
                tips = digest.tips if audience is None else tuple(t for t in digest.tips if audience & set(t.tags))
                only = next(iter(audience)) if audience and len(audience) == 1 else None
                tag = only if only in self.tags_with_pages else None
                self._versions[audience] = self.renderer.render(Digest(digest.period, tips, tag)) if tips else None
            return self._versions[audience]

    # -- the run -----------------------------------------------------------------------------
    def run(self, digest: Digest, dry_run: bool = False) -> Summary:
        with Store(self.db_path) as store:
            summary = Summary(skipped=store.delivered_count(digest.id))
            total = sum(1 for _ in store.recipients(digest.id))
            if dry_run:
                for subscriber in store.recipients(digest.id):
                    self._dry(digest, subscriber, summary)
                return summary
            store.send_started(digest.id)
            work: queue.Queue[Subscriber | None] = queue.Queue(maxsize=4 * max(1, self.policy.connections))
            errors: list[BaseException] = []
            workers = [threading.Thread(target=self._worker, args=(digest, work, summary, total, errors),
                                        name=f"tipsheet-smtp-{n}", daemon=True)
                       for n in range(max(1, self.policy.connections))]
            self._started = self.clock()
            for thread in workers:
                thread.start()
            try:
                for subscriber in store.recipients(digest.id):
                    if self._stop.is_set():
                        break
                    while not self._stop.is_set():
                        try:
                            work.put(subscriber, timeout=0.2)
                            break
                        except queue.Full:
                            continue
            finally:
                for _ in workers:
                    work.put(None)
                for thread in workers:
                    thread.join()
                with self._lock:
                    self._commit(self._breaker.waiting)  # fewer than stop_after: genuine, so recorded
                    self._breaker.waiting = []
                store.send_finished(digest.id, summary.sent, summary.failed, summary.bounced, summary.stopped)
        if errors:
            raise errors[0]
        return summary

    def _dry(self, digest: Digest, subscriber: Subscriber, summary: Summary) -> None:
        rendered = self.version(digest, subscriber.audience)
        if rendered is None:
            summary.empty += 1
            self.say(f"would skip {subscriber.email}: no tip of {digest.id} has their tags")
        else:
            self.say(f"would send {digest.id} to {subscriber.email}: {len(rendered.digest.tips)} tips, "
                     f"{rendered.subject!r}")

    def _worker(self, digest: Digest, work: queue.Queue[Subscriber | None], summary: Summary, total: int,
                errors: list[BaseException]) -> None:
        assert self.transports is not None
        transport: Transport | None = None
        policy = BulkPolicy()
        try:
            transport = self.transports()
            with Store(self.db_path) as store:
                while True:
                    subscriber = work.get()
                    if subscriber is None:
                        return
                    if self._stop.is_set():
                        continue  # drain: nothing more is sent once the run stops
                    self._one(store, transport, policy, digest, subscriber, summary, total)
        except BaseException as exc:  # a DeliveryError (no relay) or anything unexpected: stop everyone
            with self._lock:
                errors.append(exc)
                summary.stopped = summary.stopped or str(exc)
            self._stop.set()
            while work.get() is not None:  # let the feeder finish
                pass
        finally:
            if transport is not None:
                transport.close()

    def _one(self, store: Store, transport: Transport, policy: BulkPolicy, digest: Digest, subscriber: Subscriber,
             summary: Summary, total: int) -> None:
        rendered = self.version(digest, subscriber.audience)
        if rendered is None:
            with self._lock:
                summary.empty += 1
            return
        if not store.may_mail(subscriber):
            with self._lock:
                summary.left += 1
            return
        assert self.signer is not None
        token = self.signer.unsubscribe_token(subscriber.id)
        verp = self.signer.verp(subscriber.id)
        to = address(subscriber.email, subscriber.name)
        preferences = self.addressing.preferences_url
        msg = build_message(rendered, self.envelope, to, self.addressing.unsubscribe_url(token), token, policy,
                            sent=clock.wall(), feedback_id=self.addressing.feedback_id.replace("{digest}", digest.id),
                            preferences_url=preferences(self.signer.token(PREFERENCES, subscriber.id,
                                                                          nonce=subscriber.nonce))
                            if preferences else "")
        data = msg.as_bytes()
        sender = self.addressing.envelope_sender(self.envelope, verp)
        delay = self.policy.retry_delay
        reply: Reply | None = None
        for attempt in range(self.policy.retries + 1):
            self._pace()
            reply = transport.send(sender, to.addr_spec, data, verp)
            if reply is None:
                store.delivered(digest.id, subscriber.id, message_id(rendered, to.addr_spec,
                                                                     self.envelope.sender.domain))
                self._delivered(summary, total)
                return
            verdict = classify(reply)
            if verdict in (Verdict.HARD, Verdict.SOFT, Verdict.STOP):
                break
            if attempt < self.policy.retries and not self._stop.is_set():
                with self._lock:
                    summary.retried += 1
                self.say(f"retrying {subscriber.email} in {delay:g} s: {reply.line()}")
                self.sleep(delay)
                delay *= 2
        assert reply is not None
        self._failed(store, subscriber, reply, summary)

    def _pace(self) -> None:
        if self.policy.rate <= 0:
            return
        with self._lock:
            now = self.clock()
            slot = max(self._next_slot, now)
            self._next_slot = slot + 1.0 / self.policy.rate
        if slot > now:
            self.sleep(slot - now)

    def _delivered(self, summary: Summary, total: int) -> None:
        with self._lock:
            summary.sent += 1
            self._done += 1
            self._commit(self._breaker.success())
            if self._done % self.policy.progress_every == 0 or self._done == total:
                rate = self._done / max(self.clock() - self._started, 1e-9)
                self.say(f"{self._done}/{total} sent ({rate:.0f} msg/s)")

    def _failed(self, store: Store, subscriber: Subscriber, reply: Reply, summary: Summary) -> None:
        verdict = classify(reply)
        if verdict is Verdict.STOP:
            with self._lock:
                if not summary.stopped:
                    summary.stopped = (f"the relay answered {reply.stage} with '{reply.line()}' for "
                                       f"{subscriber.email}: {advice(reply)}; nobody was marked, and what was not "
                                       "sent is left for the next run")
            self._stop.set()
            return
        mark: Callable[[], None] | None = None
        if verdict is Verdict.HARD:
            def mark() -> None:
                with Store(self.db_path) as own:
                    own.mark_bounced(subscriber.id, reply.line(), SOURCE)
                summary.bounced += 1
                self.say(f"bounced: {subscriber.email}: {reply.line()}")
        elif verdict is Verdict.SOFT:
            def mark() -> None:
                with Store(self.db_path) as own:
                    made_hard = own.soft_bounce(subscriber.id, reply.line(), SOURCE)
                summary.soft += 1
                summary.bounced += made_hard
                self.say(f"soft bounce: {subscriber.email}: {reply.line()}" + (" (now bounced)" if made_hard else ""))
        else:
            with self._lock:
                summary.failed += 1
            self.say(f"failed: {subscriber.email}: {reply.line()} (left for the next run)")
        with self._lock:
            tripped, due = self._breaker.failure(reply.kind, mark)
            self._commit(due)
            if tripped and not summary.stopped:
                summary.stopped = (f"{self.policy.stop_after} messages in a row got '{reply.line()}': the relay may "
                                   f"be refusing everyone, so nobody was marked for them ({advice(reply)}; if these "
                                   "addresses really are gone, raise stop_after in mkdocs.yml for one run)")
                self._stop.set()

    def _commit(self, marks: list[Callable[[], None]]) -> None:
        for mark in marks:
            mark()

