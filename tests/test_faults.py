"""Reliability: a server on 127.0.0.1 that misbehaves on demand, SIGKILL at random moments, a full or read-only
database, two writers at once, hostile page content. Nothing crashes, nothing is lost or half-stored, and every
fault is either retried, stored correctly, or dropped with a counted reason."""
import json
import os
import random
import signal
import sqlite3
import subprocess
import time

import pytest

from harness.faults import database_fault
from conftest import ROOT, crawl_stats, rows, run_scrapy
from faults import (FaultServer, article, ok, redirect, reset, send, slow, stall_mid_body, status_burst,
                    truncated)
from test_encoding import encode_cp1258

HOST = "loi.example.gov.vn"
SITE = f"https://{HOST}"
CHALLENGE = (b"<html><head><title>Just a moment...</title></head><body><div id='cf-browser-verification'>"
             b"Checking your browser</div></body></html>")
HOSTILE = ('<p>Trang có mã độc <script>alert("x")</script><img src="/anh.jpg" onerror="alert(1)">'
           '<a href="javascript:alert(2)">liên kết</a></p>')


def faults() -> dict:
    """path -> (behaviour, expected outcome)."""
    big = article("Trang rất lớn", extra="<p>" + "x" * (21 * 1024 * 1024) + "</p>")
    broken = (b"<html><body><h1 class='title'>Trang HTML l\xe1\xbb\x97i c\xe1\xba\xa5u tr\xc3\xbac</h1><div class='date'>07/03/2024"
              b"<div class='content'><table><tr><td><table><tr><td><p>" + "Nội dung bị lỗi thẻ nhưng vẫn đọc được. ".encode() * 5
              + b"<p>" + "Đoạn thứ hai không đóng thẻ, nói về cải cách hành chính. ".encode() * 3)
    invalid = article("Trang có byte lỗi giữa văn bản").replace("Cổng dịch vụ".encode(), b"C\xff\xfeng d\xe1\xbb\x8bch v\xe1\xbb\xa5")
    return {
        "/tin/burst-503-10001.html": (status_burst(503, 2, article("Máy chủ bận hai lần")), "stored after retries"),
        "/tin/retry-after-10002.html": (status_burst(429, 1, article("Yêu cầu chờ theo Retry-After"),
                                                     headers={"Retry-After": "1"}), "stored after Retry-After"),
        "/tin/always-500-10003.html": (status_burst(500, 99, b""), "dropped: http 500 after retries"),
        "/tin/timeout-10004.html": (slow(article("Lần đầu quá thời gian chờ"), 6), "stored after retry"),
        "/tin/reset-10005.html": (reset(article("Kết nối bị ngắt lần đầu")), "stored after retry"),
        "/tin/stall-10006.html": (stall_mid_body(article("Dừng giữa chừng khi gửi nội dung"), seconds=6), "stored after retry"),
        "/tin/truncated-10007.html": (truncated(article("Nội dung bị cắt cụt lần đầu")), "stored after retry"),
        "/tin/cp1258-10008.html": (ok(encode_cp1258(article("Trang mã Windows-1258 khai là UTF-8").decode())), "stored, decoded"),
        "/tin/invalid-bytes-10009.html": (ok(invalid), "stored"),
        "/tin/broken-html-10010.html": (ok(broken), "stored"),
        "/tin/empty-10011.html": (ok(b""), "dropped: invalid (no title)"),
        "/tin/huge-10012.html": (ok(big), "dropped: larger than DOWNLOAD_MAXSIZE"),
        "/tin/loop-10013.html": (redirect("/tin/loop-b-10013.html"), "dropped: redirect loop stopped"),
        "/tin/loop-b-10013.html": (redirect("/tin/loop-10013.html"), "(loop)"),
        "/tin/offsite-10014.html": (redirect("https://evil.example.com/steal"), "dropped: offsite redirect not followed"),
        "/private/bi-mat-10015.html": (ok(article("Trang cấm theo robots.txt")), "not fetched (robots.txt)"),
        "/tin/challenge-10016.html": (ok(CHALLENGE), "dropped: block page"),
        "/tin/khong-noi-dung-10017.html": (ok("<html><head><title>Chỉ có tiêu đề</title></head><body><h1>Chỉ có tiêu đề mà thôi</h1></body></html>".encode()),
                                           "dropped: invalid (no body)"),
        "/tin/ma-doc-10018.html": (ok(article("Trang chứa mã độc được làm sạch", extra=HOSTILE)), "stored, sanitized"),
    }


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    table = faults()
    listing = "".join(f"<li class='item'><a href='{p}'>Bài viết kiểm tra lỗi số {n} về thủ tục hành chính</a></li>"
                      for n, p in enumerate(table) if "loop-b" not in p)
    routes = {p: behaviour for p, (behaviour, _) in table.items()}
    routes["/tin-tuc"] = ok(f"<html><body><ul class='news'>{listing}</ul></body></html>".encode())
    routes["/robots.txt"] = ok(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    db = tmp / "cchc.db"
    with FaultServer(routes) as server:
        result = run_scrapy(["crawl", "generic", "-a", f"start_urls={SITE}/tin-tuc", "-a", f"base_url={server.base_url}",
                             "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=2", "-s", "CCHC_BROWSER_FALLBACK=0",
                             "-s", f"CCHC_FAILED_PAGES_DIR={tmp / 'failed'}"], db, timeout=300)
    outcome = {"result": result, "stats": crawl_stats(result), "hits": dict(server.hits), "db": db, "tmp": tmp,
               "table": table}
    stored = {r["url"].replace(SITE, ""): r for r in rows(db, "select a.*, a.body_text, a.body_html from articles a")}
    outcome["stored"] = stored
    print("\nfault outcomes:")
    for path, (_, expected) in table.items():
        print(f"  {path:<34} hits={server.hits.get(path, 0):<3} stored={'yes' if path in stored else 'no ':<4} expected: {expected}")
    return outcome


def test_crawl_survives_every_fault(fault_run):
    result = fault_run["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Spider closed (finished)" in result.stderr
    assert "Traceback" not in result.stderr.split("Spider closed")[0] or "Spidermon" in result.stderr


def test_transient_faults_are_retried_and_stored(fault_run):
    stored, hits = fault_run["stored"], fault_run["hits"]
    for path, retried_at_least in (("/tin/burst-503-10001.html", 3), ("/tin/retry-after-10002.html", 2),
                                   ("/tin/timeout-10004.html", 2), ("/tin/reset-10005.html", 2),
                                   ("/tin/stall-10006.html", 2), ("/tin/truncated-10007.html", 2)):
        assert path in stored, path
        assert hits[path] >= retried_at_least, path
        assert stored[path]["body_text"].count("Ủy ban nhân dân tỉnh") == 2, f"{path}: half an article"
    stats = fault_run["stats"]
    assert stats["cchc/retry_after"] == 1
    assert stats["retry/count"] >= 8


def test_permanent_errors_are_counted_not_stored(fault_run):
    stored, stats, hits = fault_run["stored"], fault_run["stats"], fault_run["hits"]
    assert "/tin/always-500-10003.html" not in stored and hits["/tin/always-500-10003.html"] == 3
    assert stats["retry/max_reached"] >= 1
    assert "/tin/huge-10012.html" not in stored
    assert hits["/tin/loop-10013.html"] <= 21 and "/tin/loop-10013.html" not in stored
    assert stats["offsite/filtered"] >= 1 and "/tin/offsite-10014.html" not in stored
    assert "/private/bi-mat-10015.html" not in hits and stats["robotstxt/forbidden"] == 1
    run = rows(fault_run["db"], "select * from crawl_runs")[0]
    assert json.loads(run["http_status"])["500"] == 3


def test_bad_content_is_stored_correctly_or_dropped_with_a_reason(fault_run):
    stored, stats = fault_run["stored"], fault_run["stats"]
    assert stored["/tin/cp1258-10008.html"]["title"] == "Trang mã Windows-1258 khai là UTF-8"
    assert stored["/tin/invalid-bytes-10009.html"]["title"] == "Trang có byte lỗi giữa văn bản"
    assert "Nội dung bị lỗi thẻ nhưng vẫn đọc được" in stored["/tin/broken-html-10010.html"]["body_text"]
    for path in ("/tin/empty-10011.html", "/tin/challenge-10016.html", "/tin/khong-noi-dung-10017.html"):
        assert path not in stored, path
    assert stats["cchc/dropped/invalid"] == 2 and stats["cchc/blocked"] == 1
    run = rows(fault_run["db"], "select * from crawl_runs")[0]
    assert (run["dropped"], run["blocked"]) == (2, 1)
    assert run["monitor_status"] == "failed"  # the block page fails the monitors


def test_no_unsanitized_html_is_stored_or_rendered(fault_run, tmp_path):
    html = fault_run["stored"]["/tin/ma-doc-10018.html"]["body_html"]
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html and "alert" not in html
    from crawler.web.browse import metadata

    db = fault_run["db"]
    meta = tmp_path / "m.json"
    meta.write_text(json.dumps(metadata(str(db))), encoding="utf-8")
    article_id = fault_run["stored"]["/tin/ma-doc-10018.html"]["id"]
    page = subprocess.run([str(ROOT / ".venv" / "bin" / "datasette"), str(db), "--metadata", str(meta),
                           "--template-dir", str(ROOT / "crawler" / "web" / "templates"),
                           "--plugins-dir", str(ROOT / "crawler" / "web" / "plugins"), "--get", f"/cchc/articles/{article_id}"],
                          capture_output=True, text=True, timeout=60).stdout
    assert "Trang chứa mã độc được làm sạch" in page and "onerror" not in page and 'alert("x")' not in page


def test_nothing_is_written_outside_the_output_folders(fault_run):
    saved = [p for p in (fault_run["tmp"] / "failed").rglob("*") if p.is_file()]
    assert saved and all(p.is_relative_to(fault_run["tmp"] / "failed" / HOST) for p in saved)


# ---- crash safety -------------------------------------------------------------------------------------------------

def slow_ok(body, seconds=0.04):
    def behaviour(h, n):
        time.sleep(seconds)
        send(h, 200, body)
    return behaviour


def small_site(count=60):
    routes = {f"/tin/bai-{n}-{20000 + n}.html": slow_ok(article(f"Bài viết số {n} về cải cách hành chính", 1 + n % 27))
              for n in range(count)}
    links = "".join(f"<li class='item'><a href='{p}'>Bài viết số {n} về cải cách hành chính</a></li>" for n, p in enumerate(routes))
    routes["/tin-tuc"] = ok(f"<html><body><ul class='news'>{links}</ul></body></html>".encode())
    return routes


def check_consistent(db):
    con = sqlite3.connect(db)
    try:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert con.execute("select count(*) from articles where title is null or body_text is null "
                           "or content_hash is null").fetchone()[0] == 0
        articles = con.execute("select count(*) from articles").fetchone()[0]
        assert con.execute("select count(*) from articles_fts").fetchone()[0] == articles
        assert con.execute("select count(*) from articles where id not in (select article_id from article_urls)").fetchone()[0] == 0
        assert con.execute("select count(*) from article_minhash").fetchone()[0] == articles
        return articles
    finally:
        con.close()


def test_sigkill_at_random_moments_then_resume(tmp_path):
    rng = random.Random(20261122)
    db = tmp_path / "cchc.db"
    env = dict(os.environ, CCHC_DB=str(db), CCHC_LOG_LEVEL="WARNING", CCHC_PROGRESS_INTERVAL="0")
    counts = []
    with FaultServer(small_site()) as server:
        args = [str(ROOT / ".venv" / "bin" / "scrapy"), "crawl", "generic", "-a", f"start_urls={SITE}/tin-tuc",
                "-a", f"base_url={server.base_url}", "-s", "CCHC_DB_BATCH_SIZE=5"]
        for _ in range(6):  # kill-and-resume rounds
            process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(1.5, 4.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
            if db.exists():
                counts.append(check_consistent(db))
        final = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-2000:]
    assert check_consistent(db) == 60
    assert rows(db, "select count(*) n, count(distinct url) d from article_urls")[0] == {"n": 60, "d": 60}
    assert counts == sorted(counts) and len(counts) >= 3  # every round kept what the earlier ones committed
    print(f"\nkill-and-resume rounds: {len(counts)}; articles after each kill: {counts}")


@pytest.mark.parametrize("fault", ["full-disk", "read-only"])
def test_unwritable_database_fails_clearly_then_next_run_works(tmp_path, fault):
    db = tmp_path / "cchc.db"
    with FaultServer(small_site(30)) as server:
        args = ["crawl", "generic", "-a", f"start_urls={SITE}/tin-tuc", "-a", f"base_url={server.base_url}",
                "-s", "CCHC_DB_BATCH_SIZE=5"]
        # a database exists already (schema, a few articles), then the fault appears
        setup = run_scrapy(args + ["-s", "CLOSESPIDER_ITEMCOUNT=5", "-s", "CONCURRENT_REQUESTS=1"], db)
        assert setup.returncode == 0, setup.stderr[-2000:]
        before = check_consistent(db)
        broken = run_scrapy(args, db, env=database_fault(fault))  # tests/harness/faults.py
        assert broken.returncode == 1
        assert "cannot write to the database" in broken.stderr and "database_error" in broken.stderr
        assert check_consistent(db) == before < 30  # nothing half-written, nothing lost
        fixed = run_scrapy(args, db)
    assert fixed.returncode == 0, fixed.stderr[-2000:]
    assert check_consistent(db) == 30


def test_two_writers_and_a_reader_at_once(tmp_path):
    db = tmp_path / "cchc.db"
    env = dict(os.environ, CCHC_DB=str(db), CCHC_LOG_LEVEL="WARNING", CCHC_PROGRESS_INTERVAL="0")
    first_site, second_site = small_site(40), small_site(40)
    with FaultServer(first_site) as one, FaultServer(second_site) as two:
        def crawl(server, host):
            return subprocess.Popen([str(ROOT / ".venv" / "bin" / "scrapy"), "crawl", "generic", "-a",
                                     f"start_urls=https://{host}/tin-tuc", "-a", f"base_url={server.base_url}",
                                     "-s", "CCHC_DB_BATCH_SIZE=3"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
        a, b = crawl(one, "mot.example.gov.vn"), crawl(two, "hai.example.gov.vn")
        reads = 0
        while a.poll() is None or b.poll() is None:  # a reader (as Datasette would) all along
            if db.exists():
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
                try:
                    con.execute("select count(*) from articles_fts where articles_fts match 'cai cach'").fetchone()
                    reads += 1
                except sqlite3.OperationalError:
                    pass
                finally:
                    con.close()
            time.sleep(0.1)
        assert a.returncode == 0 and b.returncode == 0, (a.stderr.read()[-1500:], b.stderr.read()[-1500:])
    # both sites publish the same 40 texts: one article each, two URLs each
    assert check_consistent(db) == 40 and reads > 5
    assert rows(db, "select count(*) n from article_urls")[0]["n"] == 80
