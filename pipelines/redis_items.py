"""Distributed workers: each finished item goes to the Redis list that the single SQLite writer drains."""
from __future__ import annotations

import json

from scrapy.exceptions import NotConfigured

from crawler.distributed.keys import Keys, connect, worker_id
from crawler.items import ArticleGone
from pipelines.base import StatsPipeline
from crawler.stats import Stat


class RedisItemsPipeline(StatsPipeline):
    """Pushes ``{"kind", "spider", "run_id", "worker", "item"}`` as JSON to ``cchc:items``."""

    def __init__(self, crawler, url: str):
        super().__init__(crawler.stats)
        self.crawler, self.server = crawler, connect(url)
        self.key = Keys.from_settings(crawler.settings).items
        self.worker = worker_id(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler):
        url = crawler.settings.get("CCHC_REDIS_URL")
        if not url:
            raise NotConfigured("CCHC_REDIS_URL is empty: items are written by this process")
        return cls(crawler, url)

    def process_item(self, item):
        payload = {"kind": "gone" if isinstance(item, ArticleGone) else "article", "spider": self.crawler.spider.name,
                   "run_id": self.stats.get_value(Stat.RUN_ID), "worker": self.worker, "item": dict(item)}
        blob = json.dumps(payload, ensure_ascii=False, default=str)
        try:
            blob = blob.encode("utf-8")
        except UnicodeEncodeError:  # text UTF-8 cannot hold (a lone surrogate): escaped, the writer repairs it
            blob = json.dumps(payload, default=str)
        self.server.rpush(self.key, blob)
        if not isinstance(item, ArticleGone):
            item.pop("story_signature", None)  # travelled to the writer; not for this worker's feeds
        self.stats.inc_value(Stat.DISTRIBUTED_ITEMS_PUSHED)
        return item
