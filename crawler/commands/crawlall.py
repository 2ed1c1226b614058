"""``scrapy crawlall``: every enabled registry site in one process, into one database."""
from __future__ import annotations

from scrapy.commands import ScrapyCommand

from crawler.runner import run_all


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self):
        return "[options]"

    def short_desc(self):
        return "Crawl every enabled registry site (or --sites) into CCHC_DB, with a run lock and a summary"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--sites", default="", help="comma-separated registry keys (default: all enabled)")

    def run(self, args, opts):
        keys = [k.strip() for k in opts.sites.split(",") if k.strip()] or None
        overrides = {name: self.settings[name] for name in ("CCHC_DB", "CCHC_MIRROR", "LOG_LEVEL", "CCHC_LOG_FILE",
                                                             "CCHC_RECHECK_DAYS", "CCHC_PROGRESS_INTERVAL")
                     if self.settings.getpriority(name) and self.settings.getpriority(name) >= 40}
        self.exitcode = run_all(keys, overrides)
