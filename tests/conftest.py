from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from sitekit import NOW, Site, run_build, write_project

pytest_plugins = ["browserkit", "listkit", "imapkit"]

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs on the same "today" unless it sets SOURCE_DATE_EPOCH itself."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(NOW))


BuildSite = Callable[..., Site]


@pytest.fixture
def build_site(tmp_path: Path) -> BuildSite:
    """``build_site(files, **config)``: write a project into tmp_path and build it for real.

    ``files`` maps paths under content/ to text; ``config`` sets mkdocs.yml keys, or
    plugin options with ``tips={...}``, ``feeds={...}``, ``digests={...}``.
    """
    counter = iter(range(1000))

    def build_site(files: Mapping[str, str | bytes], *, strict: bool = False, **config: Any) -> Site:
        root = tmp_path / f"project{next(counter)}"
        config_file = write_project(root, files, **config)
        return run_build(Site(root, config_file), strict=strict)

    return build_site
