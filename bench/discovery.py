"""Discovery side by side with trafilatura's (the peer a user would reach for: ``trafilatura.feeds`` and
``trafilatura.sitemaps``), in one run.

    .venv/bin/python bench/discovery.py

1. Feeds on the real saved homepages of ../shared/real-pages (truth read from each page by hand: the feeds
   the page announces in <link rel=alternate> or links as "RSS"): this project's ``find_feeds`` against
   ``trafilatura.feeds.determine_feed``.
2. A newspaper served on 127.0.0.1 (a feed index page /rss with two section feeds, robots.txt naming a gzip
   sitemap index that lists a Google News sitemap and itself; 6 articles): the article URLs each finds from the
   homepage URL alone: ``crawler.discover.report.discover`` against a plain Scrapy ``SitemapSpider`` started
   from robots.txt (what a Scrapy user writes instead; trafilatura's ``find_feed_urls``/``sitemap_search``
   refuse loopback addresses by design, an SSRF guard, so they cannot be run here); with the requests each made.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from parsel import Selector
from trafilatura.feeds import FeedParameters, determine_feed

from crawler.discover.feeds import find_feeds, parse_feed
from crawler.discover.fetch import fetch
from crawler.discover.report import discover
from crawler.discover.sitemaps import parse_sitemap
from crawler.ops.saved_pages import FixtureServer

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "real-pages"
TRUTH = {  # page: (URL it was saved from, the feeds it offers)
    "baohatinh.vn/home-2017-10.html": ("http://baohatinh.vn/", {"http://baohatinh.vn/feed", "http://baohatinh.vn/rss"}),
    "danang.gov.vn/home-2017.html": ("http://danang.gov.vn/web/guest/trang-chu", {"http://danang.gov.vn/rss"}),
    "danang.gov.vn/home-2017-chrome-saved.html": ("http://danang.gov.vn/web/guest/trang-chu", {"http://danang.gov.vn/rss"}),
    "demo.hatinh.gov.vn/home-2018-01.html": ("http://demo.hatinh.gov.vn/", {"http://demo.hatinh.gov.vn/rss-feed"}),
}


def feeds_on_real_pages() -> None:
    print("1. Feeds on real saved homepages (found / of the truth, wrong ones taken)")
    print(f"{'page':<44}{'this project':>16}{'trafilatura':>16}")
    totals = {"ours": [0, 0, 0], "trafilatura": [0, 0, 0]}
    for name, (url, truth) in TRUTH.items():
        html = (REAL / name).read_text(encoding="utf-8", errors="replace")
        ours = {f.url for f in find_feeds(Selector(text=html), url)}
        host = urlsplit(url).hostname
        peer = set(determine_feed(html, FeedParameters(url, host, url)))
        cells = []
        for key, got in (("ours", ours), ("trafilatura", peer)):
            right, wrong = len(got & truth), len(got - truth)
            totals[key][0] += right
            totals[key][1] += len(truth)
            totals[key][2] += wrong
            cells.append(f"{right}/{len(truth)}, {wrong} wrong")
        print(f"{name:<44}{cells[0]:>16}{cells[1]:>16}")
    print(f"{'all':<44}" + "".join(f"{f'{t[0]}/{t[1]}, {t[2]} wrong':>16}" for t in totals.values()))


PLAIN_SPIDER = """
from scrapy.spiders import SitemapSpider


class Plain(SitemapSpider):
    name = "plain"
    sitemap_urls = [{robots!r}]
    custom_settings = {{"ROBOTSTXT_OBEY": True, "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False}}

    def parse(self, response):
        yield {{"url": response.url}}
"""


def plain_sitemap_spider(root: str, tmp: Path) -> set[str]:
    """The article URLs a plain SitemapSpider reaches, run outside this project (Scrapy's defaults)."""
    spider, out = tmp / "plain.py", tmp / "plain.jsonl"
    spider.write_text(PLAIN_SPIDER.format(robots=root + "/robots.txt"), encoding="utf-8")
    scrapy = Path(sys.executable).with_name("scrapy")
    subprocess.run([str(scrapy), "runspider", str(spider), "-O", str(out)], cwd=tmp, check=True, capture_output=True)
    return {json.loads(line)["url"] for line in out.read_text(encoding="utf-8").splitlines() if line.strip()}


def served_site() -> None:
    sys.path.insert(0, str(ROOT / "tests"))  # the test's site builder: the same pages the tests crawl
    from test_discover import build_site

    print("\n2. Article URLs found from the homepage URL of a newspaper served on 127.0.0.1 (6 articles)")
    with tempfile.TemporaryDirectory() as tmp:
        seed = build_site(Path(tmp) / "seed", "https://baothu.vn")
        with FixtureServer([seed]) as server:
            root = server.base_url()
            server.load([build_site(Path(tmp) / "served", root)])
            truth = {f"{root}/bai-{n}-post{n}.html" for n in range(1, 7)}
            rows = []
            before, start = sum(server.hits.values()), time.perf_counter()
            found, _, _ = discover(root + "/")
            urls = set()
            for feed in found.feeds:
                if "entries" in feed:
                    urls |= {e.url for e in parse_feed(fetch(feed["url"]), feed["url"]).entries}
            for sitemap in found.sitemaps:
                if sitemap["kind"] == "urlset":
                    urls |= {e.url for e in parse_sitemap(fetch(sitemap["url"]), sitemap["url"]).entries}
            rows.append(("this project (discover, then its feeds and sitemaps)", urls, sum(server.hits.values()) - before,
                         time.perf_counter() - start))
            before, start = sum(server.hits.values()), time.perf_counter()
            peer = plain_sitemap_spider(root, Path(tmp))
            rows.append(("plain Scrapy SitemapSpider from robots.txt", peer, sum(server.hits.values()) - before,
                         time.perf_counter() - start))
    print(f"{'who':<56}{'found':>7}{'wrong':>7}{'requests':>10}{'seconds':>9}")
    for who, got, requests, seconds in rows:
        print(f"{who:<56}{len(got & truth):>5}/6{len(got - truth):>7}{requests:>10}{seconds:>9.2f}")


if __name__ == "__main__":
    if REAL.exists():
        feeds_on_real_pages()
    served_site()
