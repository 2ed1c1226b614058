"""The articles: one row per distinct content (``articles``), every URL it was seen at (``article_urls``),
earlier versions of edited pages (``article_versions``) and its story (``StoryIndex``).

One ``ArticleStore`` per database file and process, shared by the deduplication and writer pipelines of every
crawler in the process (``ArticleStore.shared``). Items are written in batches (``batch_size`` articles, or
fewer once the first has waited ``batch_seconds``) inside one transaction, so a crash loses at most the last
batch, fetched again by the next run, and never leaves half an article.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from crawler.store.batch import BATCH_SECONDS, BATCH_SIZE, Batch
from crawler.store.database import immediate, now_iso, open_database, refresh_statistics
from crawler.store.documents import link_documents, write_documents
from crawler.store.retag import retag_attaching
from crawler.store.rows import ROW_ERRORS, WriteResult, cchc_flag, index_text, stored_row, unindex
from crawler.store.versions import EDITED, Revisions, keep_version, set_archived
from crawler.minhash import band_keys, decode_signature, signature
from crawler.store.syndication import StoryIndex, merge_recent

logger = logging.getLogger(__name__)
UNCHANGED, DUPLICATE, NEW, UPDATED = "unchanged", "duplicate", "new", "updated"  # ArticleStore.classify


class ArticleStore(Revisions):
    """The ``articles`` table (one row per distinct content) and ``article_urls`` (every URL it was seen at)."""

    _shared: dict[str, tuple["ArticleStore", int]] = {}
    _lock = threading.Lock()

    def __init__(self, path: str | Path, batch_size: int = BATCH_SIZE, batch_seconds: float = BATCH_SECONDS):
        self.path = str(path)
        self.db = open_database(self.path)
        self.stories = StoryIndex(self.db)
        self.batch = Batch(batch_size, batch_seconds)  # crawler/store/batch.py: queued, not yet committed
        self._insert_sql: dict[tuple, str] = {}

    @classmethod
    def shared(cls, path: str, batch_size: int = BATCH_SIZE, batch_seconds: float = BATCH_SECONDS) -> "ArticleStore":
        """The process-wide store for ``path``; call ``release`` once per ``shared`` call."""
        key = str(Path(path).resolve())
        with cls._lock:
            store, users = cls._shared.get(key, (None, 0))
            if store is None:
                store = cls(path, batch_size, batch_seconds)
            cls._shared[key] = (store, users + 1)
            return store

    @classmethod
    def flush_all(cls) -> None:
        """Write every open store's queued batch (a forced shutdown skipped the pipelines' close)."""
        with cls._lock:
            stores = [store for store, _ in cls._shared.values()]
        for store in stores:
            try:
                store.flush()
            except sqlite3.Error as exc:
                logger.error("cannot write the last batch to %s: %s", store.path, exc)

    def release(self) -> None:
        key = str(Path(self.path).resolve())
        with self._lock:
            store, users = self._shared.get(key, (self, 1))
            if users <= 1:
                self._shared.pop(key, None)
                self.close()
            else:
                self._shared[key] = (store, users - 1)

    # -- reads ---------------------------------------------------------------------------------------------
    def article_id_for_hash(self, content_hash: str) -> int | None:
        row = self.db.execute("select id from articles where content_hash = ?", [content_hash]).fetchone()
        return row[0] if row else None

    def article_for_url(self, url: str) -> tuple[int, str] | None:
        row = self.db.execute(
            "select a.id, a.content_hash from article_urls u join articles a on a.id = u.article_id where u.url = ?",
            [url],
        ).fetchone()
        return (row[0], row[1]) if row else None

    def known_hash_for_url(self, url: str) -> str | None:
        """Content hash last seen at ``url``: queued in this batch or stored."""
        queued = self.batch.hash_at(url)
        if queued is not None:
            return queued
        known = self.article_for_url(url)
        return known[1] if known else None

    def pending_hashes(self) -> set[str]:
        return self.batch.hashes

    def classify(self, url: str, content_hash: str, site: str) -> str:
        """The dedup decision for an article fetched at ``url``: ``unchanged`` (this URL already has this
        content), ``duplicate`` (the content is stored from another URL: this URL is recorded as another source),
        ``new`` or ``updated`` (the page at a known URL changed): the last two are then ``add``ed."""
        known = self.known_hash_for_url(url)
        if known == content_hash and not self.is_removed(url):
            return UNCHANGED
        if known is None and (content_hash in self.pending_hashes() or self.article_id_for_hash(content_hash) is not None):
            self.add_source(url, content_hash, site)
            return DUPLICATE
        return NEW if known is None else UPDATED

    # -- writes --------------------------------------------------------------------------------------------
    def discard_pending(self) -> None:
        """Forget the queued batch (after a write error: it will be fetched again on the next run)."""
        self.batch.take()

    def add(self, item: dict, on_reject=None) -> None:
        """Queue an article (new content, or new content at a known URL); written when the batch is due.

        ``on_reject(url, reason, was_new)`` is called if this row cannot be written (the rest of its batch is kept)."""
        row = stored_row(item)
        row["_signature"] = item.get("story_signature")  # computed by the pipeline (or by a distributed worker)
        row["_attachments"] = item.get("attachments")  # linked in article_documents
        row["_archive"] = item.get("archive_record")  # where its response is in the archive (crawler/archive)
        row["_on_reject"] = on_reject
        if self.batch.add_row(row):
            self.flush()

    def add_source(self, url: str, content_hash: str, site: str) -> None:
        """Record that the article with ``content_hash`` was also seen at ``url``."""
        if self.batch.add_source(url, content_hash, site):
            self.flush()

    def flush(self) -> WriteResult:
        """Write everything queued in one transaction, taken with BEGIN IMMEDIATE so that another process
        writing the same database waits (busy timeout) instead of racing us between a check and an insert.

        The batch is first written as a whole. Only if SQLite refuses a row is it rolled back and written again
        row by row, each under a savepoint (``write_rows``): a savepoint per row in every batch made FTS5 flush
        its pending terms into a new segment per article (its xSavepoint syncs), which doubled the cost of an
        insert and left thousands of tiny segments to merge."""
        if not self.batch:
            return WriteResult()
        now = now_iso()
        rows, sources, documents = self.batch.take()
        try:
            result = WriteResult()
            with immediate(self.db):
                replaced = write_documents(self.db.conn, documents, now)
                for row in rows:
                    self._write_article({k: v for k, v in row.items() if k != "_on_reject"}, now, result)
                self._write_sources(sources, now, result)
                retag_attaching(self.db.conn, replaced)
            return result
        except ROW_ERRORS:
            result = WriteResult()
            with immediate(self.db):
                replaced = write_documents(self.db.conn, documents, now)
                self.write_rows(rows, now, result)
                self._write_sources(sources, now, result)
                retag_attaching(self.db.conn, replaced)
            return result

    def _write_sources(self, sources: list[dict], now: str, result: WriteResult) -> None:
        for source in sources:
            article_id = self.article_id_for_hash(source["content_hash"])
            if article_id is not None:
                self._touch_url(source["url"], article_id, source["site"], now, result)

    def write_rows(self, rows: list[dict], now: str, result: WriteResult) -> None:
        """Rows inside the caller's transaction, each under a savepoint: a row SQLite refuses is rolled back
        alone, reported to its ``on_reject`` and logged; the others are written."""
        conn = self.db.conn
        for row in rows:
            on_reject = row.pop("_on_reject", None)
            conn.execute("SAVEPOINT article_row")
            try:
                self._write_article(row, now, result)
            except ROW_ERRORS as exc:
                conn.execute("ROLLBACK TO article_row")
                conn.execute("RELEASE article_row")
                result.rejected += 1
                reason = f"{type(exc).__name__}: {exc}"
                logger.error("article %s not stored: %s", row.get("url"), reason)
                if on_reject is not None:
                    on_reject(row.get("url"), reason, self.article_for_url(row.get("url") or "") is None)
                continue
            conn.execute("RELEASE article_row")

    def _write_article(self, row: dict, now: str, result: WriteResult) -> None:
        minhash = decode_signature(row.pop("_signature", None))
        attachments = row.pop("_attachments", None)
        archive, revise = row.pop("_archive", None), row.pop("_revise", None)
        if revise is not None:
            self._revise(*revise, row, now, result, minhash)
            return
        existing_id = self.article_id_for_hash(row["content_hash"])
        if existing_id is not None:  # same content already stored (a duplicate that raced the batch)
            self._touch_url(row["url"], existing_id, row["site"], now, result)
            result.unchanged += 1
            return
        at_url = self.article_for_url(row["url"])
        text = row["body_text"]
        if at_url is not None:  # the page at a known URL changed: keep the old version, update in place
            article_id = at_url[0]
            keep_version(self.db.conn, article_id, now, EDITED, row)
            set_archived(self.db.conn, article_id, archive)
            self._unindex(article_id)
            update = {k: v for k, v in row.items() if k not in ("url", "crawled_at")}
            update.update(updated_at=now, removed_at=None, removed_reason=None, status="edited",
                          published_month=(row.get("published_at_local") or "")[:7] or None)
            self.db["articles"].update(article_id, update)
            self._index_text(article_id, row)
            link_documents(self.db.conn, article_id, attachments)
            self.stories.assign(article_id, row["title"], text, minhash)
            self._touch_url(row["url"], article_id, row["site"], now, result)
            result.updated += 1
            return
        article_id = self._insert_article(row, text, now, minhash)
        link_documents(self.db.conn, article_id, attachments)
        set_archived(self.db.conn, article_id, archive)
        result.inserted += 1
        result.sources_added += 1

    def _insert_article(self, row: dict, text: str | None, now: str, minhash) -> int:
        """A new article: its story found before the insert, one prepared INSERT, its full-text entry, topics,
        signature, bands and URL. The hot path of a first crawl and of a distributed writer."""
        conn = self.db.conn
        if minhash is None:
            minhash = signature(row["title"], text)
        keys = band_keys(minhash) if minhash is not None else []
        best = self.stories.closest(minhash, keys) if keys else None
        # The id is known before the insert (we hold the write lock: BEGIN IMMEDIATE), so the story is set in the
        # INSERT itself instead of an UPDATE afterwards.
        article_id = conn.execute("select coalesce(max(id), 0) + 1 from articles").fetchone()[0]
        first = True
        if best is None:
            story = article_id
        else:
            story = conn.execute("select story_id from articles where id = ?", [best[1]]).fetchone()[0] or best[1]
            current = conn.execute("select id, published_at from articles where story_id = ? and is_first_source = 1",
                                   [story]).fetchone()
            mine = row.get("published_at")
            # The earliest published copy is the first source; undated last; on a tie the earlier stored one.
            first = current is None or (mine is not None and (current[1] is None or mine < current[1]))
            if first and current is not None:
                conn.execute("update articles set is_first_source = 0 where id = ?", [current[0]])
        row = dict(row, id=article_id, first_seen_at=now, updated_at=None, status="active",
                   published_month=(row.get("published_at_local") or "")[:7] or None,
                   story_id=story, story_similarity=round(best[0], 3) if best else None, is_first_source=int(first))
        row["cchc"] = cchc_flag(row)
        columns = tuple(row)
        sql = self._insert_sql.get(columns)
        if sql is None:
            sql = self._insert_sql[columns] = (f"insert into articles ({', '.join(f'[{c}]' for c in columns)}) "
                                               f"values ({', '.join('?' * len(columns))})")
        conn.execute(sql, list(row.values()))
        self._index_text(article_id, row)
        if keys:
            self.stories.index(article_id, minhash, keys)
        conn.execute("insert into article_urls (url, article_id, site, first_seen_at) values (?, ?, ?, ?)",
                     [row["url"], article_id, row["site"], now])
        return article_id

    def _index_text(self, article_id: int, row: dict) -> None:
        index_text(self.db.conn, article_id, row)

    def _unindex(self, article_id: int) -> None:
        unindex(self.db.conn, article_id)

    def mark_removed(self, url: str, when: str, reason: str) -> bool:
        """The page at ``url`` is gone (404/410) or left its listing: mark it, never delete. True if it was known."""
        self.flush()
        with self.db.atomic():
            row = self.db.execute("select article_id from article_urls where url = ? and removed_at is null", [url]).fetchone()
            if row is None:
                return False
            self.db.execute("update article_urls set removed_at = ? where url = ?", [when, url])
            left = self.db.execute("select count(*) from article_urls where article_id = ? and removed_at is null",
                                   [row[0]]).fetchone()[0]
            if left == 0:  # every copy of the article is gone
                self.db.execute("update articles set removed_at = ?, removed_reason = ?, status = 'removed' where id = ?",
                                [when, reason, row[0]])
        return True

    def is_removed(self, url: str) -> bool:
        row = self.db.execute("select removed_at from article_urls where url = ?", [url]).fetchone()
        return bool(row and row[0])

    def _touch_url(self, url: str, article_id: int, site: str, now: str, result: WriteResult) -> None:
        known = self.db.execute("select article_id from article_urls where url = ?", [url]).fetchone()
        if known is None:
            self.db["article_urls"].insert({"url": url, "article_id": article_id, "site": site, "first_seen_at": now})
            result.sources_added += 1
        else:  # a page that was marked removed and answers again is back
            self.db.execute("update article_urls set article_id = ?, removed_at = null where url = ?", [article_id, url])
            self.db.execute("update articles set removed_at = null, removed_reason = null, status = case when "
                            "updated_at is null then 'active' else 'edited' end where id = ? and removed_at is not null",
                            [article_id])

    def close(self) -> None:
        try:
            self.flush()
            try:  # housekeeping: a busy or read-only database just keeps them for the next writer
                with immediate(self.db):
                    merge_recent(self.db.conn)  # crawler/store/syndication.py: the band keys of the last nights
            except sqlite3.OperationalError as exc:
                logger.warning("recent story band keys not merged into story_band_keys: %s", exc)
            refresh_statistics(self.db)
        finally:
            self.db.close()
