"""Database scale: 1,000,000 articles loaded by the bulk import, the nightly writer on top, then search and
facet latency, the provinces-over-time counts (per_province_month), and file size (bytes per article: the file
after a WAL checkpoint, divided by the articles stored).

    .venv/bin/python bench/database.py [--articles 1000000] [--nightly 20000] [--db output/bench-1m.db]

Articles are generated from the fixtures' text: bodies of 4-9 paragraphs taken from the fixture articles, a
sentence of their own, a title from CCHC topics and places, a site and province from the registry, dates
over ten years; one in ten is a republished copy of a recent article (another site, another lead, a "Theo ..."
line), as portals and newspapers do. Each article reaches the writer the way a crawl hands it over: cleaned,
dated, hashed, tagged, with its MinHash signature from the pipeline stage (a generated article's signature is
the element-wise minimum of its paragraphs' signatures, i.e. the signature of the union of their shingles).

Timed: ``python -m crawler import``'s loader on a JSON Lines file of the articles (written first, not timed);
then ``--nightly`` more articles through the DeduplicationPipeline + SQLiteWriterPipeline calls (batches of
``--batch``, the crawl's default 20: the nightly writer on a full database); then 100 searches (50 typical queries, with and without diacritics) as the Datasette canned query and as the
table search newest-first, and the facets of the Datasette article view; then the file size.
"""
from __future__ import annotations

import sys

import argparse
import hashlib
import os
import random
import re
import sqlite3
import statistics
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("CCHC_DB_CACHE_MB", "64")  # a big database: keep more of its indexes in memory

import numpy as np
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.registry import registry
from crawler.stats import Stat
from crawler.store.batch import BATCH_SIZE
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test harness (tests/harness)
from harness.synthetic import PLACES, TOPICS, paragraph_pool
from crawler.minhash import encode_signature, signature
from crawler.vi.text import strip_diacritics
from pipelines.deduplication import DeduplicationPipeline
from pipelines.sqlite_writer import SQLiteWriterPipeline

ROOT = Path(__file__).resolve().parent.parent

TOPIC_KEYS = ["cai_cach_hanh_chinh", "thu_tuc_hanh_chinh", "mot_cua", "dich_vu_cong_truc_tuyen",
              "chinh_quyen_dien_tu", "chi_so_danh_gia", "tinh_gon_bo_may", "cong_vu_cong_chuc"]
QUERIES = ["cải cách hành chính", "thủ tục hành chính", "dịch vụ công trực tuyến", "một cửa", "một cửa liên thông",
           "chuyển đổi số", "chính quyền điện tử", "PAR INDEX", "chỉ số hài lòng", "SIPAS", "tinh gọn bộ máy",
           "sáp nhập tỉnh", "công chức", "kỷ luật kỷ cương", "hồ sơ trễ hạn", "giải quyết đúng hạn", "Đắk Lắk",
           "Lâm Đồng", "Hà Tĩnh", "Cao Bằng", "Lào Cai", "Tây Ninh", "Hà Nội", "Cần Thơ", "Đắk Nông",
           "thanh toán trực tuyến", "cổng dịch vụ công quốc gia", "ứng dụng công nghệ thông tin", "hiện đại hóa hành chính",
           "văn bản quy phạm pháp luật", "bộ phận tiếp nhận và trả kết quả", "đăng ký kinh doanh", "cấp giấy phép xây dựng",
           "đất đai", "chữ ký số", "định danh điện tử", "đề án 06", "năng lực cạnh tranh", "PCI", "PAPI",
           "đánh giá cán bộ", "tiếp công dân", "cải cách thể chế", "phân cấp phân quyền", "xã hội hóa",
           "kiểm soát thủ tục", "phản ánh kiến nghị", "hồ sơ điện tử", "trung tâm phục vụ hành chính công", "năm 2024"]


def sites():
    return [(s.key, s.province or "Hà Nội") for s in registry().values() if s.enabled]


class Generator:
    """Realistic articles, fast: paragraph signatures are computed once and combined."""

    def __init__(self, seed: int = 11, paragraphs: int = 20_000):
        self.rng = random.Random(seed)
        self.nightly = False  # True: new articles of the last two days, as a nightly crawl brings them
        # Paragraphs of 2-4 sentences drawn from the fixtures' sentences: two articles rarely share one, as in
        # real news (the fixtures alone have ~200 paragraphs, and articles made of them would all look alike).
        sentences = [s.strip() for p in paragraph_pool() for s in re.split(r"(?<=[.!?…])\s+", p) if len(s.strip()) > 30]
        self.pool = [" ".join(self.rng.sample(sentences, self.rng.randint(2, 4))) for _ in range(paragraphs)]
        self.pool_sigs = [signature(None, p) for p in self.pool]
        self.sites = sites()
        self.recent: list[dict] = []
        self.start = datetime(2016, 1, 1, tzinfo=timezone.utc)

    def _own_sentence(self, n: int) -> str:
        r = self.rng
        return (f"Trong {1 + n % 12} tháng, đơn vị đã tiếp nhận {r.randrange(100, 99999)} hồ sơ, giải quyết đúng hạn "
                f"{r.uniform(85, 100):.2f}%, bài số {n} mã {r.randrange(10**9)}.")

    def article(self, n: int) -> dict:
        r = self.rng
        key, province = self.sites[r.randrange(len(self.sites))]
        if self.recent and r.random() < 0.1:  # a republished copy of a recent article
            original = self.recent[r.randrange(len(self.recent))]
            line = f"Theo Báo {province} số {n}"
            item = dict(original, site=key, province=province, url=f"https://{key}.example.vn/tin/{n}.html",
                        lead=self.pool[r.randrange(len(self.pool))], body_text=original["body_text"] + "\n" + line,
                        body_html=original["body_html"] + f"<p>{line}</p>")
            extra = signature(None, line)
            sig = np.minimum(original["_sig"], extra)
        else:
            picks = r.sample(range(len(self.pool)), r.randint(4, 9))
            own = self._own_sentence(n)
            paragraphs = [self.pool[i] for i in picks] + [own]
            sig = np.minimum.reduce([self.pool_sigs[i] for i in picks] + [signature(None, own)])
            minutes = r.randrange(60 * 24 * 3648, 60 * 24 * 3650) if self.nightly else r.randrange(0, 60 * 24 * 3650)
            when = self.start + timedelta(minutes=minutes)
            local = when.astimezone(timezone(timedelta(hours=7)))
            topics = sorted(r.sample(TOPIC_KEYS, r.randint(1, 3)))
            item = {
                "url": f"https://{key}.example.vn/tin/{n}.html", "site": key, "province": province,
                "title": f"{TOPICS[r.randrange(len(TOPICS))]}: {PLACES[r.randrange(len(PLACES))]} triển khai kế hoạch số {n}",
                "lead": paragraphs[0], "body_text": "\n".join(paragraphs[1:]),
                "body_html": "".join(f"<p>{p}</p>" for p in paragraphs[1:]), "author": f"Phóng viên {n % 97}",
                "published_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "published_at_local": local.isoformat(),
                "date_raw": local.strftime("%d/%m/%Y %H:%M"), "date_source": "selector", "topics": topics,
                "topic_terms": {t: [t.replace("_", " ")] for t in topics}, "relevance": round(r.uniform(0.3, 1), 2),
                "from_cchc_section": r.random() < 0.5, "crawled_at": "2026-11-22T00:00:00Z", "images": [],
            }
        item["content_hash"] = hashlib.sha256((item["title"] + "\n" + item["body_text"]).encode()).hexdigest()
        item["_sig"] = sig
        self.recent.append(item)
        if len(self.recent) > 2000:
            self.recent.pop(0)
        return item


def write_jsonl(path: str, total: int, gen: Generator) -> None:
    """The articles as a crawl's feed export would hold them, with their MinHash signature (a worker's items)."""
    import json

    with open(path, "w", encoding="utf-8") as fh:
        for n in range(total):
            raw = gen.article(n)
            item = {k: v for k, v in raw.items() if not k.startswith("_")}
            item["story_signature"] = encode_signature(raw["_sig"])
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")


def bulk_load(db: str, path: str) -> dict:
    from crawler.store.bulk import BulkImporter

    result = BulkImporter(db).run(path)
    return {"seconds": result.seconds, "rate": result.rate, "stored": result.inserted, "duplicates": result.duplicates,
            "loading": result.loading, "waiting": result.waiting, "indexing": result.indexing}


def build(db: str, total: int, batch: int, gen: Generator | None = None, first: int = 0) -> dict:
    gen = gen or Generator()
    crawler = get_crawler(settings_dict={"CCHC_DB": db, "CCHC_DB_BATCH_SIZE": batch})
    crawler.stats.open_spider()
    stats = crawler.stats
    dedup, writer = DeduplicationPipeline.from_crawler(crawler), SQLiteWriterPipeline.from_crawler(crawler)
    dedup.open_spider()
    writer.open_spider()
    spent = 0.0
    started = time.perf_counter()
    for n in range(first, first + total):
        raw = gen.article(n)
        item = ArticleItem(**{k: v for k, v in raw.items() if not k.startswith("_")})
        item["story_signature"] = encode_signature(raw["_sig"])
        t = time.perf_counter()
        try:
            writer.process_item(dedup.process_item(item))
        except DropItem:
            pass
        spent += time.perf_counter() - t
        if (n + 1 - first) % 100_000 == 0:
            print(f"  {n + 1 - first:>9,} articles, writer {spent:.0f} s ({(n + 1) / spent:,.0f}/s), "
                  f"wall {time.perf_counter() - started:.0f} s", flush=True)
    t = time.perf_counter()
    writer.close_spider()
    dedup.close_spider()
    spent += time.perf_counter() - t
    return {"seconds": spent, "rate": total / spent, "stored": stats.get_value(Stat.STORED, 0),
            "duplicates": stats.get_value(Stat.DROPPED_DUPLICATE, 0)}


def timed(con, sql, params, runs=1) -> float:
    t = time.perf_counter()
    for _ in range(runs):
        con.execute(sql, params).fetchall()
    return (time.perf_counter() - t) / runs


def measure_queries(db: str) -> None:
    from crawler.store.search import register_search_functions
    from crawler.web.browse import canned_queries

    con = sqlite3.connect(db)
    register_search_functions(con)  # the browser's own search functions
    queries = QUERIES + [strip_diacritics(q) for q in QUERIES]
    # A phrase none of whose occurrences exist costs FTS5 a pass over every position list of its words: the
    # synthetic articles are sentences of the fixtures, so some typical phrases ("hồ sơ điện tử") match nothing.
    matches = {q: con.execute("select count(*) from (select 1 from articles_fts where articles_fts match cchc_fts(?, "
                              "'phrase') limit 1)", [q]).fetchone()[0] for q in queries}
    queries_sql = canned_queries()
    from crawler.store.browsing import SOURCE_COUNTS, TOPIC_COUNTS, TOPIC_COUNTS_FILTERED
    from crawler.web.plugins.cchc_browse import NEWEST_MATCHES

    # What the reading view's page runs for a typed search (crawler/web/plugins/cchc_browse.py), newest first; the
    # as-typed check only for words typed with diacritics, as there
    def box(q: str) -> str:
        typed = (" and (cchc_as_typed(:q, 'phrase', title, lead) or cchc_as_typed(:q, 'phrase', title, lead, "
                 "(select b.body_text from articles b where b.id = cchc_articles.id)))") if strip_diacritics(q) != q else ""
        return (f"select * from cchc_articles where id in (select rowid from articles_fts where articles_fts match "
                f"cchc_fts(:q, 'phrase') order by rowid desc limit {NEWEST_MATCHES}){typed} order by published desc limit 51")

    for name, sql in (("canned 'search' (best of the newest 1,000 matches, cchc_score)", queries_sql["search"]["sql"]),
                      ("canned 'search_newest'", queries_sql["search_newest"]["sql"]),
                      (f"the reading view's search box (newest {NEWEST_MATCHES:,} matches, sorted by date)", box)):
        sql_of = sql if callable(sql) else (lambda q, sql=sql: sql)
        times = sorted(timed(con, sql_of(q), {"q": q, "mode": "phrase"}) for q in queries)
        found = sorted(timed(con, sql_of(q), {"q": q, "mode": "phrase"}) for q in queries if matches[q])
        print(f"{name}: median {statistics.median(times) * 1000:.1f} ms, p95 {times[94] * 1000:.1f} ms, "
              f"max {times[-1] * 1000:.1f} ms over {len(times)} queries; over the {len(found)} that match: median "
              f"{statistics.median(found) * 1000:.1f} ms, p95 {found[int(len(found) * 0.95) - 1] * 1000:.1f} ms", flush=True)
        for q in QUERIES[:2]:
            print(f"    {q!r}: {timed(con, sql_of(q), {'q': q, 'mode': 'phrase'}) * 1000:.1f} ms, without diacritics "
                  f"{timed(con, sql_of(strip_diacritics(q)), {'q': strip_diacritics(q), 'mode': 'phrase'}) * 1000:.1f} ms",
                  flush=True)
    hits = con.execute("select count(*) from articles_fts where articles_fts match escape_fts(?)", ["cai cach hanh chinh"]).fetchone()[0]
    newest_year = con.execute("select max(published_month) from articles where cchc = 1").fetchone()[0][:4]
    print(f"'cai cach hanh chinh' (no diacritics) matches {hits:,} articles")
    facets = {
        "province": "select province as value, count(*) as count from (select * from cchc_articles) where province is not null "
                    "group by province order by count desc, value limit 31",
        "source (label_facets.py)": SOURCE_COUNTS["cchc_articles"],
        "former_province": "select former_province as value, count(*) as count from (select * from cchc_articles) "
                           "where former_province is not null group by former_province order by count desc, value limit 31",
        "month": "select month as value, count(*) as count from (select * from cchc_articles) where month is not null "
                 "group by month order by count desc, value limit 31",
        "topics (article_topics)": TOPIC_COUNTS["cchc_articles"],
        "topics, province = Hà Nội": TOPIC_COUNTS_FILTERED.format(sql="select * from cchc_articles where province = 'Hà Nội'"),
        "province, month = 2024-05": "select province as value, count(*) as count from (select * from cchc_articles "
                                     "where month = '2024-05') where province is not null group by province "
                                     "order by count desc, value limit 31",
        "the page: newest 51": "select * from cchc_articles order by published desc limit 51",
        "count(*) of the view": "select count(*) from cchc_articles",
    }
    from crawler.store.periods import PROVINCE_PERIODS

    for said, params in (("the whole span, by year (the default)", {"from": "", "to": "", "per": ""}),
                         ("the last year, by month", {"from": str(int(newest_year) - 1), "to": "", "per": "month"})):
        runs = sorted(timed(con, PROVINCE_PERIODS, params) for _ in range(3))
        print(f"per_province_month, {said}: {runs[1] * 1000:.1f} ms (median of 3)", flush=True)
    print("facets of the article view (Datasette's facet SQL; its time limit per facet is 200 ms):")
    for name, sql in facets.items():
        runs = sorted(timed(con, sql, {}) for _ in range(3))
        print(f"    {name:<22} {runs[1] * 1000:>8.1f} ms (median of 3)", flush=True)
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=BATCH_SIZE, help="articles per transaction (CCHC_DB_BATCH_SIZE)")
    parser.add_argument("--nightly-dates", choices=["recent", "any"], default="recent",
                        help="the nightly articles' dates: the last two days (what a nightly crawl brings) or "
                             "anywhere in the ten years, as the bulk-loaded ones")
    parser.add_argument("--nightly", type=int, help="articles written by the nightly writer on top (default: "
                        "20,000 after a build, none with --reuse)")
    parser.add_argument("--jsonl", help="the import file (default: beside --db; kept for --reuse-jsonl)")
    parser.add_argument("--reuse-jsonl", action="store_true", help="import an existing --jsonl file")
    parser.add_argument("--db", default="output/bench-1m.db")
    parser.add_argument("--reuse", action="store_true", help="measure an existing database without building it "
                        "(with --nightly N, after writing N new articles into it)")
    parser.add_argument("--no-queries", action="store_true", help="stop after the writing (no searches, no facets)")
    args = parser.parse_args()
    if args.nightly is None:
        args.nightly = 0 if args.reuse else 20_000
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(args.db + suffix).unlink(missing_ok=True)
        jsonl = args.jsonl or args.db + ".jsonl"
        gen = Generator()
        if not args.reuse_jsonl:
            t = time.perf_counter()
            write_jsonl(jsonl, args.articles, gen)
            print(f"wrote {jsonl}: {args.articles:,} articles, {Path(jsonl).stat().st_size / 1e9:.2f} GB "
                  f"({time.perf_counter() - t:.0f} s, not timed)", flush=True)
        else:
            for n in range(args.articles):  # the generator's state as if it had written the file
                gen.article(n)
        result = bulk_load(args.db, jsonl)
        print(f"bulk import (python -m crawler import): {result['rate']:,.0f} articles/s ({result['seconds']:.0f} s, "
              f"indexes built after loading included); {result['stored']:,} stored", flush=True)
        # The one writing process is the bound when it waits little for the parse workers: then its own rate,
        # articles / loading seconds, is the most more cores could give.
        loading_rate = args.articles / result["loading"]
        print(f"    of which the database side: loading {result['loading']:.0f} s ({loading_rate:,.0f} "
              f"articles/s while loading), waiting for the parse workers {result['waiting']:.0f} s, building indexes "
              f"{result['indexing']:.0f} s", flush=True)
        first = args.articles
    else:  # new articles on top of an existing file: another seed, numbers past every article stored
        gen = Generator(seed=33)
        for n in range(3000):  # a list of recent articles to republish, as a crawl's would be
            gen.article(n)
        con = sqlite3.connect(args.db)
        first = 10 ** 9 + con.execute("select coalesce(max(id), 0) from articles").fetchone()[0]
        con.close()
    if args.nightly:
        gen.nightly = args.nightly_dates == "recent"
        result = build(args.db, args.nightly, args.batch, gen, first=first)
        print(f"nightly writer on top: {result['rate']:,.0f} articles/s ({args.nightly:,} articles, {args.batch} per "
              f"transaction, dates {args.nightly_dates}, {result['seconds']:.0f} s in the dedup + writer pipelines); "
              f"{result['stored']:,} stored, "
              f"{result['duplicates']:,} exact duplicates recorded as sources", flush=True)
    con = sqlite3.connect(args.db)
    con.execute("pragma wal_checkpoint(truncate)")
    stories = con.execute("select count(distinct story_id), count(*) from articles").fetchone()
    con.close()
    size = Path(args.db).stat().st_size
    print(f"file: {size / 1e9:.2f} GB ({size / max(1, stories[1]):,.0f} bytes per article); {stories[1]:,} articles in "
          f"{stories[0]:,} stories")
    if not args.no_queries:
        measure_queries(args.db)


if __name__ == "__main__":
    main()
