"""Is the list healthy enough to mail?  Bounce and complaint rates against the mailbox providers' limits.

Gmail asks bulk senders to keep the spam-complaint rate below 0.1% and never
to reach 0.3% (support.google.com/mail/answer/81126); Yahoo's limit is the
same 0.3%.  Bounces have no published Gmail limit; Amazon SES asks for under
2% and reviews accounts at 5%.  Rates are over the last 30 days of this
list's own sending: hard bounces and complaints per message sent.

At *warn* the status says so; at *stop* ``tipsheet publish`` sends nothing
until the publisher has looked (``--ignore-rates`` for one run, or a
deliberate ``tipsheet send``).  On a small list one complaint can cross a
limit: that is the moment to look at who complained, not to mail more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

OK, WARN, STOP = "ok", "warn", "stop"
WINDOW_DAYS = 30
LIMITS = {  # rate: (warn at, stop at)
    "complaint_rate": (0.001, 0.003),
    "bounce_rate": (0.02, 0.05),
}
NAMES = {"complaint_rate": "complaint rate", "bounce_rate": "bounce rate"}
ADVICE = {
    "complaint_rate": "readers mark the digest as spam: check that everyone on the list asked for it, and that "
                      "the unsubscribe link is easy to find",
    "bounce_rate": "addresses that do not exist: an old or bought list? (tipsheet bounces, then tipsheet status)",
}


@dataclass(frozen=True)
class Finding:
    rate: str  # 'complaint_rate' or 'bounce_rate'
    value: float
    level: str  # ok, warn, stop

    @property
    def limit(self) -> float:
        warn, stop = LIMITS[self.rate]
        return stop if self.level == STOP else warn

    def line(self) -> str:
        name = NAMES[self.rate]
        if self.level == OK:
            return f"{name} {self.value:.2%}: fine (warn at {LIMITS[self.rate][0]:.1%})"
        verb = "STOP: at or above" if self.level == STOP else "warning: at or above"
        return f"{verb} {self.limit:.1%} {name} ({self.value:.2%} over {WINDOW_DAYS} days): {ADVICE[self.rate]}"


def assess(rates: Mapping[str, float | int]) -> list[Finding]:
    """One finding per rate of :meth:`Store.rates`, each at its level."""
    findings = []
    for rate, (warn, stop) in LIMITS.items():
        value = float(rates.get(rate, 0.0))
        level = STOP if value >= stop else WARN if value >= warn else OK
        findings.append(Finding(rate, value, level))
    return findings


def worst(findings: list[Finding]) -> str:
    levels = {f.level for f in findings}
    return STOP if STOP in levels else WARN if WARN in levels else OK
