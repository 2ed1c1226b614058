"""The switch: with ``CCHC_REDIS_URL`` set, a crawl is a distributed worker; without it nothing changes."""
from __future__ import annotations

LOCAL_STORAGE = ("pipelines.deduplication.DeduplicationPipeline", "pipelines.sqlite_writer.SQLiteWriterPipeline")
ABOVE_COMMAND_LINE = 50  # workers never open the SQLite file, whatever -s CCHC_DB says


class DistributedAddon:
    """Scrapy add-on: scrapy-redis scheduler and duplicate filter, items to Redis, no local database."""

    def update_settings(self, settings):
        url = settings.get("CCHC_REDIS_URL")
        if not url:
            return
        from crawler.distributed.keys import Keys, ping_once  # redis is imported by workers only

        ping_once(url)  # a worker that cannot reach Redis stops here, with one line naming CCHC_REDIS_URL
        keys = Keys.from_settings(settings)
        over = "spider"  # above the project's settings, below the command line
        settings.set("SCHEDULER", "crawler.distributed.scheduler.SharedScheduler", over)
        settings.set("DUPEFILTER_CLASS", "crawler.distributed.scheduler.RunAwareDupeFilter", over)
        settings.set("REDIS_URL", url, over)
        settings.set("SCHEDULER_PERSIST", True, over)
        settings.set("SCHEDULER_QUEUE_KEY", keys.requests("%(spider)s"), over)
        settings.set("SCHEDULER_DUPEFILTER_KEY", keys.seen("%(spider)s"), over)
        # A worker takes few requests at a time per site, so that work stays in the shared queue for the others.
        settings.set("CONCURRENT_REQUESTS", settings.getint("CCHC_REDIS_PREFETCH"), over)
        settings.set("CCHC_DB", "", ABOVE_COMMAND_LINE)
        settings.set("CCHC_CRAWL_STATE", "crawler.distributed.state.crawl_state_from_redis", over)
        settings.set("SPIDERMON_ENABLED", False, over)  # per-site monitors judge whole runs, not a worker's share
        pipelines = dict(settings.getdict("ITEM_PIPELINES"))
        for name in LOCAL_STORAGE:
            pipelines[name] = None
        pipelines["pipelines.redis_items.RedisItemsPipeline"] = 500
        settings.set("ITEM_PIPELINES", pipelines, over)
        middlewares = dict(settings.getdict("SPIDER_MIDDLEWARES"))
        middlewares["crawler.distributed.worker.InflightDoneMiddleware"] = 1000  # nearest the spider
        settings.set("SPIDER_MIDDLEWARES", middlewares, over)
        extensions = dict(settings.getdict("EXTENSIONS"))
        extensions["crawler.distributed.worker.WorkerExtension"] = 130
        settings.set("EXTENSIONS", extensions, over)
