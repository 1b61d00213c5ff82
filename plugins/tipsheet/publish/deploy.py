"""Deploying a built site: to a directory (an atomic switch), to GitHub Pages (ghp-import) or by a command.

Every target is idempotent: the site is fingerprinted (every file's path and
bytes), and a site already deployed is not deployed again, so an hourly
``tipsheet publish`` touches nothing when nothing changed.

A **directory** deploy never changes the live files in place.  ``path`` is a
symbolic link; each new site goes to ``<path>.releases/<fingerprint>/``
(files unchanged since the live release are hard links to it, as ``rsync
--link-dest`` makes them) and the link is switched with one ``rename``, so a
reader gets the old site or the new one, never half of each.  The last
``keep`` releases stay, for a quick roll-back (``ln -sfn``).

**GitHub Pages** goes through ghp-import, the tool behind ``mkdocs
gh-deploy``: the site becomes the only commit of interest on the
``gh-pages`` branch and is pushed.  A **command** (``netlify deploy``, ``aws
s3 sync``...) runs from the project folder with ``TIPSHEET_SITE_DIR`` set.
For these two, what was deployed last is remembered in
``<site_dir>.tipsheet-deployed`` beside the site folder.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

RELEASES = ".releases"


class DeployError(RuntimeError):
    """The site could not be deployed; one line for the publisher, nothing half-done left live."""


@dataclass(frozen=True)
class Deployed:
    changed: bool
    detail: str  # one line: where it went, or why nothing was done


def site_files(site_dir: str) -> Iterator[str]:
    """Every file of the built site, as a sorted relative path with '/'."""
    for current, dirs, names in os.walk(site_dir):
        dirs.sort()
        for name in sorted(names):
            yield os.path.relpath(os.path.join(current, name), site_dir).replace(os.sep, "/")


def fingerprint(site_dir: str) -> str:
    """A hash of every file's path and bytes: equal for byte-identical builds, whenever they ran."""
    total = hashlib.sha256()
    count = 0
    for rel in site_files(site_dir):
        digest = hashlib.sha256()
        with open(os.path.join(site_dir, rel), "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        total.update(f"{rel}\0{digest.hexdigest()}\n".encode())
        count += 1
    if count == 0:
        raise DeployError(f"{site_dir}: expected a built site, got an empty folder (run the build first)")
    return total.hexdigest()


# -- a directory ------------------------------------------------------------------------------------
def live_release(path: str) -> str | None:
    """The release the link at ``path`` points to (its folder name), or None."""
    return os.path.basename(os.readlink(path)) if os.path.islink(path) else None


def deploy_directory(site_dir: str, path: str, print_: str, keep: int = 3) -> Deployed:
    """Copy the site into a new release beside ``path`` and switch the link ``path`` to it in one rename."""
    target = os.path.abspath(path)
    name = print_[:16]
    if os.path.lexists(target) and not os.path.islink(target):
        raise DeployError(f"deploy: path: expected a symbolic link that tipsheet switches (or nothing yet), got "
                          f"a {'folder' if os.path.isdir(target) else 'file'} at {target} (move it away once, "
                          f"e.g. mv {target} {target}.old; the next publish makes the link)")
    releases = target + RELEASES
    release = os.path.join(releases, name)
    if live_release(target) == name and os.path.isdir(release):
        return Deployed(False, f"{target} already serves this site (release {name})")
    try:
        os.makedirs(releases, exist_ok=True)
        if not os.path.isdir(release):
            previous = os.path.realpath(target) if os.path.islink(target) else None
            _copy_release(site_dir, releases, name, previous)
        os.utime(release)  # the newest release by time, even when an older one is switched back to
        link = f"{target}.tipsheet-{os.getpid()}"
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.relpath(release, os.path.dirname(target)), link)
        os.replace(link, target)  # the switch: one rename, atomic
    except OSError as exc:
        raise DeployError(f"deploy: {target}: expected a folder tipsheet may write, got {exc.strerror or exc} "
                          f"({exc.filename or releases}); the site that was live stays live") from None
    pruned = prune(releases, name, keep)
    extra = f", {pruned} old release{'s' * (pruned != 1)} removed" if pruned else ""
    return Deployed(True, f"{target} -> {os.path.relpath(release, os.path.dirname(target))}{extra}")


def _copy_release(site_dir: str, releases: str, name: str, previous: str | None) -> None:
    """The site into ``releases/name``, through a temporary folder renamed when complete."""
    work = os.path.join(releases, f".{name}.tmp-{os.getpid()}")
    if os.path.lexists(work):
        shutil.rmtree(work)
    for rel in site_files(site_dir):
        source = os.path.join(site_dir, rel)
        dest = os.path.join(work, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        old = os.path.join(previous, rel) if previous else None
        if old and os.path.isfile(old) and filecmp.cmp(source, old, shallow=False):
            try:
                os.link(old, dest)  # unchanged: share the live release's copy
                continue
            except OSError:
                pass
        shutil.copy2(source, dest)
    os.rename(work, os.path.join(releases, name))


def prune(releases: str, live: str, keep: int) -> int:
    """Remove all but the ``keep`` newest releases (never the live one) and leftovers of crashed copies."""
    entries = [e for e in os.scandir(releases) if e.is_dir(follow_symlinks=False)]
    stale = [e for e in entries if e.name.startswith(".") and not e.name.endswith(f".tmp-{os.getpid()}")]
    done = [e for e in entries if not e.name.startswith(".")]
    done.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime, reverse=True)
    old = [e for e in done if e.name != live][max(0, keep - 1):]
    for entry in stale + old:
        shutil.rmtree(entry.path, ignore_errors=True)
    return len(old)


# -- GitHub Pages and commands ------------------------------------------------------------------------
class Ledger:
    """What was deployed last to each target, in ``<site_dir>.tipsheet-deployed`` (JSON)."""

    def __init__(self, site_dir: str) -> None:
        self.path = os.path.abspath(site_dir).rstrip(os.sep) + ".tipsheet-deployed"

    def read(self) -> dict[str, str]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def deployed(self, key: str) -> str | None:
        return self.read().get(key)

    def record(self, key: str, print_: str) -> None:
        data = self.read()
        data[key] = print_
        temporary = f"{self.path}.{os.getpid()}"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(temporary, self.path)


def _run(argv: Sequence[str], cwd: str, env: dict[str, str], timeout: float, what: str) -> None:
    try:
        done = subprocess.run(list(argv), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise DeployError(f"deploy: {what}: expected a program to run, got {argv[0]!r}, which is not installed "
                          "or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise DeployError(f"deploy: {what}: expected it to finish within {timeout:g} s, got no end "
                          "(raise deploy: timeout:)") from None
    if done.returncode != 0:
        output = (done.stderr.strip() or done.stdout.strip()).splitlines()
        last = output[-1] if output else "no output"
        raise DeployError(f"deploy: {what}: expected exit status 0, got {done.returncode}: {last}")


def deploy_command(site_dir: str, command: Sequence[str], cwd: str, print_: str, ledger: Ledger,
                   timeout: float = 600, force: bool = False) -> Deployed:
    key = "command: " + " ".join(command)
    if not force and ledger.deployed(key) == print_:
        return Deployed(False, f"'{' '.join(command)}' already deployed this site")
    env = {**os.environ, "TIPSHEET_SITE_DIR": os.path.abspath(site_dir)}
    _run(command, cwd, env, timeout, f"command '{' '.join(command)}'")
    ledger.record(key, print_)
    return Deployed(True, f"ran '{' '.join(command)}'")


def deploy_gh_pages(site_dir: str, cwd: str, remote: str, branch: str, print_: str, ledger: Ledger,
                    timeout: float = 600, force: bool = False) -> Deployed:
    """The site as the ``branch`` of the repository at ``cwd``, pushed to ``remote`` (ghp-import)."""
    key = f"gh-pages: {remote} {branch}"
    if not force and ledger.deployed(key) == print_:
        return Deployed(False, f"{remote}/{branch} already has this site")
    message = f"Deployed with tipsheet publish (site {print_[:12]})"
    argv = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--push", "--force", "--message", message,
            "--remote", remote, "--branch", branch, os.path.abspath(site_dir)]
    _run(argv, cwd, dict(os.environ), timeout, f"ghp-import to {remote}/{branch}")
    ledger.record(key, print_)
    return Deployed(True, f"pushed to {remote}/{branch}")
