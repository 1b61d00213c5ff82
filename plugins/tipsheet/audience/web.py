"""The unsubscribe endpoint: a small WSGI app for the one-click POST (RFC 8058) and a confirmation page.

Mail clients that show an "Unsubscribe" button POST ``List-Unsubscribe=One-Click``
to the link in ``List-Unsubscribe``; that POST unsubscribes at once.  A GET (a
reader clicking the link in the email) shows a page with one button that
sends the same POST: link checkers and mail scanners fetch links with GET,
and must never unsubscribe anyone.  Tokens are verified before the database
is touched; a bad or forged one gets a 400 and changes nothing.  Repeating
either request is harmless.

Run it with ``tipsheet unsubscribe-server``, or under any WSGI server with
``tipsheet.unsubscribe_app:application`` (settings from the environment).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from ..content import clock
from ..site.jinja import make_env
from .store import Store, StoreError
from .tokens import Signer, TokenError

StartResponse = Callable[..., Any]


class UnsubscribeApp:
    def __init__(self, db_path: str, signer: Signer, site_name: str, site_url: str = "") -> None:
        self.db_path = db_path
        self.signer = signer
        self.site_name = site_name
        self.site_url = site_url
        self._page = make_env().get_template("unsubscribe.html")

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        query = parse_qs(environ.get("QUERY_STRING", ""))
        token = (query.get("token") or [""])[0]
        if method == "POST" and not token:
            token = (parse_qs(self._body(environ)).get("token") or [""])[0]
        if method not in ("GET", "HEAD", "POST"):
            return self._respond(start_response, "405 Method Not Allowed", "error",
                                 "Use the link in your email.", [("Allow", "GET, POST")])
        try:
            target = self.signer.unsubscribe_target(token, clock.now())
        except TokenError:
            return self._respond(start_response, "400 Bad Request", "error",
                                 "This unsubscribe link is not valid. Use the link from one of our emails.")
        try:
            store = Store(self.db_path)
        except StoreError:
            return self._respond(start_response, "503 Service Unavailable", "error",
                                 "The list cannot be reached just now: nothing was changed. Please try again later.",
                                 [("Retry-After", "3600")])
        with store:
            subscriber = store.by_id(target) if isinstance(target, int) else store.get(target)
            if subscriber is None:  # erased already: nothing of theirs is kept, nothing will be sent
                return self._respond(start_response, "200 OK", "done", "Your address")
            if method == "POST":
                store.unsubscribe(subscriber.email, "one-click" if self._body_was_one_click(environ) else "web page")
                return self._respond(start_response, "200 OK", "done", subscriber.email)
        return self._respond(start_response, "200 OK", "confirm", subscriber.email, token=token)

    @staticmethod
    def _body(environ: dict[str, Any]) -> str:
        if "tipsheet.body" not in environ:
            try:
                length = min(int(environ.get("CONTENT_LENGTH") or 0), 10_000)
            except ValueError:
                length = 0
            environ["tipsheet.body"] = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else ""
        body: str = environ["tipsheet.body"]
        return body

    def _body_was_one_click(self, environ: dict[str, Any]) -> bool:
        return "List-Unsubscribe=One-Click" in self._body(environ)

    def _respond(self, start_response: StartResponse, status: str, state: str, detail: str,
                 extra: list[tuple[str, str]] | None = None, token: str = "") -> list[bytes]:
        body = self._page.render(state=state, detail=detail, token=token, site_name=self.site_name,
                                 site_url=self.site_url).encode("utf-8")
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
                   ("Cache-Control", "no-store"), ("X-Robots-Tag", "noindex"),
                   ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),
                   ("Referrer-Policy", "no-referrer"), *(extra or [])]
        start_response(status, headers)
        return [body]


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """For WSGI servers: TIPSHEET_DB, TIPSHEET_SECRET and TIPSHEET_SITE_NAME from the environment."""
    try:
        signer = Signer.from_environment(os.environ)
    except TokenError as exc:
        start_response("500 Internal Server Error", [("Content-Type", "text/plain; charset=utf-8")])
        return [f"unsubscribe service misconfigured: {str(exc).split(' (')[0]}\n".encode()]
    app = UnsubscribeApp(os.environ.get("TIPSHEET_DB", "tipsheet.db"), signer,
                         os.environ.get("TIPSHEET_SITE_NAME", "our tips"), os.environ.get("TIPSHEET_SITE_URL", ""))
    return app(environ, start_response)
