"""What a theme template reads of ``page``, found in its source (and in every template it includes).

The theme-fragment cache shares a partial's HTML between sibling pages, which
is right only when the partial gives them the same HTML.  This reads the
partial's Jinja source as the installed theme has it (the site's overrides
included) and lists each use of ``page``:

- an attribute path (``page.meta.hide``, ``page.next_page.title``): its value
  for each page becomes part of the cache key, so pages that differ there
  never share (only whether it is true, where it is only ever tested:
  ``{% if page.meta and ... %}``);
- ``page`` compared with something (``nav_item == page``, ``page in
  nav_item.pages``): a page outside the nav equals no nav item, so this is the
  same for every page the cache shares between;
- any other use (``page`` handed to a macro, assigned to a name, printed): the
  partial could read anything of the page, so it is rendered for each page,
  unless the template is one whose source is known (:data:`KNOWN_SOURCES`),
  where these uses were read and found to depend only on nav membership.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from jinja2 import BaseLoader, Environment, nodes

# Material 9.8.2's nav-item.html assigns `page` to `nav_item` and reads `page.toc`, both only under
# `page in nav_item.pages` / `nav_item == page`: never true for a page outside the nav.
KNOWN_SOURCES = {
    "partials/nav-item.html": {"89895208f22d68ce"},
    "partials/toc.html": {"fde48f583563364b"},  # reads page.toc; included by nav-item.html for the active page
}
COMPARISONS = (nodes.Compare, nodes.Operand)
ICONS = ".icons/"  # the theme's SVG icons, included by name: markup without template code
TRUTH = ("truth", "")  # the last step of a path whose value is only ever tested
Path = tuple[tuple[str, object], ...]  # ("attr", name) or ("item", key) steps after `page`


@dataclass
class PageReads:
    """How one partial, with everything it includes, reads ``page``."""

    paths: set[Path] = field(default_factory=set)  # attribute paths whose value must join the key
    opaque: list[str] = field(default_factory=list)  # "template: use" of page that cannot be keyed
    templates: list[str] = field(default_factory=list)


def page_reads(env: Environment, loader: BaseLoader, name: str) -> PageReads:
    reads = PageReads()
    _visit(env, loader, name, reads, set())
    return reads


def _visit(env: Environment, loader: BaseLoader, name: str, reads: PageReads, seen: set[str]) -> None:
    if name in seen:
        return
    seen.add(name)
    reads.templates.append(name)
    source, _, _ = loader.get_source(env, name)
    ast = env.parse(source)
    known = hashlib.sha256(source.encode()).hexdigest()[:16] in KNOWN_SOURCES.get(name, set())
    for path, parent, tested in _page_uses(ast):
        if known:
            continue
        if path:
            reads.paths.add((*path, TRUTH) if tested else path)
        elif not path and isinstance(parent, COMPARISONS):
            continue
        else:
            reads.opaque.append(f"{name}: page in {type(parent).__name__}")
    for included in _included(ast):
        if included is None:
            reads.opaque.append(f"{name}: includes a template chosen at render time")
        elif not included.startswith(ICONS):
            _visit(env, loader, included, reads, seen)


def _included(ast: nodes.Template) -> Iterator[str | None]:
    """Templates included, imported or extended; a name built at render time is None, unless it is an icon."""
    for node in ast.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        template = getattr(node, "template", None)
        if isinstance(template, nodes.Const) and isinstance(template.value, str):
            yield template.value
        elif (isinstance(template, nodes.Concat) and template.nodes and isinstance(template.nodes[0], nodes.Const)
              and str(template.nodes[0].value).startswith(ICONS)):
            yield ICONS
        else:
            yield None


def _page_uses(ast: nodes.Template) -> Iterator[tuple[Path, nodes.Node | None, bool]]:
    """Each ``page`` read: its attribute path (as long as it is constant), the node around it, and
    whether only its truth is used (``{% if page.x %}``, ``{% if a and page.x %}``, ``not page.x``)."""
    stack: list[tuple[nodes.Node, list[nodes.Node]]] = [(ast, [])]
    while stack:
        node, parents = stack.pop()
        if isinstance(node, nodes.Name) and node.name == "page" and node.ctx == "load":
            yield _path(node, parents)
            continue
        for child in node.iter_child_nodes():
            stack.append((child, [*parents, node]))


def _path(name: nodes.Name, parents: list[nodes.Node]) -> tuple[Path, nodes.Node | None, bool]:
    steps: list[tuple[str, object]] = []
    current: nodes.Node = name
    for depth in range(len(parents) - 1, -1, -1):
        parent = parents[depth]
        if isinstance(parent, nodes.Getattr) and parent.node is current:
            steps.append(("attr", parent.attr))
        elif (isinstance(parent, nodes.Getitem) and parent.node is current
              and isinstance(parent.arg, nodes.Const)):
            steps.append(("item", parent.arg.value))
        else:
            return tuple(steps), parent, _tested(current, parents[: depth + 1])
        current = parent
    return tuple(steps), None, False


def _tested(node: nodes.Node, parents: list[nodes.Node]) -> bool:
    """Whether ``node``'s value only decides a test: an if, a condition, ``not``, through ``and``/``or``."""
    for parent in reversed(parents):
        if isinstance(parent, (nodes.And, nodes.Or)):
            node = parent
            continue
        if isinstance(parent, nodes.Not):
            return True
        if isinstance(parent, (nodes.If, nodes.CondExpr)):
            return parent.test is node
        return False
    return False
