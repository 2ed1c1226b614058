"""Offline demo: serve the bundled fixture pages on 127.0.0.1 and crawl them as if they were the live sites."""
from __future__ import annotations

from pathlib import Path

from crawler.fixture_server import FixtureServer, read_manifest
from crawler.registry import host_of, site_for_url
from crawler.runner import crawl, print_summary, site_failed

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sites"


def demo_jobs(server: FixtureServer, folders: list[Path]) -> list[tuple[str, dict]]:
    jobs = []
    for folder in folders:
        listings = [r["url"] for r in read_manifest(folder) if r["kind"] == "listing"]
        site = site_for_url(listings[0]) if listings else None
        if site is None:
            continue
        jobs.append((site.key, {"base_url": server.base_url(host_of(listings[0])), "start_urls": ",".join(listings[:1]),
                                "max_pages": "2"}))
    return jobs


def run_demo(db: str = "output/demo.db") -> int:
    folders = sorted(p for p in FIXTURES.iterdir() if (p / "MANIFEST.tsv").exists())
    with FixtureServer(folders) as server:
        print(f"Serving {len(folders)} mirrored sites on {server.base_url()} (pages under tests/fixtures/sites)")
        results = crawl(demo_jobs(server, folders), {"CCHC_DB": db, "LOG_LEVEL": "WARNING"})
    print_summary(results)
    print(f"\nDatabase: {db}\nBrowse it:  .venv/bin/datasette {db}   (then open http://127.0.0.1:8001/)\n"
          f"Try a search without diacritics, e.g. http://127.0.0.1:8001/{Path(db).stem}/articles?_search=cai+cach+hanh+chinh")
    return 1 if any(site_failed(s) for s in results.values()) else 0
