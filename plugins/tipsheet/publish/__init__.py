"""Putting the built site where readers get it (a directory switched atomically, GitHub Pages, a command) and
checking over HTTP that it is served: the steps of ``tipsheet publish`` between the build and the send.
"""
