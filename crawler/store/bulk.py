"""Bulk import: a JSON Lines file of articles into the database, for backfills and another machine's crawl.

    python -m crawler import items.jsonl [DB]        # e.g. the output of `scrapy crawl SITE -O items.jsonl`

Same outcome as the nightly writer (crawler/store/articles.py): one row per distinct content, a second URL of
the same content recorded in ``article_urls``, a known URL with new content updated in place with its old
version kept, near-duplicates grouped into stories. What makes it fast:

- lines are parsed, compressed and hashed in worker processes (``multiprocessing``), the database is written by
  this one;
- the secondary indexes are dropped while loading and built once at the end (a sorted build, not a million
  random inserts); the unique indexes (content hash, URL) stay: they are the dedup decision;
- new articles go in with ``executemany`` per chunk; articles at a known URL or hash, and near-duplicates,
  take the writer's own path, row by row.

A line that is not JSON, or not an article (no url, site, title or body_text), is skipped, logged with its line
number and counted; it never stops the import. A MinHash signature in the item (``story_signature``, as a
distributed worker sends it) is used as is; otherwise it is computed (the slow part of an import without them).
"""
from __future__ import annotations

import json
import logging
import multiprocessing
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from crawler.processing import assign_content_hash
from crawler.store.articles import ArticleStore, WriteResult
from crawler.store.database import immediate, now_iso
from crawler.store.rows import FTS_INSERT, fts_values, stored_row, topic_rows
from crawler.store.syndication import band_keys, decode_signature, encode_signature, signature

logger = logging.getLogger(__name__)
CHUNK = 1000  # lines per worker task and per executemany: 1,000 x 25 band keys stay under SQLite's 32,766 variables
REQUIRED = ("url", "site", "title", "body_text")
# Built after loading: every non-unique index of the tables the import fills.
DEFERRED_INDEXES = {
    "idx_articles_published_at": "articles (published_at)", "idx_articles_site": "articles (site)",
    "idx_articles_province": "articles (province)", "idx_articles_story_id": "articles (story_id)",
    "idx_articles_published_month": "articles (published_month)", "idx_articles_status": "articles (status)",
    "idx_article_urls_article_id": "article_urls (article_id)", "idx_article_urls_site": "article_urls (site)",
    "article_topics_article": "article_topics (article_id)",
}


@dataclass
class ImportResult:
    lines: int = 0
    inserted: int = 0
    updated: int = 0
    duplicates: int = 0
    skipped: dict = field(default_factory=dict)  # reason -> count
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.lines / self.seconds if self.seconds else 0.0


def prepare(numbered_lines: list[tuple[int, str]]) -> list[tuple[int, dict | None, str | None]]:
    """Worker side: (line number, stored row or None, reason skipped). The row carries ``_text`` (plain body,
    for the index), ``_keys`` (band keys) and ``_signature`` (encoded MinHash)."""
    out = []
    for number, line in numbered_lines:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            out.append((number, None, f"not JSON ({exc.msg})"))
            continue
        missing = [f for f in REQUIRED if not isinstance(item, dict) or not item.get(f)] if isinstance(item, dict) else ["all"]
        if missing:
            out.append((number, None, f"not an article (no {', '.join(missing)})"))
            continue
        if not item.get("content_hash"):
            assign_content_hash(item)
        values = decode_signature(item.get("story_signature"))
        if values is None:
            minhash = signature(item.get("title"), item.get("body_text"))
            values = None if minhash is None else minhash.hashvalues
        try:
            row = stored_row(item)
        except (TypeError, ValueError) as exc:
            out.append((number, None, f"unstorable ({exc})"))
            continue
        row["_signature"] = None if values is None else encode_signature(values)
        row["_keys"] = [] if values is None else band_keys(values)
        out.append((number, row, None))
    return out


class BulkImporter:
    """Loads prepared rows into an ``ArticleStore``'s database; ``run`` drives a whole file."""

    def __init__(self, db_path: str | Path, workers: int | None = None, cache_mb: int = 512):
        self.store = ArticleStore(db_path, batch_size=CHUNK)
        self.conn = self.store.db.conn
        self.conn.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")
        # One core loads SQLite, the others parse and compress; on one core everything runs here.
        self.workers = max(0, multiprocessing.cpu_count() - 1) if workers is None else max(0, workers)
        self.result = ImportResult()
        self._columns: tuple | None = None

    # -- the fast path -------------------------------------------------------------------------------------
    def _known(self, row: dict, seen_hashes: set, seen_urls: set) -> bool:
        """Whether this row's content or URL is already stored or loaded (then it takes the writer's path)."""
        if row["content_hash"] in seen_hashes or row["url"] in seen_urls:
            return True
        conn = self.conn
        return (conn.execute("select 1 from articles where content_hash = ?", [row["content_hash"]]).fetchone() is not None
                or conn.execute("select 1 from article_urls where url = ?", [row["url"]]).fetchone() is not None)

    def load_chunk(self, prepared: list[tuple[int, dict | None, str | None]]) -> None:
        conn, stories, now = self.conn, self.store.stories, now_iso()
        next_id = conn.execute("select coalesce(max(id), 0) + 1 from articles").fetchone()[0]
        fresh, slow, hashes, urls = [], [], set(), set()
        chunk_keys: dict[int, list[tuple[int, object]]] = {}  # band key -> (id, signature) of this chunk's rows
        for number, row, reason in prepared:
            self.result.lines += 1
            if row is None:
                self.result.skipped[reason.split(" (")[0]] = self.result.skipped.get(reason.split(" (")[0], 0) + 1
                logger.warning("line %d skipped: %s", number, reason)
                continue
            keys = row.pop("_keys")
            values = decode_signature(row["_signature"])
            near = values is not None and (stories.closest(values, keys) is not None or any(
                float((values == other).mean()) >= 0.5 for key in keys for _, other in chunk_keys.get(key, ())))
            if near or self._known(row, hashes, urls):
                slow.append(row)  # the writer's path: dedup, update, story and first source decided row by row
                continue
            hashes.add(row["content_hash"])
            urls.add(row["url"])
            row.update(id=next_id, first_seen_at=now, updated_at=None, status="active", story_id=next_id,
                       story_similarity=None, is_first_source=1,
                       published_month=(row.get("published_at_local") or "")[:7] or None)
            for key in keys:
                chunk_keys.setdefault(key, []).append((next_id, values))
            fresh.append((row, keys, values))
            next_id += 1
        with immediate(self.store.db):
            self._insert_fresh(fresh, now)
            for row in slow:
                self._write_slow(row, now)

    def _insert_fresh(self, fresh: list, now: str) -> None:
        if not fresh:
            return
        conn = self.conn
        texts = [row.pop("_text") for row, _, _ in fresh]
        for row, _, _ in fresh:
            row.pop("_signature", None)
        columns = tuple(fresh[0][0])
        conn.executemany(f"insert into articles ({', '.join(f'[{c}]' for c in columns)}) "
                         f"values ({', '.join('?' * len(columns))})", [[r[c] for c in columns] for r, _, _ in fresh])
        conn.executemany(FTS_INSERT, [fts_values(r["id"], r, text) for (r, _, _), text in zip(fresh, texts)])
        conn.executemany("insert or ignore into article_topics (topic, article_id) values (?, ?)",
                         [pair for r, _, _ in fresh for pair in topic_rows(r["id"], r)])
        conn.executemany("insert into article_minhash (article_id, signature) values (?, ?)",
                         [(r["id"], v.astype("<u4").tobytes()) for r, _, v in fresh if v is not None])
        conn.executemany("insert or ignore into story_band_keys (key, article_id) values (?, ?)",
                         [(k, r["id"]) for r, keys, _ in fresh for k in keys])
        conn.executemany("insert into article_urls (url, article_id, site, first_seen_at) values (?, ?, ?, ?)",
                         [(r["url"], r["id"], r["site"], now) for r, _, _ in fresh])
        self.result.inserted += len(fresh)

    def _write_slow(self, row: dict, now: str) -> None:
        before = WriteResult()
        self.store._write_row(row, now, before)
        self.result.inserted += before.inserted
        self.result.updated += before.updated
        self.result.duplicates += before.unchanged
        if before.rejected:
            self.result.skipped["rejected by SQLite"] = self.result.skipped.get("rejected by SQLite", 0) + 1

    # -- indexes ------------------------------------------------------------------------------------------
    def drop_deferred_indexes(self) -> None:
        with immediate(self.store.db):
            for name in DEFERRED_INDEXES:
                self.conn.execute(f"drop index if exists [{name}]")

    def build_deferred_indexes(self) -> None:
        with immediate(self.store.db):
            for name, target in DEFERRED_INDEXES.items():
                self.conn.execute(f"create index if not exists [{name}] on {target}")
            self.conn.execute("insert into articles_fts (articles_fts) values ('optimize')")

    def run(self, path: str | Path) -> ImportResult:
        started = time.perf_counter()
        self.drop_deferred_indexes()
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                numbered = enumerate(fh, start=1)
                chunks = iter(lambda: list(islice(numbered, CHUNK)), [])
                if self.workers:
                    ctx = multiprocessing.get_context("forkserver")
                    with ctx.Pool(self.workers) as pool:
                        for prepared in pool.imap(prepare, chunks):
                            self.load_chunk(prepared)
                else:
                    for chunk in chunks:
                        self.load_chunk(prepare(chunk))
        finally:
            self.build_deferred_indexes()  # also after an error: the database keeps its usual indexes
            self.store.close()
        self.result.seconds = time.perf_counter() - started
        return self.result
