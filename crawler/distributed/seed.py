"""``python -m crawler seed``: start a distributed night in one command.

For each site: empty the per-run fingerprints (so listing pages are fetched again), publish what the database
knows about the site (known and young article URLs, browser need), and queue its start requests (listing pages
and re-checks) exactly as a single-process crawl would make them.
"""
from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.spiderloader import SpiderLoader
from scrapy.statscollectors import MemoryStatsCollector
from scrapy_redis.queue import PriorityQueue

from crawler.distributed.keys import Keys, connect, ping_once
from crawler.distributed.scheduler import RunAwareDupeFilter
from crawler.distributed.state import publish_known


def seed(jobs: list[tuple[str, dict]], settings) -> dict[str, int]:
    """Queue the start requests of ``(spider name, spider kwargs)`` jobs; spider name -> requests queued."""
    url = settings.get("CCHC_REDIS_URL")
    if not url:
        raise ValueError("set CCHC_REDIS_URL (e.g. redis://127.0.0.1:6379/0) to seed a distributed crawl")
    ping_once(url)
    server, keys = connect(url), Keys.from_settings(settings)
    server.ping()
    local = settings.copy()
    local.set("CCHC_REDIS_URL", "", priority=50)  # the seeder reads the database like a single-process crawl
    loader = SpiderLoader.from_settings(local)
    queued = {}
    for name, kwargs in jobs:
        crawler = Crawler(loader.load(name), local)
        crawler.stats = MemoryStatsCollector(crawler)  # the spider counts re-checks; no engine is started
        spider = crawler._create_spider(**kwargs)  # the spider's own from_crawler, without starting an engine
        server.delete(keys.seen_run(name), keys.requeued(name))
        known = spider.known  # read first: it also tells whether the listings need the browser
        publish_known(server, keys, name, known, spider.browser_scope != "none")
        queue = PriorityQueue(server, spider, keys.requests(name))
        dupefilter = RunAwareDupeFilter(server, keys.seen(name), keys.seen_run(name))
        count = 0
        for request in spider.seed_requests():
            if request.dont_filter or not dupefilter.request_seen(request):
                queue.push(request)
                count += 1
        server.sadd(keys.spiders, name)
        queued[name] = count
    return queued
