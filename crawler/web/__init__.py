"""Browsing with Datasette: the launcher, metadata and canned queries, templates and plugins."""
