"""``site_discoveries``: the feeds, sitemaps and sections a site's first run found (one row per site)."""
from __future__ import annotations

import json

from crawler.store.articles import ArticleStore
from crawler.store.database import connection, now_iso

LISTS = ("feeds", "sitemaps", "cchc_sections", "news_sections", "problems")


def save_discovery(db_path: str, site: str, found: dict) -> None:
    row = {"site": site, "discovered_at": now_iso(), "homepage": found.get("homepage"), "cms": found.get("cms")}
    row.update({name: json.dumps(found.get(name) or [], ensure_ascii=False) for name in LISTS})
    store = ArticleStore.shared(db_path)
    try:
        with store.db.atomic():
            store.db["site_discoveries"].insert(row, pk="site", replace=True)
    finally:
        store.release()


def _decoded(row) -> dict:
    found = dict(row)
    for name in LISTS:
        found[name] = json.loads(found.get(name) or "[]")
    return found


def load_discovery(db_path: str | None, site: str) -> dict | None:
    with connection(db_path) as con:
        if con is None:
            return None
        row = con.execute("select * from site_discoveries where site = ?", [site]).fetchone()
    return _decoded(row) if row else None


def all_discoveries(db_path: str | None) -> dict[str, dict]:
    with connection(db_path) as con:
        if con is None:
            return {}
        return {row["site"]: _decoded(row) for row in con.execute("select * from site_discoveries")}
