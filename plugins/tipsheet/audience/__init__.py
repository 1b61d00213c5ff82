"""The audience: subscribers and the delivery ledger (SQLite), signed tokens, sending over SMTP, the web service.

Everything a publisher runs on a server lives here; nothing here knows about MkDocs.
"""
