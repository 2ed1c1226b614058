"""Browsing with Datasette: the real server on a database built by a real crawl of the fixtures, checked through
its JSON API and in a real headless Chromium (Debian's chromium, driven by Playwright). Screenshots are saved
under tests/artifacts/."""
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from crawler.web.browse import metadata

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CCHC_CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read().decode("utf-8")
    return json.loads(body) if ".json" in url else body


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("browse") / "cchc.db"
    result = subprocess.run([sys.executable, "-m", "crawler", "demo", "--db", str(path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, env=dict(os.environ, CCHC_PROGRESS_INTERVAL="0"))
    assert result.returncode == 0, result.stderr[-2000:]
    return path


@pytest.fixture(scope="module")
def site(db):
    """`python -m crawler browse DB` on a free port of 127.0.0.1; stopped after the module."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "crawler", "browse", str(db), "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            get(base + "/-/versions.json")
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail("datasette did not start: " + server.stdout.read()[-2000:])
    yield base
    server.terminate()
    server.wait(timeout=10)


def sql(db, query, params=()):
    con = sqlite3.connect(db)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def test_search_without_diacritics_finds_articles(site, db):
    rows = get(site + "/cchc/cchc_articles.json?_search=cai+cach+hanh+chinh&_shape=objects&_size=100")["rows"]
    expected = sql(db, "select count(*) from articles_fts where articles_fts match 'cải cách hành chính'")[0][0]
    assert len(rows) == expected > 20
    hits = get(site + "/cchc/search.json?q=dak+nong&_shape=array")
    assert any("Đắk Nông" in (h["snippet"] + h["title"]) for h in hits)
    assert all(h["snippet"] for h in hits)
    ranked = get(site + "/cchc/search.json?q=gia+nghia+mot+cua+lien+thong&_shape=array")
    assert ranked[0]["title"] == "Gia Nghĩa triển khai mô hình một cửa liên thông cấp xã"


def test_facets_count_correctly(site, db):
    data = get(site + "/cchc/cchc_articles.json?_size=0&_facet=province&_facet=site&_facet=status&_facet=month"
                      "&_facet_array=topics")
    facets = data["facet_results"]
    facets = facets.get("results", facets)  # layout differs between Datasette versions
    provinces = {f["value"]: f["count"] for f in facets["province"]["results"]}
    assert provinces == dict(sql(db, "select province, count(*) from articles where province is not null group by province"))
    sites = {f["value"]: f["count"] for f in facets["site"]["results"]}
    assert sites == dict(sql(db, "select site, count(*) from articles group by site"))
    topics = {f["value"]: f["count"] for f in facets["topics"]["results"]}
    expected = dict(sql(db, "select t.value, count(*) from articles, json_each(articles.topics) t group by t.value"))
    assert topics == expected and "mot_cua" in topics
    assert {f["value"] for f in facets["status"]["results"]} == {"active"}


def test_every_canned_query_runs(site, db):
    queries = metadata(str(db))["databases"]["cchc"]["queries"]
    assert {"newest_by_province", "per_province_month", "shared_stories", "edited_and_removed", "site_health",
            "search", "search_feed"} <= set(queries)
    for name in queries:
        rows = get(f"{site}/cchc/{name}.json?q=cai+cach&_shape=array&_size=max")
        assert isinstance(rows, list), name
        if name not in ("edited_and_removed",):
            assert rows, f"{name} returned no row"
    shared = get(site + "/cchc/shared_stories.json?_shape=array")
    assert len(shared) == 4 and all(r["sites"] == 2 for r in shared)
    health = get(site + "/cchc/site_health.json?_shape=array")
    assert len(health) == 13
    assert all(r["verdict"] in ("ok", "quiet", "unreachable", "blocked", "broken", "failed") for r in health)


def test_atom_feed_of_a_saved_search(site):
    feed = get(site + "/cchc/search_feed.atom?q=mot+cua")
    assert feed.startswith("<?xml") and "<feed" in feed and feed.count("<entry>") >= 3


def test_read_only(site):
    with pytest.raises(urllib.error.HTTPError) as error:
        get(site + "/cchc.json?sql=" + urllib.request.quote("delete from articles"))
    assert error.value.code == 400
    request = urllib.request.Request(site + "/cchc/articles/-/insert", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code in (403, 404, 405)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: bin/setup installs Debian's chromium (or set CCHC_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def test_browser_article_list_search_chart_and_article(site, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site + "/cchc/cchc_articles")
    assert "Bài viết / Articles" in page.title() or "Bài viết" in page.inner_text("h1")
    assert page.locator("table.rows-and-columns tbody tr").count() == 50  # page size, newest first
    page.screenshot(path=str(ARTIFACTS / "articles.png"))

    page.fill("input[name=_search]", "cai cach hanh chinh")
    page.press("input[name=_search]", "Enter")
    page.wait_for_url("**_search=cai+cach+hanh+chinh**")
    assert "cai cach hanh chinh" in page.inner_text("body")
    assert page.locator("table.rows-and-columns tbody tr").count() > 20
    page.screenshot(path=str(ARTIFACTS / "search.png"))

    page.goto(site + "/-/dashboards/cchc-overview")
    page.wait_for_selector(".vega-embed svg, .vega-embed canvas", timeout=30_000)
    assert page.locator(".vega-embed").count() == 3
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.goto(site + "/cchc/cchc_articles?_search=gia+nghia+mot+cua+lien+thong")
    page.click("td.col-article a")
    page.wait_for_selector("article.cchc-article .body p")
    assert page.inner_text("article.cchc-article h1") == "Gia Nghĩa triển khai mô hình một cửa liên thông cấp xã"
    body = page.inner_text("article.cchc-article .body")
    assert "Theo UBND thành phố Gia Nghĩa" in body and "<p>" not in body  # rendered as HTML, not shown as tags
    assert "Thanh Nga" in page.inner_text("article.cchc-article .meta")
    assert page.locator("article.cchc-article a[href^='https://baodaknong.vn/']").count() == 1  # the original
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)
    page.close()
