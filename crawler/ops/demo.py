"""Offline demo: serve the bundled fixture pages on 127.0.0.1 and crawl them as if they were the live sites."""
from __future__ import annotations

from pathlib import Path

from crawler.testing.fixture_server import FixtureServer, read_manifest
from crawler.registry import site_for_url
from crawler.ops.runner import run_all

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "sites"


def run_demo(db: str = "output/demo.db") -> int:
    folders = sorted(p for p in FIXTURES.iterdir() if (p / "MANIFEST.tsv").exists())
    keys = []
    for folder in folders:
        listings = [r["url"] for r in read_manifest(folder) if r["kind"] == "listing"]
        site = site_for_url(listings[0]) if listings else None
        if site is not None and listings[0] in site.start_urls:
            keys.append(site.key)
    with FixtureServer(folders) as server:
        print(f"Serving {len(folders)} mirrored sites on {server.base_url()} (pages under tests/fixtures/sites)")
        status = run_all(keys, {
            "CCHC_DB": db,
            "CCHC_MIRROR": server.base_url() + "/{host}",
            # The saved pages are years old: do not report the sites as having stopped publishing.
            "CCHC_STALE_MIN_DAYS": 36500,
            "CCHC_LOG_FILE": str(Path(db).with_suffix(".log")),
        })
    print(f"Then search without diacritics, e.g. http://127.0.0.1:8001/{Path(db).stem}/cchc_articles?_search=cai+cach+hanh+chinh")
    return status
