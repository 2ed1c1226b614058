"""``scrapy crawlall``: every enabled registry site in one process, into one database."""
from __future__ import annotations

from scrapy.commands import ScrapyCommand

from crawler.ops.runner import run_all


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
        # Every -s NAME=VALUE (and -L/--loglevel ...), exactly as `scrapy crawl` passes them to its crawler.
        overrides = {name: self.settings[name] for name in self.settings
                     if (self.settings.getpriority(name) or 0) >= 40}
        self.exitcode = run_all(keys, overrides)
