"""Incremental nightly runs on a local mirror: how many requests a re-run costs.

    .venv/bin/python bench/nightly_requests.py [--sections 5] [--per-page 10] [--pages 3] [--new 3]

A mirror of S listing sections (each P pages of N articles, all older than the re-check window) is crawled
three times through the real engine: the first crawl, a re-run with nothing new (expected: about one request
per section, no article download), and a re-run after k new articles appear on one section (expected:
sections + k). Requests are counted by the server; robots.txt is shown apart.
"""
from __future__ import annotations

import argparse
import csv
import os
import subprocess
import tempfile
from collections import Counter
from pathlib import Path


from crawler.testing.fixture_server import FixtureServer

ROOT = Path(__file__).resolve().parent.parent

HOST = "bench.example.gov.vn"
BODY = ("Tỉnh tiếp tục đẩy mạnh cải cách thủ tục hành chính, nâng cao chất lượng phục vụ người dân và doanh nghiệp "
        "tại bộ phận một cửa các cấp.")


def build(folder: Path, sections: int, pages: int, per_page: int, new: int = 0) -> None:
    rows = []
    for s in range(sections):
        ids = list(range(new if s == 0 else 0))  # the new ones go on top of section 0
        arts = [f"tin-moi-{s}{i:04d}" for i in ids] + [f"tin-cu-{s}{i:04d}" for i in range(pages * per_page)]
        for p in range(pages):
            chunk = arts[p * per_page:(p + 1) * per_page]
            links = "".join(f"<li class='item'><a href='/tin/{a}.html'>Bài viết về cải cách hành chính số {a}</a></li>" for a in chunk)
            nxt = f"<div class='pagination'><a href='/muc-{s}?page={p + 2}'>Trang sau</a></div>" if p + 1 < pages else ""
            name = f"list-{s}-{p + 1}.html"
            (folder / name).write_text(f"<html><body><ul class='news'>{links}</ul>{nxt}</body></html>", encoding="utf-8")
            url = f"https://{HOST}/muc-{s}" + (f"?page={p + 1}" if p else "")
            rows.append({"url": url, "file": name, "provenance": "synthetic", "kind": "listing", "source": "bench"})
        for n, art in enumerate(arts):
            day = 1 + n % 27
            html = (f"<html><head><title>Bài {art}</title></head><body><h1 class='title'>Bài viết về cải cách hành chính số {art}</h1>"
                    f"<div class='date'>{day:02}/03/2024 08:00</div><div class='content'><p>{art}. {BODY}</p><p>{BODY}</p></div></body></html>")
            (folder / f"{art}.html").write_text(html, encoding="utf-8")
            rows.append({"url": f"https://{HOST}/tin/{art}.html", "file": f"{art}.html", "provenance": "synthetic",
                         "kind": "article", "source": "bench"})
    with open(folder / "MANIFEST.tsv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["url", "file", "provenance", "kind", "source"], delimiter="\t")
        writer.writeheader()
        writer.writerows(rows)


def crawl(server: FixtureServer, db: Path, sections: int) -> Counter:
    before = Counter(server.hits)
    starts = ",".join(f"https://{HOST}/muc-{s}" for s in range(sections))
    env = dict(os.environ, CCHC_DB=str(db), CCHC_PROGRESS_INTERVAL="0")
    scrapy = ROOT / ".venv" / "bin" / "scrapy"
    subprocess.run([str(scrapy), "crawl", "generic", "-a", f"start_urls={starts}", "-a", f"base_url={server.base_url()}",
                    "-s", "LOG_LEVEL=WARNING"], cwd=ROOT, env=env, check=True, capture_output=True)
    after = Counter(server.hits)
    after.subtract(before)
    return +after


def describe(hits: Counter) -> tuple[int, int, int, int]:
    robots = sum(v for k, v in hits.items() if "robots.txt" in str(k))
    listing = sum(v for k, v in hits.items() if "/muc-" in str(k))
    articles = sum(v for k, v in hits.items() if "/tin/" in str(k))
    return robots, listing, articles, robots + listing + articles


def run(sections: int, pages: int, per_page: int, new: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site, db = Path(tmp) / "site", Path(tmp) / "cchc.db"
        site.mkdir()
        build(site, sections, pages, per_page)
        print(f"mirror: {sections} sections x {pages} pages x {per_page} articles, served on 127.0.0.1")
        print(f"{'run':<34}{'robots':>7}{'listing':>9}{'articles':>10}{'total':>7}   expected")
        with FixtureServer([site]) as server:
            first = describe(crawl(server, db, sections))
            print(f"{'first crawl':<34}{first[0]:>7}{first[1]:>9}{first[2]:>10}{first[3]:>7}   every page")
            same = describe(crawl(server, db, sections))
            print(f"{'re-run, nothing new':<34}{same[0]:>7}{same[1]:>9}{same[2]:>10}{same[3]:>7}   ~{sections} (one per section)")
            build(site, sections, pages, per_page, new=new)
            server.load([site])
            more = describe(crawl(server, db, sections))
            print(f"{f're-run, {new} new articles':<34}{more[0]:>7}{more[1]:>9}{more[2]:>10}{more[3]:>7}   ~{sections} + {new}")
        print("(a section whose first page brings new articles is also asked for its next page, which holds none)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", type=int, default=5)
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--new", type=int, default=3)
    a = parser.parse_args()
    run(a.sections, a.pages, a.per_page, a.new)
