"""Bringing an existing archive in: WordPress exports (WXR) and RSS/Atom feeds become tip files.

Also the vocabulary map, the re-import ledger, the report and the old-URL redirect data the tips plugin reads.
"""
