"""``scrapy crawl``, exiting with status 1 when the spider did not finish normally (e.g. the database could
not be written), so that scripts and cron notice."""
from __future__ import annotations

import difflib
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.ops.runner import site_verdicts
from crawler.ops.startup import describe, finish_interrupted, stats_of, watch
from crawler.monitor.verdicts import GOOD
from spiders.base import unknown_arguments_said


class Command(ScrapyCrawlCommand):
    def _create_crawler(self, *args, **kwargs):
        self._crawler = super()._create_crawler(*args, **kwargs)
        return self._crawler

    def run(self, args, opts):
        if len(args) != 1:
            raise UsageError("pass one spider name, e.g. scrapy crawl plo (scrapy list shows them)")
        names = self.crawler_process.spider_loader.list()
        if args[0] not in names:  # Scrapy raises KeyError here: a traceback for a typo
            close = difflib.get_close_matches(args[0], names, n=3)
            print(f"scrapy crawl: no spider named {args[0]!r}" + (f"; did you mean {' or '.join(close)}?" if close else "")
                  + f" (`scrapy list` shows all {len(names)})", file=sys.stderr)
            self.exitcode = 2
            return
        crawler = self._create_crawler(args[0])
        failed: list[BaseException] = []
        watch(self.crawler_process.crawl(crawler, **opts.spargs), failed.append)
        self.crawler_process.start()
        if failed:
            print(f"scrapy crawl {args[0]}: could not start: {describe(failed[0])}", file=sys.stderr)
            self.exitcode = 1
            return
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        if finish_interrupted(crawler):
            print(f"scrapy crawl {args[0]}: stopped before the spider closed (forced shutdown): what was fetched is "
                  f"stored, the run is recorded as shutdown_forced", file=sys.stderr)
            self.exitcode = 1
            return
        ignored = getattr(crawler.spider, "unknown_arguments", None)
        if ignored:  # said again at the end, where it is seen: the warning is lost in the log above
            print(f"scrapy crawl {args[0]}: ignored {unknown_arguments_said(ignored)}", file=sys.stderr)
        stats = stats_of(crawler)
        reason = stats.get_value("finish_reason") if stats else None
        if reason not in (None, "finished") and not str(reason).startswith("closespider_"):
            self.exitcode = 1  # e.g. database_error, shutdown; CLOSESPIDER_* limits asked for by the user are fine
        if stats is not None and not getattr(crawler.spider, "distributed", False):
            # The site's verdict (crawler.monitor.verdicts), as crawlall and health say it; a distributed worker may find
            # the listings taken by other workers, so its verdict is the writer's business.
            name = getattr(crawler.spider, "site_key", args[0])
            word, why = site_verdicts(crawler.settings.get("CCHC_DB"), {name: dict(stats.get_stats())})[name]
            print(f"{name}: {word}: {why}", file=sys.stderr)
            if word not in GOOD:
                self.exitcode = 1
