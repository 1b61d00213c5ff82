"""Which engine runs this build: MkDocs itself, or ProperDocs (its maintained drop-in fork).

Under the ``properdocs`` command every ``import mkdocs...`` is answered by the
``properdocs`` package (``properdocs.replacement``), so the same plugin code
runs on both.  Two things differ and matter to tipsheet: the engine's logger
is ``properdocs``, not ``mkdocs`` (it counts ``--strict`` warnings there, and
its command line stops that logger's records from propagating to the root),
and its internals are ProperDocs' copies of MkDocs' (see :mod:`.ground`).
"""

from __future__ import annotations

import logging

import mkdocs
from mkdocs.commands import build as mkdocs_build


def name() -> str:
    """``mkdocs`` or ``properdocs``: the package that answers ``import mkdocs``."""
    return mkdocs_build.__name__.split(".")[0]


def version() -> str:
    return str(getattr(mkdocs, "__version__", "?"))


def describe() -> str:
    return f"{name()} {version()}"


def logger() -> logging.Logger:
    """The logger the engine counts ``--strict`` warnings on, and under which its command line prints."""
    return logging.getLogger(name())


def loggers() -> list[logging.Logger]:
    """The engine's logger, and MkDocs' legacy name when the engine is ProperDocs (plugins log to both)."""
    found = [logger()]
    if name() != "mkdocs":
        found.append(logging.getLogger("mkdocs"))
    return found
