"""Spiders: ``generic`` for any portal section, and one spider per registry site (``spiders/sites.py``)."""
