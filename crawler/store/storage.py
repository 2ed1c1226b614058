"""SQLite storage with sqlite-utils: articles, their source URLs, full-text search.

One ``ArticleStore`` per database file and process, shared by the deduplication and writer pipelines of every
crawler in the process (``ArticleStore.shared``). Items are written in batches of ``batch_size`` inside one
transaction, so a crash loses at most the last batch and never leaves half an article.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from crawler.items import ARTICLE_FIELDS
from crawler.store.syndication import StoryIndex, band_keys, decode_signature, signature
from crawler.vi.text import d_folded_terms, repair_unstorable

logger = logging.getLogger(__name__)
SCHEMA_VERSION = 1
FTS_COLUMNS = ["title", "lead", "body_text", "search_extra"]
FTS_TOKENIZE = "unicode61 remove_diacritics 2"
JSON_FIELDS = ("tags", "images", "topics", "topic_terms")
CRAWL_RUN_COLUMNS = {
    "run_id": str, "site": str, "spider": str, "started_at": str, "finished_at": str, "finish_reason": str,
    "pages": int, "listing_pages": int, "not_modified": int, "new": int, "updated": int, "duplicates": int,
    "unchanged": int, "dropped": int, "removed": int, "blocked": int, "errors": str, "http_status": str,
    "date_share": float, "body_share": float, "median_body_length": int, "monitor_status": str,
    "monitor_failures": str, "worker": str, "verdict": str, "verdict_reason": str,
}
COLUMN_TYPES = {"relevance": float, "from_cchc_section": int}
# Columns the database adds to the item's fields.
STORE_COLUMNS = {"first_seen_at": str, "updated_at": str, "search_extra": str, "story_id": int,
                 "story_similarity": float, "is_first_source": int, "removed_at": str, "removed_reason": str,
                 "published_month": str, "status": str}
# The browsing view: what a reader wants per article, no internal columns; `article` links to the full row.
ARTICLE_VIEW = """
create view if not exists cchc_articles as
select id,
       '<a href="articles/' || id || '">' || replace(replace(replace(title, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')
         || '</a>' as article,
       published_at_local as published, published_month as month, province, site, topics, relevance, status,
       author, source_attribution, lead, url, story_id, is_first_source, published_at
from articles
"""
VERSION_FIELDS = ("content_hash", "title", "lead", "body_text", "body_html", "author", "published_at")


class DatabaseDamaged(sqlite3.DatabaseError):
    """The database file fails SQLite's integrity check (a damaged page): nothing is written into it."""


_MIGRATED: set[str] = set()


def migrate(path: str | Path | None) -> None:
    """Bring an existing database to today's schema (and check it is not damaged) before anything reads it:
    every reader (known URLs, health, monitors, the run summary) calls this first. Once per file and process;
    a missing file is left alone (the first write creates it)."""
    if path and Path(path).is_dir():
        raise sqlite3.OperationalError(f"CCHC_DB={path} is a folder, not a database file")
    if not path or not Path(path).is_file():
        return
    key = str(Path(path).resolve())
    if key in _MIGRATED:
        return
    ArticleStore.shared(str(path)).release()
    _MIGRATED.add(key)


def _env_mb(name: str, default: int) -> int:
    raw = os.environ.get(name) or str(default)
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"environment variable {name}={raw!r} must be a whole number of MB (default {default})") from None


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def integrity_problems(conn) -> list[str]:
    """What ``PRAGMA quick_check`` finds wrong (empty: the file is sound); a file that is not a database at all
    is one problem."""
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if found == ["ok"] else found


def damaged_message(path: str, problems: list[str]) -> str:
    return (f"the database {path} is damaged ({'; '.join(problems)[:300]}): nothing was written to it. Restore it "
            f"from a backup, or recover what is readable with: sqlite3 {path} .recover | sqlite3 recovered.db")


@dataclass
class WriteResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    sources_added: int = 0
    rejected: int = 0


# Errors of one row (a value SQLite cannot bind or hold, a constraint), as opposed to errors of the database
# (disk full, read-only, corrupt: sqlite3.OperationalError / DatabaseError), which stop the writer.
ROW_ERRORS = (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.DataError, ValueError, TypeError,
              OverflowError, UnicodeError)


class ArticleStore:
    """The ``articles`` table (one row per distinct content) and ``article_urls`` (every URL it was seen at)."""

    _shared: dict[str, tuple["ArticleStore", int]] = {}
    _lock = threading.Lock()

    def __init__(self, path: str | Path, batch_size: int = 20):
        self.path = str(path)
        if Path(self.path).is_dir():
            raise sqlite3.OperationalError(f"CCHC_DB={self.path} is a folder, not a database file")
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA busy_timeout = 10000")
        except (OSError, sqlite3.Error) as exc:
            raise sqlite3.OperationalError(f"cannot open the database {self.path}: {exc}") from exc
        self._check_integrity()
        self.db.enable_wal()
        # With WAL, NORMAL is safe from corruption (a power cut may lose the last commits, which the next run
        # fetches again) and saves an fsync per batch.
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute(f"PRAGMA cache_size = -{_env_mb('CCHC_DB_CACHE_MB', 32) * 1024}")  # KiB: indexes of a big database stay in memory
        self.batch_size = batch_size
        self._pending: list[dict] = []
        self._pending_sources: list[dict] = []
        self._insert_sql: dict[tuple, str] = {}
        self.ensure_schema()
        # Fault simulation for the reliability tests: a full disk (a page limit below the current size means no
        # growth at all) or a read-only database.
        if os.environ.get("CCHC_DB_MAX_PAGES"):
            self.db.execute(f"PRAGMA max_page_count = {int(os.environ['CCHC_DB_MAX_PAGES'])}")
        if os.environ.get("CCHC_DB_READ_ONLY") == "1":
            self.db.execute("PRAGMA query_only = 1")

    @classmethod
    def shared(cls, path: str, batch_size: int = 20) -> "ArticleStore":
        """The process-wide store for ``path``; call ``release`` once per ``shared`` call."""
        key = str(Path(path).resolve())
        with cls._lock:
            store, users = cls._shared.get(key, (None, 0))
            if store is None:
                store = cls(path, batch_size)
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

    # -- schema -------------------------------------------------------------------------------------------
    def _check_integrity(self) -> None:
        """SQLite's quick_check on databases up to CCHC_DB_CHECK_MAX_MB (default 2048; it reads every page,
        about a second per few hundred MB): a damaged page stops the crawl before it writes into the file.
        Bigger databases are checked by ``python -m crawler health``."""
        size = Path(self.path).stat().st_size if Path(self.path).exists() else 0
        if size and size <= _env_mb("CCHC_DB_CHECK_MAX_MB", 2048) * 1024 * 1024:
            problems = integrity_problems(self.db.conn)
            if problems:
                self.db.close()
                raise DatabaseDamaged(damaged_message(self.path, problems))

    def ensure_schema(self) -> None:
        """Create or migrate the schema, in one BEGIN IMMEDIATE transaction: two processes opening a new
        database at once take turns instead of both creating the same table."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._ensure_schema()
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _ensure_schema(self) -> None:
        db = self.db
        if "articles" not in db.table_names():
            columns = {name: COLUMN_TYPES.get(name, str) for name in ARTICLE_FIELDS}
            columns.update({"id": int, **STORE_COLUMNS})
            db["articles"].create(columns, pk="id", not_null={"url", "site", "content_hash"})
            db["articles"].create_index(["content_hash"], unique=True)
            db["articles"].create_index(["url"], unique=True)
            for column in ("published_at", "site", "province"):
                db["articles"].create_index([column])
            db["articles"].enable_fts(FTS_COLUMNS, create_triggers=True, tokenize=FTS_TOKENIZE)
        wanted = {**{name: COLUMN_TYPES.get(name, str) for name in ARTICLE_FIELDS}, **STORE_COLUMNS}
        existing = db["articles"].columns_dict
        for name, kind in wanted.items():  # databases made by an older version: add the new columns in place
            if name not in existing:
                db["articles"].add_column(name, kind)
        self._narrow_fts_update_trigger()
        for column in ("story_id", "published_month", "status"):
            if not any(ix.columns == [column] for ix in db["articles"].indexes):
                db["articles"].create_index([column])
        db.execute(ARTICLE_VIEW)
        if "published_month" in db["articles"].columns_dict:  # older rows get the browsing columns too
            db.execute("update articles set published_month = substr(published_at_local, 1, 7) "
                       "where published_month is null and published_at_local is not null")
            db.execute("update articles set status = case when removed_at is not null then 'removed' "
                       "when updated_at is not null then 'edited' else 'active' end where status is null")
        self.stories = StoryIndex(db)
        if "article_urls" not in db.table_names():
            db["article_urls"].create(
                {"url": str, "article_id": int, "site": str, "first_seen_at": str, "removed_at": str},
                pk="url", foreign_keys=[("article_id", "articles", "id")],
            )
            db["article_urls"].create_index(["article_id"])
            db["article_urls"].create_index(["site"])
        if "removed_at" not in db["article_urls"].columns_dict:
            db["article_urls"].add_column("removed_at", str)
        if "article_versions" not in db.table_names():
            # Earlier versions of edited articles: what the page said from `seen_from` until `replaced_at`.
            db["article_versions"].create(
                {"id": int, "article_id": int, **{f: str for f in VERSION_FIELDS}, "seen_from": str, "replaced_at": str},
                pk="id", foreign_keys=[("article_id", "articles", "id")],
            )
            db["article_versions"].create_index(["article_id"])
        if "http_validators" not in db.table_names():
            # ETag / Last-Modified of listing pages, for conditional requests on the next run.
            db["http_validators"].create({"url": str, "etag": str, "last_modified": str, "checked_at": str}, pk="url")
        if "browser_sites" not in db.table_names():
            # Sites whose listings turned out to need a browser (the static HTML had no article links).
            db["browser_sites"].create({"site": str, "since": str, "listing_url": str}, pk="site")
        if "crawl_runs" not in db.table_names():
            db["crawl_runs"].create(CRAWL_RUN_COLUMNS, pk="run_id")
            db["crawl_runs"].create_index(["site", "started_at"])
        existing_runs = db["crawl_runs"].columns_dict
        for name, kind in CRAWL_RUN_COLUMNS.items():  # e.g. verdict, verdict_reason (issue 16)
            if name not in existing_runs:
                db["crawl_runs"].add_column(name, kind)
        if "schema_version" not in db.table_names():
            db["schema_version"].insert({"id": 1, "version": SCHEMA_VERSION}, pk="id")

    def _narrow_fts_update_trigger(self) -> None:
        """sqlite-utils' FTS trigger re-indexes an article on *any* update; story, status and removal updates
        do not touch the text, so the trigger is limited to the indexed columns (FTS_COLUMNS)."""
        row = self.db.execute("select sql from sqlite_master where type = 'trigger' and name = 'articles_au'").fetchone()
        if row is None or " UPDATE OF " in row[0].upper():
            return
        columns = ", ".join(f'"{c}"' for c in FTS_COLUMNS)
        self.db.execute("drop trigger articles_au")
        self.db.execute(row[0].replace('AFTER UPDATE ON "articles"', f'AFTER UPDATE OF {columns} ON "articles"'))

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
        for row in reversed(self._pending):
            if row["url"] == url:
                return row["content_hash"]
        for source in reversed(self._pending_sources):
            if source["url"] == url:
                return source["content_hash"]
        known = self.article_for_url(url)
        return known[1] if known else None

    def pending_hashes(self) -> set[str]:
        return {row["content_hash"] for row in self._pending}

    # -- writes --------------------------------------------------------------------------------------------
    def discard_pending(self) -> None:
        """Forget the queued batch (after a write error: it will be fetched again on the next run)."""
        self._pending, self._pending_sources = [], []

    def add(self, item: dict, on_reject=None) -> None:
        """Queue an article (new content, or new content at a known URL); flushed every ``batch_size``.

        ``on_reject(url, reason, was_new)`` is called if this row cannot be written (the rest of its batch is kept)."""
        row = {name: repair_unstorable(item.get(name)) for name in ARTICLE_FIELDS}
        for name in JSON_FIELDS:
            if row[name] is not None:
                row[name] = json.dumps(row[name], ensure_ascii=False)
        row["from_cchc_section"] = int(bool(row["from_cchc_section"]))
        row["search_extra"] = d_folded_terms(row["title"], row["lead"], row["body_text"])
        row["_signature"] = item.get("story_signature")  # computed by the pipeline (or by a distributed worker)
        row["_on_reject"] = on_reject
        self._pending.append(row)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def add_source(self, url: str, content_hash: str, site: str) -> None:
        """Record that the article with ``content_hash`` was also seen at ``url``."""
        self._pending_sources.append({"url": url, "content_hash": content_hash, "site": site})
        if len(self._pending_sources) >= self.batch_size:
            self.flush()

    def flush(self) -> WriteResult:
        """Write everything queued in one transaction, taken with BEGIN IMMEDIATE so that another process
        writing the same database waits (busy timeout) instead of racing us between a check and an insert."""
        result = WriteResult()
        if not self._pending and not self._pending_sources:
            return result
        now = _now()
        rows, sources = self._pending, self._pending_sources
        self._pending, self._pending_sources = [], []
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for row in rows:
                self._write_row(row, now, result)
            for source in sources:
                article_id = self.article_id_for_hash(source["content_hash"])
                if article_id is not None:
                    self._touch_url(source["url"], article_id, source["site"], now, result)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result

    def _write_row(self, row: dict, now: str, result: WriteResult) -> None:
        """One article inside the batch's transaction, under a savepoint: a row SQLite refuses is rolled back
        alone, reported to its ``on_reject`` and logged; the rest of the batch is written."""
        on_reject = row.pop("_on_reject", None)
        conn = self.db.conn
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
            return
        conn.execute("RELEASE article_row")

    def _write_article(self, row: dict, now: str, result: WriteResult) -> None:
        minhash = decode_signature(row.pop("_signature", None))
        existing_id = self.article_id_for_hash(row["content_hash"])
        if existing_id is not None:  # same content already stored (a duplicate that raced the batch)
            self._touch_url(row["url"], existing_id, row["site"], now, result)
            result.unchanged += 1
            return
        at_url = self.article_for_url(row["url"])
        if at_url is not None:  # the page at a known URL changed: keep the old version, update in place
            article_id = at_url[0]
            self._keep_version(article_id, now)
            update = {k: v for k, v in row.items() if k not in ("url", "crawled_at")}
            update.update(updated_at=now, removed_at=None, removed_reason=None, status="edited",
                          published_month=(row.get("published_at_local") or "")[:7] or None)
            self.db["articles"].update(article_id, update)
            self.stories.assign(article_id, row["title"], row["body_text"], minhash)
            self._touch_url(row["url"], article_id, row["site"], now, result)
            result.updated += 1
            return
        self._insert_article(row, now, minhash)
        result.inserted += 1
        result.sources_added += 1

    def _insert_article(self, row: dict, now: str, minhash) -> None:
        """A new article: its story found before the insert, one prepared INSERT (FTS by trigger), its
        signature, bands and URL. The hot path of a first crawl and of a distributed writer."""
        conn = self.db.conn
        if minhash is None:
            minhash = signature(row["title"], row["body_text"])
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
        columns = tuple(row)
        sql = self._insert_sql.get(columns)
        if sql is None:
            sql = self._insert_sql[columns] = (f"insert into articles ({', '.join(f'[{c}]' for c in columns)}) "
                                               f"values ({', '.join('?' * len(columns))})")
        conn.execute(sql, list(row.values()))
        if keys:
            self.stories.index(article_id, minhash, keys)
        conn.execute("insert into article_urls (url, article_id, site, first_seen_at) values (?, ?, ?, ?)",
                     [row["url"], article_id, row["site"], now])

    def _keep_version(self, article_id: int, now: str) -> None:
        old = self.db.execute(
            f"select {', '.join(VERSION_FIELDS)}, coalesce(updated_at, first_seen_at) from articles where id = ?",
            [article_id],
        ).fetchone()
        values = dict(zip(VERSION_FIELDS, old[:-1]), article_id=article_id, seen_from=old[-1], replaced_at=now)
        self.db["article_versions"].insert(values)

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
        finally:
            self.db.close()
