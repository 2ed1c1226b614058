"""Scrapy settings. Project settings are prefixed ``CCHC_``; environment variables of the same name win."""
import os
import warnings

from scrapy.settings import default_settings as _default_settings

from crawler import __version__


def _env_number(name: str, default, kind):
    """A number from the environment; a value that is not one stops with a line naming the variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return kind(raw)
    except ValueError:
        raise SystemExit(f"error: environment variable {name}={raw!r} must be a{'n integer' if kind is int else ' number'}"
                         f" (default {default})") from None


# Spidermon still calls the deprecated Spider.log() once per site and message; the warning says nothing to the
# person running the crawl.
warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated")

BOT_NAME = "cchc"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "crawler.commands"

# Politeness: an identifying user agent, robots.txt, one request at a time per site, adaptive delays.
# CCHC_USER_AGENT (environment) replaces the whole user agent: whoever runs the crawl names themselves and a
# contact in it (README, set-up). This project has no public home yet, so the default names none rather than a
# made-up address, and `python -m crawler run` reminds the operator when it is not set.
DEFAULT_USER_AGENT = f"cchc-crawler/{__version__} (research crawler of public news on administrative reform)"
USER_AGENT = os.environ.get("CCHC_USER_AGENT", DEFAULT_USER_AGENT)
# CCHC_SOURCE_URL (environment): where this copy's code lives, the "Source" link of `python -m crawler browse`.
CCHC_SOURCE_URL = os.environ.get("CCHC_SOURCE_URL", "")
ROBOTSTXT_OBEY = True
# Duplicate requests by URL with tracking parameters, http/https, www., default port and host case folded.
REQUEST_FINGERPRINTER_CLASS = "crawler.urls.CanonicalRequestFingerprinter"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# Scrapy (2.19) starts CONCURRENT_ITEMS asyncio workers for the output of every response, whatever its size: with
# the default 100 that was 100 tasks and ~200 queue operations per article page, whose one item goes through
# synchronous pipelines. A listing yields a few dozen requests; 8 workers handle them without waiting.
CONCURRENT_ITEMS = 8
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
# Scrapy 2.19's remote-control HTTP server (one listening port per crawl, and aiohttp's import at every start):
# off, like the telnet console. Both are also left out of EXTENSIONS_BASE: Scrapy imports every listed extension
# class, even one set to None in EXTENSIONS, and the two imports (aiohttp, twisted.conch) took ~0.1 s per crawl.
REMOTE_CONTROL_ENABLED = False
EXTENSIONS_BASE = {path: order for path, order in _default_settings.EXTENSIONS_BASE.items()
                   if path not in ("scrapy.extensions.remote_control.RemoteControl", "scrapy.extensions.telnet.TelnetConsole")}
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "vi,en;q=0.5",
}
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024

# Requests for a mirrored host go to the local mirror (spider argument base_url), and requests that ask for a
# browser go through scrapy-playwright; see crawler/fetch/mirror.py.
DOWNLOAD_HANDLERS = {
    "http": "crawler.fetch.mirror.MirrorDownloadHandler",
    "https": "crawler.fetch.mirror.MirrorDownloadHandler",
}

DOWNLOADER_MIDDLEWARES = {
    # robots.txt by RFC 9309: an unreachable one (5xx, timeout, bomb) disallows, redirects followed, 512 KiB read
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.fetch.robots.RFC9309RobotsTxtMiddleware": 100,
    # after HttpCompressionMiddleware (590) has unpacked the body
    "crawler.fetch.middlewares.EncodingMiddleware": 580,
    "crawler.fetch.middlewares.ConditionalListingMiddleware": 560,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.fetch.middlewares.RetryAfterMiddleware": 550,
}
SPIDER_MIDDLEWARES = {
    # an article read from an archived response carries where that response is (crawler/archive)
    "crawler.archive.components.ArchiveLinks": 950,
}
# Listing pages are fetched with If-None-Match / If-Modified-Since from the last run (crawler/fetch/middlewares.py).
CCHC_CONDITIONAL_LISTINGS = True
CCHC_ROBOTSTXT_MAXSIZE = 4 * 1024 * 1024  # bytes of robots.txt after decompression; more is "unreachable"
CCHC_MAX_RETRY_AFTER = 300  # seconds; a longer Retry-After is shortened to this

# The browser, for sites (or listing pages) built with JavaScript: Debian's Chromium by default; set
# CCHC_CHROMIUM to another binary, or to "" to use Playwright's own downloaded browsers.
CCHC_CHROMIUM = os.environ.get("CCHC_CHROMIUM", "/usr/bin/chromium")
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    **({"executable_path": CCHC_CHROMIUM} if CCHC_CHROMIUM else {}),
    "headless": True,
    "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions"],
}
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4  # bounds the open pages (memory) whatever CONCURRENT_REQUESTS says
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_ABORT_REQUEST = "crawler.fetch.browser.abort_heavy"
CCHC_BROWSER_WAIT_MS = _env_number("CCHC_BROWSER_WAIT_MS", 20000, int)  # how long a wait condition may take
# A listing page without article links in its static HTML is fetched once more through the browser; when
# that finds links, the site is remembered (table browser_sites) and its listings use the browser from then on.
CCHC_BROWSER_FALLBACK = os.environ.get("CCHC_BROWSER_FALLBACK", "1") == "1"
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.CannotResolveHostError", "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError", "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError", "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError", "twisted.internet.error.ConnectionLost", OSError,
    "scrapy.core.downloader.handlers.http11.TunnelError",
    # a browser page that timed out or whose browser died is retried like a network error
    "playwright._impl._errors.TimeoutError", "playwright._impl._errors.TargetClosedError",
    "playwright._impl._errors.Error",
]

# Only what needs the run's state or the database: an article arrives prepared (crawler/prepare: the spider reads
# its page with extraction and the stages, in a worker or here; intake prepares another spider's items).
ITEM_PIPELINES = {
    "pipelines.intake.ItemIntakePipeline": 50,  # items that are not ArticleItem (runspider, other spiders)
    "pipelines.documents.DocumentsPipeline": 300,  # the documents an article links, fetched and read (CCHC_DOCUMENTS)
    "pipelines.validation.ValidationPipeline": 400,  # drops (and counts) what the schema refuses
    "pipelines.repeated_titles.RepeatedTitlesPipeline": 460,  # a title a site gives every page (needs the run)
    "pipelines.deduplication.DeduplicationPipeline": 500,
    "pipelines.sqlite_writer.SQLiteWriterPipeline": 600,
    "pipelines.working_fields.WorkingFieldsPipeline": 900,  # internal fields never reach feed exports
}

# Database: path from CCHC_DB (setting or environment); empty disables deduplication and the writer.
CCHC_DB = os.environ.get("CCHC_DB", "output/cchc.db")
# A batch is committed when it holds CCHC_DB_BATCH_SIZE articles or its first has waited CCHC_DB_BATCH_SECONDS
# (crawler/store/batch.py says why 500: each commit rewrites every index page it touched).
CCHC_DB_BATCH_SIZE = _env_number("CCHC_DB_BATCH_SIZE", 500, int)
CCHC_DB_BATCH_SECONDS = _env_number("CCHC_DB_BATCH_SECONDS", 5.0, float)
# Read from the environment by crawler/store/database.py when it opens the file (every process that opens the
# database, Scrapy or not): MB of SQLite page cache, and the largest file quick-checked at every open (bigger
# ones are checked by `python -m crawler health`).
CCHC_DB_CACHE_MB = _env_number("CCHC_DB_CACHE_MB", 32, int)
CCHC_DB_CHECK_MAX_MB = _env_number("CCHC_DB_CHECK_MAX_MB", 2048, int)
# Another registry file instead of crawler/sites.toml (environment; read by crawler/registry.py).
CCHC_SITES_FILE = os.environ.get("CCHC_SITES_FILE", "")
# Listing pages followed per start URL (spider argument max_pages overrides): later runs stop earlier, at the
# first page without an unseen article; the first crawl of a site goes CCHC_FIRST_CRAWL_PAGES deep.
CCHC_MAX_PAGES = _env_number("CCHC_MAX_PAGES", 10, int)
CCHC_FIRST_CRAWL_PAGES = _env_number("CCHC_FIRST_CRAWL_PAGES", 10, int)
# A registry site with unverified start URLs and no feeds or sitemaps: its first run also reads the homepage and
# robots.txt and keeps the feeds, sitemaps and sections they offer (table site_discoveries; crawler/discover).
CCHC_DISCOVER = os.environ.get("CCHC_DISCOVER", "1") == "1"
# Article pages taken from one feed or sitemap per run, newest first (a sitemap may list 50,000).
CCHC_MAX_FEED_ARTICLES = _env_number("CCHC_MAX_FEED_ARTICLES", 200, int)
# Child sitemaps read from one sitemap index, newest first by lastmod (or the month in their URL), and in a whole
# run of a site (nested indexes included): an index may list 10,000 sitemaps, one per day for decades, and a
# night's new articles are in the newest few. The rest are counted (cchc/sitemaps/left_out).
CCHC_MAX_SITEMAPS_PER_INDEX = _env_number("CCHC_MAX_SITEMAPS_PER_INDEX", 50, int)
CCHC_MAX_SITEMAPS = _env_number("CCHC_MAX_SITEMAPS", 100, int)
# Known articles younger than this many days are downloaded again on every run (edits, take-downs).
CCHC_RECHECK_DAYS = _env_number("CCHC_RECHECK_DAYS", 7, float)
# Where a spider learns what the crawl already knows about its site (known and young article URLs, whether its
# listings need a browser): a function (crawler, spider) -> (KnownArticles, bool). The distributed add-on
# replaces it with Redis (crawler/distributed/state.py).
CCHC_CRAWL_STATE = "crawler.store.door.crawl_state_from_database"
# A single mirror for every site, e.g. http://127.0.0.1:8000/{host} (the offline demo and tests use it).
CCHC_MIRROR = os.environ.get("CCHC_MIRROR", "")
# Requests in flight at once to a mirror on this machine (127.0.0.1, ::1): it needs none of a live site's
# politeness (one at a time, delays), so it is crawled like Scrapy's default (8 per domain). Live sites keep
# CONCURRENT_REQUESTS_PER_DOMAIN = 1.
CCHC_MIRROR_CONCURRENCY = _env_number("CCHC_MIRROR_CONCURRENCY", 8, int)
# Article pages read (extraction and the preparation stages, crawler/prepare) in worker processes beside the reactor
# (crawler/prepare/pool.py): "auto" = one per core (none on a one-core machine), a number, or 0 to read them in
# the crawl's own process, which then only downloads, deduplicates and writes.
CCHC_EXTRACT_WORKERS = os.environ.get("CCHC_EXTRACT_WORKERS", "auto")
# Seconds a page may wait for its extraction worker (queue and work): past it the workers are stopped (one is stuck:
# stopped, or looping on a page), the page goes to a fresh worker, and a second timeout drops it (counted). A real
# page takes 0.05-0.5 s; a crawlall of 74 sites queues at most a few dozen at once.
CCHC_EXTRACT_TIMEOUT = _env_number("CCHC_EXTRACT_TIMEOUT", 120.0, float)

# Documents an article links (PDF, Word, Excel, OpenDocument; crawler/documents, README "Documents"): fetched by
# pipelines/documents.py through the crawl's own downloader (same slots, robots.txt, retries), read beside the
# reactor, kept by sha256 (a document republished by several pages is read once) and searchable with its notice.
CCHC_DOCUMENTS = os.environ.get("CCHC_DOCUMENTS", "1") == "1"
# Bytes of one document: the download stops there (Scrapy's per-request download_maxsize) and the attachment says
# why. 50 MB holds every plan, report and scanned decision seen (a 15-page scan at 200 dpi is ~2.5 MB).
CCHC_DOCUMENT_MAX_BYTES = _env_number("CCHC_DOCUMENT_MAX_BYTES", 50_000_000, int)
# A PDF with more pages is refused unread (a 5,000-page "PDF" is an archive or an attack, not a notice's report).
CCHC_DOCUMENT_MAX_PAGES = _env_number("CCHC_DOCUMENT_MAX_PAGES", 1000, int)
# Documents fetched per article, in page order: a page linking more is an index of documents, not a notice.
CCHC_DOCUMENTS_PER_ARTICLE = _env_number("CCHC_DOCUMENTS_PER_ARTICLE", 10, int)
# Seconds one document's download may take (a large scan over a slow portal), instead of DOWNLOAD_TIMEOUT.
CCHC_DOCUMENT_DOWNLOAD_TIMEOUT = _env_number("CCHC_DOCUMENT_DOWNLOAD_TIMEOUT", 180, float)
# Processes that read documents beside the reactor (text layers, OCR, Office files), apart from the article
# workers: one OCR'd document holds its worker for a minute, which must not stall the articles. At least 1.
CCHC_DOCUMENT_WORKERS = _env_number("CCHC_DOCUMENT_WORKERS", 1, int)
# OCR (Tesseract, Vietnamese): at most CCHC_OCR_MAX_PAGES pages of one document and CCHC_OCR_PAGES_PER_NIGHT
# pages in one crawl process (crawlall's whole night; each worker of a distributed crawl has its own); a 200 dpi
# page costs 0.8-1.7 s of one core (bench/README.md), so 500 pages are about 10-15 minutes. Pages left over are
# read on a later night (the document is kept "OCR pending" and fetched again unconditionally until complete).
CCHC_OCR_MAX_PAGES = _env_number("CCHC_OCR_MAX_PAGES", 20, int)
CCHC_OCR_PAGES_PER_NIGHT = _env_number("CCHC_OCR_PAGES_PER_NIGHT", 500, int)
CCHC_OCR_TIMEOUT = _env_number("CCHC_OCR_TIMEOUT", 60.0, float)  # seconds per page, then Tesseract is killed
# The Tesseract command (a path for an installation outside PATH). Missing, or without its Vietnamese model
# (tesseract-ocr-vie), the crawl goes on: scans are stored without their text, and the run says so.
CCHC_TESSERACT = os.environ.get("CCHC_TESSERACT", "tesseract")

# The archive (crawler/archive): every response the crawl fetches (listings, articles, feeds, sitemaps, documents,
# robots.txt; a browser-rendered page as its raw response and its rendered DOM) in standard WARC 1.1 files, gzip
# per record, read back by `python -m crawler reextract` and `savefixture --from-archive`. "auto": archive/ beside
# CCHC_DB (none when the crawl has no database: a distributed worker archives only when this names a folder);
# a folder; "" for no archive.
CCHC_ARCHIVE_DIR = os.environ.get("CCHC_ARCHIVE_DIR", "auto")
# A file is closed and the next one started past this size (MB), and at the first write of a new night (Vietnam
# time): 1 GB, Heritrix's and Common Crawl's size, which every WARC tool handles.
CCHC_ARCHIVE_FILE_MB = _env_number("CCHC_ARCHIVE_FILE_MB", 1000, int)
# Retention, applied when a crawl opens the archive: whole files older than this many days, then the oldest files
# while the archive is larger than this many GB, are deleted (0: keep everything). Articles whose response was in
# a deleted file lose their link to it (the article stays).
CCHC_ARCHIVE_KEEP_DAYS = _env_number("CCHC_ARCHIVE_KEEP_DAYS", 0, float)
CCHC_ARCHIVE_KEEP_GB = _env_number("CCHC_ARCHIVE_KEEP_GB", 0, float)

EXTENSIONS = {
    "crawler.monitor.extensions.CrawlerLogCounts": 90,  # log_count/* of this crawler only (scrapy/scrapy#1362)
    "crawler.monitor.extensions.CrawlRunsExtension": 100,
    "crawler.monitor.extensions.SuspiciousPagesExtension": 110,
    "crawler.monitor.extensions.ProgressExtension": 120,
    "crawler.ops.time_limit.RunTimeLimit": 130,  # CCHC_RUN_MAX_HOURS
    "crawler.monitor.absence.VanishedArticlesExtension": 140,  # known articles that left their listing
    "crawler.discover.extension.FirstRunDiscovery": 150,  # feeds, sitemaps, sections of unverified sites
    "crawler.fetch.browser_memory.BrowserMemory": 160,  # sites whose listings need a browser, for the next runs
    "crawler.archive.components.WarcArchive": 170,  # every response into WARC files (CCHC_ARCHIVE_DIR)
    "spidermon.contrib.scrapy.extensions.Spidermon": 500,
}
CCHC_PROGRESS_INTERVAL = _env_number("CCHC_PROGRESS_INTERVAL", 60, float)
# crawlall: a run lock held for longer than this (hours) is a hung run, and a run that finds it exits 1 instead of 0.
CCHC_LOCK_MAX_HOURS = _env_number("CCHC_LOCK_MAX_HOURS", 20, float)
# Hours a run (crawlall, scrapy crawl, a distributed worker) may take: then every spider still open is closed
# cleanly (finish reason time_limit; its verdict says so), so a stuck night ends and frees the lock. A real night
# (74 sites, one request at a time per site) takes an hour or two; 12 leaves room and still ends long before the
# next night and before CCHC_LOCK_MAX_HOURS calls the run hung. 0 switches it off.
CCHC_RUN_MAX_HOURS = _env_number("CCHC_RUN_MAX_HOURS", 12.0, float)
CCHC_LOCK_FILE = os.environ.get("CCHC_LOCK_FILE", "")  # crawlall's run lock; default: the database path + ".lock"
# crawlall's full log (tracebacks included), rotated at 10 MB, five kept; default: logs/crawl.log beside the
# database. Its console shows one line per site and records at CCHC_CRAWLALL_CONSOLE_LEVEL: the environment's
# CCHC_LOG_LEVEL when set, else CRITICAL (the full log has the rest). `scrapy crawl` reads CCHC_LOG_LEVEL into
# LOG_LEVEL below (INFO when unset): one variable, one default per command, both here.
CCHC_CRAWLALL_CONSOLE_LEVEL = os.environ.get("CCHC_LOG_LEVEL", "CRITICAL")
CCHC_LOG_FILE = os.environ.get("CCHC_LOG_FILE", "")
CCHC_LOG_FILE_LEVEL = os.environ.get("CCHC_LOG_FILE_LEVEL", "INFO")
CCHC_KEEP_PAGES = 10  # suspicious pages kept per run, saved to CCHC_FAILED_PAGES_DIR when a monitor fails
CCHC_FAILED_PAGES_DIR = os.environ.get("CCHC_FAILED_PAGES_DIR", "output/failed-pages")
# The saved pages of the sites (``<dir>/sites/<domain>/`` with MANIFEST.tsv, expected output in ``<dir>/expected``):
# what `python -m crawler demo` serves and where `python -m crawler savefixture` adds a page. Relative to the working
# directory: the checkout's own when run from it, as the README does.
CCHC_FIXTURES_DIR = os.environ.get("CCHC_FIXTURES_DIR", "tests/fixtures")

# Monitors (crawler/monitor/monitors.py), run when each spider closes.
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ("crawler.monitor.monitors.SiteMonitorSuite",)
SPIDERMON_EXPECTED_FINISH_REASONS = ["finished"]
SPIDERMON_MAX_ERRORS = 10
SPIDERMON_UNWANTED_HTTP_CODES = {403: 3, 429: 5, 500: 10, 502: 10, 503: 10, 504: 10}
SPIDERMON_ADD_FIELD_COVERAGE = True
SPIDERMON_FIELD_COVERAGE_SKIP_IF_NO_ITEM = True
SPIDERMON_FIELD_COVERAGE_SKIP_NONE = True
SPIDERMON_FIELD_COVERAGE_RULES = {"ArticleItem/title": 0.9, "ArticleItem/body_text": 0.9, "ArticleItem/published_at": 0.9}
# A site is stale when it has been quiet for CCHC_STALE_FACTOR times its usual gap between articles (at least
# CCHC_STALE_MIN_DAYS days).
CCHC_STALE_FACTOR = _env_number("CCHC_STALE_FACTOR", 6, float)
CCHC_STALE_MIN_DAYS = _env_number("CCHC_STALE_MIN_DAYS", 7, float)

# Alerts when a monitor fails: all off unless configured.
CCHC_ALERT_WEBHOOK = os.environ.get("CCHC_ALERT_WEBHOOK", "")  # Slack/Mattermost-style JSON {"text": ...}
CCHC_ALERT_EMAIL_TO = [a for a in os.environ.get("CCHC_ALERT_EMAIL_TO", "").split(",") if a]
CCHC_ALERT_EMAIL_FROM = os.environ.get("CCHC_ALERT_EMAIL_FROM", "cchc-crawler@localhost")
CCHC_SMTP_HOST = os.environ.get("CCHC_SMTP_HOST", "localhost")
CCHC_SMTP_PORT = _env_number("CCHC_SMTP_PORT", 25, int)
CCHC_SMTP_USER = os.environ.get("CCHC_SMTP_USER", "")
CCHC_SMTP_PASSWORD = os.environ.get("CCHC_SMTP_PASSWORD", "")
CCHC_SMTP_TLS = os.environ.get("CCHC_SMTP_TLS", "") == "1"
# Telegram through Spidermon: CCHC_TELEGRAM_TOKEN (the bot's token) and CCHC_TELEGRAM_CHATS (comma-separated ids).
SPIDERMON_TELEGRAM_SENDER_TOKEN = os.environ.get("CCHC_TELEGRAM_TOKEN", "")
SPIDERMON_TELEGRAM_RECIPIENTS = [r for r in os.environ.get("CCHC_TELEGRAM_CHATS", "").split(",") if r]

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("CCHC_LOG_LEVEL", "INFO")
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# Distributed crawling (crawler/distributed): with a Redis URL, this process is one of many workers sharing a
# queue in Redis; `python -m crawler seed` starts a night and `python -m crawler writer` is the one SQLite writer.
CCHC_REDIS_URL = os.environ.get("CCHC_REDIS_URL", "")
CCHC_REDIS_PREFIX = os.environ.get("CCHC_REDIS_PREFIX", "cchc")
CCHC_WORKER_ID = os.environ.get("CCHC_WORKER_ID", "")  # this worker's name in Redis; default host:pid
CCHC_REDIS_WORKER_TTL = _env_number("CCHC_REDIS_WORKER_TTL", 30, int)  # a silent worker is dead after this
# Seconds a Redis command may take before it is retried (15 retries, backoff up to 8 s: outages of ~90 s pass).
# Read from the environment by crawler.distributed.keys.connect, which every Redis client uses.
CCHC_REDIS_TIMEOUT = _env_number("CCHC_REDIS_TIMEOUT", 30, float)
CCHC_REDIS_RUN_TTL = 20 * 3600  # listing-page fingerprints are forgotten after this (and at every seeding)
CCHC_REDIS_PREFETCH = 2  # requests a worker holds per site
ADDONS = {"crawler.distributed.addon.DistributedAddon": 0}
CCHC_REDIS_POLL = 0.5  # seconds between looks at the shared queue while this worker waits for work
