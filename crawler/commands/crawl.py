"""``scrapy crawl``, exiting with status 1 when the spider did not finish normally (e.g. the database could
not be written), so that scripts and cron notice."""
from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawlCommand


class Command(ScrapyCrawlCommand):
    def _create_crawler(self, *args, **kwargs):
        self._crawler = super()._create_crawler(*args, **kwargs)
        return self._crawler

    def run(self, args, opts):
        super().run(args, opts)
        stats = getattr(self, "_crawler", None) and self._crawler.stats
        reason = stats.get_value("finish_reason") if stats else None
        if reason not in (None, "finished") and not str(reason).startswith("closespider_"):
            self.exitcode = 1  # e.g. database_error, shutdown; CLOSESPIDER_* limits asked for by the user are fine
