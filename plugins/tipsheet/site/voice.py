"""The publisher's own voice: the call to action that closes every tip page and every digest.

A newsletter is how a consultancy keeps in touch; each issue ends with what it
offers ("Let's talk: a no-obligation consultation").  The site has one call to
action, and a tag may have its own (a workshop for the tips on training): a
tip page shows the first of its tags' own, else the site's; a tag's digest
shows that tag's, else the site's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CallToAction:
    heading: str
    text: str
    link: str  # absolute: it goes into emails too
    label: str  # the button's words


@dataclass(frozen=True)
class Voice:
    default: CallToAction | None = None
    by_tag: Mapping[str, CallToAction] = field(default_factory=dict)

    def for_tags(self, tags: Sequence[str]) -> CallToAction | None:
        """The first of these tags' own call to action, else the site's (None when the site has none)."""
        return next((self.by_tag[t] for t in tags if t in self.by_tag), self.default)

    def for_digest(self, tag: str | None) -> CallToAction | None:
        return self.for_tags([tag] if tag else [])
