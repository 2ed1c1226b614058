"""Fetching only what is new: known article URLs, the re-check window, and listing validators.

A nightly run downloads an article URL again only while the article is young (``CCHC_RECHECK_DAYS``, to catch
edits and take-downs); listing pages are fetched with If-None-Match / If-Modified-Since from the last run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from crawler.store.articles import ArticleStore
from crawler.store.database import connection, now_iso


@dataclass
class KnownArticles:
    """The URLs a site already has in the database; ``recent`` are inside the re-check window."""

    urls: set[str] = field(default_factory=set)
    recent: set[str] = field(default_factory=set)
    routes: list[str] = field(default_factory=list)  # feeds and sitemaps an earlier run discovered (site_discoveries)

    @classmethod
    def load(cls, db_path: str | None, site: str, recheck_days: float, now: datetime | None = None) -> "KnownArticles":
        with connection(db_path) as con:
            if con is None:
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

    @property
    def first_crawl(self) -> bool:
        return not self.urls

    def should_fetch(self, url: str) -> bool:
        return url not in self.urls or url in self.recent


def load_validators(db_path: str | None, urls: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """ETag and Last-Modified saved for these listing URLs by the last complete run."""
    with connection(db_path) as con:
        if con is None:
            return {}
        found = {}
        for url in urls:
            row = con.execute("select etag, last_modified from http_validators where url = ?", [url]).fetchone()
            if row:
                found[url] = (row["etag"], row["last_modified"])
        return found


def save_validators(db_path: str, validators: dict[str, tuple[str | None, str | None]]) -> None:
    store = ArticleStore.shared(db_path)
    try:
        now = now_iso()
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
    with connection(db_path) as con:
        if con is None:
            return False
        return con.execute("select 1 from browser_sites where site = ?", [site]).fetchone() is not None


def remember_browser(db_path: str, site: str, listing_url: str) -> None:
    store = ArticleStore.shared(db_path)
    try:
        now = now_iso()
        with store.db.atomic():
            store.db.execute("insert or ignore into browser_sites (site, since, listing_url) values (?, ?, ?)",
                             [site, now, listing_url])
    finally:
        store.release()


def crawl_state_from_database(crawler, spider) -> tuple[KnownArticles, bool]:
    """CCHC_CRAWL_STATE of a single-process crawl: the site's known articles and whether its listings need a
    browser, from the database (CCHC_DB)."""
    from crawler.store.discoveries import load_discovery

    db = crawler.settings.get("CCHC_DB")
    known = KnownArticles.load(db, spider.site_key, crawler.settings.getfloat("CCHC_RECHECK_DAYS", 7))
    found = load_discovery(db, spider.site_key)
    if found:
        known.routes = [f["url"] for f in found["feeds"]] + [s["url"] for s in found["sitemaps"]]
    return known, browser_remembered(db, spider.site_key)
