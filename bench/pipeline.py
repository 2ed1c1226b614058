"""Where the time goes: the full crawl against a bare spider on the same local mirror, and per-stage costs.

    .venv/bin/python bench/pipeline.py [--pages 2000] [--sites 4]

1. End to end: N article pages over several sites, served on 127.0.0.1 with no delay. The full crawl
   (extraction, cleaning, dates, hashing, topics, near-duplicates, SQLite) and a bare Scrapy spider that
   downloads the same pages and yields the raw HTML, each in its own process, same concurrency settings.
2. Per stage, in one process over the same pages: median and p95 milliseconds per article.
"""
from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.fixture_server import FixtureServer  # noqa: E402

SEED_PAGES = sorted((ROOT / "tests" / "fixtures" / "sites").glob("*/article-*.html"))
BARE_SPIDER = '''
import scrapy

class BareSpider(scrapy.Spider):
    """Downloads the listing's links and yields the raw HTML, nothing else."""
    name = "bare"

    def __init__(self, start_urls="", base_url="", **kwargs):
        super().__init__(**kwargs)
        self.start_urls = start_urls.split(",")
        from crawler.registry import host_of
        self.mirrors = {host_of(u): base_url.rstrip("/") + "/" + host_of(u) for u in self.start_urls}

    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.article)

    def article(self, response):
        yield {"url": response.url, "html": response.text}
'''


def build(folder: Path, pages: int, sites: int) -> list[str]:
    """Article pages made from the fixtures' article pages (text varied so that each is a new article)."""
    templates = [p.read_text(encoding="utf-8") for p in SEED_PAGES]
    starts = []
    for s in range(sites):
        host = f"bench{s}.example.gov.vn"
        site = folder / host
        site.mkdir()
        rows, links = [], []
        for n in range(s, pages, sites):
            html = templates[n % len(templates)].replace("</h1>", f" (bản {n})</h1>", 1).replace("<p>", f"<p>Số {n}. ", 3)
            path = f"/tin/bai-{n}-{100000 + n}.html"
            (site / f"a{n}.html").write_text(html, encoding="utf-8")
            rows.append({"url": f"https://{host}{path}", "file": f"a{n}.html", "provenance": "synthetic",
                         "kind": "article", "source": "bench"})
            links.append(f"<li class='item'><a href='{path}'>Bài viết số {n} về cải cách hành chính</a></li>")
        (site / "list.html").write_text(f"<html><body><ul class='news'>{''.join(links)}</ul></body></html>", encoding="utf-8")
        rows.append({"url": f"https://{host}/tin-tuc", "file": "list.html", "provenance": "synthetic", "kind": "listing",
                     "source": "bench"})
        with open(site / "MANIFEST.tsv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, ["url", "file", "provenance", "kind", "source"], delimiter="\t")
            writer.writeheader()
            writer.writerows(rows)
        starts.append(f"https://{host}/tin-tuc")
    return starts


COMMON = ["-s", "LOG_LEVEL=WARNING", "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
          "-s", "ROBOTSTXT_OBEY=0", "-s", "CCHC_PROGRESS_INTERVAL=0", "-s", "SPIDERMON_ENABLED=0"]


def end_to_end(tmp: Path, starts: list[str], server: FixtureServer, pages: int) -> tuple[float, float]:
    scrapy = str(ROOT / ".venv" / "bin" / "scrapy")
    # all sites in one process (crawlall) for the full crawl
    t0 = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", (
        "import sys; sys.path.insert(0, '.');"
        "from crawler.runner import crawl, project_settings;"
        f"starts={starts!r}; base={server.base_url()!r};"
        "s = project_settings({'LOG_LEVEL': 'WARNING', 'CONCURRENT_REQUESTS': 16, 'CONCURRENT_REQUESTS_PER_DOMAIN': 8,"
        " 'ROBOTSTXT_OBEY': False, 'CCHC_PROGRESS_INTERVAL': 0, 'SPIDERMON_ENABLED': False});"
        "crawl([('generic', {'start_urls': u, 'base_url': base + '/' + u.split('/')[2], 'max_pages': '1'}) for u in starts], s)")],
        cwd=ROOT, env=dict(os.environ, CCHC_DB=str(tmp / "full2.db")), capture_output=True, text=True)
    full = time.perf_counter() - t0
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    bare_file = tmp / "bare_spider.py"
    bare_file.write_text(BARE_SPIDER, encoding="utf-8")
    t0 = time.perf_counter()
    result = subprocess.run([scrapy, "runspider", str(bare_file), "-a", f"start_urls={','.join(starts)}", "-a",
                             f"base_url={server.base_url()}", "-s", "ITEM_PIPELINES={}", "-s", "EXTENSIONS={}",
                             "-s", "DOWNLOADER_MIDDLEWARES={}", *COMMON],
                            cwd=ROOT, env=dict(os.environ, CCHC_DB=""), capture_output=True, text=True)
    bare = time.perf_counter() - t0
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    return full, bare


def stages(pages: list[tuple[str, bytes]], tmp: Path) -> dict[str, list[float]]:
    from scrapy.http import HtmlResponse

    from crawler.cleaning import clean_article
    from crawler.extract import extract_article
    from crawler.processing import assign_content_hash, assign_date, assign_topics, validation_errors
    from crawler.storage import ArticleStore

    store = ArticleStore(tmp / "stages.db", batch_size=20)
    times: dict[str, list[float]] = {k: [] for k in ("extraction", "cleaning", "dates", "hashing", "topics",
                                                       "validation", "deduplication", "database write")}
    now = datetime.now(timezone.utc)
    for url, body in pages:
        t = time.perf_counter
        t0 = t()
        item = extract_article(HtmlResponse(url, body=body, encoding="utf-8"), now=now)
        t1 = t(); clean_article(item)
        t2 = t(); assign_date(item, now)
        t3 = t(); assign_content_hash(item)
        t4 = t(); assign_topics(item)
        t5 = t(); validation_errors(item)
        t6 = t(); store.known_hash_for_url(item["url"]); store.article_id_for_hash(item["content_hash"])
        t7 = t(); store.add(dict(item))
        t8 = t()
        for name, a, b in (("extraction", t0, t1), ("cleaning", t1, t2), ("dates", t2, t3), ("hashing", t3, t4),
                           ("topics", t4, t5), ("validation", t5, t6), ("deduplication", t6, t7), ("database write", t7, t8)):
            times[name].append((b - a) * 1000)
    t0 = time.perf_counter()
    store.close()
    times["database write"][-1] += (time.perf_counter() - t0) * 1000
    return times


def run(pages: int, sites: int) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "mirror").mkdir()
        starts = build(tmp / "mirror", pages, sites)
        folders = sorted(p for p in (tmp / "mirror").iterdir())
        with FixtureServer(folders) as server:
            full, bare = end_to_end(tmp, starts, server, pages)
        print(f"end to end, {pages} article pages over {sites} sites on 127.0.0.1 (16 concurrent, 8 per site):")
        print(f"  {'full crawl (all pipelines, SQLite)':<40}{pages / full:>8.0f} pages/s   ({full:.1f} s)")
        print(f"  {'bare spider (download, yield raw HTML)':<40}{pages / bare:>8.0f} pages/s   ({bare:.1f} s)")
        print(f"  ratio full / bare: {bare / full:.2f}  (target >= 0.60)")
        sample = []
        for folder in folders:
            for row in csv.DictReader(open(folder / "MANIFEST.tsv", encoding="utf-8"), delimiter="\t"):
                if row["kind"] == "article" and len(sample) < 600:
                    sample.append((row["url"], (folder / row["file"]).read_bytes()))
        times = stages(sample, tmp)
    print(f"\nper article, {len(sample)} pages in one process (ms):")
    print(f"  {'stage':<16}{'median':>8}{'p95':>8}{'share':>8}")
    total = sum(statistics.median(v) for v in times.values())
    for name, values in sorted(times.items(), key=lambda kv: -statistics.median(kv[1])):
        ordered = sorted(values)
        print(f"  {name:<16}{statistics.median(values):>8.2f}{ordered[int(len(ordered) * 0.95) - 1]:>8.2f}"
              f"{statistics.median(values) / total:>8.0%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--sites", type=int, default=4)
    a = parser.parse_args()
    run(a.pages, a.sites)
