"""The package's shape: one folder per concern, the core free of MkDocs, no import circle, light commands.

Each check walks the source tree as it is, so a module added later is covered without naming it here.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sitekit import write_project

PACKAGE = Path(__file__).resolve().parent.parent / "plugins" / "tipsheet"
# Each concern, and the concerns it may import (its own, and those below it).  Nothing imports upwards.
LAYERS = {
    "content": set(),
    "site": {"content"},
    "feeds": {"content", "site"},
    "mail": {"content", "site"},
    "audience": {"content", "site", "mail"},
    "importers": {"content", "site"},
    "search": {"content", "site"},
    "publish": set(),
    "mkdocs": {"content", "site", "feeds", "mail", "audience", "importers", "search"},
    "cli": {"content", "site", "feeds", "mail", "audience", "importers", "search", "mkdocs", "publish"},
}
CORE = ("content", "site", "feeds", "mail", "audience", "importers", "search", "publish")


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports, at any depth of its code (lazy imports too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            stem = ".".join(base + ([node.module] if node.module else []))
            targets = [stem] + [f"{stem}.{alias.name}" for alias in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def concern(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_module_belongs_to_a_concern_and_each_concern_says_what_it_holds():
    for name, path in modules().items():
        if name == "tipsheet":
            continue
        assert concern(name) in LAYERS, f"{name}: expected a module inside one of {sorted(LAYERS)}"
        if path.name == "__init__.py":
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            assert doc and 1 <= len([line for line in doc.splitlines() if line.strip()]) <= 3, name


def test_nothing_imports_upwards():
    known = modules()
    wrong = []
    for name, path in known.items():
        mine = concern(name)
        for target in imports_of(name, path, known):
            theirs = concern(target)
            if mine and theirs and theirs != mine and theirs not in LAYERS[mine]:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_there_is_no_import_circle():
    known = modules()
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    # a package's __init__ and its own modules are one unit for this purpose
    circles: list[str] = []

    def visit(node: str, path: list[str], done: set[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + ".") or node.startswith(nxt + "."):
                continue
            if nxt in path:
                circles.append(" -> ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in done:
                done.add(nxt)
                visit(nxt, [*path, nxt], done)

    for start in sorted(graph):
        visit(start, [start], {start})
    assert circles == []


def loaded_modules(code: str, cwd: Path | None = None) -> list[str]:
    probe = f"{code}\nimport sys, json\nprint('MODULES=' + json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stdout.splitlines() if x.startswith("MODULES=")][-1]
    return json.loads(line.removeprefix("MODULES="))


def test_no_core_module_imports_mkdocs():
    core = [name for name in modules() if concern(name) in CORE]
    assert len(core) >= 20
    loaded = loaded_modules("import " + ", ".join(core))
    assert [m for m in loaded if m == "mkdocs" or m.startswith("mkdocs.")] == []


@pytest.fixture
def project(tmp_path):
    write_project(tmp_path, {"tips/a.md": "---\ntitle: A\ndate: 2026-11-03\ntags: [sports]\n---\n\nText.\n"})
    return tmp_path


def run_cli(args: list[str]) -> str:
    return ("import os\nos.environ['TIPSHEET_DB'] = 'list.db'\nfrom tipsheet.cli import main\n"
            f"from tipsheet.audience.store import Store\nStore.create('list.db')\nassert main({args!r}) == 0\n")


def test_list_commands_import_neither_mkdocs_nor_the_adapter(project):
    loaded = loaded_modules(run_cli(["subscribers", "add", "a@example.org", "--tags", "sports"])
                            + "assert main(['subscribers', 'list']) == 0\n", cwd=project)
    assert [m for m in loaded if m.split(".")[0] == "mkdocs" or m.startswith("tipsheet.mkdocs")] == []


@pytest.mark.parametrize("args", [["check"], ["digest", "--list"]])
def test_commands_that_read_the_site_use_only_the_adapters_config_classes(project, args):
    loaded = loaded_modules(run_cli(args), cwd=project)
    adapter = sorted(m for m in loaded if m.startswith("tipsheet.mkdocs"))
    assert adapter == ["tipsheet.mkdocs", "tipsheet.mkdocs.config"]
    assert [m for m in loaded if m.startswith(("mkdocs.commands", "material.plugins", "mkdocs.contrib"))] == []
