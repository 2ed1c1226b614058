"""Fetching only what is new: known article URLs, the re-check window, and listing validators.

A nightly run downloads an article URL again only while the article is young (``CCHC_RECHECK_DAYS``, to catch
edits and take-downs); listing pages are fetched with If-None-Match / If-Modified-Since from the last run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from crawler.store.database import now_iso


@dataclass
class KnownArticles:
    """The URLs a site already has in the database; ``recent`` are inside the re-check window."""

    urls: set[str] = field(default_factory=set)
    recent: set[str] = field(default_factory=set)
    routes: list[str] = field(default_factory=list)  # feeds and sitemaps an earlier run discovered (site_discoveries)

    @classmethod
    def load(cls, db, site: str, recheck_days: float, now: datetime | None = None) -> "KnownArticles":
        now = now or datetime.now(timezone.utc)
        since = (now - timedelta(days=recheck_days)).isoformat().replace("+00:00", "Z")
        known, recent = set(), set()
        for url, born, removed_at in db.execute(
            "select u.url, coalesce(a.published_at, a.first_seen_at) as born, u.removed_at from article_urls u "
            "join articles a on a.id = u.article_id where u.site = ?", [site]
        ):
            known.add(url)
            if removed_at is None and born and born >= since:
                recent.add(url)
        return cls(known, recent)

    @property
    def first_crawl(self) -> bool:
        return not self.urls

    def should_fetch(self, url: str) -> bool:
        return url not in self.urls or url in self.recent


def load_validators(db, urls: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """ETag and Last-Modified saved for these listing URLs by the last complete run."""
    found = {}
    for url in urls:
        row = db.execute("select etag, last_modified from http_validators where url = ?", [url]).fetchone()
        if row:
            found[url] = (row[0], row[1])
    return found


def save_validators(db, validators: dict[str, tuple[str | None, str | None]]) -> None:
    now = now_iso()
    with db.atomic():
        for url, (etag, modified) in validators.items():
            db.execute("insert or replace into http_validators (url, etag, last_modified, checked_at) "
                       "values (?, ?, ?, ?)", [url, etag, modified, now])


def browser_remembered(db, site: str) -> bool:
    """True when an earlier run found that this site's listings need a browser."""
    return db.execute("select 1 from browser_sites where site = ?", [site]).fetchone() is not None


def remember_browser(db, site: str, listing_url: str) -> None:
    with db.atomic():
        db.execute("insert or ignore into browser_sites (site, since, listing_url) values (?, ?, ?)",
                   [site, now_iso(), listing_url])
