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
    from crawler.urls import clean_url, fingerprint_url

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


# -- item 1: discover requests only the site's own hosts --------------------------------------------------------
INTERNAL = ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/sitemap.xml", "http://127.0.0.1:9/x.xml",
            "http://[fd00::1]/x.xml", "http://0x7f000001/x.xml", "file:///etc/passwd", "http://localhost/x.xml"]
BAD_MARKS = ("169.254", "10.0.0.5", "127.0.0.1:9/", "fd00", "0x7f000001", "file:", "localhost", "::ffff")


def rss(base: str) -> bytes:
    return (f"<rss version='2.0'><channel><title>Tin</title><item><title>Bài 1</title><link>{base}/tin/a-10001.html"
            f"</link><pubDate>Mon, 01 Dec 2025 08:00:00 +0700</pubDate></item></channel></rss>").encode()


def hostile_site(base: str, internal=INTERNAL) -> dict:
    """A site at ``base`` whose homepage, robots.txt and sitemap index name internal addresses beside its own
    feed and sitemap."""
    links = "".join(f"<link rel='alternate' type='application/rss+xml' href='{u}' title='x'>" for u in internal)
    home = (f"<html><head>{links}<link rel='alternate' type='application/rss+xml' href='{base}/rss/tin.rss'></head><body>"
            f"<nav class='menu'><a href='http://10.0.0.5/cai-cach-hanh-chinh'>Cải cách hành chính</a>"
            f"<a href='{base}/tin-tuc'>Tin tức</a><a href='http://169.254.169.254/rss'>RSS</a></nav></body></html>")
    robots = "User-agent: *\nAllow: /\n" + "".join(f"Sitemap: {u}\n" for u in internal) + f"Sitemap: {base}/sitemap.xml\n"
    return {"/": ok(home.encode()), "/robots.txt": ok(robots.encode(), "text/plain"),
            "/sitemap.xml": ok(sitemap_index([(u, None) for u in internal] + [(f"{base}/sitemap-tin.xml", None)]),
                               "application/xml"),
            "/sitemap-tin.xml": ok(urlset([f"{base}/tin/a-10001.html"]), "application/xml"),
            "/rss/tin.rss": ok(rss(base), "application/rss+xml")}


@pytest.fixture
def connections(monkeypatch):
    """Every address this process connects to (it may only be the test's server on 127.0.0.1)."""
    import socket

    seen = []
    connect = socket.socket.connect

    def recording(sock, address):
        seen.append(address[:2])
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", recording)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda sock, address: seen.append(address[:2]) or 111)
    return seen


def assert_clean(found, server) -> None:
    entry = found.entry()
    assert not [m for m in BAD_MARKS if m in entry], entry
    assert [f["url"] for f in found.feeds] == [f"{server.base_url}/rss/tin.rss"]
    assert [s["url"] for s in found.sitemaps] == [f"{server.base_url}/sitemap.xml", f"{server.base_url}/sitemap-tin.xml"]
    assert [s["url"] for s in found.news_sections] == [f"{server.base_url}/tin-tuc"] and not found.cchc_sections


@pytest.fixture
def internal_service():
    """Something listening on another port of 127.0.0.1 (an internal service), answering a valid feed and sitemap
    to anyone who asks: the hostile site names it."""
    with FaultServer({}) as service:
        service.routes.update({"/rss.xml": ok(rss(service.base_url), "application/rss+xml"),
                               "/sitemap.xml": ok(urlset([service.base_url + "/bi-mat"]), "application/xml"),
                               "/robots.txt": ROBOTS_ALLOW})
        yield service


def test_discover_requests_nothing_off_the_site(connections, internal_service):
    from crawler.discover.report import discover

    internal = INTERNAL + [internal_service.base_url + "/rss.xml", internal_service.base_url + "/sitemap.xml"]
    with FaultServer({}) as server:
        server.routes.update(hostile_site(server.base_url, internal))
        found, _, _ = discover(server.base_url + "/")
        hits = dict(server.hits)
    port = int(server.base_url.rsplit(":", 1)[1])
    assert not internal_service.hits, internal_service.hits
    assert set(connections) == {("127.0.0.1", port)}, connections
    assert_clean(found, server)
    assert internal_service.base_url not in found.entry()
    assert hits == {"/": 1, "/robots.txt": 1, "/sitemap.xml": 1, "/sitemap-tin.xml": 1, "/rss/tin.rss": 1}, hits
    notes = "\n".join(found.notes)
    assert all(u[:20] in notes for u in internal), notes  # each one said


def test_discover_refuses_names_that_resolve_inside(connections):
    """The site's own subdomains, resolved by an injected resolver to internal addresses, are not requested; the
    URL given resolves to 127.0.0.1 (a local mirror) and is."""
    from crawler.discover.report import discover

    dns = {"cong.hatinh.gov.vn": ["127.0.0.1"], "noibo.hatinh.gov.vn": ["10.0.0.5"], "meta.hatinh.gov.vn": ["169.254.169.254"],
           "v6.hatinh.gov.vn": ["fd00::1"], "mapped.hatinh.gov.vn": ["::ffff:127.0.0.1"],
           "mixed.hatinh.gov.vn": ["203.113.131.1", "10.0.0.5"], "loop.hatinh.gov.vn": ["127.0.0.1"]}
    asked = []

    def resolver(host, port):
        asked.append(host)
        return dns[host]

    with FaultServer({}) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        base = f"http://cong.hatinh.gov.vn:{port}"
        inside = [f"http://{name}:{port}/sitemap.xml" for name in dns if name != "cong.hatinh.gov.vn"]
        server.routes.update(hostile_site(base, inside))
        found, _, _ = discover(base + "/", resolver=resolver)
    assert set(connections) == {("127.0.0.1", port)}, connections
    assert set(asked) == set(dns)  # each was looked up, and none but the site's own address was connected to
    notes = "\n".join(found.notes)
    for name, addresses in dns.items():
        if name != "cong.hatinh.gov.vn":
            assert f"{name} resolves to" in notes, notes
    assert not [name for name in dns if name != "cong.hatinh.gov.vn" and name in found.entry()]


def test_discover_follows_no_redirect_off_the_site(connections):
    from crawler.discover.fetch import FetchError
    from crawler.discover.report import discover
    from faults import redirect

    with FaultServer({"/robots.txt": ROBOTS_ALLOW, "/": redirect("http://169.254.169.254/latest/meta-data/iam/")}) as server:
        with pytest.raises(FetchError, match="redirects to .*169.254.169.254.*not followed"):
            discover(server.base_url + "/")
        server.routes["/"] = redirect("http://127.0.0.1:9/")  # the same address, another port
        with pytest.raises(FetchError, match="not the site's address"):
            discover(server.base_url + "/")
        server.routes["/"] = redirect("/trang-chu")  # on the site: followed
        server.routes["/trang-chu"] = ok("<html><body><a href='/tin-tuc'>Tin tức</a></body></html>".encode())
        found, _, _ = discover(server.base_url + "/")
    assert found.news_sections and set(connections) == {("127.0.0.1", int(server.base_url.rsplit(":", 1)[1]))}


def test_the_guard_keeps_to_the_sites_hosts():
    from crawler.discover.guard import Guard, Refused

    dns = {"tin.hanoi.gov.vn": ["203.113.131.1"], "noibo.hanoi.gov.vn": ["10.1.2.3"], "sotttt.hanoi.gov.vn": ["203.113.131.2"]}
    guard = Guard("https://sotttt.hanoi.gov.vn/cai-cach-hanh-chinh", resolver=lambda host, port: dns[host])
    assert guard.refusal("https://hanoi.gov.vn/sitemap.xml") is None and guard.refusal("http://tin.hanoi.gov.vn/rss") is None
    for url in ("https://evil.vn/x", "ftp://sotttt.hanoi.gov.vn/x", "javascript:alert(1)", "http://203.113.131.2/x",
                "https://hanoi.gov.vn.evil.vn/x", "http://[::1]/x"):
        assert guard.refusal(url), url
    assert guard.address("tin.hanoi.gov.vn", 443) == "203.113.131.1"
    with pytest.raises(Refused, match="10.1.2.3"):
        guard.address("noibo.hanoi.gov.vn", 443)
    registry_guard = Guard("https://baohatinh.vn/", domains=("baohatinh.vn", "baohatinh.com.vn"))
    assert registry_guard.refusal("https://www.baohatinh.com.vn/rss") is None
    assert registry_guard.refusal("https://hatinh.gov.vn/rss")


def test_discover_command_prints_no_internal_url(internal_service):
    import subprocess
    import sys
    import tomllib

    from conftest import ROOT

    internal = INTERNAL + [internal_service.base_url + "/rss.xml", internal_service.base_url + "/sitemap.xml"]
    with FaultServer({}) as server:
        server.routes.update(hostile_site(server.base_url, internal))
        result = subprocess.run([sys.executable, "-m", "crawler", "discover", server.base_url + "/"], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not internal_service.hits, internal_service.hits
    entry = result.stdout.split("registry entry (check it, then paste into crawler/sites.toml):\n", 1)[1]
    assert not [m for m in BAD_MARKS if m in entry] and internal_service.base_url not in entry, entry
    site = tomllib.loads(entry)["site"][0]
    assert site["feeds"] == [f"{server.base_url}/rss/tin.rss"] and site["sitemaps"][0] == f"{server.base_url}/sitemap.xml"


# -- item 5: a homepage of hundreds of MB ----------------------------------------------------------------------
def endless_homepage(sent: list, megabytes: int = 300):
    """A homepage that announces ``megabytes`` MB and sends them as long as they are read (``sent`` counts)."""
    head = ("<html><head><link rel='alternate' type='application/rss+xml' href='/rss/tin.rss'></head><body>"
            "<nav class='menu'><a href='/cai-cach-hanh-chinh'>Cải cách hành chính</a><a href='/tin-tuc'>Tin tức</a></nav>")
    block = "".join(f"<div class='item'><a href='/tin/bai-{n}.html'>Tin số {n} trong ngày</a></div>" for n in range(500))

    def behaviour(h, n):
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(megabytes * 1024 * 1024))
        h.end_headers()
        data = (head + block * 20).encode()
        sent.append(0)
        while sent[-1] < megabytes * 1024 * 1024:
            h.wfile.write(data)
            sent[-1] += len(data)
    return behaviour


def test_discover_on_a_huge_homepage_answers_with_what_it_read(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    sent: list[int] = []
    script = ("import resource, sys; from crawler.__main__ import main; code = main(sys.argv[1:]); "
              "print('maxrss_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(code)")
    with FaultServer({"/": endless_homepage(sent), "/robots.txt": ROBOTS_ALLOW}) as server:
        result = subprocess.run([sys.executable, "-c", script, "discover", server.base_url + "/"], cwd=ROOT,
                                capture_output=True, text=True, timeout=200)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "larger than 5 MB: read the first part only" in result.stdout, result.stdout
    assert "Cải cách hành chính" in result.stdout and "/cai-cach-hanh-chinh" in result.stdout  # found in that part
    assert sent and sent[0] < 20 * 1024 * 1024, sent  # it stopped reading (the socket buffers hold a few MB more)
    maxrss_mb = int(result.stderr.split("maxrss_kb", 1)[1].split()[0]) // 1024
    assert maxrss_mb < 600, maxrss_mb
    print(f"discover on a 300 MB homepage: {sent[0] / 2**20:.1f} MB sent before it stopped reading, "
          f"{maxrss_mb} MB peak memory")
