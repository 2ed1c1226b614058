"""The archive's Scrapy components (on when ``CCHC_ARCHIVE_DIR`` gives a folder; crawler/archive/place.py).

- ``WarcArchive`` (extension): every download (``response_downloaded``: each redirect, retry, robots.txt, 304,
  feed, sitemap, listing, article and document, before any middleware changed it) is copied and handed to the
  process's writer (crawler/archive/writer.py); retention runs once per process when the first spider opens.
- ``ArchiveLinks`` (spider middleware): an article read from an archived response carries where that response is
  (the working field ``archive_record``: file, offset, fetch time), which the writer pipeline stores
  (``article_archive``), and a metadata record in the archive links the response to the article.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from datetime import datetime, timezone

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import __version__
from crawler.archive.place import archive_folder
from crawler.archive.records import ARTICLE, Download, json_record
from crawler.archive.retention import prune
from crawler.archive.writer import ArchiveWriter
from crawler.items import ArticleItem
from crawler.stats import Meta, Stat
from crawler.store import Store

logger = logging.getLogger(__name__)
MAX_PENDING = 10_000  # downloads whose location an article may still ask for (a page waits seconds, not hours)
LINK_WAIT = 60.0  # seconds an article waits for its response to be written before going on without the link
_pruned: set[str] = set()  # folders whose retention ran in this process


def _pairs(headers) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items() for v in values]


def _kind(request) -> str:
    callback = getattr(request.callback, "__name__", None)
    if request.meta.get(Meta.ROBOTS) or request.url.endswith("/robots.txt"):
        return "robots.txt"
    if request.meta.get(Meta.DOCUMENT):
        return "document"  # a file an article attaches (crawler/fetch/documents.py)
    if request.meta.get(Meta.LISTING) or callback == "parse_listing":
        return "listing"  # listing pages, feeds and sitemaps (the record's Content-Type tells them apart)
    return "article" if callback == "parse_article" else (callback or "other")


def warc_date() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WarcArchive:
    def __init__(self, crawler, folder):
        self.crawler, self.stats, self.folder = crawler, crawler.stats, folder
        settings = crawler.settings
        info = {"software": f"cchc-crawler/{__version__} (Scrapy {scrapy.__version__})",
                "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "http-header-user-agent": settings.get("USER_AGENT"),
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "description": "CCHC news crawl: every response, with request and metadata records"}
        self.writer = ArchiveWriter.shared(folder, settings.getint("CCHC_ARCHIVE_FILE_MB") * 1024 * 1024, info)
        self.pending: OrderedDict[str, tuple] = OrderedDict()  # read record id -> (future, WARC-Date)
        self.failed: list[str] = []
        self.handing = 0.0  # seconds the crawl's thread spent copying downloads
        crawler.cchc_archive = self
        crawler.signals.connect(self.downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.release, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        folder = archive_folder(crawler.settings)
        if folder is None:
            raise NotConfigured("CCHC_ARCHIVE_DIR is empty (or 'auto' without a database): no archive")
        return cls(crawler, folder)

    def spider_opened(self, spider) -> None:
        key = str(self.folder.resolve())
        if key in _pruned:
            return
        _pruned.add(key)
        settings = self.crawler.settings
        deleted = prune(self.folder, settings.getfloat("CCHC_ARCHIVE_KEEP_DAYS"), settings.getfloat("CCHC_ARCHIVE_KEEP_GB"),
                        spare={self.writer.name} if self.writer.name else set())
        store = Store.of(self.crawler) if deleted else None
        if store is not None:
            store.forget_archive_files(deleted)

    def downloaded(self, response, request, spider) -> None:
        started = time.perf_counter()
        raw = request.meta.pop(Meta.RAW_RESPONSE, None)
        rendered = "playwright" in (response.flags or ())
        cb_kwargs = request.cb_kwargs or {}
        context = {"kind": _kind(request), "site": getattr(spider, "site_key", None), "spider": spider.name,
                   "listing_date": cb_kwargs.get("listing_date"), "feed_date": cb_kwargs.get("feed_date"),
                   "generic": bool(getattr(spider, "generic_extraction", False)),
                   "cchc_section": bool(getattr(spider, "cchc_section", False)),
                   "recheck": bool(request.meta.get(Meta.RECHECK)), "rendered": rendered,
                   "fetched_from": request.meta.get(Meta.FETCHED_FROM), "run_id": self.stats.get_value(Stat.RUN_ID)}
        if rendered and raw is not None:
            raw = (raw[0], raw[1], raw[2], raw[3])
        download = Download(url=response.url, date=warc_date(), method=request.method, request_url=request.url,
                            request_headers=_pairs(request.headers), request_body=request.body or b"",
                            status=response.status, protocol=getattr(response, "protocol", None) or "HTTP/1.1",
                            headers=_pairs(response.headers), body=response.body, context=context,
                            rendered=rendered, raw=raw)
        future, waited = self.writer.submit(download.records, len(response.body) + (len(raw[3]) if raw else 0))
        future.add_done_callback(self._written)
        token = download.read_id
        request.meta[Meta.ARCHIVED] = token
        self.pending[token] = (future, download.date)
        while len(self.pending) > MAX_PENDING:
            self.pending.popitem(last=False)
        self.stats.inc_value(Stat.ARCHIVE_RESPONSES)
        if rendered:
            self.stats.inc_value(Stat.ARCHIVE_RENDERED)
        if waited:
            self.stats.inc_value(Stat.ARCHIVE_WAITS)
        self.handing += time.perf_counter() - started

    def _written(self, future) -> None:  # the writer's thread: a list append only
        if not future.cancelled() and future.exception() is not None:
            self.failed.append(f"{type(future.exception()).__name__}: {future.exception()}")

    def take(self, token: str | None):
        """(future of the locations, WARC-Date) of the download whose read record is ``token``, once."""
        return self.pending.pop(token, None) if token else None

    def link(self, item, token: str, where: dict, date: str) -> None:
        """The article's working field ``archive_record`` and the metadata record linking the response to it."""
        file_name, offset = where[token]
        item["archive_record"] = [file_name, offset, date]
        article = {"article_url": item.get("url"), "site": item.get("site"), "content_hash": item.get("content_hash"),
                   "title": item.get("title")}
        url = item.get("url")
        self.writer.submit(lambda: [(None, json_record(url, ARTICLE, article, token))])
        self.stats.inc_value(Stat.ARCHIVE_LINKED)

    def spider_closed(self, spider) -> None:
        self.stats.set_value(Stat.ARCHIVE_CRAWL_SECONDS, round(self.handing, 3))
        if self.failed:
            self.stats.set_value(Stat.ARCHIVE_ERRORS, len(self.failed))
            self.stats.set_value(Stat.ARCHIVE_LAST_ERROR, self.failed[-1])

    def release(self) -> None:
        self.writer.release()


class ArchiveLinks:
    """Spider middleware: the articles of archived responses carry their location (``WarcArchive.link``)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if archive_folder(crawler.settings) is None:
            raise NotConfigured("no archive")
        return cls(crawler)

    def _pending(self, response):
        archive = getattr(self.crawler, "cchc_archive", None)
        token = response.meta.get(Meta.ARCHIVED) if archive is not None else None
        taken = archive.take(token) if token else None
        return (archive, token, *taken) if taken else None

    def _attach(self, pending, item, where) -> None:
        archive, token, _, date = pending
        if where and token in where:
            archive.link(item, token, where, date)

    async def process_spider_output_async(self, response, result):
        pending = self._pending(response)
        async for out in result:
            if pending is not None and isinstance(out, ArticleItem):
                try:
                    where = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(pending[2])), LINK_WAIT)
                except Exception:  # noqa: BLE001 - not archived (counted by the archive): the article goes on
                    where = None
                self._attach(pending, out, where)
            yield out

    def process_spider_output(self, response, result):
        pending = self._pending(response)
        for out in result:
            if pending is not None and isinstance(out, ArticleItem):
                try:
                    where = pending[2].result(LINK_WAIT)
                except Exception:  # noqa: BLE001
                    where = None
                self._attach(pending, out, where)
            yield out
