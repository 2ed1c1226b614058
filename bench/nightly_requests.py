"""Incremental nightly runs on a local mirror: how many requests a re-run costs, for a site crawled from its
listing pages, from its RSS feeds, and from its sitemap index, side by side.

    .venv/bin/python bench/nightly_requests.py [--sections 5] [--per-page 10] [--pages 3] [--new 3] [--feed-items 20]

A mirror of S sections (each P listing pages of N articles, all older than the re-check window; one RSS feed
per section with its newest F articles; a sitemap index with one sitemap per section) is crawled three times
through the real engine for each route: the first crawl, a re-run with nothing new (expected: about one
conditional request per section, feed or sitemap index, no article download), and a re-run after k new
articles appear on one section (expected: that plus k). Requests are counted by the server; robots.txt apart.
"""
from __future__ import annotations

import argparse
import csv
import os
import subprocess
import tempfile
from collections import Counter
from pathlib import Path


from crawler.ops.saved_pages import FixtureServer

ROOT = Path(__file__).resolve().parent.parent

HOST = "bench.example.gov.vn"
BODY = ("Tỉnh tiếp tục đẩy mạnh cải cách thủ tục hành chính, nâng cao chất lượng phục vụ người dân và doanh nghiệp "
        "tại bộ phận một cửa các cấp.")


def build(folder: Path, sections: int, pages: int, per_page: int, new: int = 0, feed_items: int = 20) -> None:
    rows = []
    maps = []
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
        # The section's RSS 2.0 feed (newest first) and sitemap (every article, lastmod = its date).
        items = "".join(f"<item><title>Bài {a}</title><link>https://{HOST}/tin/{a}.html</link>"
                        f"<pubDate>{'Mon, 02 Dec 2024' if a.startswith('tin-moi') else f'Fri, {1 + n % 27:02} Mar 2024'} 08:00:00 +0700</pubDate></item>"
                        for n, a in enumerate(arts[:feed_items]))
        (folder / f"feed-{s}.rss").write_text(f"<rss version='2.0'><channel><title>Mục {s}</title>{items}</channel></rss>",
                                              encoding="utf-8")
        rows.append({"url": f"https://{HOST}/rss/muc-{s}.rss", "file": f"feed-{s}.rss", "provenance": "synthetic",
                     "kind": "listing", "source": "bench", "content_type": "application/rss+xml"})
        urls = "".join(f"<url><loc>https://{HOST}/tin/{a}.html</loc><lastmod>2024-03-{1 + n % 27:02}</lastmod></url>"
                       for n, a in enumerate(arts))
        (folder / f"sitemap-{s}.xml").write_text(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
                                                 encoding="utf-8")
        rows.append({"url": f"https://{HOST}/sitemap-{s}.xml", "file": f"sitemap-{s}.xml", "provenance": "synthetic",
                     "kind": "listing", "source": "bench", "content_type": "application/xml"})
        maps.append(f"<sitemap><loc>https://{HOST}/sitemap-{s}.xml</loc></sitemap>")
    (folder / "sitemap.xml").write_text(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(maps)}'
                                        f'</sitemapindex>', encoding="utf-8")
    rows.append({"url": f"https://{HOST}/sitemap.xml", "file": "sitemap.xml", "provenance": "synthetic", "kind": "listing",
                 "source": "bench", "content_type": "application/xml"})
    with open(folder / "MANIFEST.tsv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["url", "file", "provenance", "kind", "source", "content_type"], delimiter="\t", restval="")
        writer.writeheader()
        writer.writerows(rows)


ROUTES = {"listings": lambda n: [f"https://{HOST}/muc-{s}" for s in range(n)],
          "feeds": lambda n: [f"https://{HOST}/rss/muc-{s}.rss" for s in range(n)],
          "sitemap index": lambda n: [f"https://{HOST}/sitemap.xml"]}


def crawl(server: FixtureServer, db: Path, sections: int, route: str) -> Counter:
    before = Counter(server.hits)
    starts = ",".join(ROUTES[route](sections))
    env = dict(os.environ, CCHC_DB=str(db), CCHC_PROGRESS_INTERVAL="0")
    scrapy = ROOT / ".venv" / "bin" / "scrapy"
    subprocess.run([str(scrapy), "crawl", "generic", "-a", f"start_urls={starts}", "-a", f"base_url={server.base_url()}",
                    "-s", "LOG_LEVEL=WARNING"], cwd=ROOT, env=env, check=True, capture_output=True)
    after = Counter(server.hits)
    after.subtract(before)
    return +after


def describe(hits: Counter) -> tuple[int, int, int, int]:
    robots = sum(v for k, v in hits.items() if "robots.txt" in str(k))
    listing = sum(v for k, v in hits.items() if "/muc-" in str(k) or "sitemap" in str(k))
    articles = sum(v for k, v in hits.items() if "/tin/" in str(k))
    return robots, listing, articles, robots + listing + articles


def run(sections: int, pages: int, per_page: int, new: int, feed_items: int) -> None:
    print(f"mirror: {sections} sections x {pages} listing pages x {per_page} articles; a feed per section with its "
          f"newest {feed_items}; a sitemap index with a sitemap per section; served on 127.0.0.1")
    print(f"{'route':<15}{'run':<26}{'robots':>7}{'lists':>7}{'articles':>10}{'total':>7}   expected")
    for route in ROUTES:
        with tempfile.TemporaryDirectory() as tmp:
            site, db = Path(tmp) / "site", Path(tmp) / "cchc.db"
            site.mkdir()
            build(site, sections, pages, per_page, feed_items=feed_items)
            lists = 1 + sections if route == "sitemap index" else sections
            with FixtureServer([site]) as server:
                for label, expected, change in (("first crawl", "every page", False),
                                                ("re-run, nothing new", f"~{lists}", False),
                                                (f"re-run, {new} new articles", f"~{lists} + {new}", True)):
                    if change:
                        build(site, sections, pages, per_page, new=new, feed_items=feed_items)
                        server.load([site])
                    got = describe(crawl(server, db, sections, route))
                    print(f"{route:<15}{label:<26}{got[0]:>7}{got[1]:>7}{got[2]:>10}{got[3]:>7}   {expected}", flush=True)
    print("lists = listing pages, feeds or sitemaps; a sitemap index is read in full every night (indexes often do not "
          "change when their sitemaps do), its sitemaps are conditional requests. A listing section whose first page brings "
          "new articles is also asked for its next page; feeds list only their newest items, so a first crawl from "
          "feeds reaches fewer archive articles than listings or a sitemap.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", type=int, default=5)
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--new", type=int, default=3)
    parser.add_argument("--feed-items", type=int, default=20)
    a = parser.parse_args()
    run(a.sections, a.pages, a.per_page, a.new, a.feed_items)
