"""Email digests: periods and their tips, the digest's HTML and text (Jinja2 + css-inline), MIME messages.

Also the digest archive pages of the site; sending them is the audience's job.
"""
