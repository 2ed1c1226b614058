"""``python -m crawler browse [DB]``: Datasette on the database, read-only, with the project's metadata.

The metadata (titles and descriptions in Vietnamese and English, column descriptions, facets, newest-first
sorting, full-text search, canned queries, an Atom feed of a saved search, and a dashboard of charts with
datasette-dashboards) is the checked-in crawler/web/datasette.yaml, keyed here by the database's name, with
the pivots whose columns depend on the data (crawler/store/browsing.py). The plugin crawler/web/plugins/
cchc_browse.py gives search its meaning and cells their links; crawler/web/static holds its CSS and JS.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import yaml

from crawler.store import migrate, pivot_queries


METADATA_FILE = Path(__file__).with_name("datasette.yaml")
PLACEHOLDER = "cchc"  # the database key in datasette.yaml
STATIC = Path(__file__).with_name("static")


def _retarget(value, db: str):
    """The /cchc/ links of description_html values, pointed at the database being browsed."""
    if isinstance(value, dict):
        return {k: (v.replace(f"/{PLACEHOLDER}/", f"/{db}/") if k == "description_html" else _retarget(v, db))
                for k, v in value.items()}
    return value


def metadata(db_path: str) -> dict:
    """datasette.yaml, keyed by the name of the database at ``db_path`` (Datasette keys metadata by it)."""
    meta = yaml.safe_load(METADATA_FILE.read_text(encoding="utf-8"))
    db = Path(db_path).stem
    queries = meta["databases"][PLACEHOLDER]["queries"]
    for name, sql in pivot_queries().items():
        queries[name]["sql"] = sql
    meta["databases"] = {db: meta["databases"].pop(PLACEHOLDER)}
    meta = _retarget(meta, db)
    if os.environ.get("CCHC_SOURCE_URL"):  # where this copy's code lives (the footer's "Source" link)
        meta["source_url"] = os.environ["CCHC_SOURCE_URL"]
    for dashboard in meta.get("plugins", {}).get("datasette-dashboards", {}).values():
        for chart in dashboard.get("charts", {}).values():
            chart["db"] = db
    return meta


def canned_queries() -> dict:
    """name -> canned query (title, sql, ...), as the browser shows them (bench/database.py times them)."""
    return metadata(PLACEHOLDER)["databases"][PLACEHOLDER]["queries"]


def browse(db_path: str, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Start Datasette (blocking) and print the address."""
    if Path(db_path).is_dir():
        print(f"browse: {db_path} is a folder, not a database file", file=sys.stderr)
        return 2
    if not Path(db_path).exists():
        print(f"no database at {db_path}: crawl first (bin/crawl, or the offline demo: python -m crawler demo)", file=sys.stderr)
        return 2
    try:
        migrate(db_path)  # an older database gets today's columns (the canned queries read them)
    except sqlite3.OperationalError as exc:  # e.g. a read-only copy: it can still be browsed as it is
        print(f"note: {db_path} could not be brought to today's schema ({exc}); some pages may fail", file=sys.stderr)
    except sqlite3.DatabaseError as exc:  # not a database, or a damaged one: Datasette would only fail later
        print(f"browse: {exc}", file=sys.stderr)
        return 1
    meta = Path(db_path).with_suffix(".datasette.json")
    meta.write_text(json.dumps(metadata(db_path), ensure_ascii=False, indent=1), encoding="utf-8")
    datasette = shutil.which("datasette", path=str(Path(sys.executable).parent)) or "datasette"
    print(f"Datasette on http://{host}:{port}/{Path(db_path).stem}/cchc_articles  (Ctrl-C to stop)", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {host}, reachable from other machines", file=sys.stderr)
    args = [datasette, "serve", db_path, "--metadata", str(meta), "--host", host, "--port", str(port),
            "--template-dir", str(Path(__file__).with_name("templates")),
            "--plugins-dir", str(Path(__file__).with_name("plugins")), "--static", f"cchc-static:{STATIC}",
            "--setting", "default_page_size", "50", "--setting", "sql_time_limit_ms", "3000",
            # per_province_month returns one row per province and period: 34 provinces x 14 years of months fit
            "--setting", "max_returned_rows", "10000"]
    os.execv(datasette, args)
    return 0  # not reached
