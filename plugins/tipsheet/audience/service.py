"""The list service: one small WSGI application for signing up, confirming, choosing topics and leaving.

Plain WSGI and the standard library; no framework, because the service is
six pages and a JSON answer.  Every state change is a POST, and is in the
database before the page that says so is sent; a GET only shows a page with
a button (mail scanners follow links).  Tokens (:mod:`.tokens`) are checked
before the database is touched.  Every page is ``noindex`` and has a strict
Content-Security-Policy: no script at all, styles only from the service.
The sign-up form of the static site posts here, as a plain form (a page
back) or, with JavaScript, as JSON from another origin (CORS, for the site's
own origin only).  Without its database the service answers 503 and tells
nobody anything happened.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..content import clock
from ..site.jinja import make_env
from .db import StoreError
from .outbox import Outbox
from .signup import ACCEPTED, Limits, Refused, Request, Signups
from .store import PAUSED, Store, Subscriber
from .tokens import Signer, TokenError

# The running service's own log, not MkDocs' plugin logger: it runs outside any build (nothing counts
# --strict warnings there), and the CLI quiets the mkdocs tree; cli.listservice.log_to_stderr routes it.
log = logging.getLogger("tipsheet.list")
StartResponse = Callable[..., Any]
MAX_BODY = 10_000
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
PAUSE_WEEKS = (2, 4, 8, 12)


@dataclass(frozen=True)
class ServiceSettings:
    db_path: str
    site_name: str
    site_url: str
    list_url: str  # the service's public address, ending in '/' ('' to use the request's own)
    tags: dict[str, str]  # key -> title
    limits: Limits = field(default_factory=Limits)
    colour: str = "#00574d"
    wording: str = "1"
    allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    template_dirs: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


class Response:
    def __init__(self, status: str, body: bytes, content_type: str = "text/html; charset=utf-8",
                 headers: Iterable[tuple[str, str]] = ()) -> None:
        self.status, self.body, self.content_type, self.headers = status, body, content_type, list(headers)


class ListService:
    def __init__(self, settings: ServiceSettings, signer: Signer, outbox: Outbox | None = None) -> None:
        self.settings, self.signer, self.outbox = settings, signer, outbox
        self.env = make_env(settings.template_dirs)
        self.css = (resources.files("tipsheet") / "templates" / "list" / "list.css").read_text("utf-8") \
            .replace("#00574d", settings.colour)
        self._root = urlsplit(settings.list_url).path or "/"
        self._local = threading.local()  # one connection per server thread, kept between requests

    # -- WSGI -----------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            response = self.route(environ)
        except Refused as exc:  # a malformed request outside the sign-up form, which words its own
            response = self.page("400 Bad Request", "message.html", environ, heading="This request is not valid",
                                 text=str(exc))
        except StoreError:
            log.error(f"list service: {self.settings.db_path}: the database is missing or not a tipsheet list")
            response = self.page("503 Service Unavailable", "message.html", environ, heading="Please try again later",
                                 text="The list cannot be reached just now: nothing was changed.",
                                 headers=[("Retry-After", "3600")])
        headers = [("Content-Type", response.content_type), ("Content-Length", str(len(response.body))),
                   ("Cache-Control", "no-store" if not response.content_type.startswith("text/css") else
                    "public, max-age=86400"), ("X-Robots-Tag", "noindex, nofollow"),
                   ("Content-Security-Policy", CSP), ("Referrer-Policy", "no-referrer"),
                   ("X-Content-Type-Options", "nosniff"), *response.headers, *self._cors(environ)]
        start_response(response.status, headers)
        return [response.body] if environ.get("REQUEST_METHOD", "GET").upper() != "HEAD" else [b""]

    def route(self, environ: dict[str, Any]) -> Response:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = (environ.get("PATH_INFO") or "/").rstrip("/").rsplit("/", 1)[-1] or ""
        if method == "OPTIONS":
            return Response("204 No Content", b"", headers=[("Allow", "GET, POST, OPTIONS")])
        handlers: dict[tuple[str, str], Callable[[dict[str, Any]], Response]] = {
            ("GET", "subscribe"): self.subscribe_page, ("POST", "subscribe"): self.subscribe,
            ("GET", "form-token"): self.form_token,
            ("GET", "confirm"): self.confirm_page, ("POST", "confirm"): self.confirm,
            ("GET", "preferences"): self.preferences_page, ("POST", "preferences"): self.preferences,
            ("GET", "unsubscribe"): self.unsubscribe, ("POST", "unsubscribe"): self.unsubscribe,
            ("GET", "list.css"): lambda env: Response("200 OK", self.css.encode(), "text/css; charset=utf-8"),
        }
        if method == "HEAD":
            method = "GET"
        if path == "" and "token=" in environ.get("QUERY_STRING", ""):
            path = "unsubscribe"  # the first tipsheet served unsubscribe links at any path
        handler = handlers.get((method, path))
        if handler is None:
            known = {p for m, p in handlers if p == path}
            if known:
                return self.page("405 Method Not Allowed", "message.html", environ, heading="Not here",
                                 text="Use the link in your email or the form on the site.",
                                 headers=[("Allow", "GET, POST")])
            return self.page("404 Not Found", "message.html", environ, heading="Nothing here",
                             text="This address is not a page of the list.")
        return handler(environ)

    # -- helpers ---------------------------------------------------------------------------------
    @contextmanager
    def store(self) -> Iterator[Store]:
        """This thread's connection to the list, reopened if the file was replaced; StoreError if it is gone."""
        try:
            info = os.stat(self.settings.db_path)
        except OSError:
            raise StoreError("no file there") from None
        held: tuple[tuple[int, int], Store] | None = getattr(self._local, "store", None)
        if held is None or held[0] != (info.st_dev, info.st_ino):
            if held is not None:
                held[1].close()
            held = ((info.st_dev, info.st_ino), Store(self.settings.db_path))
            self._local.store = held
        yield held[1]

    def signups(self, store: Store) -> Signups:
        return Signups(store, self.signer, self.settings.tags, self.settings.limits)

    def page(self, status: str, template: str, environ: dict[str, Any], headers: Iterable[tuple[str, str]] = (),
             **context: object) -> Response:
        body = self.env.get_template(f"list/{template}").render(
            site_name=self.settings.site_name, site_url=self.settings.site_url, root=self.root(environ),
            tags=self.settings.tags, pause_weeks=PAUSE_WEEKS, wording=self.settings.wording, **context)
        return Response(status, body.encode("utf-8"), headers=headers)

    def root(self, environ: dict[str, Any]) -> str:
        """Where the service's pages are, as a path: from list_url, else from the request."""
        if self.settings.list_url:
            return self._root if self._root.endswith("/") else self._root + "/"
        return (environ.get("SCRIPT_NAME") or "").rstrip("/") + "/"

    @staticmethod
    def wants_json(environ: dict[str, Any]) -> bool:
        return "application/json" in (environ.get("CONTENT_TYPE") or "") or \
            "application/json" in (environ.get("HTTP_ACCEPT") or "")

    @staticmethod
    def body(environ: dict[str, Any]) -> str:
        if "tipsheet.body" not in environ:
            try:
                length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY)
            except ValueError:
                length = 0
            raw = environ["wsgi.input"].read(length) if length > 0 else b""
            environ["tipsheet.body"] = raw.decode("utf-8", "replace")
        body: str = environ["tipsheet.body"]
        return body

    def fields(self, environ: dict[str, Any]) -> dict[str, list[str]]:
        """The request's fields, from the query string and a form or JSON body, as lists."""
        try:
            found = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=50)
        except ValueError:
            raise Refused("query: expected at most 50 fields, got more") from None
        if environ.get("REQUEST_METHOD", "GET").upper() == "POST":
            text = self.body(environ)
            if "application/json" in (environ.get("CONTENT_TYPE") or ""):
                try:
                    data = json.loads(text or "{}")
                except ValueError:
                    raise Refused("body: expected JSON, got something else") from None
                if not isinstance(data, dict):
                    raise Refused("body: expected a JSON object, got something else")
                for name, value in data.items():
                    found[str(name)] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
            else:
                try:
                    found.update(parse_qs(text, max_num_fields=50))
                except ValueError:
                    raise Refused("body: expected a form, got too many fields") from None
        return found

    def client(self, environ: dict[str, Any]) -> str:
        """The client's address: the proxy's X-Forwarded-For only when the proxy is trusted."""
        remote = str(environ.get("REMOTE_ADDR") or "")
        forwarded = [part.strip() for part in str(environ.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
        while remote in self.settings.trusted_proxies and forwarded:
            remote = forwarded.pop()
        return remote

    def _cors(self, environ: dict[str, Any]) -> list[tuple[str, str]]:
        origin = str(environ.get("HTTP_ORIGIN") or "")
        if not origin or origin not in self.settings.allowed_origins:
            return []
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin"),
                ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                ("Access-Control-Allow-Headers", "Content-Type, Accept"), ("Access-Control-Max-Age", "86400")]

    def json(self, status: str, data: dict[str, object]) -> Response:
        return Response(status, (json.dumps(data) + "\n").encode(), "application/json; charset=utf-8")

    # -- signing up ------------------------------------------------------------------------------
    def subscribe_page(self, environ: dict[str, Any]) -> Response:
        return self.page("200 OK", "subscribe.html", environ, state="form")

    def form_token(self, environ: dict[str, Any]) -> Response:
        with self.store() as store:
            return self.json("200 OK", {"token": self.signups(store).form_token()})

    def subscribe(self, environ: dict[str, Any]) -> Response:
        as_json = self.wants_json(environ)
        try:
            fields = self.fields(environ)

            def one(name: str) -> str:
                return (fields.get(name) or [""])[0]

            request = Request(email=one("email"), topics=fields.get("topics") or [], form=one("form"),
                              wording=one("wording") or self.settings.wording, honeypot=one("website"),
                              form_token=one("form_token"), client=self.client(environ))
            with self.store() as store:
                signups = self.signups(store)
                outcome = signups.subscribe(request)
        except Refused as exc:
            status = "429 Too Many Requests" if exc.status == 429 else "400 Bad Request"
            if as_json:
                return self.json(status, {"ok": False, "error": str(exc)})
            return self.page(status, "subscribe.html", environ, state="form", error=str(exc))
        if outcome.mail and self.outbox is not None:
            self.outbox.wake()
        log.info(f"sign-up: {outcome.outcome}")
        message = (f"Check your inbox: if {request.email.strip()[:254]} can receive our tips, a link to confirm is "
                   f"on its way. It works for {self.settings.limits.confirm_hours} hours; until you confirm, we send "
                   "nothing else.")
        if as_json:
            return self.json("200 OK", {"ok": True, "message": message})
        return self.page("200 OK", "subscribe.html", environ, state="sent", message=message)

    # -- confirming ------------------------------------------------------------------------------
    def _token(self, environ: dict[str, Any]) -> str:
        return (self.fields(environ).get("token") or [""])[0].strip()

    def confirm_page(self, environ: dict[str, Any]) -> Response:
        token = self._token(environ)
        with self.store() as store:
            try:
                signup = self.signups(store).pending_of(token)
            except TokenError as exc:
                return self._bad_link(environ, exc)
        state = "confirmed" if signup["confirmed"] else "ask"
        return self.page("200 OK", "confirm.html", environ, state=state, token=token, email=signup["email"])

    def confirm(self, environ: dict[str, Any]) -> Response:
        token = self._token(environ)
        with self.store() as store:
            signups = self.signups(store)
            try:
                subscriber, now = signups.confirm(token)
            except TokenError as exc:
                return self._bad_link(environ, exc)
            link = signups.preferences_token(subscriber)
        log.info("sign-up confirmed" if now else "sign-up confirmed again (a repeated click)")
        return self.page("200 OK", "confirm.html", environ, state="done" if now else "confirmed",
                         email=subscriber.email, preferences=link)

    def _bad_link(self, environ: dict[str, Any], exc: TokenError) -> Response:
        if exc.expired:
            return self.page("410 Gone", "message.html", environ, heading="This link has expired",
                             text="Sign up again with the form on the site; the new link will work.", signup=True)
        return self.page("400 Bad Request", "message.html", environ, heading="This link is not valid",
                         text="Use the link from your email, whole.")

    # -- the reader's page ---------------------------------------------------------------------------
    def preferences_page(self, environ: dict[str, Any]) -> Response:
        token = self._token(environ)
        with self.store() as store:
            try:
                subscriber = self.signups(store).reader(token)
            except TokenError as exc:
                return self._bad_link(environ, exc)
        return self._preferences(environ, subscriber, token)

    def _preferences(self, environ: dict[str, Any], subscriber: Subscriber, token: str, done: str = "",
                     status: str = "200 OK") -> Response:
        paused = subscriber.status == PAUSED and (subscriber.paused_until or "")[:10]
        return self.page(status, "preferences.html", environ, subscriber=subscriber, token=token, done=done,
                         paused=paused)

    def preferences(self, environ: dict[str, Any]) -> Response:
        fields = self.fields(environ)
        token = (fields.get("token") or [""])[0]
        action = (fields.get("action") or [""])[0]
        with self.store() as store:
            signups = self.signups(store)
            try:
                subscriber = signups.reader(token)
            except TokenError as exc:
                return self._bad_link(environ, exc)
            left = subscriber.status not in ("active", PAUSED)
            if left and action in ("topics", "pause", "resume"):
                return self._preferences(environ, subscriber, token, "You are unsubscribed, so nothing is sent: "
                                         "sign up again on the site to get the digests.", "409 Conflict")
            if action == "topics":
                try:
                    subscriber = signups.set_topics(subscriber, fields.get("topics") or [])
                except ValueError as exc:
                    return self._preferences(environ, subscriber, token, str(exc), "400 Bad Request")
                chosen = ", ".join(self.settings.tags[t] for t in subscriber.tags) or "every topic"
                return self._preferences(environ, subscriber, token, f"Saved: you will get {chosen}.")
            if action == "pause":
                weeks = (fields.get("weeks") or ["0"])[0]
                if not weeks.isdigit() or int(weeks) not in PAUSE_WEEKS:
                    return self._preferences(environ, subscriber, token, "Choose how many weeks to pause.",
                                             "400 Bad Request")
                subscriber = store.pause(subscriber.id, int(weeks)) or subscriber
                return self._preferences(environ, subscriber, token,
                                         f"Paused: nothing until {(subscriber.paused_until or '')[:10]}.")
            if action == "resume":
                subscriber = signups.resume(subscriber)
                return self._preferences(environ, subscriber, token, "Welcome back: the next digest comes to you.")
            if action == "unsubscribe":
                signups.unsubscribe(subscriber, "preferences page")
                return self.page("200 OK", "unsubscribe.html", environ, state="done", email=subscriber.email)
            if action == "export":
                return Response("200 OK", signups.held(subscriber).encode("utf-8"), "application/json; charset=utf-8",
                                [("Content-Disposition", 'attachment; filename="my-subscription.json"')])
            if action == "erase" and (fields.get("sure") or [""])[0] == "yes":
                signups.erase(subscriber)
                return self.page("200 OK", "message.html", environ, heading="Erased",
                                 text="Everything we held about you is gone. Your address is kept only as a one-way "
                                      "hash, so that we never mail it again unless you sign up again yourself.")
            if action == "erase":
                return self._preferences(environ, subscriber, token, "Tick the box to confirm you want everything "
                                         "erased.", "400 Bad Request")
        return self._preferences(environ, subscriber, token, "Choose one of the buttons.", "400 Bad Request")

    # -- leaving (RFC 8058) ----------------------------------------------------------------------------
    def unsubscribe(self, environ: dict[str, Any]) -> Response:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        token = self._token(environ)
        try:
            target = self.signer.unsubscribe_target(token, clock.now())
        except TokenError:
            return self.page("400 Bad Request", "message.html", environ, heading="This link is not valid",
                             text="This unsubscribe link is not valid. Use the link from one of our emails.")
        with self.store() as store:
            subscriber = store.by_id(target) if isinstance(target, int) else store.get(target)
            if subscriber is None:  # erased already: nothing of theirs is kept, nothing will be sent
                return self.page("200 OK", "unsubscribe.html", environ, state="done", email="Your address")
            if method == "POST":
                how = "one-click" if "List-Unsubscribe=One-Click" in self.body(environ) else "unsubscribe page"
                store.unsubscribe(subscriber.email, how)
                return self.page("200 OK", "unsubscribe.html", environ, state="done", email=subscriber.email)
        return self.page("200 OK", "unsubscribe.html", environ, state="confirm", email=subscriber.email, token=token)


__all__ = ["ACCEPTED", "ListService", "ServiceSettings"]
