"""Reading one tip file: bytes to (front matter, body), or problems.

Front matter is split with python-frontmatter and parsed with PyYAML, but with
two changes that matter to writers: dates stay text (so ``2024-02-30`` is our
clear message, not a YAML crash) and a field written twice is reported, not
silently overwritten.  Every failure becomes a :class:`Problem` with the line
it is on; nothing here raises.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler  # type: ignore[import-untyped]

from .problems import Problem, describe

FRONT_MATTER = "front matter"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TipLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe YAML without implicit timestamps, noting keys written twice."""

    duplicates: list[tuple[str, int]]

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = key_node.value
            if key in seen:
                self.duplicates.append((str(key), key_node.start_mark.line))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


_TipLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Handler(YAMLHandler):  # type: ignore[misc]
    """python-frontmatter's YAML handler, with a boundary that never eats a blank line.

    The stock boundary (``^-{3,}\\s*$``) lets ``\\s*`` swallow newlines, which
    shifts every line number we report.
    """

    FM_BOUNDARY = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)


_HANDLER = _Handler()


@dataclass(frozen=True)
class TipSource:
    """A tip file split in two: its fields and its Markdown, with the line the body starts on."""

    meta: dict[str, Any]
    body: str
    body_line: int
    duplicates: tuple[tuple[str, int], ...] = ()


def read_text(abs_path: str, path: str, max_bytes: int) -> tuple[str | None, list[Problem]]:
    """The file's text, or why it cannot be a tip (too big, not UTF-8, unreadable)."""
    try:
        size = os.path.getsize(abs_path)
        if size > max_bytes:
            got = f"{size / 1_000_000:.1f} MB"
            return None, [Problem(path, "file", f"a tip under {max_bytes // 1000} KB", got,
                                  "split it, or move large data out of content/")]
        with open(abs_path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        return None, [Problem(path, "file", "a readable file", exc.strerror or str(exc))]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        got = f"byte 0x{raw[exc.start]:02x} on line {line}, which is not UTF-8"
        return None, [Problem(path, "file", "UTF-8 text", got, "save the file as UTF-8", line=line)]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def split(text: str, path: str) -> tuple[TipSource | None, list[Problem]]:
    """Separate front matter from body and parse the YAML."""
    if not text.strip():
        return None, [Problem(path, FRONT_MATTER, "'---' fields '---' at the top", "an empty file",
                              "start from 'tipsheet new'")]
    first = text.split("\n", 1)[0]
    if not _HANDLER.detect(text):
        return None, [Problem(path, FRONT_MATTER, "'---' on the first line", f"{describe(first)}",
                              "a tip starts with its fields between two '---' lines", line=1)]
    try:
        head, body = _HANDLER.split(text)
    except ValueError:
        return None, [Problem(path, FRONT_MATTER, "a closing '---' line after the fields",
                              "the end of the file", "add a line '---' after the last field", line=1)]
    body_line = head.count("\n") + 2
    loader = _TipLoader(head)
    loader.duplicates = []
    try:
        meta = loader.get_single_data()
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(exc, path, head)]
    finally:
        loader.dispose()
    if meta is None:
        return None, [Problem(path, FRONT_MATTER, "fields like 'title: ...'", "nothing", line=2)]
    if not isinstance(meta, dict):
        return None, [Problem(path, FRONT_MATTER, "fields, one 'name: value' per line",
                              describe(meta), line=2)]
    duplicates = tuple((key, line + 1) for key, line in loader.duplicates)
    return TipSource({str(k): v for k, v in meta.items()}, body.lstrip("\n"), body_line,
                     duplicates), []


def _yaml_problem(exc: yaml.YAMLError, path: str, head: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = str(getattr(exc, "problem", None) or exc).strip()
    where = f" on line {line}" if line else ""
    lines = head.split("\n")
    text = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "\t" in text[: (mark.column + 1) if mark is not None else 0] or "'\\t'" in problem:
        return Problem(path, FRONT_MATTER, "spaces for indentation", f"a tab{where}",
                       "replace the tab with spaces", line=line)
    if "mapping values are not allowed" in problem:
        return Problem(path, FRONT_MATTER, "valid YAML", f"a second ':' in one value{where}",
                       "put the value in quotes", line=line)
    return Problem(path, FRONT_MATTER, "valid YAML", f"a YAML error{where}: {problem}", line=line)
