"""One spider per registry site (``crawler/sites.toml``): ``scrapy crawl <key>``.

Tuned behaviour comes from the registry entry's selectors (listing links, next page, article parts); sites
without selectors use the generic discovery and extraction.
"""
from __future__ import annotations

import sys

from crawler.registry import RegistryError, registry
from spiders.base import ArticleSpider


def _make_spider(site):
    return type(
        f"{site.key.title().replace('_', '')}Spider",
        (ArticleSpider,),
        {"name": site.key, "site": site, "__module__": __name__, "__doc__": f"{site.name} ({site.province})."},
    )


try:
    _sites = registry()
except RegistryError as _error:  # one line naming the file and line, not a traceback of the spider loader
    print(f"error: {_error}", file=sys.stderr)
    raise SystemExit(2) from None

for _site in _sites.values():
    _spider = _make_spider(_site)
    globals()[_spider.__name__] = _spider
del _site, _spider, _sites  # keep each class under one name only (Scrapy would see duplicates)
