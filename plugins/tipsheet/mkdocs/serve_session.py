"""What one ``mkdocs serve`` session keeps from a rebuild to the next, so that an edit redoes only what it touches.

MkDocs keeps a plugin object for the whole process once it has an
``on_startup`` event; the tips plugin holds one :class:`ServeSession` and makes
a new one at each ``on_startup``, so nothing outlives the session.  Each part
reuses something only when everything it was made from is unchanged:

- tips of unchanged files (:mod:`.serve_tips`);
- tips' Markdown renditions (:mod:`.serve_renditions`);
- compiled templates and tipsheet's fragments (:mod:`.serve_templates`);
- pages: not rendered, not written again (:mod:`.serve_reuse`, :mod:`.serve_files`);
- Material's search index entries of unchanged pages (:mod:`.serve_search`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .serve_renditions import RenditionCache
from .serve_reuse import ServeReuse
from .serve_search import SearchEntries
from .serve_templates import ServeTemplates
from .serve_tips import TipCache


@dataclass
class ServeSession:
    tips: TipCache = field(default_factory=TipCache)
    renditions: RenditionCache = field(default_factory=RenditionCache)
    templates: ServeTemplates = field(default_factory=ServeTemplates)
    pages: ServeReuse = field(default_factory=ServeReuse)
    search: SearchEntries = field(default_factory=SearchEntries)
