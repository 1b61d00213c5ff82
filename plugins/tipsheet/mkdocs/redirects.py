"""The tips plugin's ``redirects`` option: every old address of an imported tip keeps working.

For each line of the redirects file (see :mod:`tipsheet.importers.redirects`)
this adds a small page at the old path (``File.generated``): a meta refresh
and ``rel=canonical`` to the tip's current URL and a plain link, so it works
on any static host and without JavaScript.  It also writes ``_redirects``
(Netlify, Cloudflare Pages; a ``_redirects`` of the site's own comes first)
and ``nginx-redirects.map`` for servers that can answer with a real 301.  A
line whose file is gone is a warning (so ``--strict`` catches it); a line
whose tip is a draft or scheduled waits, with a notice, until it is published.  A site whose
``site_url`` has a path (``https://example.org/tips/``) gets pages only for the old paths under it;
the two server files hold every line.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files

from ..importers import redirects
from ..site.jinja import make_env
from ..site.urls import absolute, root_of

log = get_plugin_logger(__name__)
TEMPLATE = "redirect.html"


def _title(file: File) -> str | None:
    tip = getattr(file.page, "tip", None)
    title = getattr(tip, "title", None)
    return title if isinstance(title, str) else None


def add_redirects(files: Files, config: MkDocsConfig, data_file: str, project_dir: str) -> None:
    """Pages at the old addresses of ``data_file`` (relative to mkdocs.yml), and the two server files."""
    try:
        entries = redirects.load(os.path.join(project_dir, data_file), data_file)
    except redirects.RedirectsError as exc:
        raise PluginError(f"tipsheet/tips: redirects: {exc}") from None
    template = make_env().get_template(TEMPLATE)
    language = str(config.theme.get("language") or "en")
    base = urlsplit(config.site_url or "").path or "/"
    base = base if base.endswith("/") else base + "/"
    taken = {f.dest_uri: f for f in files}
    pairs: list[tuple[str, str]] = []
    pages = waiting = 0
    for entry in entries:
        where = f"{data_file}: line {entry.line}: {entry.old}"
        target = files.get_file_from_path(entry.target)
        if target is None:
            log.warning(f"{where}: expected a file of the site, got {entry.target!r}, which is not there (if the "
                        "tip moved, change the line; if it was deleted, remove the line)")
            continue
        if not target.inclusion.is_included():
            waiting += 1
            continue
        pairs.append((entry.old, base + target.url))
        inside = entry.old.startswith(base)  # a site under a sub-path serves only the old paths below it
        dest = redirects.static_path("/" + entry.old[len(base):]) if inside else None
        if dest is None or dest == target.dest_uri:
            continue
        if dest in taken:
            log.warning(f"{where}: expected an address no page of the site uses, got the address of "
                        f"{taken[dest].src_uri} (the redirect is left out; remove the line, or move that page)")
            continue
        href = root_of(dest) + target.url
        canonical = absolute(config.site_url, target.url) if config.site_url else href
        html = template.render(title=_title(target), href=href, canonical=canonical, language=language)
        taken[dest] = File.generated(config, dest, content=html)
        files.append(taken[dest])
        pages += 1
    _server_files(files, config, pairs)
    note = f"; {waiting} wait for their tip to be published" if waiting else ""
    log.info(f"redirects: {pages} pages at old addresses, {len(pairs)} lines in {redirects.NETLIFY_FILE} and "
             f"{redirects.NGINX_FILE}{note}")


def _server_files(files: Files, config: MkDocsConfig, pairs: list[tuple[str, str]]) -> None:
    netlify = redirects.netlify(pairs)
    own = files.get_file_from_path(redirects.NETLIFY_FILE)
    if own is not None:  # the site's own rules first: Netlify uses the first that matches
        netlify = own.content_string.rstrip("\n") + "\n" + netlify
        files.remove(own)
    files.append(File.generated(config, redirects.NETLIFY_FILE, content=netlify))
    if files.get_file_from_path(redirects.NGINX_FILE) is None:
        files.append(File.generated(config, redirects.NGINX_FILE, content=redirects.nginx(pairs)))
