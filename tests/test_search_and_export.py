"""What typed words mean to the index (crawler/store/search.py), the label tables and reading views
(crawler/store/browsing.py), and `python -m crawler export` (CSV with a BOM, XLSX) on a real crawled database."""
from __future__ import annotations

import csv
import sqlite3
import subprocess
import sys

import pytest

from browse_server import db_rows as sql
from conftest import ROOT
from crawler.store.search import fts_query, matches_as_typed


@pytest.mark.parametrize("typed, mode, expected", [
    ("cai cach hanh chinh", None, '"cai cach hanh chinh"'),
    ("Một cửa: liên-thông", "phrase", '"Một cửa liên thông"'),  # punctuation is not syntax
    ("mot cua", "all", '"mot" "cua"'),
    ("mot cua", "any", '"mot" OR "cua"'),
    ('"mot cua" "lien thong"', "any", '"mot cua" OR "lien thong"'),  # quotes keep a phrase in every mode
    ('thu tuc "mot cua"', "phrase", '"thu tuc" "mot cua"'),
    ("dak nong", None, '("dak nong" OR "đak nong")'),  # the index keeps đ: both spellings
    ("  ", None, None), ('""', None, None), ("*:()^", "any", None), (None, None, None),
    ("col:value NEAR(a b)", "bất kỳ", '"col" OR "value" OR "NEAR" OR "a" OR "b"'),  # Vietnamese mode names too
])
def test_fts_query(typed, mode, expected):
    assert fts_query(typed, mode) == expected


def test_fts_query_runs_on_a_real_index():
    con = sqlite3.connect(":memory:")
    con.execute("create virtual table f using fts5(body, tokenize='unicode61 remove_diacritics 2')")
    con.executemany("insert into f values (?)", [("Bộ phận một cửa tỉnh Đắk Nông",), ("một của cải; cửa hàng",),
                                                  ("Cải cách hành chính",)])
    def hits(typed, mode=None):
        return [r for (r,) in con.execute("select rowid from f where f match ? order by rowid", [fts_query(typed, mode)])]

    assert hits("mot cua") == [1, 2]  # the index cannot tell "một cửa" from "một của": matches_as_typed can
    assert hits("cua mot", "all") == [1, 2] and hits("cua mot") == []
    assert hits("dak nong") == [1] and hits("Đắk Nông") == [1]
    assert hits("cach xyz", "any") == [3] and hits("cach xyz", "all") == []


@pytest.mark.parametrize("typed, text, expected", [
    ("một cửa", "Bộ phận Một Cửa liên thông", True),
    ("một cửa", "một của cải, cửa hàng", False),  # "một của" folds to the same index terms
    ("mot cua", "một của cải", True),  # typed without diacritics: any accented form
    ("một cua", "một cửa", True),  # only the words typed with diacritics are held to them
    ("Đắk Nông", "tỉnh Đắk Nông", True), ("dak Nông", "Đắk Nông", True),
    ("cải cách", "cải\n\ncách hành chính", True),  # separated as the tokenizer separates
    ("cải cách", "cải cáchs", False),
])
def test_matches_as_typed(typed, text, expected):
    assert matches_as_typed(typed, "phrase", text) is expected


def test_matches_as_typed_by_mode():
    assert matches_as_typed("một cửa", "all", "cửa và một") is True
    assert matches_as_typed("một cửa", "phrase", "cửa và một") is False
    assert matches_as_typed("một cửa", "any", "của cải") is False
    assert matches_as_typed("một cửa", "any", "cửa") is True


@pytest.fixture(scope="module")
def db(browse_db):
    return browse_db


def test_label_tables_and_views(db):
    assert sql(db, "select name from sites where key = 'baodaknong'") == [("Báo Đắk Nông (lưu trữ)",)]
    assert sql(db, "select label_vi from topics where key = 'mot_cua'") == [("Một cửa, một cửa liên thông",)]
    relevant = sql(db, "select count(*) from articles where (relevance >= 0.5 or from_cchc_section = 1) and status != 'removed'")
    assert sql(db, "select count(*) from cchc_articles") == relevant
    assert sql(db, "select count(*) from all_articles") == sql(db, "select count(*) from articles")
    (published, source, topics), = sql(db, "select published, source, topics from cchc_articles where title = ?",
                                       ["Gia Nghĩa triển khai mô hình một cửa liên thông cấp xã"])
    assert published == "2019-06-10 08:15" and source == "Báo Đắk Nông (lưu trữ)"  # local time, the site's name
    assert "Một cửa, một cửa liên thông" in topics


def export(db, tmp_path, *args):
    out = tmp_path / ("out." + ("xlsx" if "xlsx" in args else "csv"))
    result = subprocess.run([sys.executable, "-m", "crawler", "export", str(db), "-o", str(out), *args],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return out, result.stdout


def test_export_csv_for_excel_by_province(db, tmp_path):
    out, said = export(db, tmp_path, "--province", "Đắk Nông")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    expected = sql(db, "select title from cchc_articles where province = 'Đắk Nông' or former_province = 'Đắk Nông' "
                       "order by published desc, id desc")
    assert [r["title"] for r in rows] == [t for (t,) in expected] and len(rows) == 3
    assert said.startswith("3 articles")
    assert all(r["topics"] and "[" not in r["topics"] and "_" not in r["topics"] for r in rows)
    assert all(r["source"] and r["url"].startswith("https://") for r in rows)


def test_export_xlsx_by_month_and_search(db, tmp_path):
    """Item 7: the workbook opens ready to read: dates as dates, the header frozen and filterable, columns sized,
    the title and the URL clickable."""
    from datetime import datetime

    from openpyxl import load_workbook

    out, _ = export(db, tmp_path, "--format", "xlsx", "--month", "2025", "--search", "một cửa")
    sheet = load_workbook(out).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[:3] == ["id", "title", "published"]
    assert rows and all(r[header.index("month")].startswith("2025") for r in rows)
    texts = dict(sql(db, "select id, lower(title || ' ' || coalesce(lead, '') || ' ' || body_text) from articles"))
    assert all("một cửa" in texts[r[0]] for r in rows)
    expected = dict(sql(db, "select id, published from cchc_articles"))
    assert all(r[2] == datetime.strptime(expected[r[0]], "%Y-%m-%d %H:%M") for r in rows)  # a date, Vietnam time
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}{len(rows) + 1}"
    assert sheet.column_dimensions["B"].width == 60 and sheet.column_dimensions["A"].width < 10
    url = header.index("url") + 1
    for n in range(2, len(rows) + 2):
        assert sheet.cell(n, 2).hyperlink.target == sheet.cell(n, url).hyperlink.target == sheet.cell(n, url).value


@pytest.mark.parametrize("typed, stored", [("Lam Dong", "Lâm Đồng"), ("lâm đồng", "Lâm Đồng"), ("Hanoi", "Hà Nội"),
                                           ("ha noi", "Hà Nội"), ("Ho Chi Minh", "TP Hồ Chí Minh"), ("dak nong", "Đắk Nông")])
def test_export_province_with_or_without_diacritics(db, tmp_path, typed, stored):
    """Item 4: names match with or without diacritics (and without "TP"); the file is the one for the name stored."""
    out, said = export(db, tmp_path, "--province", typed)
    count = len(list(csv.DictReader(out.read_bytes().decode("utf-8-sig").splitlines())))
    expected = sql(db, "select count(*) from cchc_articles where province = ? or former_province = ?", [stored, stored])[0][0]
    assert count == expected > 0 and said.startswith(f"{expected} article")


@pytest.mark.parametrize("args, said", [
    (("--month", "2025-13"), "--month '2025-13' is not a month: give YYYY-MM (e.g. 2025-07) or a year (2025)"),
    (("--month", "07/2025"), "--month '07/2025' is not a month"),
    (("--province", "Lam Dongg"), "--province 'Lam Dongg' is not a province of this database; choose one of: An Giang, "),
    (("--site", "baolamdongg"), "--site 'baolamdongg' is not a site key; choose one of: "),
])
def test_export_refuses_values_that_name_nothing(db, tmp_path, args, said):
    out = tmp_path / "out.csv"
    result = subprocess.run([sys.executable, "-m", "crawler", "export", str(db), "-o", str(out), *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and not out.exists()  # no empty file, no "0 articles"
    assert result.stderr.startswith(f"export: {said}") and len(result.stderr.strip().splitlines()) == 1
    if "--province" in args:
        assert "Lâm Đồng" in result.stderr and "Đắk Nông" in result.stderr  # every province, former ones too
    if "--site" in args:
        assert "baolamdong" in result.stderr


def test_topics_read_the_same_in_datasette_csv_and_export(db, tmp_path, browse_site):
    out, _ = export(db, tmp_path)
    exported = {r["id"]: r["topics"] for r in csv.DictReader(out.read_bytes().decode("utf-8-sig").splitlines())}
    import urllib.request

    with urllib.request.urlopen(f"{browse_site}/cchc/cchc_articles.csv?_size=max", timeout=30) as response:
        browsed = {r["id"]: r["topics"] for r in csv.DictReader(response.read().decode("utf-8-sig").splitlines())}
    assert exported == browsed and any("; " in t for t in exported.values())


def test_export_of_a_missing_database_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "crawler", "export", str(tmp_path / "none.db")], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "no database" in result.stderr
