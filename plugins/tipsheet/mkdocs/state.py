"""What one build knows, shared by the tipsheet plugins.

The tips plugin creates a :class:`BuildState` in ``on_pre_build`` and drops it
in ``on_config`` of the next build (``mkdocs serve`` keeps plugin objects
alive between rebuilds, so nothing may outlive a build).  The feeds and
digests plugins read the same catalog and rendered HTML from it; none of them
reads a tip file or calls another plugin's hooks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..content.catalog import Catalog
from ..content.model import Settings, Tip
from ..site.urls import Urls
from ..site.views import Link, SignupForm, Subscribe, Views
from ..site.voice import Voice
from .parallel_markdown import ParallelMarkdown
from .parallel_pages import OffloadedPages

FeedLinks = Callable[[str, "str | None"], list[Link]]


@dataclass
class BuildState:
    settings: Settings
    urls: Urls
    catalog: Catalog
    project_dir: str
    html: dict[str, str] = field(default_factory=dict)  # slug -> the tip's one rendering
    summaries: dict[str, str] = field(default_factory=dict)  # slug -> plain-text summary
    pages: dict[str, Page] = field(default_factory=dict)  # slug -> its page
    views: Views | None = None
    feed_links: list[FeedLinks] = field(default_factory=list)
    email_link: Link | None = None
    extra_subscribe: list[Link] = field(default_factory=list)
    signup: SignupForm | None = None  # the sign-up form, when the digests plugin has a list service
    template_dirs: list[str] = field(default_factory=list)  # the site's own templates, before the package's
    update_date: str | None = None  # newest published tip: the date of pages that have none of their own
    parallel: ParallelMarkdown | None = None  # the forked Markdown workers of this build, if any
    offloaded: OffloadedPages = field(default_factory=OffloadedPages)  # generated pages built by a worker
    nav: Navigation | None = None
    voice: Voice = field(default_factory=Voice)  # the call to action of the site and of each tag

    def subscribe(self, scope: str, key: str | None) -> Subscribe:
        feeds = [link for provider in self.feed_links for link in provider(scope, key)]
        return Subscribe(feeds=feeds, email=self.email_link)

    def rendered(self, tip: Tip) -> str:
        return self.html.get(tip.slug, "")

    def require_views(self) -> Views:
        if self.views is None:
            raise PluginError("tipsheet: pages were requested before the tips were rendered")
        return self.views


class StateHolder:
    """What the tips plugin is to the others: the holder of this build's state.

    The feeds and digests plugins find it by this class, so that nothing here
    imports the tips plugin (which imports this module).
    """

    state: BuildState | None = None

    @property
    def holds_state(self) -> bool:
        return False


def shared_state(config: MkDocsConfig, who: str) -> BuildState:
    """The tips plugin's state for this build, for the other tipsheet plugins."""
    for plugin in config.plugins.values():
        if isinstance(plugin, StateHolder) and plugin.holds_state:
            if plugin.state is None:
                raise PluginError(f"{who}: list 'tipsheet/tips' before it under 'plugins:' in mkdocs.yml")
            return plugin.state
    raise PluginError(f"{who}: needs the 'tipsheet/tips' plugin; add it under 'plugins:' in mkdocs.yml")
