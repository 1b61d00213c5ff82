"""The ``tipsheet`` command: one module per subcommand, over the core; and the list service's WSGI entry.

This module parses arguments and turns every expected failure into one line on stderr and an exit status.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from .common import CliError

EPILOG = """examples:
  tipsheet new "Answer within the hour" --tags responsiveness,complaints
  tipsheet check
  tipsheet digest --list
  tipsheet digest --period 2026-W46 --out digest.eml
  tipsheet subscribers add ana@example.org --name "Ana Pereira" --tags sports
  tipsheet send --dry-run
  tipsheet import wordpress export.xml --dry-run
  tipsheet publish --dry-run
  tipsheet status
"""


def _quiet_mkdocs_logging() -> None:
    """MkDocs' warnings (config, plugins) go to stderr as plain lines, as in 'mkdocs build'."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    handler.addFilter(lambda record: record.levelno < logging.ERROR)  # errors become our one-line message
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = False


COMMANDS = ("new_cmd", "check_cmd", "digest_cmd", "subscribers_cmd", "delivery_cmd", "bounces_cmd", "service_cmd",
            "import_cmd", "publish_cmd", "status_cmd")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    modules = [importlib.import_module(f"tipsheet.cli.{name}") for name in COMMANDS]

    parser = argparse.ArgumentParser(
        prog="tipsheet", description="Write, check, preview and send weekly tips.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in modules:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _quiet_mkdocs_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.run(args)
        return status
    except CliError as exc:
        print(f"tipsheet {args.command}: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print(f"tipsheet {args.command}: interrupted", file=sys.stderr)
        return 130
