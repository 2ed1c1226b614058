"""Issue 30: what a hostile or careless site can make the crawler and ``discover`` do, against servers on 127.0.0.1.

Internal addresses (169.254.169.254, 10.0.0.5, fd00::1 ...) cannot be routed here: the guard is tested with an
injected resolver and robots.txt / homepages on 127.0.0.1 that name such URLs, and the tests prove that no
connection was attempted."""
from __future__ import annotations

import pytest

from conftest import crawl_stats, rows, run_scrapy
from faults import FaultServer, ok

HOST = "loi.example.gov.vn"
SITE = f"https://{HOST}"
PARAGRAPH = ("Ủy ban nhân dân tỉnh yêu cầu các sở, ngành đẩy mạnh cải cách thủ tục hành chính, công khai hồ sơ trên "
             "Cổng dịch vụ công và trả kết quả đúng hẹn cho người dân, doanh nghiệp.")
ROBOTS_ALLOW = ok(b"User-agent: *\nAllow: /\n", "text/plain")


def article_page(n: int) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>Bài số {n} về cải cách hành chính</title></head><body>"
            f"<h1 class='title'>Bài số {n} về cải cách hành chính</h1><div class='date'>05/03/2024 08:00</div>"
            f"<div class='content'><p>Bài {n}. {PARAGRAPH}</p><p>{PARAGRAPH}</p></div></body></html>").encode()


def listing_page(hrefs) -> bytes:
    items = "".join(f"<li class='item'><a href='{h}'>Bài viết số {i} về thủ tục hành chính của tỉnh</a></li>"
                    for i, h in enumerate(hrefs))
    return f"<html><body><ul class='news'>{items}</ul></body></html>".encode()


# -- item 12: a doubled slash is the same page ----------------------------------------------------------------------
def test_a_doubled_slash_is_fetched_once(tmp_path):
    path = "/tin/mot-cua-10001.html"
    routes = {path: ok(article_page(1)), "/tin//mot-cua-10001.html": ok(article_page(1)), "/robots.txt": ROBOTS_ALLOW,
              "/tin-tuc": ok(listing_page([f"{SITE}/tin//mot-cua-10001.html", f"{SITE}{path}",
                                           f"{SITE}//tin///mot-cua-10001.html"]))}
    db = tmp_path / "cchc.db"
    with FaultServer(routes) as server:
        result = run_scrapy(["crawl", "generic", "-a", f"start_urls={SITE}/tin-tuc", "-a", f"base_url={server.base_url}",
                             "-s", "CCHC_BROWSER_FALLBACK=0"], db, timeout=120)
        hits = dict(server.hits)
    assert result.returncode == 0, result.stderr[-2000:]
    article_hits = {p: n for p, n in hits.items() if "mot-cua" in p}
    assert article_hits == {path: 1}, article_hits
    assert [r["url"] for r in rows(db, "select url from article_urls")] == [f"{SITE}{path}"]


def test_clean_url_folds_doubled_slashes_but_not_an_embedded_url():
    from crawler.fetch.urls import clean_url, fingerprint_url

    assert clean_url("https://bao.vn//tin//a.html?x=1//2") == "https://bao.vn/tin/a.html?x=1//2"
    assert clean_url("https://bao.vn/share/https://other.vn/a") == "https://bao.vn/share/https://other.vn/a"
    assert fingerprint_url("https://bao.vn/tin//a.html") == fingerprint_url("https://bao.vn/tin/a.html")


# -- item 11: robots.txt that is a web page or binary ---------------------------------------------------------------
HOMEPAGE = ("<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>Cổng thông tin điện tử</title></head>"
            "<body><nav><a href='/tin-tuc'>Tin tức</a></nav><p>Trang chủ</p></body></html>").encode()


@pytest.mark.parametrize("kind, robots", [
    ("an HTML page", ok(HOMEPAGE)),  # a portal answering its homepage for any path, with 200
    ("an HTML page", ok(b"\n\n  " + HOMEPAGE.replace(b"<!DOCTYPE html>", b""), "text/plain")),  # mislabelled
    ("binary content", ok(bytes(range(256)) * 8, "application/octet-stream")),
    ("binary content", ok(b"\x89PNG\r\n\x1a\n" + bytes(500), "image/png")),
])
def test_robots_txt_that_is_a_web_page_is_counted_and_said(tmp_path, kind, robots):
    routes = {"/robots.txt": robots, "/tin-tuc": ok(listing_page(["/tin/a-10001.html"])),
              "/tin/a-10001.html": ok(article_page(1))}
    with FaultServer(routes) as server:
        result = run_scrapy(["crawl", "generic", "-a", f"start_urls={SITE}/tin-tuc", "-a", f"base_url={server.base_url}",
                             "-s", "CCHC_BROWSER_FALLBACK=0"], tmp_path / "cchc.db", timeout=120)
        hits = dict(server.hits)
    assert result.returncode == 0, result.stderr[-2000:]
    assert hits.get("/tin/a-10001.html") == 1  # RFC 9309: read as no rules, everything allowed
    assert crawl_stats(result)["cchc/robots/not_robots_txt"] == 1
    reason = rows(tmp_path / "cchc.db", "select verdict, verdict_reason from crawl_runs")[0]
    assert reason["verdict"] == "ok"
    assert f"robots.txt answered {kind}, read as no rules" in reason["verdict_reason"], reason


def test_a_plain_robots_txt_says_nothing(tmp_path):
    routes = {"/robots.txt": ok(b"# robots.txt\nUser-agent: *\nDisallow: /admin\n", "text/plain"),
              "/tin-tuc": ok(listing_page(["/tin/a-10001.html"])), "/tin/a-10001.html": ok(article_page(1))}
    with FaultServer(routes) as server:
        result = run_scrapy(["crawl", "generic", "-a", f"start_urls={SITE}/tin-tuc", "-a", f"base_url={server.base_url}",
                             "-s", "CCHC_BROWSER_FALLBACK=0"], tmp_path / "cchc.db", timeout=120)
    assert result.returncode == 0 and "cchc/robots/not_robots_txt" not in crawl_stats(result)
    assert "robots.txt" not in rows(tmp_path / "cchc.db", "select verdict_reason from crawl_runs")[0]["verdict_reason"]


# -- item 4: a sitemap index of 10,000 sitemaps ----------------------------------------------------------------------
def sitemap_index(entries) -> bytes:
    """``entries``: (loc, lastmod or None)."""
    body = "".join(f"<sitemap><loc>{loc}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</sitemap>"
                   for loc, lastmod in entries)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'.encode()


def urlset(urls) -> bytes:
    body = "".join(f"<url><loc>{u}</loc><lastmod>2025-11-01</lastmod></url>" for u in urls)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'.encode()


def test_a_sitemap_index_gives_its_newest_sitemaps_first_and_at_most_the_cap():
    from datetime import datetime, timezone

    from crawler.discover.routes import route

    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    # 10,000 monthly-ish sitemaps listed oldest first, lastmod rising with the number; then three without lastmod
    # whose URLs carry their month
    entries = [(f"{SITE}/sitemap-{n}.xml", f"{2000 + n // 400}-{1 + n % 12:02d}-01") for n in range(10_000)]
    entries += [(f"{SITE}/sitemap-news-2025-12.xml", None), (f"{SITE}/sitemap-2019-01.xml", None),
                (f"{SITE}/sitemap-khac.xml", None)]
    found = route(sitemap_index(entries), f"{SITE}/sitemap.xml", (HOST,), now, 200, max_sitemaps=50)
    assert found.kind == "sitemapindex" and len(found.sitemaps) == 50 and found.sitemaps_left_out == 10_003 - 50
    assert found.sitemaps[0] == f"{SITE}/sitemap-news-2025-12.xml"  # December 2025, from its URL
    dates = [dict(entries)[u] for u in found.sitemaps[1:]]
    assert dates == sorted(dates, reverse=True) and dates[0].startswith("2024")  # then by lastmod, newest first
    assert f"{SITE}/sitemap-khac.xml" not in found.sitemaps  # no date at all: after every dated one


def test_a_crawl_reads_at_most_the_capped_sitemaps(tmp_path):
    """An index of 300 sitemaps, one of which is itself an index of 300: with 5 per index and 8 per run, the
    crawl reads the five newest children of the first index, then three of the nested one, and counts the rest."""
    routes = {"/robots.txt": ROBOTS_ALLOW}
    top = [(f"/sm/{n}.xml", f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}") for n in range(299)]
    top.append(("/sm/nested-index.xml", "2025-12-31"))  # the newest: read first, its own children capped too
    routes["/sitemap.xml"] = ok(sitemap_index([(SITE + p, d) for p, d in top]), "application/xml")
    routes["/sm/nested-index.xml"] = ok(sitemap_index([(f"{SITE}/sm/nested-{n}.xml", f"2025-06-{1 + n % 28:02d}")
                                                       for n in range(300)]), "application/xml")
    for n in range(300):
        routes[f"/sm/{n}.xml"] = routes[f"/sm/nested-{n}.xml"] = ok(urlset([]), "application/xml")
    with FaultServer(routes) as server:
        result = run_scrapy(["crawl", "generic", "-a", f"start_urls={SITE}/sitemap.xml", "-a", f"base_url={server.base_url}",
                             "-s", "CCHC_BROWSER_FALLBACK=0", "-s", "CCHC_MAX_SITEMAPS_PER_INDEX=5",
                             "-s", "CCHC_MAX_SITEMAPS=8"], tmp_path / "cchc.db", timeout=180)
        hits = dict(server.hits)
    fetched = sorted(p for p in hits if p.startswith("/sm/"))
    assert len(fetched) == 8, fetched
    assert "/sm/nested-index.xml" in fetched and sum(p.startswith("/sm/nested-") for p in fetched) == 4
    stats = crawl_stats(result)
    assert stats["cchc/sitemaps/left_out"] == (300 - 5) + (300 - 3), stats
    assert stats["cchc/sitemaps/read"] == 9  # the top index, the nested index and seven sitemaps
