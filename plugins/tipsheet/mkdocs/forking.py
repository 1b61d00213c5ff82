"""Run part of a build in a forked process, and bring back its result and its warnings.

A forked child starts with an exact copy of the build (files, pages, nav,
plugins, the Jinja environment), so it can do a share of the work with the
very same code and write the same bytes.  What it logs is sent back and
logged again in the parent, where ``--strict`` counts it.  Anything that goes
wrong in a child (an exception, a crash, an unreadable result) only means the
parent does that share itself; so does a child that has not finished long
after the parent finished its own share (it is stopped, see :meth:`ForkJob.result`).

Forking is only safe in a process with one thread (``mkdocs serve`` runs a
web server and a file watcher, so it never forks) and when every plugin's
page hooks are known to be safe in a child (:func:`.ground.forking`).
"""

from __future__ import annotations

import copyreg
import logging
import os
import pickle
import select
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from mkdocs.plugins import get_plugin_logger

from . import engine

log = get_plugin_logger(__name__)
Records = list[tuple[str, int, str]]  # (logger name, level, message)
MIN_PAGES = 64  # below this many pages for a worker, forking costs more than it saves
WAIT_FLOOR = 30.0  # seconds a parent that has finished its own share waits for a child, at least


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: Records = []
        self._last: logging.LogRecord | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record is self._last:  # the same record, reaching the root after the "mkdocs" logger
            return
        self._last = record
        self.records.append((record.name, record.levelno, record.getMessage()))


def capture_logs() -> Capture:
    """In a child: every record goes to a list to be replayed by the parent, none to the terminal.

    The capture sits on the engine's logger (``mkdocs``, or ``properdocs`` and ``mkdocs``: the
    command line stops its records from propagating further) and on the root logger (for
    everything else).
    """
    capture = Capture()
    for logger in [*engine.loggers(), logging.getLogger()]:
        logger.handlers = [capture]
    return capture


def replay(records: Records) -> None:
    for name, level, message in records:
        logging.getLogger(name).log(level, message)


def _mapping_proxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    """A read-only mapping (a tip's extra fields) travels as its dict and comes back read-only."""
    return read_only, (dict(proxy),)


def read_only(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


def can_fork() -> bool:
    """Checked again at each fork: a thread started since the build began rules it out."""
    return hasattr(os, "fork") and threading.active_count() == 1


def workers() -> int:
    """Processes to use (the parent included): the CPUs this process may run on, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


class ForkJob:
    """``work()`` run in a forked child; ``result()`` waits for it: (value, records), or None if it failed."""

    def __init__(self, work: Callable[[], Any]) -> None:
        handle, self.path = tempfile.mkstemp(prefix="tipsheet-fork-", suffix=".pickle")
        os.close(handle)
        self._done = False
        self.timed_out = False
        self.started = time.monotonic()
        try:
            self.pid = os.fork()
        except OSError as exc:  # e.g. a container's process limit: the parent does the work itself
            log.debug(f"could not start a build worker ({exc}); its share is done here instead")
            self.pid = -1
            os.unlink(self.path)
            return
        if self.pid > 0:
            log.debug(f"started a build worker (pid {self.pid})")
        if self.pid == 0:  # the child: work, write, leave without running the parent's exit handlers
            status = 1
            try:
                capture = capture_logs()
                value = work()
                log.debug(f"a build worker did its share in {time.monotonic() - self.started:.2f} s "
                          f"({time.process_time():.2f} s of CPU)")
                with open(self.path, "wb") as out:
                    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
                    pickler.dispatch_table = {**copyreg.dispatch_table, MappingProxyType: _mapping_proxy}
                    pickler.dump((value, capture.records))
                status = 0
            finally:
                os._exit(status)

    def result(self) -> tuple[Any, Records] | None:
        """The child's result, waiting for it as long again as it has run so far (at least WAIT_FLOOR s).

        A child's share is about the size of the parent's own, so by the time the parent asks
        it should be nearly done; one that is still running after twice that time is taken to
        hang: it is killed, and the parent does its share.
        """
        if self._done or self.pid < 0:
            return None
        self._done = True
        try:
            patience = max(WAIT_FLOOR, time.monotonic() - self.started)
            status = self._wait(patience)
            if status is None:
                self.timed_out = True
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                log.info(f"a build worker had not finished after {time.monotonic() - self.started:.0f} s and was "
                         "stopped; its share is done here instead")
                return None
            if status != 0:
                log.debug(f"a build worker ended with status {status}; its share is done here instead")
                return None
            with open(self.path, "rb") as handle:
                value, records = pickle.load(handle)
            return value, records
        except (OSError, pickle.UnpicklingError, EOFError, ValueError) as exc:
            log.debug(f"a build worker's result could not be read ({exc}); its share is done here instead")
            return None
        finally:
            if os.path.exists(self.path):
                os.unlink(self.path)

    def _wait(self, timeout: float) -> int | None:
        """The child's exit status, or None if it is still running after ``timeout`` seconds."""
        try:
            handle = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # not Linux 5.3+: poll
            deadline = time.monotonic() + timeout
            while True:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    return status
                if time.monotonic() >= deadline:
                    return None
                time.sleep(0.01)
        try:
            poller = select.poll()
            poller.register(handle, select.POLLIN)
            if not poller.poll(int(timeout * 1000)):
                return None
        finally:
            os.close(handle)
        return os.waitpid(self.pid, 0)[1]
