"""Problems found in content, in the one format every tool prints.

A writer sees the same line from ``mkdocs build``, ``tipsheet check`` and the
CLI: ``path: field: expected ..., got ...`` with a suggestion where one exists.
Problems are collected, never raised one at a time, so a writer fixes
everything in one pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    path: str
    field: str
    expected: str
    got: str
    hint: str | None = None
    severity: Severity = Severity.ERROR
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def message(self) -> str:
        """The line without the path: what ``tipsheet check`` prints under a file's heading."""
        text = f"{self.field}: expected {self.expected}, got {self.got}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __str__(self) -> str:
        return f"{self.path}: {self.message()}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "severity": self.severity.value,
            "expected": self.expected,
            "got": self.got,
            "hint": self.hint,
            "message": str(self),
        }


class ContentError(Exception):
    """Raised once, with every error found, when content cannot be published."""

    def __init__(self, problems: Iterable[Problem], what: str = "content") -> None:
        self.problems = sorted(problems, key=sort_key)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun} in {what}:"] + [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


def sort_key(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line or 0, problem.field)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The known name a typo most likely meant, or None when nothing is close."""
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def did_you_mean(word: str, choices: Iterable[str], what: str = "") -> str | None:
    options = sorted(choices)
    guess = closest(word, options)
    if guess:
        return f"did you mean {guess!r}?"
    if options and what:
        shown = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
        return f"known {what}: {shown}"
    return None


def describe(value: object) -> str:
    """How a YAML value is named in a message: its kind and, briefly, what it was."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"the text {shown!r}" if value.strip() else "an empty text"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a group of fields"
    return type(value).__name__
