"""Fetching and reading the documents an article attaches (``attachments`` candidates found by
crawler/extract/documents.py), for pipelines/documents.py.

A document is downloaded through the crawl's own engine (``engine.download_async``: the downloader middlewares,
so robots.txt, the site's download slot and politeness, retries and redirects are those of its pages), at most
``CCHC_DOCUMENT_MAX_BYTES`` (Scrapy's per-request ``download_maxsize``: a 1 GB file is cut off at its header or at
the limit, never held in memory). Read beside the reactor (crawler/prepare/document_workers.py) and kept by the
sha256 of its bytes, it is read once: the same URL again this night, the same bytes from another URL or site,
and a later night's ``304 Not Modified`` (ETag / Last-Modified kept in ``document_urls``) reuse the reading. A
reading left incomplete (pages waiting for the night's OCR budget, or for Tesseract) is fetched again,
unconditionally, on later nights until it is final.
Every failure becomes the attachment's ``error`` and a counted ``cchc/documents/failed/<kind>``; the article
always goes on.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict

import scrapy

from crawler.documents import DocumentText, Limits, Tesseract, waiting_for_ocr
from crawler.documents.sniff import HTML, sniff
from crawler.extract.documents import is_readable_document_url
from crawler.prepare.document_workers import NightBudget, read_beside
from crawler.stats import Meta, Stat
from crawler.store import Store

logger = logging.getLogger(__name__)
ENTRY_FIELDS = ("content_type", "bytes", "sha256", "pages", "text", "text_source", "doc_number", "doc_type",
                "issued_date", "issuer", "place", "subject", "signed_at", "signer", "ocr_pages", "ocr_pending",
                "notes", "error")
# Failures that say nothing of the file itself (the machine lacked Tesseract, a worker was stopped): the reading
# is not final, and the document is fetched and read again on a later night.
TRANSIENT = ("no_ocr", "reading_timeout", "worker_lost")
_KINDS = (("file too large", "too_large"), ("larger than download max size", "too_large"),
          ("not a document", "not_a_document"), ("encrypted", "encrypted"), ("zip bomb", "zip_bomb"),
          ("pages, over the limit", "too_many_pages"), ("corrupt", "corrupt"), ("not a complete", "corrupt"),
          ("unknown document format", "unknown_format"), ("empty file", "empty"), ("ocr unavailable", "no_ocr"),
          ("reading took longer", "reading_timeout"), ("worker died", "worker_lost"), ("no text", "no_text"),
          ("robots.txt", "robots_txt"), ("not installed", "no_converter"))


def failure_kind(error: str) -> str:
    """A short key for an attachment's error, for its stat: http_404, too_large, encrypted, corrupt ..."""
    if error.startswith("HTTP "):
        return "http_" + error.split()[1]
    lowered = error.lower()
    return next((kind for words, kind in _KINDS if words in lowered), "unreadable" if "unreadable" in lowered
                else "download")


def entry_of(url: str, name: str | None, fields: dict) -> dict:
    """An attachment entry (crawler/article.schema.json) from a reading's fields."""
    entry = {"url": url, "name": name, **{k: fields.get(k) for k in ENTRY_FIELDS}}
    if entry["text"]:  # pages apart by a blank line: a form feed is no character XML, and so a feed, may hold
        entry["text"] = entry["text"].replace("\f", "\n\n")
    for key in ("ocr_pages", "ocr_pending", "notes"):
        entry[key] = list(entry[key] or [])
    return entry


def fields_of(document: DocumentText) -> dict:
    fields = {k: getattr(document, k) for k in ENTRY_FIELDS}
    text = (fields["text"] or "").replace("\f", "\n\n")  # as entry_of, and so as stored
    fields["text"] = text if text.strip() else ""
    return fields


def final(fields: dict) -> bool:
    """A reading that another download of the same bytes would not improve: no page waits for the night's OCR
    budget or for Tesseract (pages past CCHC_OCR_MAX_PAGES are the document's own bound: final), and no failure
    of the machine rather than the file."""
    return not waiting_for_ocr(fields.get("notes")) and not (fields.get("error")
                                                              and failure_kind(fields["error"]) in TRANSIENT)


class DocumentFetcher:
    """The documents of the crawl's articles. One per crawler; what spans crawlers of one process (``crawlall``)
    is shared: the night's OCR budget, the readings by sha256 and the answers by URL of this night."""

    budget: NightBudget | None = None
    _readings: OrderedDict = OrderedDict()  # sha256 -> fields, the most recent READINGS_KEPT
    _night: dict = {}  # URL -> (sha256 or None, error or None): what each URL answered this night
    _inflight: dict = {}  # URL -> asyncio.Future of its entry fields (a document linked twice at once)
    READINGS_KEPT = 64

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler, self.stats = crawler, crawler.stats
        self.limits = Limits(max_bytes=settings.getint("CCHC_DOCUMENT_MAX_BYTES"),
                             max_pages=settings.getint("CCHC_DOCUMENT_MAX_PAGES"),
                             ocr_max_pages=settings.getint("CCHC_OCR_MAX_PAGES"),
                             ocr_timeout=settings.getfloat("CCHC_OCR_TIMEOUT"))
        self.per_article = settings.getint("CCHC_DOCUMENTS_PER_ARTICLE")
        self.download_timeout = settings.getfloat("CCHC_DOCUMENT_DOWNLOAD_TIMEOUT")
        self.workers = settings.getint("CCHC_DOCUMENT_WORKERS")
        self.tesseract = settings.get("CCHC_TESSERACT")
        if DocumentFetcher.budget is None:
            DocumentFetcher.budget = NightBudget(settings.getint("CCHC_OCR_PAGES_PER_NIGHT"))
        # a distributed worker never opens the database (its writer keeps the documents it sends)
        self.store = None if settings.get("CCHC_REDIS_URL") else Store.of(crawler)
        self.no_ocr = Tesseract(self.tesseract, self.limits.ocr_lang).unavailable()
        if self.no_ocr:
            self.stats.set_value(Stat.DOCUMENTS_OCR_UNAVAILABLE, self.no_ocr)
            logger.warning("%s: scanned documents are stored without their text (apt-get install tesseract-ocr "
                           "tesseract-ocr-vie, or set CCHC_TESSERACT)", self.no_ocr)

    async def attachments(self, candidates: list[dict]) -> list[dict]:
        """The article's attachment entries, in page order; a download link that answered a web page is left out."""
        self.stats.inc_value(Stat.DOCUMENTS_FOUND, len(candidates))
        entries = []
        for number, candidate in enumerate(candidates):
            url, name = candidate["url"], candidate.get("name")
            if number >= self.per_article:
                self.stats.inc_value(Stat.DOCUMENTS_LEFT_OUT)
                entries.append(entry_of(url, name, {"error": f"not fetched: over {self.per_article} documents "
                                                             f"per article (CCHC_DOCUMENTS_PER_ARTICLE)"}))
                continue
            fields = await self._once(url)
            if fields is None:
                continue
            entry = entry_of(url, name, fields)
            if entry["error"]:
                self.stats.inc_value(Stat.document_failed(failure_kind(entry["error"])))
            if entry["text"]:
                self.stats.inc_value(Stat.DOCUMENTS_WITH_TEXT)
            entries.append(entry)
        return entries

    def waiting(self, site: str) -> list[tuple[str, str]]:
        """Documents of the site whose pages still wait for OCR, when this night can read them (Tesseract is
        here and budget is left): the end of the run catches up on them (pipelines/documents.py)."""
        if self.store is None or self.no_ocr or self.budget.spent:
            return []
        return [(url, sha) for url, sha in self.store.documents_waiting(site) if url not in self._night]

    async def catch_up(self, waiting: list[tuple[str, str]]) -> None:
        """Fetch and read again the documents whose pages waited for OCR (a night without Tesseract, or whose
        budget ran out), whatever article attached them, until the budget is spent."""
        for url, sha in waiting:
            if self.budget.spent:
                break
            fields = await self._once(url)
            if fields and fields.get("sha256") == sha and final(fields):
                self.stats.inc_value(Stat.DOCUMENTS_CAUGHT_UP)

    async def _once(self, url: str) -> dict | None:
        """The fields of the document at ``url``: fetched and read once per night, whoever asks first."""
        known = self._night.get(url)
        if known is not None:
            sha, error = known
            if sha is None:
                return {"error": error} if error else None
            fields = self._reading(sha)
            if fields is not None:
                self.stats.inc_value(Stat.DOCUMENTS_REUSED)
                return fields
        if url in self._inflight:  # another article is fetching it right now: its answer serves both
            fields = await asyncio.shield(self._inflight[url])
            if fields is not None and fields.get("sha256"):
                self.stats.inc_value(Stat.DOCUMENTS_REUSED)
            return fields
        future = asyncio.get_running_loop().create_future()
        self._inflight[url] = future
        try:
            fields = await self._fetch(url)
            future.set_result(fields)
            return fields
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: a waiter may not exist
            raise
        finally:
            self._inflight.pop(url, None)

    def _reading(self, sha: str) -> dict | None:
        fields = self._readings.get(sha)
        if fields is None and self.store is not None:
            fields = self.store.stored_document(sha)  # queued by this night's batch, or stored on an earlier night
        return fields

    def _remember(self, url: str, sha: str | None, error: str | None, fields: dict | None = None) -> None:
        self._night[url] = (sha, error)
        if sha and fields is not None:
            self._readings[sha] = fields
            self._readings.move_to_end(sha)
            while len(self._readings) > self.READINGS_KEPT:
                self._readings.popitem(last=False)

    def _request(self, url: str, conditional: dict | None) -> scrapy.Request:
        headers = {}
        if conditional and conditional.get("etag"):
            headers["If-None-Match"] = conditional["etag"]
        if conditional and conditional.get("last_modified"):
            headers["If-Modified-Since"] = conditional["last_modified"]
        meta = {Meta.DOCUMENT: True, "download_maxsize": self.limits.max_bytes,
                "download_warnsize": self.limits.max_bytes, "download_timeout": self.download_timeout}
        return scrapy.Request(url, headers=headers, meta=meta, dont_filter=True)

    async def _fetch(self, url: str) -> dict | None:
        stored = self.store.document_at(url) if self.store is not None else None
        previous = self._reading(stored["sha256"]) if stored else None
        conditional = stored if previous is not None and final(previous) else None
        try:
            response = await self.crawler.engine.download_async(self._request(url, conditional))
        except Exception as exc:  # robots.txt, offsite, too large, network: the attachment says why
            error = str(exc) or type(exc).__name__
            # Scrapy cancels a download past download_maxsize: at its Content-Length (the message says "max
            # size"), or once the bytes received pass it (a DownloadCancelledError without a message)
            too_large = "max size" in error or type(exc).__name__ == "DownloadCancelledError"
            error = (f"file too large (over CCHC_DOCUMENT_MAX_BYTES={self.limits.max_bytes})" if too_large
                     else f"download failed: {error[:200]}")
            self._remember(url, None, error)
            return {"error": error}
        if response.status == 304 and previous is not None:
            self.stats.inc_value(Stat.DOCUMENTS_NOT_MODIFIED)
            self._remember(url, stored["sha256"], None, previous)
            return previous
        if response.status != 200:
            error = f"HTTP {response.status}"
            self._remember(url, None, error)
            return {"error": error}
        self.stats.inc_value(Stat.DOCUMENTS_FETCHED)
        data = response.body
        declared = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        if not is_readable_document_url(url) and sniff(data, url=url, content_type=declared) == HTML:
            self.stats.inc_value(Stat.DOCUMENTS_NOT_DOCUMENT)  # "Tải về" led to a page: no document here
            self._remember(url, None, None)
            return None
        sha = hashlib.sha256(data).hexdigest()
        fields = self._reading(sha)
        if fields is not None and final(fields):
            self.stats.inc_value(Stat.DOCUMENTS_REUSED)
        else:
            fields = fields_of(await self._read(data, url, declared))
            self.stats.inc_value(Stat.DOCUMENTS_READ)
        if self.store is not None:
            self.store.keep_document(dict(fields), url, _header(response, b"ETag"), _header(response, b"Last-Modified"))
        self._remember(url, sha, None, fields)
        return fields

    async def _read(self, data: bytes, url: str, declared: str | None) -> DocumentText:
        allowance = self.budget.allowance(self.limits.ocr_max_pages)
        try:
            document = await read_beside(data, url=url, content_type=declared, limits=self.limits,
                                         allowance=allowance, tesseract=self.tesseract, workers=self.workers)
        except BaseException:
            self.budget.give_back(allowance)
            raise
        self.budget.give_back(allowance - len(document.ocr_pages))
        self.stats.inc_value(Stat.DOCUMENTS_OCR_PAGES, len(document.ocr_pages))
        self.stats.inc_value(Stat.DOCUMENTS_OCR_PENDING, len(document.ocr_pending))
        if document.ocr_pending and self.no_ocr:
            self.stats.inc_value(Stat.DOCUMENTS_WITHOUT_OCR)
        return document


def _header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
