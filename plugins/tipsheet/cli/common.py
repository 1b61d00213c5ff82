"""What every command shares, importing nothing heavy: errors, the config option, the database, the secret.

Commands import the rendering machinery only inside their ``run``; the list
commands (``subscribers``, ``unsubscribe``) never import MkDocs at all.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
from datetime import datetime, tzinfo

from ..audience.store import Store, StoreError
from ..audience.tokens import Signer, TokenError
from .siteconfig import ConfigError, ListFacts, find_config, list_facts


class CliError(Exception):
    """One line for the user, and the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--config-file", metavar="MKDOCS_YML",
                        help="the site's mkdocs.yml (default: found in this folder or above)")


def config_path(config_file: str | None) -> str:
    """The mkdocs.yml given with -f, else found upwards from here."""
    try:
        path = os.path.abspath(config_file) if config_file else find_config()
    except ConfigError as exc:
        raise CliError(str(exc), 2) from None
    if not os.path.isfile(path):
        raise CliError(f"{path}: expected a mkdocs.yml file, got nothing there", 2)
    return path


def database_path(configured: str) -> str:
    """TIPSHEET_DB, else the site's ``digests: database:`` (an absolute path by now)."""
    return os.environ.get("TIPSHEET_DB") or configured


def rel(path: str) -> str:
    return os.path.relpath(path, os.getcwd())


def open_store(path: str) -> Store:
    try:
        return Store(path)
    except (sqlite3.Error, StoreError) as exc:
        raise CliError(f"{rel(path)}: expected a tipsheet database, got {exc}") from None


def signer() -> Signer:
    try:
        return Signer.from_environment(os.environ)
    except TokenError as exc:
        raise CliError(str(exc), 2) from None


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def open_list(config_file: str | None) -> ListFacts:
    """The few facts of the site the list commands need, read without MkDocs."""
    try:
        return list_facts(config_path(config_file))
    except ConfigError as exc:
        raise CliError(str(exc), 2) from None


def list_store(facts: ListFacts) -> Store:
    return open_store(database_path(facts.database))


def local_minutes(stamp: str, zone: tzinfo) -> str:
    """A database stamp (ISO 8601, UTC) as ``2026-11-24 10:00`` in the site's zone; as it is if it is not one."""
    try:
        return f"{datetime.fromisoformat(stamp).astimezone(zone):%Y-%m-%d %H:%M}"
    except ValueError:
        return stamp
