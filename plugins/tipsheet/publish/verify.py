"""Is the new digest's page really served?  One HTTP request to the public site, before anyone is mailed.

Every email links its digest's page ("view in browser"), so a digest goes
out only once ``site_url`` serves that page with a link to each of its tips:
an older deployment (the page without today's tip), a web server that is
down or a deploy that went elsewhere all stop the send, with one line
saying which.  A host that publishes with a delay (GitHub Pages) is asked
again for up to ``wait`` seconds.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from urllib.parse import urldefrag, urljoin

import lxml.html
from lxml import etree

USER_AGENT = "tipsheet-publish (checking its own site)"
RETRY_EVERY = 5.0  # seconds between two requests while waiting for a host to publish


class VerifyError(RuntimeError):
    """The page is not served as expected; the message says what was found."""


def _fetch(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Cache-Control": "no-cache"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as exc:
        raise VerifyError(f"HTTP {exc.code} {exc.reason}") from None
    except TimeoutError:
        raise VerifyError(f"no answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise VerifyError(f"no answer within {timeout:g} s") from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise VerifyError(f"no connection ({text})") from None
    except (OSError, ValueError) as exc:
        raise VerifyError(f"no usable answer ({exc})") from None


def missing_links(page: bytes, url: str, wanted: Sequence[tuple[str, str]]) -> list[str]:
    """The titles of ``wanted`` (title, absolute URL) that the page at ``url`` does not link."""
    try:
        root = lxml.html.fromstring(page)
    except (ValueError, etree.ParserError):
        return [title for title, _ in wanted]
    found = {urldefrag(urljoin(url, a.get("href") or ""))[0] for a in root.iter("a")}
    return [title for title, link in wanted if link not in found]


def check_page(url: str, wanted: Sequence[tuple[str, str]], timeout: float) -> None:
    page = _fetch(url, timeout)
    missing = missing_links(page, url, wanted)
    if missing:
        shown = ", ".join(repr(t) for t in missing[:3]) + (" and more" if len(missing) > 3 else "")
        raise VerifyError(f"a page without {shown} (an older deployment?)")


def verify_page(url: str, wanted: Sequence[tuple[str, str]], timeout: float = 10, wait: float = 0,
                sleep: Callable[[float], None] = time.sleep,
                clock: Callable[[], float] = time.monotonic) -> None:
    """Raise :class:`VerifyError` unless ``url`` answers 200 with a link to each of ``wanted`` (titles, URLs).

    Asked again every few seconds for up to ``wait`` seconds; the error is the last answer's.
    """
    deadline = clock() + wait
    while True:
        try:
            check_page(url, wanted, timeout)
            return
        except VerifyError:
            if clock() + RETRY_EVERY > deadline:
                raise
        sleep(RETRY_EVERY)
