"""Issue 15: faults that used to lose articles silently, hang later nights or escape the crawl's bounds.

Each test reproduces one reported case against servers on 127.0.0.1 (bounded loops, no sleeps longer than a
download timeout) and checks the repaired behaviour."""
from __future__ import annotations

import contextlib
import sqlite3
import gzip
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from parsel import Selector

from conftest import ROOT, crawl_stats, rows, run_scrapy
from faults import FaultServer, ok, send
from plain_sqlite import SQLITE3_CLI, unreadable_with_plain_sqlite, unreadable_with_sqlite3_shell
from crawler.extract.links import find_article_links
from crawler.monitor.health import print_health
from crawler.store import Store
from crawler.store.articles import ArticleStore
from crawler.store.database import DatabaseDamaged

HOST = "loi.example.gov.vn"
SITE = f"https://{HOST}"
PARAGRAPH = ("Ủy ban nhân dân tỉnh yêu cầu các sở, ngành đẩy mạnh cải cách thủ tục hành chính, công khai hồ sơ trên "
             "Cổng dịch vụ công và trả kết quả đúng hẹn cho người dân, doanh nghiệp.")


def jsonld_article(n: int, author_json: str) -> bytes:
    """An article whose JSON-LD author is ``author_json`` written literally into the bytes."""
    return (f"<html><head><meta charset='utf-8'><title>Bài số {n} về cải cách hành chính</title>"
            f"<script type='application/ld+json'>{{\"@type\":\"NewsArticle\",\"headline\":\"Bài số {n} về cải cách "
            f"hành chính\",\"datePublished\":\"2024-03-05T08:00:00+07:00\",\"author\":{author_json}}}</script></head>"
            f"<body><h1 class='title'>Bài số {n} về cải cách hành chính</h1><div class='content'><p>Bài {n}. {PARAGRAPH}"
            f"</p><p>{PARAGRAPH}</p></div></body></html>").encode("utf-8")


def listing_of(paths) -> bytes:
    items = "".join(f"<li class='item'><a href='{p}'>Bài viết số {i} về thủ tục hành chính của tỉnh</a></li>"
                    for i, p in enumerate(paths))
    return f"<html><body><ul class='news'>{items}</ul></body></html>".encode()


def test_lone_surrogate_in_jsonld_loses_nothing(tmp_path):
    """Case 1: 11 of 31 pages carry a cut-off emoji ("\\ud83d") in JSON-LD: all 31 are stored, repaired, and
    the stored count is what the database holds."""
    routes = {}
    for n in range(31):
        author = '{"name":"Phóng viên \\ud83d"}' if n % 3 == 0 else '{"name":"Nguyễn Văn An"}'
        routes[f"/tin/bai-{n}-1{n:04}.html"] = ok(jsonld_article(n, author))
    routes["/tin-tuc"] = ok(listing_of(sorted(routes)))
    routes["/robots.txt"] = ok(b"User-agent: *\nAllow: /\n", "text/plain")
    db = tmp_path / "cchc.db"
    with FaultServer(routes) as server:
        result = run_scrapy(["crawl", "generic", "-a", f"start_urls={SITE}/tin-tuc", "-a", f"base_url={server.base_url}",
                             "-s", "CCHC_BROWSER_FALLBACK=0", "-s", "CCHC_DB_BATCH_SIZE=20"], db, timeout=240)
    stats = crawl_stats(result)
    stored = rows(db, "select url, author from articles")
    assert len(stored) == 31, result.stderr[-3000:]
    assert stats.get("cchc/stored") == 31
    repaired = [r for r in stored if "\ufffd" in (r["author"] or "")]
    assert len(repaired) == 11


def test_row_sqlite_refuses_is_dropped_alone(tmp_path):
    """Case 1, in the store: a row SQLite refuses (NOT NULL site) is rolled back alone and reported; the other
    rows of its batch are written."""
    store = ArticleStore(tmp_path / "a.db", batch_size=5)
    rejected = []
    for n in range(5):
        item = {"url": f"https://x.vn/{n}", "site": None if n == 2 else "x", "title": f"Bài {n}",
                "body_text": f"Nội dung {n} " * 20, "content_hash": f"h{n}", "text_with_nul": "a\x00b"}
        store.add(item, on_reject=lambda url, reason, new: rejected.append((url, reason, new)))
    store.close()
    assert [r["url"] for r in rows(tmp_path / "a.db", "select url from articles order by id")] == [
        "https://x.vn/0", "https://x.vn/1", "https://x.vn/3", "https://x.vn/4"]
    assert len(rejected) == 1 and rejected[0][0] == "https://x.vn/2" and "NOT NULL" in rejected[0][1] and rejected[0][2]


def _flat_listing(n: int, dated: bool) -> str:
    items = "".join(f"<a href='/tin-tuc/cai-cach-hanh-chinh-bai-so-{i}-cua-tinh.html'>Cải cách hành chính bài số {i} "
                    f"của tỉnh</a>{f'<span>0{1 + i % 9}/03/2024</span>' if dated else ''}<br>" for i in range(n))
    return f"<html><body><div class='list'>{items}</div></body></html>"


def _wrapped_listing(n: int, dated: bool) -> str:
    items = "".join(f"<li><a href='/tin-tuc/cai-cach-hanh-chinh-bai-so-{i}-cua-tinh.html'>Cải cách hành chính bài số "
                    f"{i} của tỉnh</a>{f'<span>0{1 + i % 9}/03/2024</span>' if dated else ''}</li>" for i in range(n))
    return f"<html><body><ul class='list'>{items}</ul></body></html>"


def test_five_thousand_link_listing_is_linear():
    """Case 2: 5,000 article links without dates (flat and as list items) are found in bounded CPU time; the
    old walk took 54.8 s for 1,000 links. The bound is loose on purpose (shared machines); bench/listing_scale.py
    prints the figures."""
    for build in (_flat_listing, _wrapped_listing):
        sel = Selector(text=build(5000, dated=False))
        started = time.process_time()
        links = find_article_links(sel, "https://x.vn/tin-tuc")
        assert len(links.articles) == 5000
        assert time.process_time() - started < 10


def test_listing_dates_belong_to_their_own_item():
    """Case 2's rewrite keeps listing dates right: each link gets the date of its own item, in flat lists too."""
    for build in (_flat_listing, _wrapped_listing):
        links = find_article_links(Selector(text=build(12, dated=True)), "https://x.vn/tin-tuc")
        assert len(links.dates) == 12
        for i, url in enumerate(links.articles):
            assert links.dates[url] == f"0{1 + i % 9}/03/2024"


OLD_SCHEMAS = sorted((ROOT / "tests" / "fixtures" / "old-schemas").glob("*.db.gz"))


def _old_database(source, tmp_path):
    db = tmp_path / source.name.replace(".gz", "")
    db.write_bytes(gzip.decompress(source.read_bytes()))
    return db


@pytest.mark.parametrize("source", OLD_SCHEMAS, ids=[p.name.split(".")[0] for p in OLD_SCHEMAS])
def test_every_earlier_schema_migrates_before_it_is_read(source, tmp_path):
    """Case 3: a database written by each earlier schema (tests/fixtures/old-schemas, written by that commit's
    own code) is read for known URLs, checked by health and written to, in the order a crawl does it."""
    db = _old_database(source, tmp_path)
    store = Store(str(db))  # the crawl's store: migrates when it opens
    known, _ = store.crawl_state("old_gov", recheck_days=3650)
    assert "https://old.example.gov.vn/tin/bai-1.html" in known.urls
    out = io.StringIO()
    assert print_health(str(db), out=out) == 0, out.getvalue()
    store.add({"url": "https://old.example.gov.vn/tin/moi.html", "site": "old_gov", "title": "Bài mới",
               "body_text": "Nội dung mới về cải cách hành chính. " * 20, "content_hash": "f" * 64,
               "published_at_local": "2024-04-01T08:00:00+07:00"})
    store.close()
    titles = {r["title"] for r in rows(db, "select title from articles")}
    assert {"Cải cách hành chính bài 1", "Bài mới"} <= titles
    assert rows(db, "select status from articles where title = 'Bài mới'")[0]["status"] == "active"
    # today's schema, readable by any SQLite client (issue 34): the old bodies as text, found by the index
    assert unreadable_with_plain_sqlite(db) == []
    if SQLITE3_CLI:
        assert unreadable_with_sqlite3_shell(db) == []
    old = rows(db, "select body_text from articles where title = 'Cải cách hành chính bài 1'")[0]["body_text"]
    assert old == "Nội dung cải cách thủ tục hành chính số 1. " * 20
    assert rows(db, "select count(*) as n from articles_fts where articles_fts match '\"thu tuc hanh chinh so 1\"'")[0]["n"] == 1


def test_crawl_into_the_first_schema(tmp_path):
    """Case 3, end to end: `scrapy crawl` into a database made by the project's first commit (it failed with
    "no such column: u.removed_at" while the spider was built)."""
    db = _old_database(OLD_SCHEMAS[0], tmp_path)
    routes = {"/tin/bai-moi-10001.html": ok(jsonld_article(1, '{"name":"Nguyễn Văn An"}')),
              "/robots.txt": ok(b"User-agent: *\nAllow: /\n", "text/plain")}
    routes["/tin-tuc"] = ok(listing_of(["/tin/bai-moi-10001.html"]))
    with FaultServer(routes) as server:
        result = run_scrapy(["crawl", "generic", "-a", f"start_urls={SITE}/tin-tuc", "-a", f"base_url={server.base_url}",
                             "-s", "CCHC_BROWSER_FALLBACK=0"], db, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    assert rows(db, "select count(*) as n from articles where url like ?", [f"{SITE}%"])[0]["n"] == 1


def test_damaged_database_is_never_ok(tmp_path):
    """Case 4: a database with a damaged page in the middle: health fails, and a crawl refuses to write into it
    with one line naming the file."""
    db = tmp_path / "cchc.db"
    store = ArticleStore(db)
    for n in range(60):
        store.add({"url": f"https://x.vn/{n}", "site": "x", "title": f"Bài {n}", "body_text": f"Nội dung {n} " * 300,
                   "content_hash": f"{n:064x}"})
    store.close()
    data = bytearray(db.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle:middle + page] = b"\xff" * page
    db.write_bytes(bytes(data))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert print_health(str(db), out=io.StringIO()) == 1
    assert "damaged" in err.getvalue()
    with pytest.raises(DatabaseDamaged):
        ArticleStore(db)


def _start_failures(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"overwritten header " * 400)
    return {
        "db-is-folder": (["crawl", "plo"], folder, {}, "is a folder"),
        "db-header-overwritten": (["crawl", "plo"], damaged, {}, "is damaged"),
        "empty-start-urls": (["crawl", "generic", "-a", "start_urls="], tmp_path / "a.db", {}, "start_urls"),
        "redis-refuses": (["crawl", "plo"], tmp_path / "b.db", {"CCHC_REDIS_URL": "redis://127.0.0.1:1/0"}, "127.0.0.1:1"),
        "crawlall-damaged-db": (["crawlall", "--sites", "plo"], damaged, {}, "is damaged"),
        "crawlall-db-is-folder": (["crawlall", "--sites", "plo"], folder, {}, "is a folder"),
    }


@pytest.mark.parametrize("case", ["db-is-folder", "db-header-overwritten", "empty-start-urls", "redis-refuses",
                                  "crawlall-damaged-db", "crawlall-db-is-folder"])
def test_a_crawl_that_cannot_start_says_why(case, tmp_path, monkeypatch):
    """Case 4: a run that could not start exits 1 with one line naming the cause, never behind
    "RuntimeError: Crawler.stats is not set yet" and never exit 0."""
    args, db, env, cause = _start_failures(tmp_path)[case]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run_scrapy(args + ["-s", "CCHC_BROWSER_FALLBACK=0", "-s", "CCHC_MIRROR=1"], db, timeout=120)
    assert result.returncode == 1, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if cause in line and ("could not start" in line or
                                                                            "cannot use the database" in line)]
    assert len(lines) == 1, result.stderr[-3000:]
    assert "Crawler.stats is not set" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_hung_run_holding_the_lock_fails_later_nights(tmp_path):
    """Case 2's consequence: a run that has held the lock for longer than CCHC_LOCK_MAX_HOURS makes the next
    run exit 1 with the holder's pid (a busy lock of a run that started recently still exits 0)."""
    db = tmp_path / "cchc.db"
    lock = tmp_path / "cchc.db.lock"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, sys, time\n"
        f"fh = open({str(lock)!r}, 'a+'); fcntl.flock(fh, fcntl.LOCK_EX)\n"
        "fh.seek(0); fh.truncate(); fh.write(sys.argv[1]); fh.flush(); print('held', flush=True); time.sleep(120)\n"),
        "pid 4242 since 2026-01-01T02:00:00+00:00"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = run_scrapy(["crawlall", "--sites", "plo"], db, timeout=120)
        assert result.returncode == 1
        assert "seems hung" in result.stderr and "kill 4242" in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_saved_search_feed_is_valid_xml_for_no_match_and_odd_text(tmp_path):
    """Case 8: the Atom feed of a saved search answers 200 with valid XML for a search with no match and for a
    match whose title holds U+FFFF and a control character (written by an older version, before repair)."""
    from xml.etree import ElementTree

    from browse_server import free_port, http_get as get

    db = tmp_path / "cchc.db"
    store = ArticleStore(db)
    for n in range(2):
        store.add({"url": f"https://x.vn/{n}", "site": "x", "title": f"Một cửa liên thông {n}",
                   "body_text": "Bộ phận một cửa tiếp nhận hồ sơ. " * 20, "content_hash": f"{n:064x}",
                   "published_at": f"2024-03-0{n + 1}T01:00:00Z"})
    store.close()
    con = sqlite3.connect(db)
    con.execute("update articles set title = title || ' \uffff\x01 cuối' where id = 1")
    con.commit()
    con.close()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "crawler", "browse", str(db), "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/cchc/search_feed.atom"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                get(f"http://127.0.0.1:{port}/-/versions.json")
                break
            except OSError:
                time.sleep(0.3)
        empty = ElementTree.fromstring(get(base + "?q=khongcotu").encode())
        assert empty.tag.endswith("feed") and not empty.findall("{http://www.w3.org/2005/Atom}entry")
        feed = ElementTree.fromstring(get(base + "?q=mot+cua").encode())
        titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in feed.findall("{http://www.w3.org/2005/Atom}entry")]
        assert len(titles) == 2 and any(t.endswith("cuối") and "\uffff" not in t for t in titles)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _robots_cases():
    rules = b"User-agent: *\nDisallow: /private/\n"
    padding = b"# " + b"x" * 1000 + b"\n"

    def bomb(h, n):
        body = gzip.compress(b"\n" * (40 * 1024 * 1024))
        send(h, 200, body, "text/plain", headers={"Content-Encoding": "gzip"})

    def stall(h, n):
        time.sleep(3)

    return {
        # case: (robots.txt behaviour, extra routes, the listing is fetched, the disallowed page is fetched)
        "over-20-MB": (ok(rules + padding * (21 * 1024), "text/plain"), {}, True, False),
        "gzip-bomb": (bomb, {}, False, False),
        "server-stalls": (stall, {}, False, False),
        "http-503": (lambda h, n: send(h, 503, b"busy", "text/plain"), {}, False, False),
        "redirect-to-another-host": (lambda h, n: send(h, 301, b"", headers={"Location": "{base}/robots-elsewhere.txt"}),
                                     {"/robots-elsewhere.txt": ok(rules, "text/plain")}, True, False),
        "utf-16": (ok(b"\xff\xfe" + rules.decode().encode("utf-16-le"), "text/plain"), {}, True, False),
        "http-404": (lambda h, n: send(h, 404, b"no", "text/plain"), {}, True, True),
    }


@pytest.mark.parametrize("case", list(_robots_cases()))
def test_robots_txt_follows_rfc_9309(case, tmp_path):
    """Case 7: robots.txt that cannot be read is no longer "allow everything": unreachable (5xx, stall, bomb)
    disallows all, a redirect (to another host too) is followed, 512 KiB of a 21 MB file are parsed, UTF-16 is
    decoded; a 404 still allows all."""
    robots, extra, listing_fetched, private_fetched = _robots_cases()[case]
    routes = {"/tin-tuc": ok(listing_of(["/tin/cong-khai-10001.html", "/private/bi-mat-10002.html"])),
              "/tin/cong-khai-10001.html": ok(jsonld_article(1, '"Nguyễn Văn An"')),
              "/private/bi-mat-10002.html": ok(jsonld_article(2, '"Nguyễn Văn An"')), **extra}
    with FaultServer(routes) as server:
        if case == "redirect-to-another-host":  # 127.0.0.1 is another host than the site's (mirrored) one
            location = server.base_url
            routes["/robots.txt"] = lambda h, n: send(h, 301, b"", headers={"Location": f"{location}/robots-elsewhere.txt"})
        else:
            routes["/robots.txt"] = robots
        result = run_scrapy(["crawl", "generic", "-a", f"start_urls={SITE}/tin-tuc", "-a", f"base_url={server.base_url}",
                             "-s", "CCHC_BROWSER_FALLBACK=0", "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=1"],
                            tmp_path / "cchc.db", timeout=180)
        hits = dict(server.hits)
    assert (hits.get("/tin-tuc", 0) > 0) == listing_fetched, (hits, result.stderr[-3000:])
    assert (hits.get("/private/bi-mat-10002.html", 0) > 0) == private_fetched, hits
    if listing_fetched:
        assert hits.get("/tin/cong-khai-10001.html", 0) == 1, hits
    else:  # nothing fetched is never "ok"
        assert result.returncode == 1 and ": unreachable: " in result.stderr, result.stderr[-2000:]


def test_url_variants_of_one_article_cost_one_fetch(tmp_path):
    """Case 9: tracking parameters, http/https, www., :443 and host case variants of one article are one
    request and one URL row (they were 8 fetches)."""
    path = "/tin/mot-cua-lien-thong-10001.html"
    variants = [f"{SITE}{path}", f"{SITE}{path}?utm_source=facebook&utm_medium=share", f"{SITE}{path}?fbclid=IwAR0x",
                f"{SITE}{path}?gclid=abc", f"http://{HOST}{path}", f"https://www.{HOST}{path}", f"https://{HOST}:443{path}",
                f"https://{HOST.upper()}{path}?ref=home", f"{SITE}{path}#binh-luan"]
    routes = {path: ok(jsonld_article(1, '"Nguyễn Văn An"')), "/robots.txt": ok(b"User-agent: *\nAllow: /\n", "text/plain")}
    items = "".join(f"<li class='item'><a href='{v}'>Một cửa liên thông giúp người dân nộp hồ sơ nhanh hơn</a></li>"
                    for v in variants)
    routes["/tin-tuc"] = ok(f"<html><body><ul class='news'>{items}</ul></body></html>".encode())
    db = tmp_path / "cchc.db"
    with FaultServer(routes) as server:
        result = run_scrapy(["crawl", "generic", "-a", f"start_urls={SITE}/tin-tuc", "-a", f"base_url={server.base_url}",
                             "-s", "CCHC_BROWSER_FALLBACK=0"], db, timeout=120)
        hits = server.hits[path]
    assert result.returncode == 0, result.stderr[-2000:]
    assert hits == 1
    assert [r["url"] for r in rows(db, "select url from article_urls")] == [f"{SITE}{path}"]


def test_clean_url_keeps_what_selects_content():
    from crawler.urls import clean_url, fingerprint_url

    assert clean_url("HTTPS://Bao.VN:443/Tin/A-1.html?id=5&utm_campaign=x&zarsrc=30#c") == "https://bao.vn/Tin/A-1.html?id=5"
    assert clean_url("http://bao.vn:8080/a?page=2&source=rss") == "http://bao.vn:8080/a?page=2&source=rss"
    assert fingerprint_url("http://www.bao.vn/a?b=2&a=1") == fingerprint_url("https://bao.vn/a?a=1&b=2&fbclid=z")


def test_a_page_long_h1_is_not_the_title():
    """Case 9: a 50,000-character heading caught by a title selector never becomes the title: the page's
    <title> is used, and any title over 300 characters is cut at a word with an ellipsis."""
    from scrapy.http import HtmlResponse

    from crawler.clean.cleaning import clean_article
    from crawler.extract.metadata import page_metadata
    from crawler.extract.title import choose_title

    huge = "Cải cách hành chính " * 2500
    body = (f"<html><head><meta charset='utf-8'><title>Cải cách hành chính tỉnh năm 2024</title></head><body>"
            f"<h1 class='title'>{huge}</h1><div class='content'><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p></div></body></html>")
    response = HtmlResponse("https://x.vn/tin/a-10001.html", body=body.encode(), encoding="utf-8")
    title = choose_title(response.selector, "h1.title", page_metadata(response.selector), response.url).title
    assert title == "Cải cách hành chính tỉnh năm 2024"
    long_item = {"url": "https://x.vn/a", "title": huge, "body_html": f"<p>{PARAGRAPH}</p>"}
    clean_article(long_item)
    assert len(long_item["title"]) <= 301 and long_item["title"].endswith("…")


def test_double_sigint_stores_what_was_fetched_and_exits_non_zero(tmp_path):
    """Case 9: Ctrl-C twice (Scrapy's forced shutdown) used to leave exit 0 and no crawl_runs row."""
    import signal

    paths = [f"/tin/bai-cham-{n}-1000{n}.html" for n in range(6)]
    routes = {p: (lambda body: (lambda h, n: (time.sleep(1.5), send(h, 200, body))))(jsonld_article(i, '"An"'))
              for i, p in enumerate(paths)}
    routes["/tin/bai-nhanh-10009.html"] = ok(jsonld_article(9, '"An"'))
    routes["/tin-tuc"] = ok(listing_of(["/tin/bai-nhanh-10009.html"] + paths))
    routes["/robots.txt"] = ok(b"User-agent: *\nAllow: /\n", "text/plain")
    db = tmp_path / "cchc.db"
    env = dict(os.environ, CCHC_DB=str(db), CCHC_LOG_LEVEL="INFO")
    with FaultServer(routes) as server:
        proc = subprocess.Popen([str(Path(sys.executable).with_name("scrapy")), "crawl", "generic", "-a",
                                 f"start_urls={SITE}/tin-tuc", "-a", f"base_url={server.base_url}", "-s",
                                 "CCHC_BROWSER_FALLBACK=0"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and server.hits[paths[0]] == 0:
            time.sleep(0.1)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0, stderr[-2000:]
    runs = rows(db, "select finish_reason from crawl_runs")
    assert [r["finish_reason"] for r in runs] == ["shutdown_forced"], stderr[-2000:]
    assert rows(db, "select count(*) as n from articles")[0]["n"] >= 1


def test_seed_of_an_unknown_site_fails():
    result = subprocess.run([sys.executable, "-m", "crawler", "seed", "nosuch"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env=dict(os.environ, CCHC_REDIS_URL="redis://127.0.0.1:1/0"))
    assert result.returncode == 2 and "nosuch" in result.stderr


REGISTRY_ENTRY = '''[[site]]
key = "thu_nghiem"
name = "Cổng thử nghiệm"
kind = "portal"
province = "Hà Nội"
domains = ["thunghiem.gov.vn"]
start_urls = ["https://thunghiem.gov.vn/tin-tuc"]
'''


@pytest.mark.parametrize("change, message", [
    ('domains = ["thunghiem.gov.vn"]', None),
    ('domains = "thunghiem.gov.vn"', "domains must be a list of strings"),
    ('start_urls = ["https://thunghiem.gov.vn/tin-tuc"]\nstart_urls_x = 1', "unknown fields"),
    ('start_urls = ["thunghiem.gov.vn/tin-tuc"]', "must be an absolute http(s) URL"),
    ('domains = ["https://thunghiem.gov.vn"]', "must be a lowercase host name"),
    ('name = "Cổng thử nghiệm"\nverified = "yes"', "verified must be true or false"),
    ('name = "Cổng thử nghiệm"\nselectors = { title = "h1[[" }', "selector title"),
    ('name = "Cổng thử nghiệm"\nselectors = { body = "xpath://div[" }', "selector body"),
    ('name = "Cổng thử nghiệm"\nparsers = [{ valid_from = "2025-07-01", selectors = { title = "h1" } }]',
     "valid_from must be a TOML date"),
    ('name = "Cổng thử nghiệm', "sites.toml line 4, column"),
])
def test_registry_rejects_wrong_types_with_file_and_line(change, message, tmp_path):
    """Case 9: registry fields of the wrong type, a start URL without scheme, a bad selector, a bad parser
    date and a TOML syntax error are rejected at load as "sites.toml line N: ..."."""
    from crawler.registry import RegistryError, load_registry

    original = change.split("\n")[0].split("=")[0].strip()
    lines = [line for line in REGISTRY_ENTRY.splitlines() if not line.startswith(original + " ")]
    path = tmp_path / "sites.toml"
    path.write_text("# registry under test\n\n" + "\n".join(lines[:1] + [change] + lines[1:]) + "\n", encoding="utf-8")
    if message is None:
        assert list(load_registry(path)) == ["thu_nghiem"]
        return
    with pytest.raises(RegistryError) as error:
        load_registry(path)
    expected = message if message.startswith("sites.toml") else "sites.toml line 3: "  # the entry's [[site]] line
    assert str(error.value).startswith(expected) and message in str(error.value), str(error.value)


@pytest.mark.parametrize("args, env, message", [
    (["-a", "max_pages=abc"], {}, "-a max_pages='abc'"),
    (["-a", "base_url=notaurl"], {}, "-a base_url='notaurl'"),
    (["-a", "js=maybe"], {}, "-a js='maybe'"),
    (["-s", "CCHC_MAX_PAGES=abc"], {}, "setting CCHC_MAX_PAGES='abc'"),
    ([], {"CCHC_RECHECK_DAYS": "a week"}, "environment variable CCHC_RECHECK_DAYS='a week'"),
])
def test_bad_arguments_and_settings_name_themselves(args, env, message, tmp_path, monkeypatch):
    """Case 9: bad -a values and bad CCHC_* values stop the run with exit 1 and a line naming them."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run_scrapy(["crawl", "plo", *args], tmp_path / "cchc.db", timeout=60)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr, result.stderr[-2000:]
