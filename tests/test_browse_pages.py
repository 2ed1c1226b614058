"""Issue 34, in a real Chromium against the real `python -m crawler browse` on a database built by a real crawl of
the fixtures (tests/browse_server.py): the province-by-period table (item 2), labels people read and the article
page (item 3), table pages without SQL and the search page's feed (item 7). Counts are checked against SQL on the
stored rows. Screenshots: browse_server.ARTIFACTS (a temporary folder)."""
from __future__ import annotations

import csv
import io
import re
import sqlite3
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from browse_server import ARTIFACTS, http_get

WIDTH = 1400


@pytest.fixture()
def page(chromium):
    page = chromium.new_page(viewport={"width": WIDTH, "height": 900})
    yield page
    page.close()


def query(db, sql, params=()):
    con = sqlite3.connect(db)  # no function of the project: the stored database is plain SQLite
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def count_cchc(db, province=None, first="0000-00", last="9999-99") -> int:
    """CCHC articles (relevant, not removed) of a province published in the months first..last, from the rows."""
    where = " and a.province = ?" if province else ""
    return query(db, "select count(*) from articles a where (a.relevance >= 0.5 or a.from_cchc_section = 1) and "
                     "coalesce(a.status, 'active') != 'removed' and a.published_month between ? and ?" + where,
                 [first, last] + ([province] if province else []))[0][0]


def heatmap(page) -> tuple[list[str], list[list[dict]]]:
    """The table's period labels, and for every province row its cells: text, link and background."""
    labels = page.locator("table.cchc-heatmap thead th.period").all_inner_texts()
    rows = page.locator("table.cchc-heatmap tbody tr").evaluate_all("""rows => rows.map(r => [
        {text: r.querySelector('th').innerText.trim()},
        ...[...r.querySelectorAll('td')].map(td => ({text: td.innerText.trim(),
            href: td.querySelector('a') ? td.querySelector('a').getAttribute('href') : null,
            background: getComputedStyle(td).backgroundColor}))])""")
    return labels, rows


def months_of(href: str) -> tuple[str | None, str, str]:
    args = parse_qs(urlsplit(href).query)
    return (args.get("province") or [None])[0], args["month__gte"][0], args["month__lte"][0]


def test_provinces_over_time_by_default_cover_every_cchc_article(browse_site, browse_db, page):
    """Item 2: the default period is the whole span of the data (Hà Nội's 40 older articles count), in years when
    it spans more than six; every province is a row; each cell is the SQL count of its months, shaded by it."""
    page.goto(f"{browse_site}/cchc/per_province_month")
    first, last = query(browse_db, "select min(published_month), max(published_month) from articles where cchc = 1")[0]
    labels, rows = heatmap(page)
    assert labels == [str(y) for y in range(int(first[:4]), int(last[:4]) + 1)]  # every year, empty ones too
    provinces = {p for (p,) in query(browse_db, "select province from sites where province is not null")}
    assert {r[0]["text"] for r in rows} >= provinces and len(provinces) == 34
    totals = {r[0]["text"]: int(r[-1]["text"]) for r in rows}
    assert totals["Hà Nội"] == count_cchc(browse_db, "Hà Nội") == 40
    assert sum(totals.values()) == count_cchc(browse_db)
    shades = {}
    for row in rows:
        for cell in row[1:-1]:
            province, lo, hi = months_of(cell["href"])
            assert province == row[0]["text"] and int(cell["text"]) == count_cchc(browse_db, province, lo, hi)
            shades.setdefault(int(cell["text"]), set()).add(cell["background"])
    alpha = {n: float(re.search(r"rgba?\(\d+, \d+, \d+(?:, ([\d.]+))?\)", b.pop()).group(1) or 1)
             for n, b in shades.items() if n}
    assert shades[0] <= {"rgba(0, 0, 0, 0)"} and alpha  # zeros unshaded, counts shaded ...
    assert [alpha[n] for n in sorted(alpha)] == sorted(alpha.values())  # ... darker for more
    assert page.locator("input[name=from]").input_value() == first and page.locator("input[name=to]").input_value() == last
    widths = page.evaluate("""() => { const w = document.querySelector('.table-wrapper');
        return [document.documentElement.scrollWidth, w.scrollWidth, w.clientWidth]; }""")
    assert widths[0] <= WIDTH and widths[1] <= widths[2], widths  # the whole table in the window, every year seen
    page.screenshot(path=str(ARTIFACTS / "provinces-over-time.png"), full_page=True)


def test_the_analyst_chooses_the_period_and_a_cell_opens_its_articles(browse_site, browse_db, page):
    page.goto(f"{browse_site}/cchc/per_province_month")
    page.fill("input[name=from]", "2019-05")
    page.fill("input[name=to]", "2019-11")
    page.select_option("select[name=per]", "month")
    page.click("form.cchc-period input[type=submit]")
    page.wait_for_url("**per=month**")
    labels, rows = heatmap(page)
    assert labels == [f"2019-{m:02d}" for m in range(5, 12)]
    for row in rows:
        for label, cell in zip(labels, row[1:-1]):
            assert int(cell["text"]) == count_cchc(browse_db, row[0]["text"], label, label), (row[0], label)
    assert int(page.locator("table.cchc-heatmap tfoot td.total").inner_text()) == count_cchc(browse_db, None, "2019-05", "2019-11")
    # a cell links to exactly the articles it counts
    cell = next(c for r in rows for c in r[1:-1] if c["text"] not in ("0", ""))
    page.goto(urljoin(page.url, cell["href"]))
    shown = page.locator("table.rows-and-columns tbody tr")
    assert shown.count() == int(cell["text"])
    province, lo, hi = months_of(cell["href"])
    assert set(page.locator("td.col-province").all_inner_texts()) == {province}
    assert all(lo <= m <= hi for m in page.locator("td.col-month").all_inner_texts())
    # quarters, and values that are not months answer with the default rather than an error
    page.goto(f"{browse_site}/cchc/per_province_month?from=2019&to=2020&per=quarter")
    assert heatmap(page)[0] == [f"{y}-Q{q}" for y in (2019, 2020) for q in range(1, 5)]
    page.goto(f"{browse_site}/cchc/per_province_month?from=2025-13&to=abc")
    assert page.locator(".message-error").count() == 0 and heatmap(page)[1]


def test_provinces_over_time_as_data_one_row_per_province_and_period(browse_site, browse_db):
    body = http_get(f"{browse_site}/cchc/per_province_month.csv?from=2025-07&to=2025-11&_size=max")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 34 * 5 and set(rows[0]) >= {"province", "period", "articles", "first_month", "last_month"}
    assert sum(int(r["articles"]) for r in rows) == count_cchc(browse_db, None, "2025-07", "2025-11")


def test_labels_people_read(browse_site, browse_db, page):
    """Item 3: names, not keys; words, not JSON; facet values broken between words only."""
    page.goto(f"{browse_site}/cchc/cchc_articles?_facet_size=max")
    broken = page.evaluate("""() => {  // a word split over two lines has two client rectangles
        const out = [];
        for (const a of document.querySelectorAll('.facet-info li a')) {
            const words = a.textContent.split(' ');
            a.innerHTML = words.map(w => '<span>' + w + '</span>').join(' ');
            a.querySelectorAll('span').forEach(s => { if (s.getClientRects().length > 1) out.push(s.textContent); });
        }
        return out; }""")
    assert broken == []
    sources = set(page.locator("#facet-source li a").all_inner_texts())
    assert sources and not [s for s in sources if re.search(r"\.(vn|com)\b", s)]  # "Báo Lào Cai", not "Báo baolaocai.vn"
    for name, keys in (("site_health", {"verdict_reason", "finished", "median_body_length"}),
                       ("quiet_provinces", {"days_since", "last_30_days", "newest_cchc_article"})):
        page.goto(f"{browse_site}/cchc/{name}")
        headers = page.locator("table.rows-and-columns thead th").all_inner_texts()
        assert headers and not keys & set(headers) and all(" / " in h for h in headers), headers
        assert set(http_get(f"{browse_site}/cchc/{name}.json?_shape=array")[0]) >= keys  # the data keeps its keys
    body = http_get(f"{browse_site}/cchc/cchc_articles.csv?_size=max")
    topics = [r["topics"] for r in csv.DictReader(io.StringIO(body.lstrip("\ufeff"))) if r["topics"]]
    assert topics and not [t for t in topics if t.startswith("[") or "_" in t]  # words, as `export` writes them


def test_the_dashboard_names_sites(browse_site, browse_db, page):
    page.goto(browse_site + "/-/dashboards/cchc-overview")
    page.wait_for_selector(".vega-embed svg", timeout=30_000)
    page.wait_for_timeout(1000)
    labels = set(page.evaluate("""() => [...document.querySelectorAll('.vega-embed svg')]
        .filter(svg => svg.textContent.includes('Kết quả / verdict'))
        .flatMap(svg => [...svg.querySelectorAll('.role-axis-label text')].map(t => t.textContent))"""))
    keys = {k for (k,) in query(browse_db, "select distinct site from crawl_runs")}
    names = {n for (n,) in query(browse_db, "select s.name from crawl_runs r join sites s on s.key = r.site")}
    assert names <= labels and not keys & labels


def test_article_page_shows_topics_fits_and_links_its_story(browse_site, browse_db, page):
    (article, story, topic), = query(browse_db, "select a.id, a.story_id, a.topics ->> '$[0]' from articles a join "
                                                "article_urls u on u.article_id = a.id where a.topics != '[]' "
                                                "group by a.id having count(*) > 1 order by a.id limit 1")
    page.goto(f"{browse_site}/cchc/articles/{article}")
    labels = [t for (t,) in query(browse_db, "select t.label_vi from articles a, json_each(a.topics) j join topics t on "
                                             "t.key = j.value where a.id = ?", [article])]
    assert labels and all(label in page.inner_text("article .topics") for label in labels)
    page.click("details.cchc-fields summary")
    size = page.evaluate("""() => ({height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth,
        title: document.querySelector('article h1').getBoundingClientRect().height,
        line: parseFloat(getComputedStyle(document.querySelector('article h1')).lineHeight)})""")
    assert size["width"] <= WIDTH and size["title"] <= 3 * size["line"] and size["height"] < 6000, size
    assert page.locator("details.cchc-fields td", has_text=topic).count() == 2  # every column: topics, topic_terms
    page.screenshot(path=str(ARTIFACTS / "article-all-columns.png"), full_page=True)
    page.click("a.same-story")
    page.wait_for_url("**/same_story?story=*")
    urls = {u for (u,) in query(browse_db, "select u.url from article_urls u join articles a on a.id = u.article_id "
                                           "where a.story_id = ?", [story])}
    assert page.locator("td.col-title a").count() == len(urls) > 1  # every copy, readable, linked
    assert set(page.locator("td.col-url a").evaluate_all("els => els.map(e => e.href)")) == urls


def test_table_pages_print_no_sql_and_the_search_page_links_its_feed(browse_site, page):
    """Item 7."""
    for table in ("cchc_articles", "articles", "crawl_runs", "sites"):
        page.goto(f"{browse_site}/cchc/{table}")
        text = page.inner_text("body").lower()
        assert "create table" not in text and "create view" not in text, table
    page.goto(f"{browse_site}/cchc/search?q=mot+cua&mode=phrase")
    link = page.locator("link[rel=alternate][type='application/atom+xml']")
    visible = page.locator("p.cchc-feed a")
    assert link.count() == 1 and visible.get_attribute("href") == link.get_attribute("href")
    feed = http_get(urljoin(page.url, link.get_attribute("href")))
    assert "<title>Tin CCHC: “mot cua” / CCHC news: “mot cua”</title>" in feed
    assert feed.count("<entry>") == page.locator("table.rows-and-columns tbody tr").count() or feed.count("<entry>") == 50
    page.screenshot(path=str(ARTIFACTS / "search-with-feed.png"))


def test_article_page_links_its_archived_copy(browse_site, browse_db, page):
    """Issue 33: the article page says where its response is archived and opens it, as fetched, in a sandbox: its
    scripts never run and it loads nothing; an article without an archived copy has no such link."""
    import urllib.error
    import urllib.request

    (article, url, fetched), = query(browse_db, "select a.id, a.url, r.fetched_at from articles a join article_archive r "
                                                "on r.article_id = a.id order by a.id limit 1")
    page.goto(f"{browse_site}/cchc/articles/{article}")
    link = page.locator("a.archived-copy")
    assert link.inner_text() == "bản lưu / archived copy" and "fetched" in page.inner_text("span.archived-at")
    assert ".warc.gz @ " in page.locator("span.archived-at").get_attribute("title")  # file and offset, on hover
    with urllib.request.urlopen(urljoin(page.url, link.get_attribute("href")), timeout=30) as response:
        body, headers = response.read(), response.headers
    assert headers["Content-Security-Policy"].startswith("sandbox;") and "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Archived-From"] == url and headers["X-Archived-At"] == fetched
    title = query(browse_db, "select title from articles where id = ?", [article])[0][0]
    assert title.split()[0].encode() in body
    page.click("a.archived-copy")
    assert page.evaluate("() => window.origin") == "null"  # the sandbox: an opaque origin, no script of the page ran
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{browse_site}/-/archived/cchc/999999", timeout=30)
