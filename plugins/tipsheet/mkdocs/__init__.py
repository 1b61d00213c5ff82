"""The MkDocs adapter: the tipsheet/tips, tipsheet/feeds and tipsheet/digests plugins and their config classes.

A thin layer: it maps the core's catalog, pages and files onto MkDocs' files and pages, and nothing else.
"""
