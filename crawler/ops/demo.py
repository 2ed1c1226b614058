"""Offline demo: serve the saved pages of the sites (``CCHC_FIXTURES_DIR``, the checkout's tests/fixtures) on
127.0.0.1 and crawl them as if they were the live sites."""
from __future__ import annotations

from pathlib import Path

import sys

from crawler.ops.fixture_pages import SITES
from crawler.ops.runner import run_all
from crawler.ops.saved_pages import FixtureServer, read_manifest
from crawler.registry import site_for_url


def run_demo(db: str = "output/demo.db") -> int:
    if not SITES.is_dir():
        print(f"demo: no saved pages at {SITES.resolve()}: run it from the repository's folder (its tests/fixtures), "
              "or set CCHC_FIXTURES_DIR to a folder with sites/<domain>/MANIFEST.tsv", file=sys.stderr)
        return 2
    folders = sorted(p for p in SITES.iterdir() if (p / "MANIFEST.tsv").exists())
    keys = []
    for folder in folders:
        listings = [r["url"] for r in read_manifest(folder) if r["kind"] == "listing"]
        site = site_for_url(listings[0]) if listings else None
        if site is not None and listings[0] in site.start_urls:
            keys.append(site.key)
    with FixtureServer(folders) as server:
        print(f"Serving {len(folders)} mirrored sites on {server.base_url()} (pages under {SITES})")
        status = run_all(keys, {
            "CCHC_DB": db,
            "CCHC_MIRROR": server.base_url() + "/{host}",
            # The saved pages are years old: do not report the sites as having stopped publishing.
            "CCHC_STALE_MIN_DAYS": 36500,
            "CCHC_LOG_FILE": str(Path(db).with_suffix(".log")),
        })
    print(f"Then search without diacritics, e.g. http://127.0.0.1:8001/{Path(db).stem}/cchc_articles?_search=cai+cach+hanh+chinh")
    return status
