"""The articles a writer has queued but not committed yet (``ArticleStore``'s open batch), and when to commit.

A batch is written when it holds ``size`` articles (or sources), or once its first has waited ``seconds``
(checked as articles arrive: a slow, polite crawl still commits every few seconds, so a killed crawl loses
little and readers see new articles soon). Each commit writes every page it touched, and an article touches
~18 index pages at scattered places: batches of 20 wrote 18 pages of 16 KB per article, batches of 500 write
3.5 (bench/database.py). The dedup decision of the next article must see what is queued: by URL and by content
hash, in dictionaries (a scan of the batch per article cost more than the writes once batches grew to hundreds).
"""
from __future__ import annotations

import time

BATCH_SIZE, BATCH_SECONDS = 500, 5.0  # the defaults of CCHC_DB_BATCH_SIZE and CCHC_DB_BATCH_SECONDS


class Batch:
    def __init__(self, size: int = BATCH_SIZE, seconds: float = BATCH_SECONDS):
        self.size, self.seconds = max(1, size), seconds
        self._clear()

    def _clear(self) -> None:
        self.rows: list[dict] = []
        self.sources: list[dict] = []  # {"url", "content_hash", "site"}: another URL of stored or queued content
        self._row_hash_at: dict[str, str] = {}  # url -> content hash of the latest queued article there
        self._source_hash_at: dict[str, str] = {}  # url -> content hash of the latest queued source there
        self.hashes: set[str] = set()  # content hashes of the queued articles
        # documents read (attachment entries with their sha256) and the URL each came from with its validators:
        # (entry, url, etag, last_modified), written before the articles (crawler/store/documents.py)
        self.documents: list[tuple] = []
        self._since = 0.0  # time.monotonic() when the first queued article or source arrived

    def __bool__(self) -> bool:
        return bool(self.rows or self.sources or self.documents)

    def add_row(self, row: dict) -> bool:
        """Queue an article's row; True when the batch should now be written."""
        self.rows.append(row)
        self._row_hash_at[row["url"]] = row["content_hash"]
        self.hashes.add(row["content_hash"])
        return self._due()

    def add_source(self, url: str, content_hash: str, site: str) -> bool:
        self.sources.append({"url": url, "content_hash": content_hash, "site": site})
        self._source_hash_at[url] = content_hash
        return self._due()

    def add_document(self, entry: dict, url: str | None, etag: str | None, last_modified: str | None) -> bool:
        self.documents.append((entry, url, etag, last_modified))
        return self._due()

    def hash_at(self, url: str) -> str | None:
        """The content hash queued for ``url`` (its latest article, else its latest source), or None."""
        return self._row_hash_at.get(url) or self._source_hash_at.get(url)

    def _due(self) -> bool:
        if len(self.rows) + len(self.sources) + len(self.documents) == 1:
            self._since = time.monotonic()
        return (len(self.rows) >= self.size or len(self.sources) >= self.size or len(self.documents) >= self.size
                or time.monotonic() - self._since >= self.seconds)

    def take(self) -> tuple[list[dict], list[dict], list[tuple]]:
        """The queued rows, sources and documents; the batch is empty afterwards."""
        rows, sources, documents = self.rows, self.sources, self.documents
        self._clear()
        return rows, sources, documents
