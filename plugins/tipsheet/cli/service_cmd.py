"""``tipsheet list-server``: the list service (sign-up, confirmation, preferences, unsubscribe) for local use.

In production run ``tipsheet.cli.wsgi:application`` under gunicorn or waitress behind your web server
(see the README); this serves the same application with waitress on one address.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import waitress

from .common import CliError, add_config_option

HELP = """Serve the list service: the sign-up form's POST, the confirmation page, each reader's preferences
page and the one-click unsubscribe (RFC 8058). It reads mkdocs.yml (tipsheet/digests: signup:) and the
same environment as 'tipsheet send': TIPSHEET_DB, TIPSHEET_SECRET (TIPSHEET_SECRET_OLD), TIPSHEET_SMTP_*.
It refuses to start without its database ('tipsheet subscribers init' creates it).

For production, run tipsheet.cli.wsgi:application under gunicorn behind your web server (README).

examples:
  TIPSHEET_SECRET=... tipsheet list-server --host 127.0.0.1 --port 8025
  TIPSHEET_SECRET=... tipsheet list-server --list-url http://127.0.0.1:8025/    # links in mails point here
"""


def register(commands: Any) -> None:
    for name, text in (("list-server", "serve the list service: sign-up, confirm, preferences, unsubscribe"),
                       ("unsubscribe-server", "the same as list-server (its former name)")):
        server = commands.add_parser(name, help=text, description=HELP,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
        server.add_argument("--host", default="127.0.0.1")
        server.add_argument("--port", type=int, default=8025)
        server.add_argument("--list-url", help="the service's public address (default: signup: list_url)")
        server.add_argument("--threads", type=int, default=4)
        add_config_option(server)
        server.set_defaults(run=run_server)


def run_server(args: argparse.Namespace) -> int:
    from .listservice import log_to_stderr, make_service
    from .project import open_project

    project = open_project(args.config_file)
    service, outbox = make_service(project, os.environ, args.list_url or "")
    log_to_stderr()
    try:
        server = waitress.create_server(service, host=args.host, port=args.port, threads=args.threads,
                                        ident="tipsheet")
    except OSError as exc:
        raise CliError(f"--port: expected a free port on {args.host}, got {exc}") from None
    print(f"list service on http://{args.host}:{server.effective_port}/ for {service.settings.list_url} "
          "(Ctrl-C to stop)", flush=True)
    outbox.start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        outbox.stop()
        server.close()
    return 0
