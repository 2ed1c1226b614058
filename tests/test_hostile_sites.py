"""Issue 30: what a hostile or careless site can make the crawler and ``discover`` do, against servers on 127.0.0.1.

Internal addresses (169.254.169.254, 10.0.0.5, fd00::1 ...) cannot be routed here: the guard is tested with an
injected resolver and robots.txt / homepages on 127.0.0.1 that name such URLs, and the tests prove that no
connection was attempted."""
from __future__ import annotations

from conftest import rows, run_scrapy
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
