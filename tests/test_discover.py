"""Discovery (issue 18): feeds, sitemaps and CCHC sections on the real saved homepages; RSS/Atom and sitemap
quirks and bad input; crawling from a feed, a sitemap index and a listing alike, served on 127.0.0.1."""
import csv
import json
import os
import gzip
import subprocess
import sys
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest
from parsel import Selector

from conftest import ROOT, crawl_stats, rows, run_scrapy
from crawler.discover.feeds import find_feeds, parse_feed
from crawler.discover.sections import guess_cms, rank_sections
from crawler.discover.sitemaps import parse_sitemap
from crawler.ops.saved_pages import FixtureServer

REAL = ROOT.parent / "shared" / "real-pages"
NOW = datetime(2025, 12, 2, 3, 0, tzinfo=timezone.utc)
needs_shared = pytest.mark.skipif(not REAL.exists(), reason="../shared not beside the repository")


def page(path):
    return Selector(text=(REAL / path).read_text(encoding="utf-8", errors="replace"))


# -- on the real saved homepages (what a person would pick, read from each page by hand) -------------------------
@needs_shared
def test_sections_a_person_would_pick_on_real_homepages():
    cchc, news = rank_sections(page("demo.hatinh.gov.vn/home-2018-01.html"), "http://demo.hatinh.gov.vn/")
    assert cchc[0].url == "http://demo.hatinh.gov.vn/vi/thong-tin-tuyen-truyen/cai-cach-hanh-chinh"
    assert news[0].url == "http://demo.hatinh.gov.vn/vi/tin-tuc-su-kien"
    assert all("/tin-tuc/" not in s.url for s in cchc + news)  # article links are not sections
    cchc, news = rank_sections(page("danang.gov.vn/home-2017.html"), "http://danang.gov.vn/web/guest/trang-chu")
    assert news[0].url == "http://danang.gov.vn/web/guest/tin-tuc-su-kien"
    assert {host for host in ("tthc.danang.gov.vn", "cchc.danang.gov.vn") if any(host in s.url for s in cchc)} == \
        {"tthc.danang.gov.vn", "cchc.danang.gov.vn"}  # the city's procedure and CCHC subdomains
    _, news = rank_sections(page("baohatinh.vn/home-2017-10.html"), "http://baohatinh.vn/")
    assert news[0].url == "http://baohatinh.vn/chinh-tri"  # "Thời sự - Chính trị"; the video section ranks lower


@needs_shared
def test_feeds_and_cms_on_real_homepages():
    feeds = find_feeds(page("baohatinh.vn/home-2017-10.html"), "http://baohatinh.vn/")
    assert [(f.url, f.why) for f in feeds][:2] == [("http://baohatinh.vn/feed", "<link rel=alternate>"),
                                                    ("http://baohatinh.vn/rss", "feed link")]
    feeds = find_feeds(page("danang.gov.vn/home-2017.html"), "http://danang.gov.vn/web/guest/trang-chu")
    # danang.gov.vn's departments publish *articles* under /rss/-/asset_publisher/...: not feeds
    assert [f.url for f in feeds] == ["http://danang.gov.vn/rss"]
    assert guess_cms((REAL / "danang.gov.vn/home-2017.html").read_text(encoding="utf-8", errors="replace"))[0][0] == "liferay"


@needs_shared
def test_feeds_linked_only_as_an_rss_icon_or_a_plain_page():
    """Issue 29: baocantho.com.vn links each section's feed as an icon (<a href="/rss/cate/thoi-su/"><span
    class="sprite rss"></span></a>), other portals as a page "rssMain.html": both are feeds; danang.gov.vn's
    articles under /rss/-/asset_publisher/ still are not."""
    feeds = find_feeds(page("baocantho.com.vn/listing-thoi-su.html"), "https://baocantho.com.vn/thoi-su/")
    assert [(f.url, f.why) for f in feeds] == [("https://baocantho.com.vn/rss/cate/thoi-su/", "RSS icon link")]
    synthetic = Selector(text="<html><body><div class='footer'><a href='/rssMain.html'>Đăng ký nhận tin</a>"
                              "<a href='/tin-tuc/rss-la-gi-12345.html'>RSS là gì? Hướng dẫn đọc tin qua RSS</a>"
                              "<a href='/Lists/Feeds'><img src='/images/icon_rss.gif' alt=''></a></div></body></html>")
    assert [f.url for f in find_feeds(synthetic, "https://sotc.example.gov.vn/")] == [
        "https://sotc.example.gov.vn/rssMain.html", "https://sotc.example.gov.vn/Lists/Feeds"]


@needs_shared
def test_discover_command_offline_on_a_saved_homepage():
    result = subprocess.run([sys.executable, "-m", "crawler", "discover", "http://demo.hatinh.gov.vn/", "--html",
                             str(REAL / "demo.hatinh.gov.vn/home-2018-01.html")], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "http://demo.hatinh.gov.vn/rss-feed" in out and "offline (--html)" in out
    entry = out.split("registry entry (check it, then paste into crawler/sites.toml):\n", 1)[1]
    import tomllib
    site = tomllib.loads(entry)["site"][0]
    assert site["start_urls"] == ["http://demo.hatinh.gov.vn/vi/thong-tin-tuyen-truyen/cai-cach-hanh-chinh"]
    assert site["cchc_section"] is True and site["feeds"] == ["http://demo.hatinh.gov.vn/rss-feed"]
    assert site["key"] == "demo_hatinh_gov"


# -- feed and sitemap formats --------------------------------------------------------------------------------------
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Báo Thử - Thời sự</title><link>https://baothu.vn/</link>
<item><title>H&#224; T&#297;nh c&#244;ng b&#7889; th&#7911; t&#7909;c h&#224;nh ch&#237;nh m&#7899;i &amp; c&#7855;t gi&#7843;m</title>
<link>https://baothu.vn/ha-tinh-cong-bo-thu-tuc-post101.html</link>
<description><![CDATA[<a href="https://baothu.vn/ha-tinh-cong-bo-thu-tuc-post101.html"><img src="x.jpg"></a>Sáng nay, <b>UBND tỉnh</b>...]]></description>
<pubDate>Mon, 01 Dec 2025 08:15:00 +0700</pubDate></item>
<item><title>Không có múi giờ</title><link>https://baothu.vn/khong-mui-gio-post102.html</link><pubDate>Mon, 01 Dec 2025 09:30:00</pubDate></item>
<item><title>Bài của trang khác</title><link>https://othersite.vn/a-post1.html</link><pubDate>Mon, 01 Dec 2025 09:30:00 +0700</pubDate></item>
<item><title>Đăng hẹn giờ năm sau</title><link>https://baothu.vn/hen-gio-post103.html</link><pubDate>Tue, 01 Dec 2026 09:30:00 +0700</pubDate></item>
</channel></rss>"""


def test_rss_with_vietnamese_quirks():
    feed = parse_feed(RSS.encode(), "https://baothu.vn/rss/thoi-su.rss", now=NOW)
    assert feed.kind == "rss20" and len(feed.entries) == 3
    first, no_zone, future = feed.entries
    assert first.title == "Hà Tĩnh công bố thủ tục hành chính mới & cắt giảm"
    assert first.published.isoformat() == "2025-12-01T08:15:00+07:00" and "<b>UBND tỉnh</b>" in first.summary_html
    assert no_zone.published.isoformat() == "2025-12-01T09:30:00+07:00"  # no zone: Vietnamese time, not UTC
    assert future.published is None and future.date_raw  # a date ahead of now is no date
    assert feed.problems == ["1 entries outside the site's domains left out", "1 entry dates unreadable or in the future: no date"]


def test_atom_malformed_and_html_error_page():
    atom = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Cổng</title>
    <entry><title>Một cửa liên thông</title><link href="https://congthu.gov.vn/tin/mot-cua"/>
    <updated>2025-11-30T10:00:00+07:00</updated></entry></feed>"""
    feed = parse_feed(atom.encode(), "https://congthu.gov.vn/atom.xml", now=NOW)
    assert feed.kind == "atom10" and feed.entries[0].published.isoformat() == "2025-11-30T10:00:00+07:00"
    broken = RSS.replace("</channel></rss>", "<item><title>cut off").encode()
    feed = parse_feed(broken, "https://baothu.vn/rss.rss", now=NOW)
    assert feed.is_feed and len(feed.entries) >= 3 and feed.problems[0].startswith("malformed feed read anyway")
    error = parse_feed(b"<!DOCTYPE html><html><body><h1>404 - Khong tim thay trang</h1></body></html>",
                       "https://baothu.vn/rss", now=NOW)
    assert not error.is_feed and error.entries == [] and "not a feed" in error.problems[-1]


def urlset(urls, news=False):
    body = "".join(
        f"<url><loc>{u}</loc><lastmod>2025-11-{1 + i % 28:02d}</lastmod>"
        + (f"<news:news><news:publication><news:name>Báo Thử</news:name><news:language>vi</news:language></news:publication>"
           f"<news:publication_date>2025-12-01T0{i % 9}:00:00+07:00</news:publication_date><news:title>Tin {i}</news:title></news:news>"
           if news else "") + "</url>" for i, u in enumerate(urls))
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{body}</urlset>').encode()


def test_sitemaps_gzip_index_news_and_bad_input():
    news = parse_sitemap(gzip.compress(urlset(["https://baothu.vn/a-post1.html", "https://khac.vn/b"], news=True)),
                         "https://baothu.vn/sitemap-news.xml.gz", now=NOW)
    assert news.kind == "urlset" and [e.url for e in news.entries] == ["https://baothu.vn/a-post1.html"]
    assert news.entries[0].news_title == "Tin 0" and news.entries[0].news_published.isoformat() == "2025-12-01T00:00:00+07:00"
    index = parse_sitemap(b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>'
                          b'https://baothu.vn/sitemap.xml</loc></sitemap><sitemap><loc>https://baothu.vn/news.xml.gz'
                          b'</loc></sitemap></sitemapindex>', "https://baothu.vn/sitemap.xml", now=NOW)
    assert index.is_index and len(index.entries) == 2
    assert parse_sitemap(b"<html><body>503</body></html>", "https://baothu.vn/sitemap.xml").kind == ""
    cut = parse_sitemap(urlset([f"https://baothu.vn/{i}" for i in range(5)])[:-40], "https://baothu.vn/s.xml", now=NOW)
    assert cut.kind == "urlset" and len(cut.entries) >= 3  # recovered up to the damage
    big = parse_sitemap(urlset([f"https://baothu.vn/tin-{i}-post{i}.html" for i in range(50_000)]),
                        "https://baothu.vn/sitemap-1.xml", now=NOW)
    assert len(big.entries) == 50_000


# -- crawling from them --------------------------------------------------------------------------------------------
HOST = "baothu.vn"
SITE = f"https://{HOST}"


def article_html(n):
    return (f"<html><head><title>Bài {n}</title></head><body><h1>Cải cách hành chính: bài thử số {n}</h1>"
            f"<div class='content'><p>Ủy ban nhân dân tỉnh đẩy mạnh cải cách thủ tục hành chính, công khai hồ sơ trên "
            f"Cổng dịch vụ công và trả kết quả đúng hẹn cho người dân số {n}.</p><p>Đoạn thứ hai của bài {n} nói về "
            f"bộ phận một cửa và chuyển đổi số trong giải quyết thủ tục.</p></div></body></html>")


def build_site(folder, site):
    """A newspaper at ``site`` with a feed index (/rss), two section feeds, a robots.txt naming a gzip sitemap
    index, which lists a News sitemap and itself; no article has a date on its page, so the dates come from the
    feed or sitemap. Modelled on the formats Vietnamese newspapers publish (RSS 2.0 per section under
    /rss/<section>.rss, Google News sitemaps); written here."""
    folder.mkdir()
    rows_ = []

    def add(path, body, kind, content_type="text/html; charset=utf-8"):
        name = path.strip("/").replace("/", "_") or "index"
        (folder / name).write_bytes(body if isinstance(body, bytes) else body.encode())
        rows_.append({"url": site + path, "file": name, "provenance": "synthetic", "kind": kind,
                      "source": "written by tests/test_discover.py (RSS 2.0 / Google News sitemap formats)",
                      "content_type": content_type})

    def when(n):
        return format_datetime(datetime(2025, 11, 20 + n % 5, 8, n, tzinfo=timezone.utc))

    def items(ns):
        return "".join(f"<item><title>Bài {n}</title><link>{site}/bai-{n}-post{n}.html</link><pubDate>{when(n)}"
                       f"</pubDate></item>" for n in ns)

    add("/", "<html><body><nav class='menu'><a href='/thoi-su'>Thời sự</a><a href='/rss'>RSS</a></nav></body></html>",
        "listing")
    add("/rss", "<html><body><h1>RSS</h1><a href='/rss/thoi-su.rss'>Thời sự</a> <a href='/rss/chinh-tri.rss'>Chính trị"
        "</a></body></html>", "listing")
    add("/rss/thoi-su.rss", f"<rss version='2.0'><channel><title>Thời sự</title>{items([1, 2, 3])}</channel></rss>",
        "listing", "application/rss+xml")
    add("/rss/chinh-tri.rss", f"<rss version='2.0'><channel><title>Chính trị</title>{items([3, 4])}</channel></rss>",
        "listing", "application/rss+xml")
    add("/rss/loi.rss", "<!DOCTYPE html><html><body><h1>Lỗi 404</h1><p>Trang không tồn tại.</p></body></html>", "listing")
    add("/robots.txt", f"User-agent: *\nAllow: /\nSitemap: {site}/sitemap.xml.gz\n", "listing", "text/plain")
    index = (f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{site}/sitemap.xml.gz</loc>'
             f'</sitemap><sitemap><loc>{site}/sitemap-news.xml</loc></sitemap></sitemapindex>')
    add("/sitemap.xml.gz", gzip.compress(index.encode()), "listing", "application/x-gzip")
    add("/sitemap-news.xml", urlset([f"{site}/bai-{n}-post{n}.html" for n in (5, 6)] + ["https://khac.vn/x"], news=True),
        "listing", "application/xml")
    for n in range(1, 7):
        add(f"/bai-{n}-post{n}.html", article_html(n), "article")
    with open(folder / "MANIFEST.tsv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows_[0]), delimiter="\t")
        writer.writeheader()
        writer.writerows(rows_)
    return folder


@pytest.fixture
def feed_site(tmp_path):
    with FixtureServer([build_site(tmp_path / "site", SITE)]) as server:
        yield server


def test_crawl_from_feeds_and_a_sitemap_index(feed_site, tmp_path):
    db = tmp_path / "cchc.db"
    base = ["crawl", "generic", "-a", f"base_url={feed_site.base_url()}", "-s", "CCHC_BROWSER_FALLBACK=0"]
    first = run_scrapy(base + ["-a", f"start_urls={SITE}/rss/thoi-su.rss,{SITE}/rss/chinh-tri.rss,{SITE}/sitemap.xml.gz"], db)
    assert first.returncode == 0, first.stderr[-3000:]
    stats = crawl_stats(first)
    assert stats["cchc/feeds/read"] == 2 and stats["cchc/sitemaps/read"] == 2  # the index and the News sitemap
    stored = {r["url"]: r for r in rows(db, "select url, date_source, published_at_local, date_raw from articles")}
    assert set(stored) == {f"{SITE}/bai-{n}-post{n}.html" for n in range(1, 7)}  # article 3 in two feeds: once
    assert stored[f"{SITE}/bai-1-post1.html"]["date_source"] == "feed"
    assert stored[f"{SITE}/bai-1-post1.html"]["published_at_local"] == "2025-11-21T15:01:00+07:00"
    assert stored[f"{SITE}/bai-5-post5.html"]["date_source"] == "sitemap"
    assert feed_site.hits[f"{HOST}/bai-3-post3.html"] == 1  # listed by two feeds, fetched once
    before = dict(feed_site.hits)
    second = run_scrapy(base + ["-a", f"start_urls={SITE}/rss/thoi-su.rss"], db)
    assert second.returncode == 0, second.stderr[-3000:]
    assert crawl_stats(second)["cchc/listing/not_modified"] == 1  # a night with nothing new: one 304 per feed
    fetched = {k: v - before.get(k, 0) for k, v in feed_site.hits.items() if v - before.get(k, 0)}
    assert not any("post" in k for k in fetched), fetched


def test_a_feed_url_that_serves_an_html_error_page_is_counted(feed_site, tmp_path):
    sites = tmp_path / "sites.toml"
    sites.write_text((ROOT / "crawler/sites.toml").read_text(encoding="utf-8").split("\n[[site]]\n")[0] + "\n" +
                     f'[[site]]\nkey = "baothu"\nname = "Báo Thử"\nprovince = "Hà Tĩnh"\nkind = "newspaper"\n'
                     f'domains = ["{HOST}"]\nstart_urls = ["{SITE}/rss/thoi-su.rss"]\nfeeds = ["{SITE}/rss/loi.rss"]\n',
                     encoding="utf-8")
    result = run_scrapy(["crawl", "baothu", "-a", f"base_url={feed_site.base_url()}", "-s", "CCHC_BROWSER_FALLBACK=0"],
                        tmp_path / "cchc.db", env={"CCHC_SITES_FILE": str(sites)})
    stats = crawl_stats(result)
    assert stats["cchc/feeds/unreadable"] == 1 and stats["cchc/feeds/read"] == 1, result.stderr[-3000:]
    assert "is neither a feed nor a sitemap" in result.stderr
    assert rows(tmp_path / "cchc.db", "select count(*) n from articles")[0]["n"] == 3  # the readable feed's articles


def test_discover_online_reads_robots_sitemaps_and_the_feed_index(feed_site, tmp_path):
    """With the network (here the site served on 127.0.0.1), discover follows robots.txt to the gzip sitemap
    index (which lists itself: read once) and the feed index page to its two feeds."""
    from crawler.discover.report import discover

    served = feed_site.base_url()
    feed_site.load([build_site(tmp_path / "served", served)])  # the same site, its links pointing at the server
    found, key, _ = discover(served + "/")
    assert key is None and found.cchc_sections == [] and found.news_sections[0]["url"] == served + "/thoi-su"
    assert sorted(f["url"].rsplit("/", 1)[-1] for f in found.feeds if "entries" in f) == ["chinh-tri.rss", "thoi-su.rss"]
    assert [(s["kind"], s["entries"]) for s in found.sitemaps] == [("sitemapindex", 2), ("urlset", 2)]  # index read once
    assert found.sitemaps[1]["news"] and "1 entries outside the site's domains left out" in found.sitemaps[1]["problems"]
    assert any("is a feed index: 2 feeds" in n for n in found.notes)
    assert "sitemaps = [" in found.entry()


def test_sitemap_nights_cost_one_request_and_lastmod_decides_the_rechecks(feed_site, tmp_path):
    db = tmp_path / "cchc.db"
    args = ["crawl", "generic", "-a", f"base_url={feed_site.base_url()}", "-a", f"start_urls={SITE}/sitemap.xml.gz",
            "-s", "CCHC_BROWSER_FALLBACK=0"]
    assert run_scrapy(args, db).returncode == 0
    assert rows(db, "select count(*) n from articles")[0]["n"] == 2  # the News sitemap's two articles

    def night():
        before = dict(feed_site.hits)
        result = run_scrapy(args, db)
        assert result.returncode == 0, result.stderr[-3000:]
        return {k: v - before.get(k, 0) for k, v in feed_site.hits.items() if v - before.get(k, 0)}

    # Nothing new: the index is read (an index may not change when its sitemaps do), its sitemap answers 304.
    quiet = night()
    assert {k for k in quiet if "robots" not in k} == {f"{HOST}/sitemap.xml.gz", f"{HOST}/sitemap-news.xml"}
    assert feed_site.not_modified[f"{HOST}/sitemap-news.xml"] == 1
    # The site edits article 5: its News sitemap gives it a new lastmod (the index stays as it was).
    today = datetime.now(timezone.utc).date().isoformat()
    folder = tmp_path / "site"
    news = (folder / "sitemap-news.xml").read_bytes().replace(b"<lastmod>2025-11-01</lastmod>", f"<lastmod>{today}</lastmod>".encode(), 1)
    (folder / "sitemap-news.xml").write_bytes(news)
    feed_site.load([folder])
    edited = night()
    articles = {k for k in edited if "post" in k}
    assert articles == {f"{HOST}/bai-5-post5.html"}, edited  # changed lately: visited; article 6 is not


def registry_with(tmp_path, entry: str):
    sites = tmp_path / "sites.toml"
    sites.write_text((ROOT / "crawler/sites.toml").read_text(encoding="utf-8").split("\n[[site]]\n")[0] + "\n" + entry,
                     encoding="utf-8")
    return {"CCHC_SITES_FILE": str(sites)}


def test_first_run_discovers_and_later_runs_use_it(feed_site, tmp_path):
    """A site whose only (unverified) start URL is gone: the first run fails but stores what the homepage and
    robots.txt offer; the second is crawled completely through the feeds (via the /rss index) and the sitemap."""
    env = registry_with(tmp_path, f'[[site]]\nkey = "baothu"\nname = "Báo Thử"\nprovince = "Hà Tĩnh"\nkind = "newspaper"\n'
                                  f'domains = ["{HOST}"]\nstart_urls = ["{SITE}/thoi-su"]\n')
    db = tmp_path / "cchc.db"
    args = ["crawl", "baothu", "-a", f"base_url={feed_site.base_url()}", "-s", "CCHC_BROWSER_FALLBACK=0"]
    first = run_scrapy(args, db, env=env)
    assert first.returncode == 1 and "baothu: failed: no listing page could be read (HTTP 404" in first.stderr
    assert crawl_stats(first)["cchc/discovery/saved"] == 1
    found = rows(db, "select * from site_discoveries")[0]
    assert json.loads(found["feeds"])[0]["url"] == f"{SITE}/rss"
    assert [s["url"] for s in json.loads(found["sitemaps"])] == [f"{SITE}/sitemap.xml.gz"]
    assert json.loads(found["news_sections"])[0]["url"] == f"{SITE}/thoi-su"
    second = run_scrapy(args, db, env=env)
    stats = crawl_stats(second)
    assert stats["cchc/feeds/index_pages"] == 1 and stats["cchc/feeds/read"] == 2 and stats["cchc/sitemaps/read"] == 2
    assert rows(db, "select count(*) n from articles")[0]["n"] == 6
    assert "cchc/discovery/homepage" not in stats  # discovered once
    health = subprocess.run([sys.executable, "-m", "crawler", "health", str(db)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ, **env})
    assert "run on guesses" not in health.stdout  # its discovery found feeds and a sitemap


def test_health_names_the_sites_still_on_guesses(tmp_path):
    from crawler.store import Store

    db = tmp_path / "cchc.db"
    store = Store(str(db))  # creates the database
    store.record_run({"run_id": "r1", "site": "baogialai", "spider": "baogialai", "started_at": "2026-12-01T00:00:00Z",
                      "finished_at": "2026-12-01T00:01:00Z", "finish_reason": "finished", "pages": 3, "verdict": "ok",
                      "verdict_reason": "3 new articles from 1 listing pages"})
    store.close()
    out = subprocess.run([sys.executable, "-m", "crawler", "health", str(db)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120).stdout
    assert "1 of them run on guesses (unverified start URLs; no feed, sitemap or section found yet): baogialai" in out
