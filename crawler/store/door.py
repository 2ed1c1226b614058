"""The store's front door: one object that owns the database connection of a crawl and offers every operation the
rest of the code needs (articles, what a site already has, listing validators, browser sites, discoveries, runs).

A crawl's components (pipelines, middlewares, extensions, monitors) take the crawl's store with
``Store.of(crawler)``; the spiders never write (what they learn goes out as a signal, for the component that owns
it). The store is shared by every crawler of the process that names the same file (``crawlall``: one SQLite
writer) and closed when the last of them stops. A command outside a crawl (``health``, ``crawlall``'s summary, the
distributed writer) opens one for as long as it needs with ``Store.opened(path)``.
"""
from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path

from crawler.store import discoveries, documents, incremental, runs, versions
from crawler.store.articles import ArticleStore
from crawler.store.batch import BATCH_SECONDS, BATCH_SIZE
from crawler.store.incremental import KnownArticles


class Store:
    def __init__(self, path: str, batch_size: int = BATCH_SIZE, batch_seconds: float = BATCH_SECONDS):
        self.path = str(path)
        self.articles = ArticleStore.shared(self.path, batch_size, batch_seconds)
        self.db = self.articles.db
        self._closed = False

    @classmethod
    def of(cls, crawler) -> "Store | None":
        """The crawl's store (CCHC_DB), opened on first use and closed when the crawl's engine stops; None when
        the crawl has no database (CCHC_DB empty: feeds only, or a distributed worker)."""
        store = getattr(crawler, "cchc_store", None)
        if store is None:
            from scrapy import signals  # a crawl's: the store package is also read by Datasette and the commands

            path = crawler.settings.get("CCHC_DB")
            if not path:
                return None
            settings = crawler.settings
            store = cls(path, settings.getint("CCHC_DB_BATCH_SIZE"), settings.getfloat("CCHC_DB_BATCH_SECONDS"))
            crawler.cchc_store = store
            crawler.signals.connect(store.close, signal=signals.engine_stopped, weak=False)
        return store

    @classmethod
    @contextlib.contextmanager
    def opened(cls, path: str | None):
        """A store for a command's while (None when there is no database file yet: nothing is created)."""
        if not path or not Path(path).exists():
            yield None
            return
        store = cls(path)
        try:
            yield store
        finally:
            store.close()

    @staticmethod
    def flush_all() -> None:
        """Write every open store's queued batch (a forced shutdown skipped the pipelines' close)."""
        ArticleStore.flush_all()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.articles.release()

    # -- articles ------------------------------------------------------------------------------------------
    def classify(self, url: str, content_hash: str, site: str) -> str:
        return self.articles.classify(url, content_hash, site)

    def add(self, item: dict, on_reject=None) -> None:
        self.articles.add(item, on_reject=on_reject)

    def mark_removed(self, url: str, when: str, reason: str) -> bool:
        return self.articles.mark_removed(url, when, reason)

    def flush(self):
        return self.articles.flush()

    def discard_pending(self) -> None:
        self.articles.discard_pending()

    # -- documents (crawler/store/documents.py) -------------------------------------------------------------
    def keep_document(self, entry: dict, url: str | None = None, etag: str | None = None,
                      last_modified: str | None = None) -> None:
        """Queue a document's reading (an attachment entry with its sha256) and, given ``url``, that URL's answer
        (its validators for a conditional request next time); written with the next batch, whatever becomes of
        the article that attached it (a document read is kept: it is not read again)."""
        if self.articles.batch.add_document(entry, url, etag, last_modified):
            self.flush()

    def stored_document(self, sha256: str) -> dict | None:
        """The reading of these bytes: queued in this batch, or stored."""
        queued = next((e for e, *_ in reversed(self.articles.batch.documents) if e.get("sha256") == sha256), None)
        return queued or documents.stored_document(self.db.conn, sha256)

    def document_at(self, url: str) -> dict | None:
        """The last answer at a document URL: queued in this batch, or stored."""
        queued = next(({"sha256": e["sha256"], "content_type": e.get("content_type"), "etag": etag,
                        "last_modified": modified} for e, at, etag, modified in reversed(self.articles.batch.documents)
                       if at == url), None)
        return queued or documents.document_at(self.db.conn, url)

    def documents_waiting(self, site: str, limit: int = 100) -> list[tuple[str, str]]:
        self.flush()
        return documents.documents_waiting(self.db.conn, site, limit)

    # -- the archive (crawler/archive) and re-extraction -------------------------------------------------------
    def revise(self, article_id: int, item: dict, reason: str = versions.REEXTRACTED) -> None:
        """A stored article read again from its archived response: a new version (``ArticleStore.revise``)."""
        self.articles.revise(article_id, item, reason)

    def differences(self, article_id: int, item: dict) -> dict[str, tuple] | None:
        return self.articles.differences(article_id, item)

    def read_once(self) -> None:
        """For a command that reads each article once (``reextract``): a 4 MB page cache instead of CCHC_DB_CACHE_MB,
        which a pass over a million articles would only fill (the memory stays flat)."""
        self.db.execute("PRAGMA cache_size = -4096")

    def article_id_for_hash(self, content_hash: str) -> int | None:
        return self.articles.article_id_for_hash(content_hash)

    def archived_articles(self, site: str | None = None, since: str | None = None, after_id: int = 0,
                          limit: int = 500) -> list[dict]:
        return versions.archived_articles(self.db.conn, site, since, after_id, limit)

    def repeated_titles(self, site: str | None, at_least: int) -> list[tuple[str, str]]:
        return versions.repeated_titles(self.db.conn, site, at_least)

    def archive_location(self, url: str) -> tuple[str, int, str] | None:
        return versions.archive_location(self.db.conn, url)

    def archive_summary(self) -> tuple[int, int, str | None, int | None]:
        return versions.archive_summary(self.db.conn)

    def archived_if_missing(self, url: str, archive) -> None:
        """An unchanged page's response, for an article that has no archived response yet (stored before the archive
        existed): its location is recorded."""
        if archive:
            with self.db.conn:
                versions.link_if_missing(self.db.conn, url, archive)

    def forget_archive_files(self, names: list[str]) -> int:
        """Locations in archive files retention deleted are forgotten (the articles stay)."""
        self.flush()
        with self.db.conn:
            return versions.forget_files(self.db.conn, names)

    # -- what a site already has ---------------------------------------------------------------------------
    def crawl_state(self, site: str, recheck_days: float, now: datetime | None = None) -> tuple[KnownArticles, bool]:
        """The site's known articles (with the feeds and sitemaps an earlier run discovered) and whether its
        listings need a browser."""
        known = KnownArticles.load(self.db, site, recheck_days, now)
        found = discoveries.load_discovery(self.db, site)
        if found:
            known.routes = [f["url"] for f in found["feeds"]] + [s["url"] for s in found["sitemaps"]]
        return known, incremental.browser_remembered(self.db, site)

    def remember_browser(self, site: str, listing_url: str) -> None:
        incremental.remember_browser(self.db, site, listing_url)

    def validators(self, urls: list[str]) -> dict:
        return incremental.load_validators(self.db, urls)

    def save_validators(self, validators: dict) -> None:
        incremental.save_validators(self.db, validators)

    def discovery(self, site: str) -> dict | None:
        return discoveries.load_discovery(self.db, site)

    def save_discovery(self, site: str, found: dict) -> None:
        discoveries.save_discovery(self.db, site, found)

    def all_discoveries(self) -> dict[str, dict]:
        return discoveries.all_discoveries(self.db)

    # -- runs ----------------------------------------------------------------------------------------------
    def record_run(self, row: dict) -> None:
        """The run's row, after the store's last batch (so that its counts and the articles agree)."""
        self.flush()
        runs.insert_run(self.db, row)

    def insert_run(self, row: dict) -> None:
        runs.insert_run(self.db, row)

    def set_run_counts(self, counts_by_run: dict[str, dict]) -> None:
        runs.set_run_counts(self.db, counts_by_run)

    def record_monitor_result(self, run_id: str, failures: list[str], verdict: str, reason: str) -> None:
        runs.record_monitor_result(self.db, run_id, failures, verdict, reason)

    def recorded_verdicts(self, run_ids: list[str]) -> dict[str, tuple[str, str]]:
        return runs.recorded_verdicts(self.db, run_ids)

    def newest_publication_dates(self, site: str, limit: int = 30) -> list[str]:
        return runs.newest_publication_dates(self.db, site, limit)

    def body_length_history(self, site: str, run_id: str, limit: int = 5):
        return runs.body_length_history(self.db, site, run_id, limit)

    def runs_by_site(self):
        return runs.runs_by_site(self.db)


def crawl_state_from_database(crawler, spider) -> tuple[KnownArticles, bool]:
    """CCHC_CRAWL_STATE of a single-process crawl: the site's known articles and whether its listings need a
    browser, from the crawl's store (nothing known without a database)."""
    store = Store.of(crawler)
    if store is None:
        return KnownArticles(), False
    return store.crawl_state(spider.site_key, crawler.settings.getfloat("CCHC_RECHECK_DAYS"))
