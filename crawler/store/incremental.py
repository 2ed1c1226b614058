"""Fetching only what is new: known article URLs, the re-check window, and listing validators.

A nightly run downloads an article URL again only while the article is young (``CCHC_RECHECK_DAYS``, to catch
edits and take-downs); listing pages are fetched with If-None-Match / If-Modified-Since from the last run.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from crawler.store.storage import migrate


def _connect(db_path: str | None) -> sqlite3.Connection | None:
    if not db_path or not Path(db_path).exists():
        return None
    migrate(db_path)  # an older database gets today's columns before the first query
    con = sqlite3.connect(db_path, timeout=10)
    con.row_factory = sqlite3.Row
    return con


def _tables(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("select name from sqlite_master where type = 'table'")}


@dataclass
class KnownArticles:
    """The URLs a site already has in the database; ``recent`` are inside the re-check window."""

    urls: set[str] = field(default_factory=set)
    recent: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, db_path: str | None, site: str, recheck_days: float, now: datetime | None = None) -> "KnownArticles":
        con = _connect(db_path)
        if con is None:
            return cls()
        try:
            if "article_urls" not in _tables(con):
                return cls()
            now = now or datetime.now(timezone.utc)
            since = (now - timedelta(days=recheck_days)).isoformat().replace("+00:00", "Z")
            known, recent = set(), set()
            for row in con.execute(
                "select u.url, coalesce(a.published_at, a.first_seen_at) as born, u.removed_at from article_urls u "
                "join articles a on a.id = u.article_id where u.site = ?", [site]
            ):
                known.add(row["url"])
                if row["removed_at"] is None and row["born"] and row["born"] >= since:
                    recent.add(row["url"])
            return cls(known, recent)
        finally:
            con.close()

    @property
    def first_crawl(self) -> bool:
        return not self.urls

    def should_fetch(self, url: str) -> bool:
        return url not in self.urls or url in self.recent


def load_validators(db_path: str | None, urls: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """ETag and Last-Modified saved for these listing URLs by the last complete run."""
    con = _connect(db_path)
    if con is None:
        return {}
    try:
        if "http_validators" not in _tables(con):
            return {}
        found = {}
        for url in urls:
            row = con.execute("select etag, last_modified from http_validators where url = ?", [url]).fetchone()
            if row:
                found[url] = (row["etag"], row["last_modified"])
        return found
    finally:
        con.close()


def save_validators(db_path: str, validators: dict[str, tuple[str | None, str | None]]) -> None:
    from crawler.store.storage import ArticleStore

    store = ArticleStore.shared(db_path)
    try:
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        with store.db.atomic():
            for url, (etag, modified) in validators.items():
                store.db.execute(
                    "insert or replace into http_validators (url, etag, last_modified, checked_at) values (?, ?, ?, ?)",
                    [url, etag, modified, now],
                )
    finally:
        store.release()


def browser_remembered(db_path: str | None, site: str) -> bool:
    """True when an earlier run found that this site's listings need a browser."""
    con = _connect(db_path)
    if con is None:
        return False
    try:
        if "browser_sites" not in _tables(con):
            return False
        return con.execute("select 1 from browser_sites where site = ?", [site]).fetchone() is not None
    finally:
        con.close()


def remember_browser(db_path: str, site: str, listing_url: str) -> None:
    from crawler.store.storage import ArticleStore

    store = ArticleStore.shared(db_path)
    try:
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        with store.db.atomic():
            store.db.execute("insert or ignore into browser_sites (site, since, listing_url) values (?, ?, ?)",
                             [site, now, listing_url])
    finally:
        store.release()
