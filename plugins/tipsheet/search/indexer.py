"""The indexing process: ``python -m tipsheet.search.indexer JOB`` turns one build's records into a Pagefind index.

It runs beside the build, not inside it, for three reasons:

* the build forks workers only while it has a single thread, and the asyncio
  machinery of Pagefind's Python API starts threads;
* Pagefind then indexes on another core while MkDocs renders the pages;
* the Python API reads one answer per 0.1 s, so adding 3,000 pages one by one
  would take five minutes.  Instead the records become small documents in a
  private folder and one ``add_directory`` call indexes them all, with every
  thread Pagefind has.

The job is a pickled :class:`~tipsheet.search.job.Job`, written by
:class:`~tipsheet.search.job.IndexJob`; the outcome is a small JSON file beside
it, and any failure one line on standard error.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import posixpath
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from markupsafe import Markup

from ..site.jinja import make_env
from .job import Job

# Never indexed: what the site marks for search engines to skip (the home page's list of latest tips,
# the subscribe page's feed table) and the pilcrows of heading permalinks.
EXCLUDE_SELECTORS = ["[data-search-exclude]", ".headerlink"]


def write_documents(job: Job, folder: Path) -> int:
    """One HTML document per record, at the record's path under ``folder``."""
    template = make_env(job.template_dirs).get_template("search/document.html")
    for record in job.records:
        relative = posixpath.normpath(record.path)
        if relative.startswith(("../", "/")) or relative == "..":
            raise ValueError(f"{record.path!r} is not a path inside the site")
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(template.render(r=record, body=Markup(record.body), language=job.language),
                          encoding="utf-8")
    return len(job.records)


async def index(folder: Path, job: Job) -> int:
    """Index every document in ``folder`` and write the bundle; the number of pages Pagefind indexed."""
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(keep_index_url=job.keep_index_url, exclude_selectors=EXCLUDE_SELECTORS,
                         output_path=job.output)
    async with PagefindIndex(config=config) as pagefind:
        done = await pagefind.add_directory(str(folder))
    return int(done["page_count"])


def run(job_path: Path) -> dict[str, float]:
    with open(job_path, "rb") as handle:
        job: Job = pickle.load(handle)
    folder = job_path.parent / "documents"
    started = time.perf_counter()
    written = write_documents(job, folder)
    indexed = asyncio.run(index(folder, job))
    if indexed != written:
        raise RuntimeError(f"Pagefind indexed {indexed} of the {written} pages")
    return {"pages": indexed, "seconds": round(time.perf_counter() - started, 3)}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        sys.stderr.write("usage: python -m tipsheet.search.indexer JOB\n")
        return 2
    job_path = Path(args[0])
    try:
        outcome = run(job_path)
    except Exception as exc:  # reported by the build as one line, never a traceback
        sys.stderr.write(f"{type(exc).__name__}: {exc}".replace("\n", " ") + "\n")
        return 1
    (job_path.parent / "outcome.json").write_text(json.dumps(outcome), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
