"""``site_discoveries``: the feeds, sitemaps and sections a site's first run found (one row per site)."""
from __future__ import annotations

import json
import sqlite3

from crawler.store.database import now_iso

LISTS = ("feeds", "sitemaps", "cchc_sections", "news_sections", "problems")


def save_discovery(db, site: str, found: dict) -> None:
    row = {"site": site, "discovered_at": now_iso(), "homepage": found.get("homepage"), "cms": found.get("cms")}
    row.update({name: json.dumps(found.get(name) or [], ensure_ascii=False) for name in LISTS})
    with db.atomic():
        db["site_discoveries"].insert(row, pk="site", replace=True)


def _decoded(row) -> dict:
    found = dict(row)
    for name in LISTS:
        found[name] = json.loads(found.get(name) or "[]")
    return found


def _cursor(db):
    cursor = db.conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor


def load_discovery(db, site: str) -> dict | None:
    row = _cursor(db).execute("select * from site_discoveries where site = ?", [site]).fetchone()
    return _decoded(row) if row else None


def all_discoveries(db) -> dict[str, dict]:
    return {row["site"]: _decoded(row) for row in _cursor(db).execute("select * from site_discoveries")}
