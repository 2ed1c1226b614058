"""The names components share: crawl stat keys (``Stat``), request meta keys (``Meta``) and drop reasons
(``DropItem`` subclasses).

A stat key is part of a contract: the verdicts, the monitors, ``crawl_runs``, the summary and the tests read
what the spiders and pipelines count, so each key is written once, here. Scrapy's own keys
(``response_received_count``, ``downloader/...``) keep their names.
"""
from __future__ import annotations

from scrapy.exceptions import DropItem


class Stat:
    RUN_ID = "cchc/run_id"  # this run's crawl_runs.run_id
    START_ERROR = "cchc/start_error"  # the one-line reason a crawl could not start (crawler/ops/startup.py)
    # Listing pages
    LISTING_PAGES = "cchc/listing/pages"  # listing pages read
    LISTING_NOT_MODIFIED = "cchc/listing/not_modified"  # answered 304 to a conditional request
    LISTING_WITH_LINKS = "cchc/listing/with_links"
    LISTING_NO_LINKS = "cchc/listing/no_links"  # a listing without article links: redesign or moved section
    # a start URL's first page that answered with no article link (the verdict is broken), and the last such URL
    LISTING_START_NO_LINKS = "cchc/listing/start_no_links"
    LISTING_START_NO_LINKS_URL = "cchc/listing/start_no_links/last"
    LISTING_NOT_HTML = "cchc/listing/not_html"
    LISTING_FAILED = "cchc/listing/failed"  # a listing that answered an error
    LISTING_RENDERED = "cchc/listing/rendered"  # read through the browser
    LISTING_KNOWN_SKIPPED = "cchc/listing/known_skipped"  # article links skipped as already stored
    RECHECK_SCHEDULED = "cchc/recheck/scheduled"  # young known articles fetched again (CCHC_RECHECK_DAYS)
    # Feeds and sitemaps (crawler/discover/routes.py); each also counts as a listing page read
    FEEDS = "cchc/feeds/read"
    FEED_ENTRIES = "cchc/feeds/entries"
    SITEMAPS = "cchc/sitemaps/read"
    SITEMAP_ENTRIES = "cchc/sitemaps/entries"
    SITEMAPS_LEFT_OUT = "cchc/sitemaps/left_out"  # child sitemaps beyond the per-index or per-run cap
    FEED_INDEX = "cchc/feeds/index_pages"  # an HTML page listing feeds (/rss), where a feed was expected
    FEED_OR_SITEMAP_UNREADABLE = "cchc/feeds/unreadable"  # announced as one, but malformed or an HTML error page
    FEED_OR_SITEMAP_PROBLEMS = "cchc/feeds/problems"  # entries outside the site, future dates, recovered XML
    DISCOVERY_HOMEPAGE = "cchc/discovery/homepage"  # first-run discovery read the homepage (crawler/discover)
    DISCOVERY_SAVED = "cchc/discovery/saved"
    # Article pages
    ARTICLES_EXTRACTED = "cchc/articles/extracted"
    EXTRACT_WORKER_LOST = "cchc/extract/worker_lost"  # a worker process died; its page was extracted in-process
    # a worker gave no answer within CCHC_EXTRACT_TIMEOUT: the workers were stopped, the page sent to a fresh one
    EXTRACT_TIMEOUT = "cchc/extract/timeout"
    DROPPED_EXTRACT_TIMEOUT = "cchc/dropped/extract_timeout"  # ... and timed out there too: dropped
    TIME_LIMIT_HOURS = "cchc/time_limit_hours"  # the run was closed at CCHC_RUN_MAX_HOURS (crawler/ops/time_limit.py)
    ARTICLES_FAILED = "cchc/articles/failed"
    BLOCKED = "cchc/blocked"  # block or challenge pages served with HTTP 200
    GONE_UNLISTED = "cchc/gone/unlisted"  # a known article that left its listing
    RETRY_AFTER = "cchc/retry_after"  # waits a 429/503 Retry-After asked for
    # robots.txt answered 200 with a web page (a portal's homepage for any path) or binary content: read as no
    # rules, as RFC 9309 says, but counted and named in the verdict's reason (crawler/fetch/robots.py)
    ROBOTS_NOT_TEXT = "cchc/robots/not_robots_txt"
    ROBOTS_NOT_TEXT_KIND = "cchc/robots/not_robots_txt/kind"  # "an HTML page" or "binary content"
    # Documents an article attaches (pipelines/documents.py, crawler/fetch/documents.py)
    DOCUMENTS_FOUND = "cchc/documents/found"  # attachment links on the articles read
    DOCUMENTS_LEFT_OUT = "cchc/documents/left_out"  # beyond CCHC_DOCUMENTS_PER_ARTICLE
    DOCUMENTS_FETCHED = "cchc/documents/fetched"  # downloaded (an answer with the document's bytes)
    DOCUMENTS_NOT_MODIFIED = "cchc/documents/not_modified"  # 304 to a conditional request: the stored reading reused
    DOCUMENTS_REUSED = "cchc/documents/reused"  # same bytes (sha256) already read, this night or stored
    DOCUMENTS_READ = "cchc/documents/read"  # read in a document worker (text layer, OCR, Office file)
    DOCUMENTS_WITH_TEXT = "cchc/documents/with_text"  # attachments that came with text
    DOCUMENTS_OCR_PAGES = "cchc/documents/ocr_pages"  # pages read by OCR this run
    DOCUMENTS_OCR_PENDING = "cchc/documents/ocr_pending"  # pages left for a later night (per-document cap, budget)
    DOCUMENTS_WITHOUT_OCR = "cchc/documents/without_ocr"  # documents with pages stored unread: no Tesseract
    DOCUMENTS_OCR_UNAVAILABLE = "cchc/documents/ocr_unavailable"  # why (the reason, a text)
    DOCUMENTS_CAUGHT_UP = "cchc/documents/caught_up"  # read again at the end of a run: their pages waited for OCR
    DOCUMENTS_NOT_DOCUMENT = "cchc/documents/not_document"  # a download link that answered a page: not kept
    DOCUMENTS_KEPT_NOTICES = "cchc/documents/kept_notices"  # short notices kept for their documents' text
    DOCUMENTS_KEPT_NO_BODY = "cchc/documents/kept_notices/no_body"  # ... of which no body at all (body_text null)
    DOCUMENTS_MADE_RELEVANT = "cchc/documents/made_relevant"  # CCHC news by its documents' text
    # Pipelines
    NEW = "cchc/new"
    UPDATED = "cchc/updated"
    STORED = "cchc/stored"
    REMOVED = "cchc/removed"
    DROPPED_UNCHANGED = "cchc/dropped/unchanged"
    DROPPED_DUPLICATE = "cchc/dropped/duplicate"  # same content at another URL: recorded as a source
    DROPPED_INVALID = "cchc/dropped/invalid"
    DROPPED_INVALID_UNKNOWN_FIELDS = "cchc/dropped/invalid/unknown_fields"
    DROPPED_NOT_HTML = "cchc/dropped/not_html"
    DROPPED_UNWRITABLE = "cchc/dropped/unwritable"  # a row SQLite refused
    DROPPED_UNWRITABLE_LAST = "cchc/dropped/unwritable/last"  # "url: reason" of the last such row
    INTAKE_CONVERTED = "cchc/intake/converted"  # article-like items of other spiders made ArticleItem
    INTAKE_NOT_ARTICLE = "cchc/intake/not_article"  # passed through untouched
    CLEANING_UNSTORABLE_TEXT = "cchc/cleaning/unstorable_text"
    DATE_MISSING = "cchc/date/missing"
    TOPICS_RELEVANT = "cchc/topics/relevant"
    TOPICS_NONE = "cchc/topics/none"
    DB_PATH = "cchc/db_path"
    DB_ERROR = "cchc/db_error"  # the database error that stopped the crawl (finish reason database_error)
    # Browser
    BROWSER_FALLBACK = "cchc/browser/fallback"
    BROWSER_REMEMBERED = "cchc/browser/remembered"
    BROWSER_PAGE_RETRIED = "cchc/browser/page_retried"
    BROWSER_DISCONNECTED = "cchc/browser/disconnected"
    BROWSER_ERROR_PAGE = "cchc/browser/error_page"  # Chromium's own error page, never an article
    # Distributed crawl
    DISTRIBUTED_ITEMS_PUSHED = "cchc/distributed/items_pushed"
    DISTRIBUTED_REQUEUED = "cchc/distributed/requeued"
    DISTRIBUTED_IDLE_WAITS = "cchc/distributed/idle_waits"
    WRITER_BAD_ITEMS = "cchc/writer/bad_items"
    # The WARC archive (crawler/archive)
    ARCHIVE_RESPONSES = "cchc/archive/responses"  # responses handed to the archive's writer
    ARCHIVE_RENDERED = "cchc/archive/rendered"  # ... of them rendered by the browser (raw response and DOM)
    ARCHIVE_LINKED = "cchc/archive/linked"  # articles that carry where their response is
    ARCHIVE_ERRORS = "cchc/archive/errors"  # responses the writer could not archive (disk full, folder gone)
    ARCHIVE_LAST_ERROR = "cchc/archive/last_error"
    ARCHIVE_WAITS = "cchc/archive/waits"  # times the crawl waited for the writer (more than ARCHIVE_QUEUE_MB queued)
    ARCHIVE_CRAWL_SECONDS = "cchc/archive/crawl_seconds"  # time the crawl's thread spent handing responses over

    # Families: one key per value.
    @staticmethod
    def gone(status) -> str:
        return f"cchc/gone/{status}"  # articles that answered 404/410

    @staticmethod
    def encoding_fixed(declared: str, chosen: str) -> str:
        return f"cchc/encoding/fixed/{declared}->{chosen}"

    @staticmethod
    def discovery_status(status) -> str:
        return f"cchc/discovery/status/{status}"  # answers to discovery's own requests (not the site's health)

    @staticmethod
    def cleaning(reason: str) -> str:
        return f"cchc/cleaning/{reason}"

    @staticmethod
    def date_source(source: str) -> str:
        return f"cchc/date/{source}"

    @staticmethod
    def document_failed(kind: str) -> str:
        return f"cchc/documents/failed/{kind}"  # an attachment without text: http_404, too_large, encrypted ...

    @staticmethod
    def invalid_field(field: str) -> str:
        return f"cchc/dropped/invalid/{field}"

    FALLBACK_PREFIX = "cchc/fallback/"

    @staticmethod
    def fallback(field: str) -> str:
        return f"cchc/fallback/{field}"  # a trusted extraction method refused for this field, a fallback taken

    @staticmethod
    def listing_method(method: str) -> str:
        return f"cchc/listing/method/{method}"  # how a listing's links were found (main-list, url-shape, selector)


class Meta:
    """Request meta keys of this project (Scrapy's and scrapy-playwright's keep their names)."""

    LISTING = "cchc_listing"  # a listing page: conditional request, validators saved
    POSTBACK = "cchc_postback"  # an ASP.NET postback page of a listing
    RECHECK = "cchc_recheck"  # a known article fetched again on purpose
    INFLIGHT = "cchc_inflight"  # the distributed scheduler's in-flight token
    BROWSER_ATTEMPTS = "cchc_browser_attempts"
    ROBOTS = "cchc_robots"  # the robots.txt request itself
    DOCUMENT = "cchc_document"  # a document an article attaches (crawler/fetch/documents.py)
    ARCHIVED = "cchc_archived"  # the WARC record id of the response archived for this request (crawler/archive)
    FETCHED_FROM = "cchc_fetched_from"  # the mirror address a request was actually sent to (crawler/fetch/mirror.py)
    RAW_RESPONSE = "cchc_raw_response"  # a browser page's network response, before rendering, for the archive


class Unchanged(DropItem):
    """The page at a known URL has the content already stored."""


class Duplicate(DropItem):
    """The content is stored from another URL: this URL is recorded as another source."""


class Invalid(DropItem):
    """A required field is missing or malformed."""


class Unwritable(DropItem):
    """SQLite refused the row."""


class NotHtml(DropItem):
    """The article URL answered something that is not a web page."""
