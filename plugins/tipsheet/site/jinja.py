"""tipsheet's one Jinja2 environment factory: package templates, overridable by the site, always escaping.

Our environment escapes everything (``autoescape=True``): a title such as
``Use <Tab> to move`` shows as text wherever it appears; only plain-text
templates (``.txt``, the text part of an email) are not escaped.  The site,
the emails and the list service's pages all render through it, so a site can
replace any template by putting a file of the same name in its templates folder.
"""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, select_autoescape


def make_env(template_dirs: Sequence[str] = ()) -> Environment:
    """Package templates, overridable from the site's own folders (searched first)."""
    loaders = [FileSystemLoader(list(template_dirs))] if template_dirs else []
    return Environment(
        loader=ChoiceLoader([*loaders, PackageLoader("tipsheet", "templates")]),
        autoescape=select_autoescape(disabled_extensions=("txt",), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # one environment per build: no need to stat every template on every use
    )
