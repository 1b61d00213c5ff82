"""Running ``tipsheet import`` in a real project folder, as a publisher would, and reading what it left.

The command runs in-process through the CLI's ``main`` with the project as the
working folder; ``paste`` does what the publisher does next: it copies the
blocks the command printed into mkdocs.yml.
"""

from __future__ import annotations

import io
import os
import shutil
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from sitekit import write_project
from tipsheet.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WORDPRESS = FIXTURES / "wordpress"
FEEDS = FIXTURES / "feeds"
# What imported tips need (pipe tables, fenced code, <figure markdown>), as the README tells publishers.
EXTENSIONS: list[Any] = [{"toc": {"permalink": True}}, "attr_list", "tables", "md_in_html", "fenced_code"]


@dataclass
class Run:
    status: int
    out: str
    err: str


def make_project(root: Path, **config: Any) -> Path:
    config.setdefault("markdown_extensions", EXTENSIONS)
    write_project(root, {}, **config)
    return root


def project_with(tmp_path: Path, source: Path, *names: str) -> Path:
    """A project with the fixture files ``names`` (from ``source``) copied in, as a publisher saves an export."""
    root = make_project(tmp_path / "site")
    for name in names:
        shutil.copy(source / name, root / name)
    return root


def run_cli(root: Path, *args: str) -> Run:
    """``tipsheet ARGS`` with ``root`` as the working folder."""
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                status = main(list(args))
            except SystemExit as exc:  # argparse
                status = int(exc.code or 0)
    finally:
        os.chdir(cwd)
    return Run(status, out.getvalue(), err.getvalue())


def run_import(root: Path, *args: str) -> Run:
    return run_cli(root, "import", *args)


def printed_block(out: str) -> dict[str, Any]:
    """The options the command asked to add under tipsheet/tips, as YAML."""
    marker = "under 'plugins: - tipsheet/tips:':\n"
    if marker not in out:
        return {}
    block = out.split(marker, 1)[1].split("\n\nThen:", 1)[0]
    loaded = yaml.safe_load(textwrap.dedent(block))
    return loaded if isinstance(loaded, dict) else {}


def paste(root: Path, out: str) -> None:
    """Copy the printed blocks into mkdocs.yml, as the README tells the publisher to."""
    path = root / "mkdocs.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "tipsheet/tips" in plugin:
            options = plugin["tipsheet/tips"]
            for key, value in printed_block(out).items():
                if isinstance(value, dict):
                    options.setdefault(key, {}).update(value)
                else:
                    options[key] = value
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


def tree(root: Path) -> dict[str, bytes]:
    """Every file of the project but the built site: what "changes no byte" compares."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(("site/", "site.tipsheet")):
            found[rel] = path.read_bytes()
    return found


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` served over HTTP on 127.0.0.1 (a free port), as a static host would; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
