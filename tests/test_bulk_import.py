"""`python -m crawler import FILE.jsonl`: the bulk loader stores what the nightly writer stores, and a bad line
is a logged, counted skip."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, rows
from crawler.store.articles import ArticleStore
from crawler.store.bulk import DEFERRED_INDEXES, BulkImporter
from test_storage import BODY, article

COMPARED = ("url", "title", "content_hash", "story_id", "is_first_source", "status", "published_month", "topics")


def items() -> list[dict]:
    one = article("https://a.gov.vn/1", topics=["mot_cua"])
    two = article("https://b.gov.vn/2", title="Chuyển đổi số ở cấp xã",
                  body="Xã triển khai chữ ký số và thanh toán trực tuyến cho người dân trong năm nay.")
    copy = dict(one, url="https://c.gov.vn/copy", site="other_site")  # the same content at another URL
    near = article("https://d.gov.vn/near", body=BODY + " Theo Báo Lâm Đồng.")  # a republished, near copy
    edited = article("https://b.gov.vn/2", title="Chuyển đổi số ở cấp xã (cập nhật)", body=two["body_text"] + " Thêm.")
    return [one, two, copy, near, edited]


def write_jsonl(path, lines) -> None:
    path.write_text("".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) + "\n"
                            for line in lines), encoding="utf-8")


def test_import_stores_what_the_writer_stores(tmp_path):
    writer_db, import_db, source = tmp_path / "writer.db", tmp_path / "import.db", tmp_path / "items.jsonl"
    store = ArticleStore(writer_db, batch_size=1)
    for item in items():
        if store.classify(item["url"], item["content_hash"], item["site"]) in ("new", "updated"):
            store.add(item)
    store.close()
    write_jsonl(source, items())
    result = BulkImporter(import_db, workers=0).run(source)
    assert (result.inserted, result.updated, result.duplicates, result.skipped) == (3, 1, 1, {})
    # where the time went: no workers, so no waiting for them; the parts add up to no more than the whole
    assert result.waiting == 0 and result.loading > 0 and result.indexing > 0
    assert result.loading + result.indexing <= result.seconds
    select = f"select {', '.join(COMPARED)} from articles order by url"
    assert rows(import_db, select) == rows(writer_db, select)
    urls = "select url, article_id, site from article_urls order by url"
    assert rows(import_db, urls) == rows(writer_db, urls)
    bodies = "select url, body_text, body_html from article_bodies order by url"
    assert rows(import_db, bodies) == rows(writer_db, bodies)
    assert rows(import_db, "select count(*) n from article_versions")[0]["n"] == 1
    search = "select count(*) n from articles_fts where articles_fts match ?"
    assert rows(import_db, search, ['"chu ky so"'])[0]["n"] == 1 and rows(import_db, search, ['"cap nhat"'])[0]["n"] == 1
    near = rows(import_db, "select story_id, is_first_source from articles where url like '%near'")[0]
    assert near["story_id"] == 1 and near["is_first_source"] == 0  # grouped with the first copy's story
    indexes = {r["name"] for r in rows(import_db, "select name from sqlite_master where type = 'index'")}
    assert set(DEFERRED_INDEXES) <= indexes  # built again after loading


def test_bad_lines_are_counted_and_logged_never_fatal(tmp_path):
    source, db = tmp_path / "items.jsonl", tmp_path / "cchc.db"
    good = items()[:2]
    write_jsonl(source, [good[0], "{not json\n", "\n", {"url": "https://a.gov.vn/x", "title": "no body"}, "[1, 2]\n",
                         good[1]])
    result = subprocess.run([sys.executable, "-m", "crawler", "import", str(source), str(db), "--workers", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # something was skipped: said in the exit status
    assert "2 new" in result.stdout and "3 skipped" in result.stdout, result.stdout
    assert "1 not JSON" in result.stdout and "2 not an article" in result.stdout, result.stdout
    assert "waiting for the parse workers" in result.stdout, result.stdout  # one worker: where the time went
    assert "line 2 skipped: not JSON" in result.stderr and "line 4 skipped: not an article (no site, body_text)" in result.stderr
    assert [r["url"] for r in rows(db, "select url from articles order by id")] == [good[0]["url"], good[1]["url"]]
    missing = subprocess.run([sys.executable, "-m", "crawler", "import", str(tmp_path / "none.jsonl"), str(db)],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "no such file" in missing.stderr


@pytest.mark.parametrize("workers", ["0", "1"])
def test_a_wrongly_typed_field_skips_its_line_only(tmp_path, workers):
    """Issue 30 item 6: `"title": [...]` used to stop the whole import (AttributeError in a worker); now the line
    is skipped, counted and reported with its number, and the rest of the file is loaded."""
    good = items()[:2]
    wrong = [dict(article("https://a.gov.vn/list-title"), title=["Tiêu đề", "trong một danh sách"]),
             dict(article("https://a.gov.vn/number-body"), body_text=12345),
             dict(article("https://a.gov.vn/dict-tags"), tags={"a": 1}, content_hash=None),
             dict(article("https://a.gov.vn/string-images"), images="anh.jpg")]
    for line in wrong:
        line.pop("content_hash", None)
    source, db = tmp_path / "items.jsonl", tmp_path / "cchc.db"
    write_jsonl(source, [good[0], *wrong, good[1]])
    result = subprocess.run([sys.executable, "-m", "crawler", "import", str(source), str(db), "--workers", workers],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "2 new" in result.stdout and "4 skipped (4 wrong field)" in result.stdout, result.stdout
    assert "line 2 skipped: wrong field (title: ['Tiêu đề', 'trong một danh sách'] is not of type 'string')" in result.stderr
    for number, field in ((3, "body_text"), (4, "tags"), (5, "images")):
        assert f"line {number} skipped: wrong field ({field}: " in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert [r["url"] for r in rows(db, "select url from articles order by id")] == [good[0]["url"], good[1]["url"]]


def deferred_indexes_in(db) -> set[str]:
    return {r["name"] for r in rows(db, "select name from sqlite_master where type = 'index'")} & set(DEFERRED_INDEXES)


def test_a_killed_import_leaves_no_index_dropped(tmp_path):
    """Issue 30 item 7: an import killed after its first chunk left the 13 secondary indexes dropped, and neither
    the next crawl nor `health` noticed. Now `health` (like any open of the database) builds them again and
    says so."""
    from harness.faults import kill_after

    db, source = tmp_path / "cchc.db", tmp_path / "items.jsonl"
    ArticleStore(db).close()
    write_jsonl(source, items()[:2])
    result = subprocess.run([sys.executable, "-m", "crawler", "import", str(source), str(db), "--workers", "0"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, **kill_after("crawler.store.bulk:BulkImporter.load_chunk")})
    assert result.returncode == -9, result.stderr[-2000:]
    assert len(DEFERRED_INDEXES) == 13 and not deferred_indexes_in(db)  # what the killed import left
    health = subprocess.run([sys.executable, "-m", "crawler", "health", str(db)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert "built 13 secondary indexes again that an interrupted import had left dropped" in health.stdout, health
    assert deferred_indexes_in(db) == set(DEFERRED_INDEXES)
    again = subprocess.run([sys.executable, "-m", "crawler", "import", str(source), str(db), "--workers", "0"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "2 new" in again.stdout, again.stdout + again.stderr


def test_an_unwritable_database_stops_the_import_with_one_line(tmp_path):
    from harness.faults import database_fault

    db, source = tmp_path / "cchc.db", tmp_path / "items.jsonl"
    ArticleStore(db).close()
    write_jsonl(source, items()[:2])
    result = subprocess.run([sys.executable, "-m", "crawler", "import", str(source), str(db), "--workers", "0"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, **database_fault("full-disk")})
    assert result.returncode == 1 and "import stopped: cannot write to the database" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and deferred_indexes_in(db) == set(DEFERRED_INDEXES)


def test_a_crawl_rebuilds_indexes_but_not_under_a_running_import(tmp_path):
    from crawler.store.bulk import BulkImporter
    from crawler.store.indexes import ImportRunning, import_lock

    db = tmp_path / "cchc.db"
    importer = BulkImporter(db, workers=0)
    importer.drop_deferred_indexes()
    with import_lock(importer.store.path):  # as a live import holds it
        ArticleStore(db).close()  # another writer opens the database meanwhile
        assert not deferred_indexes_in(db)  # left to the import, which builds them at its end
        with pytest.raises(ImportRunning):
            BulkImporter(db, workers=0).run(tmp_path / "none.jsonl")
    importer.store.close()  # the import dies without building them
    store = ArticleStore(db)  # the next open, e.g. the nightly crawl
    store.close()
    assert deferred_indexes_in(db) == set(DEFERRED_INDEXES)
