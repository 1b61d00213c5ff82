"""Reading a site's mkdocs.yml for the command line, two ways, neither of which builds anything.

:func:`read_raw` is plain YAML (MkDocs' ``!ENV`` and ``!relative`` tags
understood, Python tags left alone, ``INHERIT`` merged) for the commands that
only need a few facts of the list, such as the database and the tag keys
(``tipsheet subscribers``): they import no MkDocs at all.
:func:`load_validated` validates the site and tipsheet's plugin options with
MkDocs' own config classes and tipsheet's (``tipsheet.mkdocs.config``) for
the commands that render tips; it never loads a plugin, a hook or the build
machinery.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


class ConfigError(Exception):
    """mkdocs.yml cannot be used; the message names the file and the option."""


def find_config(start: str | None = None) -> str:
    """mkdocs.yml in ``start`` (default: this folder) or the nearest folder above it."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            raise ConfigError("mkdocs.yml: expected it in this folder or one above, got none "
                              "(run this inside a tipsheet project, or pass -f path/to/mkdocs.yml)")
        folder = parent


class _Placeholder(str):
    """A Python object named in the YAML (``!!python/name:...``): kept as its name, never imported."""


class _Loader(yaml.SafeLoader):
    config_dir = ""


def _env(loader: _Loader, node: yaml.Node) -> Any:
    """``!ENV NAME`` or ``!ENV [NAME, OTHER, default]``, as MkDocs reads it."""
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)  # type: ignore[arg-type]
        names, default = items[:-1], items[-1] if len(items) > 1 else None
        if len(items) == 1:
            names = items
    for name in names:
        if str(name) in os.environ:
            return yaml.safe_load(os.environ[str(name)])
    return default


def _relative(loader: _Loader, node: yaml.Node) -> str:
    value = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    return os.path.join(loader.config_dir, value.removeprefix("$config_dir").lstrip("/")) \
        if value.startswith("$config_dir") else value


def _python(loader: _Loader, suffix: str, node: yaml.Node) -> _Placeholder:
    return _Placeholder(suffix)


_Loader.add_constructor("!ENV", _env)
_Loader.add_constructor("!relative", _relative)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _python)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), dict) \
            else value
    return out


def read_raw(path: str, _depth: int = 0) -> dict[str, Any]:
    """mkdocs.yml as plain data; ``INHERIT: parent.yml`` is merged under it as MkDocs does."""
    loader = type("_FileLoader", (_Loader,), {"config_dir": os.path.dirname(os.path.abspath(path))})
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = yaml.load(handle, Loader=loader)  # a SafeLoader subclass
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{os.path.relpath(path)}: expected readable YAML, got {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{os.path.relpath(path)}: expected settings like 'site_name: ...', "
                          f"got {type(data).__name__}")
    settings: dict[str, Any] = {str(k): v for k, v in data.items()}
    parent = settings.pop("INHERIT", None)
    if parent and _depth < 10:
        settings = _merge(read_raw(os.path.join(os.path.dirname(path), str(parent)), _depth + 1), settings)
    return settings


def plugin_entries(raw_plugins: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, options) of each plugin listed, in either of MkDocs' forms (a list, or a mapping)."""
    items: list[Any] = list(raw_plugins.items()) if isinstance(raw_plugins, dict) else list(raw_plugins or [])
    for item in items:
        if isinstance(item, tuple):
            name, options = item
        elif isinstance(item, dict) and len(item) == 1:
            name, options = next(iter(item.items()))
        else:
            name, options = item, {}
        yield str(name), dict(options or {})


def plugin_options(raw: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """The options of plugin ``name`` (``{}`` when listed bare), or None when it is not listed."""
    for found, options in plugin_entries(raw.get("plugins")):
        if found == name:
            return options
    return None


@dataclass(frozen=True)
class ListFacts:
    """What the list commands need of a site: no rendering, no validation beyond these few values."""

    config_file: str
    site_name: str
    site_url: str
    tags: tuple[str, ...]
    database: str

    @property
    def root(self) -> str:
        return os.path.dirname(self.config_file)


def list_facts(path: str) -> ListFacts:
    raw = read_raw(path)
    tips = plugin_options(raw, "tipsheet/tips")
    if tips is None:
        raise ConfigError(f"{os.path.relpath(path)}: plugins: expected 'tipsheet/tips', got none")
    digests = plugin_options(raw, "tipsheet/digests") or {}
    tags = tips.get("tags") or {}
    database = digests.get("database") or "tipsheet.db"
    if not isinstance(tags, dict) or not isinstance(database, str):
        raise ConfigError(f"{os.path.relpath(path)}: tipsheet/tips: tags: expected keys with a title each, "
                          f"got {type(tags).__name__}")
    root = os.path.dirname(os.path.abspath(path))
    return ListFacts(os.path.abspath(path), str(raw.get("site_name") or ""), str(raw.get("site_url") or ""),
                     tuple(str(k) for k in tags), os.path.join(root, database))
