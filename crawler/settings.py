"""Scrapy settings. Project settings are prefixed ``CCHC_``; environment variables of the same name win."""
import os

from crawler import __version__

BOT_NAME = "cchc"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "crawler.commands"

# Politeness: an identifying user agent, robots.txt, one request at a time per site, adaptive delays.
USER_AGENT = os.environ.get(
    "CCHC_USER_AGENT",
    f"cchc-crawler/{__version__} (+https://github.com/cchc-crawler/cchc-crawler; research crawler of public news on administrative reform)",
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "vi,en;q=0.5",
}
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024

# Requests for a mirrored host go to the local mirror (spider argument base_url); see crawler/mirror.py.
DOWNLOAD_HANDLERS = {
    "http": "crawler.mirror.MirrorDownloadHandler",
    "https": "crawler.mirror.MirrorDownloadHandler",
}

DOWNLOADER_MIDDLEWARES = {
    # after HttpCompressionMiddleware (590) has unpacked the body
    "crawler.middlewares.EncodingMiddleware": 580,
    "crawler.middlewares.ConditionalListingMiddleware": 560,
}

ITEM_PIPELINES = {
    "pipelines.text_cleaning.TextCleaningPipeline": 100,
    "pipelines.vietnamese_dates.VietnameseDatesPipeline": 200,
    "pipelines.content_hash.ContentHashPipeline": 300,
    "pipelines.topic_tagging.TopicTaggingPipeline": 350,
    "pipelines.validation.ValidationPipeline": 400,
    "pipelines.deduplication.DeduplicationPipeline": 500,
    "pipelines.sqlite_writer.SQLiteWriterPipeline": 600,
}

# Database: path from CCHC_DB (setting or environment); empty disables deduplication and the writer.
CCHC_DB = os.environ.get("CCHC_DB", "output/cchc.db")
CCHC_DB_BATCH_SIZE = int(os.environ.get("CCHC_DB_BATCH_SIZE", "20"))
# Listing pages followed per start URL (spider argument max_pages overrides): later runs stop earlier, at the
# first page without an unseen article; the first crawl of a site goes CCHC_FIRST_CRAWL_PAGES deep.
CCHC_MAX_PAGES = int(os.environ.get("CCHC_MAX_PAGES", "10"))
CCHC_FIRST_CRAWL_PAGES = int(os.environ.get("CCHC_FIRST_CRAWL_PAGES", "10"))
# Known articles younger than this many days are downloaded again on every run (edits, take-downs).
CCHC_RECHECK_DAYS = float(os.environ.get("CCHC_RECHECK_DAYS", "7"))
# A single mirror for every site, e.g. http://127.0.0.1:8000/{host} (the offline demo and tests use it).
CCHC_MIRROR = os.environ.get("CCHC_MIRROR", "")

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("CCHC_LOG_LEVEL", "INFO")
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
