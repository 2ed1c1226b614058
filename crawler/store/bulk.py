"""Bulk import: a JSON Lines file of articles into the database, for backfills and another machine's crawl.

    python -m crawler import items.jsonl [DB]        # e.g. the output of `scrapy crawl SITE -O items.jsonl`

Same outcome as the nightly writer (crawler/store/articles.py): one row per distinct content, a second URL of
the same content recorded in ``article_urls``, a known URL with new content updated in place with its old
version kept, near-duplicates grouped into stories. What makes it fast:

- lines are parsed, hashed and signed in worker processes (crawler/store/import_lines.py), the database
  is written by this one;
- the secondary indexes are dropped while loading and built once at the end (a sorted build, not a million
  random inserts); the unique indexes (content hash, URL) stay: they are the dedup decision;
- new articles go in with ``executemany`` per chunk; articles at a known URL or hash, and near-duplicates,
  take the writer's own path, row by row.

A line that is not JSON, not an article (no url, site, title or body_text), or has a field of the wrong type
(a title that is a list) or a link that is not http(s) (``javascript:``, ``data:``), is skipped, logged with its line
number and counted; it never stops the import. The body HTML is sanitized as the crawl's is
(crawler/store/import_lines.py). A MinHash signature in the item (``story_signature``, as a
distributed worker sends it) is used as is; otherwise it is computed (the slow part of an import without them).
"""
from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np

from crawler.lifeline import end_with
from crawler.store.articles import ROW_ERRORS, ArticleStore, WriteResult
from crawler.store.database import immediate, now_iso, refresh_statistics
from crawler.store.documents import link_documents, write_document
from crawler.store.import_lines import prepare
from crawler.store.indexes import DEFERRED_INDEXES, build, import_lock
from crawler.store.retag import retag_attaching
from crawler.store.rows import FTS_INSERT, TOPICS_INSERT, cchc_flag, fts_values, topic_rows
from crawler.minhash import THRESHOLD, decode_signature, similarity
from crawler.store.syndication import MAX_CANDIDATES, signatures_of, stored_signature

logger = logging.getLogger(__name__)
CHUNK = 1000  # lines per worker task and per executemany
CHUNK_TIMEOUT = 600  # seconds a parse worker may take for one chunk (about one second of work)
COMMIT_EVERY = 20  # chunks per transaction (_chunk_transaction)
@dataclass
class ImportResult:
    lines: int = 0
    inserted: int = 0
    updated: int = 0
    duplicates: int = 0
    skipped: dict = field(default_factory=dict)  # reason -> count
    seconds: float = 0.0
    # Where the seconds went: this process writing chunks, waiting for the workers' next parsed chunk, and
    # building the deferred indexes at the end. Mostly loading: the database side bounds the import (one
    # writer); mostly waiting: more workers (cores) would help.
    loading: float = 0.0
    waiting: float = 0.0
    indexing: float = 0.0

    @property
    def rate(self) -> float:
        return self.lines / self.seconds if self.seconds else 0.0


def _best_candidates(shared: Counter) -> list[tuple[int, int]]:
    """(article id, bands shared) of the MAX_CANDIDATES sharing the most bands, ties to the first stored: the
    writer's candidates (``StoryIndex._candidates``), so an import decides stories as the writer would. The best
    of stored candidates and this chunk's together are among the best stored ones and the chunk's."""
    return sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CANDIDATES]


class BulkImporter:
    """Loads prepared rows into an ``ArticleStore``'s database; ``run`` drives a whole file."""

    def __init__(self, db_path: str | Path, workers: int | None = None, cache_mb: int = 512):
        self.store = ArticleStore(db_path, batch_size=CHUNK)
        self.conn = self.store.db.conn
        self.conn.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")
        # WAL checkpoints (each an fsync of the database file) every ~300 MB written instead of every 16 MB:
        # the crawl's default, a checkpoint per 1,000 pages, spent the loader's time waiting on the disk.
        self.conn.execute("PRAGMA wal_autocheckpoint = 20000")
        # One core loads SQLite, the others parse, hash and sign; on one core everything runs here.
        self.workers = max(0, multiprocessing.cpu_count() - 1) if workers is None else max(0, workers)
        self.result = ImportResult()
        self._chunks = 0

    # -- the fast path -------------------------------------------------------------------------------------
    def _lookups(self, rows: list[dict]) -> tuple[set, set, list, dict]:
        """What the database already holds for a chunk, in a few queries instead of several per row: the content
        hashes and URLs among the chunk's; for each row, its stored story candidates as the writer ranks them
        (the MAX_CANDIDATES sharing the most bands, ``StoryIndex._candidates``) with the number of bands shared;
        and the signatures of those candidates only (at a million articles a row shares a band with ~85 stored
        ones, and reading every one of their signatures was most of the import's time)."""
        conn = self.conn

        def among(sql: str, values: list) -> list:
            return conn.execute(sql + " in (select value from json_each(?))", [json.dumps(values)]).fetchall()

        hashes = {r[0] for r in among("select content_hash from articles where content_hash", [r["content_hash"] for r in rows])}
        urls = {r[0] for r in among("select url from article_urls where url", [r["url"] for r in rows])}
        keys = [k for r in rows for k in r["_keys"]]
        holders: dict[int, list[int]] = {}
        for key, article_id in among("select key, article_id from story_band_keys where key", keys) + among(
                "select key, article_id from story_band_keys_recent where key", keys):
            holders.setdefault(key, []).append(article_id)
        ranked = [_best_candidates(Counter(a for k in r["_keys"] for a in holders.get(k, ()))) for r in rows]
        needed = sorted({a for candidates in ranked for a, _ in candidates})
        found = among("select article_id, signature from article_minhash where article_id", needed) if needed else []
        matrix = signatures_of([blob for _, blob in found]) if found else None  # one conversion for the chunk
        signatures = {article_id: matrix[n] for n, (article_id, _) in enumerate(found)}
        return hashes, urls, ranked, signatures

    def load_chunk(self, prepared: list[tuple[int, dict | None, str | None]]) -> None:
        now, rows = now_iso(), []
        for number, row, reason in prepared:
            self.result.lines += 1
            if row is None:
                kind = reason.split(" (")[0]
                self.result.skipped[kind] = self.result.skipped.get(kind, 0) + 1
                logger.warning("line %d skipped: %s", number, reason)
            else:
                rows.append(row)
        if not rows:
            return
        with self._chunk_transaction():
            replaced = set()  # stored readings this chunk made fuller: their earlier articles are tagged again
            for row in rows:  # the documents the lines attach: stored once per sha256, whatever becomes of the line
                for entry in row.get("_attachments") or ():
                    if entry.get("sha256") and write_document(self.conn, entry, now):
                        replaced.add(entry["sha256"])
            retag_attaching(self.conn, replaced)
            stored_hashes, stored_urls, ranked, signatures = self._lookups(rows)
            next_id = self.conn.execute("select coalesce(max(id), 0) + 1 from articles").fetchone()[0]
            fresh, slow, hashes, urls = [], [], set(stored_hashes), set(stored_urls)
            in_chunk: dict[int, list[int]] = {}  # band key -> ids of this chunk's new rows, which later rows meet
            for row, stored in zip(rows, ranked):
                keys = row.pop("_keys")
                values = decode_signature(row["_signature"])
                near = False
                if values is not None:  # a story match is the writer's decision: its path takes the row
                    shared = Counter(dict(stored))
                    shared.update(a for k in keys for a in in_chunk.get(k, ()))
                    others = [signatures[a] for a, _ in _best_candidates(shared) if a in signatures]
                    near = bool(others) and bool((similarity(values, np.stack(others)) >= THRESHOLD).any())
                if near or row["content_hash"] in hashes or row["url"] in urls:
                    slow.append(row)  # the writer's path: dedup, update, story and first source decided row by row
                    continue
                hashes.add(row["content_hash"])
                urls.add(row["url"])
                row.update(id=next_id, first_seen_at=now, updated_at=None, status="active", story_id=next_id,
                           story_similarity=None, is_first_source=1,
                           published_month=(row.get("published_at_local") or "")[:7] or None)
                row["cchc"] = cchc_flag(row)
                if values is not None:  # later rows of this chunk compare with this one
                    signatures[next_id] = values
                    for key in keys:
                        in_chunk.setdefault(key, []).append(next_id)
                fresh.append((row, keys, values))
                next_id += 1
            self._insert_fresh(fresh, now)
            self._write_slow(slow, now)

    def _insert_fresh(self, fresh: list, now: str) -> None:
        if not fresh:
            return
        conn = self.conn
        attached = [(row["id"], row.pop("_attachments", None)) for row, _, _ in fresh]
        for row, _, _ in fresh:
            row.pop("_signature", None)
        columns = tuple(fresh[0][0])
        conn.executemany(f"insert into articles ({', '.join(f'[{c}]' for c in columns)}) "
                         f"values ({', '.join('?' * len(columns))})", [[r[c] for c in columns] for r, _, _ in fresh])
        conn.executemany(FTS_INSERT, [fts_values(r["id"], r) for r, _, _ in fresh])
        conn.executemany(TOPICS_INSERT, [(t, a, a) for r, _, _ in fresh for t, a in topic_rows(r["id"], r)])
        conn.executemany("insert into article_minhash (article_id, signature) values (?, ?)",
                         [(r["id"], stored_signature(v)) for r, _, v in fresh if v is not None])
        conn.executemany("insert or ignore into story_band_keys (key, article_id) values (?, ?)",
                         [(k, r["id"]) for r, keys, _ in fresh for k in keys])
        conn.executemany("insert into article_urls (url, article_id, site, first_seen_at) values (?, ?, ?, ?)",
                         [(r["url"], r["id"], r["site"], now) for r, _, _ in fresh])
        for article_id, attachments in attached:
            if attachments:
                link_documents(conn, article_id, attachments)
        self.result.inserted += len(fresh)

    def _write_slow(self, rows: list[dict], now: str) -> None:
        """The writer's path for these rows: all at once, or row by row under savepoints if SQLite refuses one
        (a savepoint makes FTS5 flush its pending terms: not for every row)."""
        if not rows:
            return
        done = WriteResult()
        conn = self.conn
        conn.execute("SAVEPOINT bulk_slow")
        try:
            for row in rows:
                self.store._write_article(dict(row), now, done)
        except ROW_ERRORS:
            conn.execute("ROLLBACK TO bulk_slow")
            done = WriteResult()
            self.store.write_rows(rows, now, done)
        conn.execute("RELEASE bulk_slow")
        self.result.inserted += done.inserted
        self.result.updated += done.updated
        self.result.duplicates += done.unchanged
        if done.rejected:
            self.result.skipped["rejected by SQLite"] = self.result.skipped.get("rejected by SQLite", 0) + done.rejected

    @contextlib.contextmanager
    def _chunk_transaction(self):
        """Chunks share a transaction, committed every COMMIT_EVERY chunks: every commit writes each page it
        changed to the WAL, and a chunk's 25,000 band keys land on pages all over story_band_keys, so a commit
        per chunk rewrote most of that table each time (the import fell from 2,700 to 750 articles/s on the way
        to a million). An interrupted import loses at most the uncommitted chunks: run it again, what is stored
        counts as already stored."""
        conn = self.conn
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._chunks += 1
        if self._chunks % COMMIT_EVERY == 0:
            conn.execute("COMMIT")

    # -- indexes ------------------------------------------------------------------------------------------
    def drop_deferred_indexes(self) -> None:
        with immediate(self.store.db):
            for name in DEFERRED_INDEXES:
                self.conn.execute(f"drop index if exists [{name}]")

    def build_deferred_indexes(self) -> None:
        with immediate(self.store.db):
            build(self.conn, DEFERRED_INDEXES)
            self.conn.execute("insert into articles_fts (articles_fts) values ('optimize')")
        refresh_statistics(self.store.db, full=True)  # the planner's view of the new rows

    def _load_in_workers(self, chunks) -> None:
        """Workers prepare the next chunks while this process loads one; at most two chunks per worker are in
        flight, so a big file never sits in memory. A worker that dies raises BrokenProcessPool (no hang); one that
        gives no answer for CHUNK_TIMEOUT (stopped, stuck) is killed with its pool, and this process prepares the
        rest itself. Workers end with this process (crawler/lifeline.py)."""
        from collections import deque
        from concurrent.futures import ProcessPoolExecutor, TimeoutError as NoAnswer

        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=end_with, initargs=(os.getpid(),)) as pool:
            pending = deque((pool.submit(prepare, c), c) for c in islice(chunks, 2 * self.workers))
            while pending:
                started = time.perf_counter()
                future, chunk = pending.popleft()
                try:
                    prepared = future.result(timeout=CHUNK_TIMEOUT)
                except NoAnswer:
                    logger.warning("a parse worker gave no answer for %d s: stopped; this process parses the rest",
                                   CHUNK_TIMEOUT)
                    for process in list((getattr(pool, "_processes", None) or {}).values()):
                        process.kill()
                    for chunk in [chunk, *(c for _, c in pending), *chunks]:
                        self._timed_load(prepare(chunk))
                    return
                self.result.waiting += time.perf_counter() - started
                chunk = next(chunks, None)
                if chunk is not None:
                    pending.append((pool.submit(prepare, chunk), chunk))
                self._timed_load(prepared)

    def _timed_load(self, prepared) -> None:
        started = time.perf_counter()
        self.load_chunk(prepared)
        self.result.loading += time.perf_counter() - started

    def run(self, path: str | Path) -> ImportResult:
        """Load the file. The import lock (crawler/store/indexes.py) is held while the deferred indexes are dropped:
        if this process dies, the next open of the database builds them again."""
        with import_lock(self.store.path):
            return self._run(path)

    def _run(self, path: str | Path) -> ImportResult:
        started = time.perf_counter()
        self.drop_deferred_indexes()
        try:
            with open(path, "rb") as fh:  # decoded by the workers
                numbered = enumerate(fh, start=1)
                chunks = iter(lambda: list(islice(numbered, CHUNK)), [])
                if self.workers:
                    self._load_in_workers(chunks)
                else:
                    for chunk in chunks:
                        self._timed_load(prepare(chunk))
        finally:
            if self.conn.in_transaction:  # whole chunks only: a failing chunk was rolled back by itself
                self.conn.execute("COMMIT")
            indexing = time.perf_counter()
            self.build_deferred_indexes()  # also after an error: the database keeps its usual indexes
            self.result.indexing = time.perf_counter() - indexing
            self.store.close()
        self.result.seconds = time.perf_counter() - started
        return self.result
