"""Reading an article page: extraction (a pure function of the response, crawler/extract) then the preparation
stages (crawler/prepare/stages.py). The one path of an article from its page to an item ready to store, run by
the crawl (in an extraction worker or its own process: crawler/prepare/pool.py), ``python -m crawler extract``,
``savefixture``, the gold tests and the benches alike."""
from __future__ import annotations

from datetime import datetime

from crawler.extract import extract_article
from crawler.prepare.stages import prepare


def read_article(response, site=None, *, now: datetime | None = None, listing_date=None, feed_date=None,
                 generic: bool = False, cchc_section: bool = False, stats=None):
    """The prepared article item of ``response`` (the stages count into ``stats``, when given)."""
    item = extract_article(response, site, now=now, listing_date=listing_date, feed_date=feed_date, generic=generic)
    item["from_cchc_section"] = cchc_section
    return prepare(item, stats)
