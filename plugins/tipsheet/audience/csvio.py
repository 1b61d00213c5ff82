"""The list as CSV: an import checked row by row before anything is written, an export safe to open.

An export is opened in spreadsheets, which run a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula (CSV injection); such a value, which only
a name could be, is written with a leading apostrophe, as OWASP advises.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .addresses import SubscriberError, clean_name, clean_tags, normalise_email
from .store import Subscriber

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def read_csv(text: str, vocabulary: Iterable[str]) -> list[tuple[str, str, tuple[str, ...]]]:
    """Rows of an import file, all checked before anything is written; errors name their line."""
    vocabulary = list(vocabulary)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "email" not in header:
        raise SubscriberError(f"line 1: header: expected email,name,tags, got {','.join(header) or 'nothing'}")
    reader.fieldnames = header
    rows: list[tuple[str, str, tuple[str, ...]]] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        try:
            email = normalise_email(row.get("email") or "")
            name = clean_name(row.get("name") or "")
            tags = clean_tags(row.get("tags") or "", vocabulary)
        except SubscriberError as exc:
            errors.append(f"line {line}: {exc}")
            continue
        if email.lower() in first_line:
            errors.append(f"line {line}: email: expected each address once, got {email!r} again "
                          f"(first on line {first_line[email.lower()]})")
            continue
        first_line[email.lower()] = line
        rows.append((email, name, tags))
    if errors:
        raise SubscriberError("\n".join(errors))
    return rows


def cell(value: str) -> str:
    """A value a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def export_csv(subscribers: Iterable[Subscriber]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["email", "name", "tags", "status", "created"])
    for s in subscribers:
        writer.writerow([cell(s.email), cell(s.name), ",".join(s.tags), s.status, s.created])
    return out.getvalue()
