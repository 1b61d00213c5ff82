"""Search over the built site: what is indexed (tips and the site's own pages, never the lists) and Pagefind.

The index is built beside the build, in a separate process, from the pages' HTML already in memory.
"""
