"""CCHC crawler: Vietnamese provincial portals and newspapers on administrative reform, into one SQLite database."""

__version__ = "0.1.0"
