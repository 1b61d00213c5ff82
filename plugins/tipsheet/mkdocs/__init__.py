"""MkDocs adapter: the tipsheet/tips, tipsheet/feeds and tipsheet/digests plugins."""
