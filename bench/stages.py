"""Per-stage cost per article: extraction, cleaning, dates, hashing, topics, validation, deduplication, write.

    .venv/bin/python bench/stages.py [--articles 250] [--sites 4]

Pages come from the synthetic mirror (tests/harness/synthetic.py: recorded pages of four CMS families with new
titles, dates and bodies), rendered in memory; each article is extracted, goes through the preparation stages
(crawler/prepare/stages.py ``STAGES``, the crawl's own list, in its order) timed one by one, through validation,
and into a new SQLite database through the real pipelines (the writer's time includes its batched commits, every
20 articles, and the story lookup).
"""
from __future__ import annotations

import sys

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path


from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from scrapy.http import HtmlResponse

from crawler.extract import extract_article
from crawler.prepare import STAGES as PREPARATION, validation_errors
from crawler.prepare.stages import Counts
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test harness (tests/harness)
from harness.synthetic import SyntheticMirror
from pipelines.deduplication import DeduplicationPipeline
from pipelines.sqlite_writer import SQLiteWriterPipeline

ROOT = Path(__file__).resolve().parent.parent

STAGES = ["download (parse)", "extraction", *(f"prepare: {stage.__name__}" for stage in PREPARATION), "validation",
          "deduplication", "database write"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=4)
    parser.add_argument("--articles", type=int, default=250, help="articles per site")
    args = parser.parse_args()
    mirror = SyntheticMirror(sites=args.sites, articles=args.articles)
    pages = [(f"https://{host}{mirror.article_path(s, i)}", mirror.render(f"/{host}{mirror.article_path(s, i)}").encode())
             for s, host in enumerate(mirror.hosts) for i in range(args.articles)]
    times: dict[str, list[float]] = defaultdict(list)
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        crawler = get_crawler(settings_dict={"CCHC_DB": f"{tmp}/stages.db", "CCHC_DB_BATCH_SIZE": 20})
        crawler.stats.open_spider()
        dedup = DeduplicationPipeline.from_crawler(crawler)
        writer = SQLiteWriterPipeline.from_crawler(crawler)
        counts = Counts()
        dedup.open_spider()
        writer.open_spider()

        def timed(stage, func, *a):
            t = time.perf_counter()
            result = func(*a)
            times[stage].append(time.perf_counter() - t)
            return result

        for url, body in pages:
            response = HtmlResponse(url=url, body=body, encoding="utf-8")
            timed("download (parse)", lambda: response.selector)  # lxml parse, shared by every finder
            item = timed("extraction", lambda: extract_article(response, now=now, generic=True))  # as the generic spider
            item["from_cchc_section"] = True
            for stage in PREPARATION:
                timed(f"prepare: {stage.__name__}", stage, item, counts)
            timed("validation", validation_errors, item)
            try:
                item = timed("deduplication", dedup.process_item, item)
            except DropItem:
                continue
            timed("database write", writer.process_item, item)
        t = time.perf_counter()
        writer.close_spider()
        times["database write"][-1] += time.perf_counter() - t  # the last commit
        dedup.close_spider()
    total = sum(sum(v) for v in times.values())
    print(f"{len(pages)} articles, average page {sum(len(b) for _, b in pages) / len(pages) / 1024:.0f} KB")
    print(f"{'stage':<18} {'median ms':>9} {'p95 ms':>7} {'mean ms':>8} {'share':>6}")
    for stage in STAGES:
        v = sorted(times[stage])
        print(f"{stage:<18} {statistics.median(v) * 1000:>9.2f} {v[int(0.95 * (len(v) - 1))] * 1000:>7.2f} "
              f"{statistics.fmean(v) * 1000:>8.2f} {sum(v) / total:>6.0%}")
    print(f"{'all':<18} {'':>9} {'':>7} {total / len(pages) * 1000:>8.2f} -> {len(pages) / total:.0f} articles/s on one core")


if __name__ == "__main__":
    main()
