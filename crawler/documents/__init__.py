"""Documents that portals publish (PDF plans, reports and decisions; Word and Excel files) read into text with
their header metadata (number, type, issuer, place and date, subject), for search and for the crawl's
``attachments``.

A pure package: ``read_document(bytes)`` uses no network and no database. The crawl fetches, caches by sha256
(``DocumentCache``) and shares one ``OcrBudget`` per night; see README, "Documents".
"""
from .budget import DocumentCache, MemoryCache, OcrBudget
from .header import Header, parse_header
from .model import DocumentText, Limits, waiting_for_ocr
from .ocr import Tesseract
from .reader import read_cached, read_document

__all__ = ["DocumentCache", "DocumentText", "Header", "Limits", "MemoryCache", "OcrBudget", "Tesseract",
           "parse_header", "read_cached", "read_document", "waiting_for_ocr"]
