"""tipsheet: weekly customer-service tips as a site, feeds and email digests.

The core (model, loader, catalog, views, feeds, digests) is plain Python; the
MkDocs plugins in :mod:`tipsheet.mkdocs` and the command line in
:mod:`tipsheet.cli` are thin adapters over it.
"""

__version__ = "0.1.0"
