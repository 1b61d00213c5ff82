"""``tipsheet unsubscribe-server``: the unsubscribe endpoint, for local use (any WSGI server in production)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from ..audience.web import UnsubscribeApp
from .common import add_config_option, database_path, list_store, open_list, signer


def register(commands: Any) -> None:
    server = commands.add_parser(
        "unsubscribe-server", help="serve the one-click unsubscribe endpoint",
        description="Serve the unsubscribe links of the emails (RFC 8058 one-click POST and a confirmation page).\n"
                    "Behind your web server, point digests: unsubscribe_url: at it. For production any WSGI\n"
                    "server can run tipsheet.unsubscribe_app:application instead.\n\n"
                    "example:\n  TIPSHEET_SECRET=... tipsheet unsubscribe-server --host 127.0.0.1 --port 8025",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=8025)
    add_config_option(server)
    server.set_defaults(run=run_server)




class _QuietHandler(WSGIRequestHandler):
    """Logs requests without their query string: the token identifies a reader."""

    def log_message(self, format: str, *args: Any) -> None:
        line = (format % args).split("?", 1)[0]
        sys.stderr.write(f"{self.address_string()} {line}\n")


def run_server(args: argparse.Namespace) -> int:
    facts = open_list(args.config_file)
    list_store(facts).close()  # the database must be there before anyone is told they are unsubscribed
    app = UnsubscribeApp(database_path(facts.database), signer(), facts.site_name, facts.site_url)
    with make_server(args.host, args.port, app, handler_class=_QuietHandler) as server:
        print(f"unsubscribe endpoint on http://{args.host}:{server.server_port}/?token=... (Ctrl-C to stop)",
              flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0
