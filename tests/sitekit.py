"""Real sites for tests: write a project into a folder, run a real ``mkdocs build``, read the output.

Nothing is mocked: the project has a real ``mkdocs.yml`` with the Material
theme and the tipsheet plugins loaded through their entry points.
"""

from __future__ import annotations

import copy
import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.html
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

NOW = 1795305600  # 2026-11-22T00:00:00Z: "today" for every test unless it says otherwise

VOCABULARY = {
    "responsiveness": {"title": "Responsiveness", "description": "Answering fast."},
    "persistence": {"title": "Persistence", "description": "Following through."},
    "government": {"title": "Government", "description": "City halls & permit desks."},
    "sports": {"title": "Sports", "description": "Box offices and match days."},
}

BASE: dict[str, Any] = {
    "site_name": "Test Tips",
    "site_url": "https://tips.example.org/",
    "site_description": "Tips for tests.",
    "docs_dir": "content",
    "site_dir": "site",
    "theme": {"name": "material", "font": False, "language": "en"},
    "markdown_extensions": [{"toc": {"permalink": True}}, "admonition", "attr_list"],
}
TIPS: dict[str, Any] = {
    "timezone": "Europe/Amsterdam",
    "tags": VOCABULARY,
    "authors": {"ana": {"name": "Ana Pereira"}, "ben": {"name": "Ben Okafor"}},
    "default_author": "ana",
    "series": {"first-steps": {"title": "First steps", "description": "Where to begin."}},
    "page_size": 3,
}
DIGESTS: dict[str, Any] = {
    "from_address": "Test Tips <tips@tips.example.org>",
    "unsubscribe_url": "https://tips.example.org/unsubscribe/?token={token}",
    "unsubscribe_mailto": "unsubscribe@tips.example.org",
}
PLUGIN_KEYS = {"tips": "tipsheet/tips", "feeds": "tipsheet/feeds", "digests": "tipsheet/digests",
               "search": "tipsheet/search"}  # search={...} replaces Material's search plugin


def tip(title: Any = "A tip", date: Any = "2026-11-03", tags: Any = ("sports",), body: str = "Body text.",
        **fields: Any) -> str:
    """A tip file's text; pass ``None`` to leave a field out."""
    meta: dict[str, Any] = {"title": title, "date": date, "tags": list(tags) if isinstance(tags, tuple) else tags}
    meta.update(fields)
    meta = {k: v for k, v in meta.items() if v is not None}
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\n" + body + "\n"


@dataclass
class Site:
    root: Path
    config_file: Path
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    config: MkDocsConfig | None = None

    @property
    def out(self) -> Path:
        return self.root / "site"

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error(self) -> str:
        return "\n".join(self.errors)

    def file(self, url: str) -> Path:
        path = self.out / url.lstrip("/")
        return path / "index.html" if url.endswith("/") or url == "" else path

    def exists(self, url: str) -> bool:
        return self.file(url).is_file()

    def read(self, url: str) -> str:
        return self.file(url).read_text(encoding="utf-8")

    def html(self, url: str) -> lxml.html.HtmlElement:
        return lxml.html.fromstring(self.read(url))

    def output(self) -> dict[str, bytes]:
        """Every file of the built site, by its path in the site: what byte-identity tests compare."""
        return {p.relative_to(self.out).as_posix(): p.read_bytes() for p in sorted(self.out.rglob("*")) if p.is_file()}

    def card_titles(self, url: str) -> list[str]:
        return [a.text_content() for a in self.html(url).cssselect(".ts-card__title a")]

    def resolve(self, url: str, href: str) -> str:
        """A link found on page ``url`` as a site-relative URL."""
        from posixpath import dirname, join, normpath

        if "://" in href:
            return href
        base = url if url.endswith("/") else dirname(url) + "/"
        path = normpath(join("/" + base, href.split("#")[0]))
        return path.lstrip("/") + ("/" if href.split("#")[0].endswith("/") and path != "/" else "")


# Pagefind names these after their content, which is not the same from one build of the same site to
# the next (nor is pagefind-entry.json): byte comparisons take them by folder and number.
PAGEFIND_VARIES = re.compile(r"^pagefind/(filter/.*\.pf_filter|pagefind\..*\.pf_meta|pagefind-entry\.json)$")


def differences(a: Mapping[str, bytes], b: Mapping[str, bytes]) -> list[str]:
    """Files of two built sites that differ or that only one has (Pagefind's varying files by folder and count)."""
    varies_a = sorted(name.rsplit("/", 1)[0] for name in a if PAGEFIND_VARIES.match(name))
    varies_b = sorted(name.rsplit("/", 1)[0] for name in b if PAGEFIND_VARIES.match(name))
    out = [] if varies_a == varies_b else [f"pagefind: {varies_a} against {varies_b}"]
    names = {n for n in a.keys() | b.keys() if not PAGEFIND_VARIES.match(n)}
    return out + sorted(n for n in names if a.get(n) != b.get(n))


def merge_config(overrides: Mapping[str, Any]) -> dict[str, Any]:
    config = copy.deepcopy(BASE)
    plugin_conf: dict[str, dict[str, Any]] = {
        "tips": copy.deepcopy(TIPS), "feeds": {}, "digests": copy.deepcopy(DIGESTS)}
    for key, value in overrides.items():
        if key in PLUGIN_KEYS:
            if value is None:
                plugin_conf.pop(key, None)
            else:
                plugin_conf.setdefault(key, {}).update(value)
        else:
            config[key] = value
    plugins: list[Any] = [] if "search" in plugin_conf else ["search"]
    for key in PLUGIN_KEYS:  # tips, then feeds, digests and search
        if key in plugin_conf:
            plugins.append({PLUGIN_KEYS[key]: plugin_conf[key]})
    config.setdefault("plugins", plugins)
    return config


def write_project(root: Path, files: Mapping[str, str | bytes], **config: Any) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    if not (root / "content" / "index.md").exists():
        (root / "content" / "index.md").write_text("---\ntitle: Home\n---\n\nWelcome.\n", encoding="utf-8")
    config_file = root / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(merge_config(config), sort_keys=False, allow_unicode=True),
                           encoding="utf-8")
    return config_file


class _Collect(logging.Handler):
    """Errors, warnings and notices (INFO) of a build, each in its own list of the site."""

    def __init__(self, site: Site) -> None:
        super().__init__(level=logging.INFO)
        self.site = site

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.site.errors.append(record.getMessage())
        elif record.levelno >= logging.WARNING:
            self.site.warnings.append(record.getMessage())
        else:
            self.site.notices.append(record.getMessage())


@contextmanager
def collecting(site: Site) -> Iterator[None]:
    handler = _Collect(site)
    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def run_build(site: Site, command: str = "build", config: MkDocsConfig | None = None, strict: bool = False) -> Site:
    """One real build; with ``config`` given, the same plugin objects build again (as ``mkdocs serve`` does)."""
    site.errors.clear()
    site.warnings.clear()
    site.notices.clear()
    cwd = os.getcwd()
    os.chdir(site.root)
    try:
        with collecting(site):
            fresh = config is None
            if config is None:
                config = load_config(str(site.config_file), strict=strict)
                config.plugins.on_startup(command=command, dirty=False)
            site.config = config
            try:
                build(config, serve_url=config.site_url if command == "serve" else None)
            except SystemExit as exc:  # mkdocs' Abort
                site.errors.append(str(exc))
            finally:
                if fresh and command != "serve":
                    config.plugins.on_shutdown()
    finally:
        os.chdir(cwd)
    return site


FRESH_BUILD = """
import json, logging, sys
import os, time
import tipsheet.mkdocs.forking as forking
import tipsheet.mkdocs.parallel_markdown as parallel_markdown
import tipsheet.mkdocs.parallel_pages as parallel_pages
import tipsheet.mkdocs.parallel_tips as parallel_tips
import tipsheet.mkdocs.shortcuts as shortcuts
from mkdocs.commands.build import build
from mkdocs.config import load_config

options = json.loads(sys.argv[2])
forking.MIN_PAGES = options["min_pages"]
forking.WAIT_FLOOR = options["wait_floor"]
forking.workers = shortcuts.workers = lambda: options["workers"]
parent = os.getpid()
def failing(kind):
    def work(*args):
        if os.getpid() == parent:  # only ever in the worker: the parent does the share as usual
            return original[kind](*args)
        if options[kind] == "crash":
            raise RuntimeError("worker dies")
        time.sleep(3600)  # "hang"
    return work
original = {"pages": parallel_pages.OffloadedPages._build, "markdown": parallel_markdown.ParallelMarkdown._render_chunk,
            "tips": parallel_tips.load_file}
if options["pages"]:
    parallel_pages.OffloadedPages._build = failing("pages")
if options["markdown"]:
    parallel_markdown.ParallelMarkdown._render_chunk = failing("markdown")
if options["tips"]:
    parallel_tips.load_file = failing("tips")
if options["patch"]:  # an MkDocs release whose internal differs (here: a wrapper around it)
    import mkdocs.commands.build as mkdocs_build
    inner = getattr(mkdocs_build, options["patch"])
    def changed(*args, **kwargs):
        return inner(*args, **kwargs)
    setattr(mkdocs_build, options["patch"], changed)
forks = []
result = forking.ForkJob.result
def counted(self):
    value = result(self)
    try:
        os.kill(self.pid, 0)
        gone = False
    except OSError:
        gone = True
    forks.append({"forked": self.pid > 0, "returned": value is not None, "timed_out": self.timed_out,
                  "reaped": gone})
    return value
forking.ForkJob.result = counted
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append([record.levelname, record.getMessage()])
logging.getLogger("mkdocs").addHandler(Keep())
logging.getLogger("mkdocs").setLevel(logging.INFO)
config = load_config(sys.argv[1])
config.plugins.on_startup(command="build", dirty=False)
try:
    build(config)
    ok = True
except SystemExit:
    ok = False
config.plugins.on_shutdown()
print("RESULT=" + json.dumps({"ok": ok, "forks": forks, "records": records}))
"""


@dataclass
class FreshBuild:
    ok: bool
    forks: list[dict[str, bool]]
    records: list[tuple[str, str]]

    def messages(self, level: str) -> list[str]:
        return [message for name, message in self.records if name == level]


def build_in_fresh_process(site: Site, workers: int = 3, min_pages: int = 5, pages: str = "", markdown: str = "",
                           tips: str = "", wait_floor: float = 30.0, patch: str = "") -> FreshBuild:
    """A real build in a new, single-threaded Python process, as `mkdocs build` runs.

    Forking is only allowed in a process with one thread; a test process has others (servers
    from other tests), so the forked build is tested here, with the number of workers given
    rather than the machine's CPUs, and each fork's outcome reported back (whether it forked,
    returned its work, was stopped for taking too long, and is gone).  ``pages``, ``markdown`` and
    ``tips`` make that worker "crash" or "hang" (in the worker only); ``patch`` replaces that function
    of ``mkdocs.commands.build`` with a wrapper, as a new MkDocs release would change it.
    """
    import json
    import subprocess
    import sys

    options = json.dumps({"workers": workers, "min_pages": min_pages, "pages": pages, "markdown": markdown,
                          "tips": tips, "wait_floor": wait_floor, "patch": patch})
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-c", FRESH_BUILD, str(site.config_file), options], cwd=site.root,
                          env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT=")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    result = json.loads(lines[-1].removeprefix("RESULT="))
    return FreshBuild(result["ok"], result["forks"], [tuple(r) for r in result["records"]])
