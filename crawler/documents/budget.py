"""Bounds that span documents: the night's OCR budget, and the cache that reads a document once.

A provincial portal republishes the same PDF from several notices, and the newspaper republishes the portal's;
OCR costs a second or more per page, so a night's crawl keys each document by the sha256 of its bytes and pays
for its OCR once. The budget caps the whole night's OCR so a portal that posts a hundred scanned reports does not
hold the crawl for hours: pages over budget are left ``ocr_pending`` and a later night completes them.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol, runtime_checkable

from .model import DocumentText


class OcrBudget:
    """M OCR pages for one crawl ("per night"); thread-safe. ``pages=None`` is no limit."""

    def __init__(self, pages: int | None):
        self.limit = pages
        self.used = 0
        self._lock = threading.Lock()

    def take(self, pages: int = 1) -> bool:
        """Spend ``pages`` if they are left; False (and nothing spent) when they are not."""
        with self._lock:
            if self.limit is not None and self.used + pages > self.limit:
                return False
            self.used += pages
            return True

    @property
    def remaining(self) -> int | None:
        with self._lock:
            return None if self.limit is None else max(self.limit - self.used, 0)

    def __repr__(self) -> str:
        return f"OcrBudget(used={self.used}, limit={self.limit})"


@runtime_checkable
class DocumentCache(Protocol):
    """Results by the sha256 of the bytes, for ``read_cached``. The crawl keeps its readings in SQLite instead
    (crawler/store/documents.py, through crawler/fetch/documents.py); a result still waiting for OCR
    (``not doc.complete``) may be stored, and is read again when budget allows."""

    def get(self, sha256: str) -> DocumentText | None: ...

    def put(self, document: DocumentText) -> None: ...


class MemoryCache:
    """A DocumentCache in memory, the least recently used results dropped past ``size`` entries."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[str, DocumentText] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, sha256: str) -> DocumentText | None:
        with self._lock:
            document = self._items.get(sha256)
            if document is None:
                self.misses += 1
                return None
            self._items.move_to_end(sha256)
            self.hits += 1
            return document

    def put(self, document: DocumentText) -> None:
        with self._lock:
            self._items[document.sha256] = document
            self._items.move_to_end(document.sha256)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
