"""SQLite writer (sqlite-utils): ``articles`` + ``article_urls`` + FTS5, WAL, small committed batches.

A database that cannot be written (read-only file, full disk) stops the crawl with a clear message and the
finish reason ``database_error``; what was committed before stays intact, and the next run goes on from there.
"""
from __future__ import annotations

import logging
import sqlite3

from crawler.items import ArticleGone, ArticleItem
from crawler.store import ROW_ERRORS
from pipelines.base import StorePipeline
from crawler.stats import Stat, Unwritable

logger = logging.getLogger(__name__)


class SQLiteWriterPipeline(StorePipeline):
    failed = False
    on_rejected = None  # the distributed writer's hook: (url, was_new), to correct its per-run counts

    def open_spider(self):
        super().open_spider()
        self.stats.set_value(Stat.DB_PATH, self.db_path)

    def close_spider(self):
        try:
            if self.store is not None and not self.failed:
                self.store.flush()
        except sqlite3.Error as exc:
            self._fail(exc)
        finally:
            super().close_spider()

    def process_item(self, item):
        if self.failed:
            return item
        try:
            if isinstance(item, ArticleGone):
                if self.store.mark_removed(item["url"], item["seen_at"], item["reason"]):
                    self.stats.inc_value(Stat.REMOVED)
                return item
            if not isinstance(item, ArticleItem):  # not an article (pipelines/intake.py let it through): feeds only
                return item
            self.store.add(dict(item), on_reject=self._rejected)
            item.pop("story_signature", None)  # stored as article_minhash; not for feeds
        except ROW_ERRORS as exc:  # this item only (a value the row cannot hold): dropped, counted, the crawl goes on
            self.stats.inc_value(Stat.DROPPED_UNWRITABLE)
            raise Unwritable(f"cannot store {item.get('url')}: {type(exc).__name__}: {exc}") from exc
        except sqlite3.Error as exc:
            self._fail(exc)
            return item
        self.stats.inc_value(Stat.STORED)
        return item

    def _rejected(self, url: str, reason: str, was_new: bool) -> None:
        """A queued article that SQLite refused when its batch was written: no longer counted as stored."""
        self.stats.inc_value(Stat.STORED, -1)
        self.stats.inc_value(Stat.NEW if was_new else Stat.UPDATED, -1)
        if self.on_rejected is not None:
            self.on_rejected(url, was_new)
        self.stats.inc_value(Stat.DROPPED_UNWRITABLE)
        self.stats.set_value(Stat.DROPPED_UNWRITABLE_LAST, f"{url}: {reason}")

    def _fail(self, exc: Exception) -> None:
        self.failed = True
        self.store.discard_pending()
        self.stats.set_value(Stat.DB_ERROR, str(exc))
        logger.error("cannot write to the database %s: %s. Check free disk space and that the file and its folder "
                     "are writable; the next run will continue from what was committed.", self.db_path, exc)
        engine = self.crawler.engine if self.crawler is not None else None  # None: the distributed writer
        if engine is not None and engine.spider is not None:
            engine.close_spider(engine.spider, "database_error")
