"""Discovery: the feeds, sitemaps and CCHC sections of a site nobody configured (``python -m crawler discover``),
and the readers the spiders use to take articles from feeds and sitemaps."""
