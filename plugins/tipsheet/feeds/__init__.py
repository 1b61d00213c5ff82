"""Feeds: RSS 2.0, Atom and JSON Feed for the site, each tag and each series, built with feedgen.

Entries derive from each tip's one rendering; every date comes from the content, never the clock.
"""
