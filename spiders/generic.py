"""``scrapy crawl generic -a start_urls=URL[,URL...]``: any portal section, no configuration.

Each start URL is a listing page; article links of its main list are followed, then the next page up to
``-a max_pages=N``. Extraction is the generic path (structured data, content density, Vietnamese dates); the
article is attributed to the registry site owning the domain when there is one.
"""
from __future__ import annotations

from crawler.registry import site_for_url
from spiders.base import ArticleSpider


class GenericSpider(ArticleSpider):
    name = "generic"
    generic_extraction = True

    def __init__(self, *args, start_urls=None, **kwargs):
        if not start_urls:
            raise ValueError("generic: pass -a start_urls=URL[,URL...] (listing pages of a portal section)")
        super().__init__(*args, start_urls=start_urls, **kwargs)
        self.site = site_for_url(self.start_urls[0])
        if self.site:
            self.allowed_domains = list(dict.fromkeys(self.allowed_domains + list(self.site.all_domains)))
