"""What a tip is and how it is read: the model, the tip file, its fields, the loader, the catalog.

Every tip is read once per build into a frozen ``Tip``; problems, "now" and the catalog's indexes live here too.
"""
