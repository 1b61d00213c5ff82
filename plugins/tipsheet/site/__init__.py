"""The reader's pages: which index pages exist, their URLs, and the HTML fragments (cards, pagers, tip header).

Also the writer's advice (``lint``) and Markdown rendering outside a build; all plain Python over the catalog.
"""
