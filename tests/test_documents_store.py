"""Issue 32 item 3: documents in the database (schema 7, crawler/store/documents.py): once per sha256 with their
text as plain TEXT, linked to every article that attaches them, searchable without diacritics, replaced by a
more complete reading (the index kept in step), written by the nightly writer, the distributed writer's path and
the bulk import alike, and the migration from every earlier schema."""
from __future__ import annotations

import gzip
import hashlib
import json

import pytest

from conftest import ROOT, rows
from crawler.store import BulkImporter, Store
from crawler.store.schema import SCHEMA_VERSION
from crawler.store.search import fts_query
from plain_sqlite import unreadable_with_plain_sqlite
from test_bulk_import import write_jsonl
from test_storage import article

PLAN_TEXT = ("UBND TỈNH ĐẮK NÔNG\nSỞ TÀI CHÍNH\nSố: 3125 /KH-STC\nKẾ HOẠCH\nTuyên truyền công tác cải cách hành "
             "chính năm 2019\n\n- Nghị định số 108/2014/NĐ-CP của Chính phủ về chính sách tinh giản biên chế.")
SHA = hashlib.sha256(b"plan").hexdigest()
URL = "http://stc.daknong.gov.vn/img/3125%20KH.pdf"


def entry(**changes) -> dict:
    """An attachment entry as pipelines/documents.py writes it (crawler/article.schema.json)."""
    value = {"url": URL, "name": "tại đây", "content_type": "application/pdf", "bytes": 465956, "sha256": SHA,
             "pages": 2, "text": PLAN_TEXT, "text_source": "text-layer", "doc_number": "3125/KH-STC",
             "doc_type": "Kế hoạch", "issued_date": "2018-12-28", "issuer": "UBND TỈNH ĐẮK NÔNG SỞ TÀI CHÍNH",
             "place": "Đắk Nông", "subject": "Tuyên truyền công tác cải cách hành chính năm 2019", "signed_at": None,
             "signer": None, "ocr_pages": [], "ocr_pending": [], "notes": [], "error": None}
    value.update(changes)
    return value


def notice(url: str, attachments: list[dict], **fields) -> dict:
    return dict(article(url, title="Ban hành kế hoạch tuyên truyền", body=None), attachments=attachments, **fields)


def test_one_document_two_articles_plain_and_searchable(tmp_path):
    db = tmp_path / "cchc.db"
    store = Store(str(db))
    store.keep_document(entry(), URL, '"abc"', "Fri, 28 Dec 2018 08:00:00 GMT")
    first = notice("https://stc.daknong.gov.vn/tb-1", [entry()], content_hash="1" * 64)
    second = notice("https://stc.daknong.gov.vn/tb-2", [entry(name="Kế hoạch số 3125"), {"url": URL + "x", "name": "mất",
                                                                                        "error": "HTTP 404"}],
                    content_hash="2" * 64)
    for item in (first, second):
        store.add(item)
    store.flush()
    assert store.stored_document(SHA)["text"] == PLAN_TEXT and store.stored_document("0" * 64) is None
    assert store.document_at(URL) == {"sha256": SHA, "content_type": "application/pdf", "etag": '"abc"',
                                      "last_modified": "Fri, 28 Dec 2018 08:00:00 GMT"}
    store.close()
    assert rows(db, "select count(*) n from documents")[0]["n"] == 1
    links = rows(db, "select a.url, l.position, l.name, l.sha256, l.error from article_documents l "
                     "join articles a on a.id = l.article_id order by a.url, l.position")
    assert [(l["url"][-4:], l["position"], l["name"], l["sha256"] == SHA, l["error"]) for l in links] == [
        ("tb-1", 0, "tại đây", True, None), ("tb-2", 0, "Kế hoạch số 3125", True, None), ("tb-2", 1, "mất", False, "HTTP 404")]
    # without diacritics, and "đ" typed as "d", as for articles (the search's MATCH: crawler/store/search.py)
    for words in ("tinh gian bien che", "nghi dinh so 108", "3125", "dak nong"):
        found = rows(db, "select count(*) n from documents_fts where documents_fts match ?", [fts_query(words)])
        assert found[0]["n"] == 1, words
    assert unreadable_with_plain_sqlite(db) == []
    assert rows(db, "select typeof(text) t, notes from documents")[0] == {"t": "text", "notes": "[]"}
    view = rows(db, "select type, number, issued, year, articles, url from all_documents")[0]
    assert view == {"type": "Kế hoạch", "number": "3125/KH-STC", "issued": "2018-12-28", "year": "2018", "articles": 2,
                    "url": URL}


def test_a_more_complete_reading_replaces_the_stored_one(tmp_path):
    db = tmp_path / "cchc.db"
    store = Store(str(db))
    waiting = entry(text="", text_source=None, doc_number=None, ocr_pending=[1, 2], error="OCR unavailable (x)",
                    notes=["2 page(s) need OCR: no text layer", "OCR unavailable (x)"])
    store.keep_document(waiting, URL)
    store.flush()
    # a night with Tesseract but little budget reads page 1; a later night reads the rest
    store.keep_document(entry(text=PLAN_TEXT.split("\n\n")[0], text_source="ocr", ocr_pages=[1], ocr_pending=[2],
                              notes=["OCR budget of the night spent"]))
    store.flush()
    assert rows(db, "select ocr_pending from documents")[0]["ocr_pending"] == "[2]"
    store.keep_document(entry(ocr_pages=[1, 2], text_source="ocr"))
    store.keep_document(waiting)  # a worse reading later never replaces a better one
    store.close()
    stored = rows(db, "select text, text_source, ocr_pending, error from documents")
    assert stored == [{"text": PLAN_TEXT, "text_source": "ocr", "ocr_pending": "[]", "error": None}]
    assert unreadable_with_plain_sqlite(db) == []  # the index was given the old text to delete: still in step
    assert rows(db, "select count(*) n from documents_fts where documents_fts match '\"tinh gian\"'")[0]["n"] == 1


def test_articles_are_tagged_again_when_their_document_is_read_later(tmp_path):
    """A notice stored on a night without OCR was tagged from its one line (no topic). When a later night reads its
    scan (the catch-up, or another notice linking the same file), the notice gets the topics and relevance the
    document's text gives, its topic rows and CCHC flag with them, as a night that read the scan at once."""
    from crawler.prepare.stages import assign_topics

    db = tmp_path / "cchc.db"
    store = Store(str(db))
    waiting = entry(text="", text_source=None, doc_number=None, ocr_pending=[1, 2], error="OCR unavailable (x)",
                    notes=["2 page(s) need OCR: no text layer", "OCR unavailable (x)"])
    item = notice("https://stc.daknong.gov.vn/tb-1", [waiting], title="Thông báo số 12", content_hash="1" * 64)
    assign_topics(item)
    assert item["topics"] == [] and item["relevance"] < 0.5
    store.keep_document(waiting, URL)
    store.add(item)
    store.flush()
    assert rows(db, "select cchc from articles")[0]["cchc"] == 0
    store.keep_document(entry(text_source="ocr", ocr_pages=[1, 2]), URL)  # read: "... cải cách hành chính ..."
    store.close()
    stored = rows(db, "select id, topics, relevance, cchc from articles")[0]
    assert "cai_cach_hanh_chinh" in json.loads(stored["topics"]) and stored["relevance"] > item["relevance"]
    read_at_once = dict(item, attachments=[entry()])
    assign_topics(read_at_once)
    assert (json.loads(stored["topics"]), stored["relevance"]) == (read_at_once["topics"], read_at_once["relevance"])
    cchc = int(read_at_once["relevance"] >= 0.5)
    assert stored["cchc"] == cchc and rows(db, "select topic, cchc from article_topics order by topic") == [
        {"topic": topic, "cchc": cchc} for topic in sorted(read_at_once["topics"])]
    assert unreadable_with_plain_sqlite(db) == []


def test_an_edited_article_links_its_new_documents(tmp_path):
    db = tmp_path / "cchc.db"
    store = Store(str(db))
    url = "https://stc.daknong.gov.vn/tb-1"
    store.add(notice(url, [entry()], content_hash="1" * 64))
    store.flush()
    store.add(notice(url, [entry(url=URL + "?v=2", sha256="e" * 64)], content_hash="3" * 64))  # the page changed
    store.close()
    assert [r["url"] for r in rows(db, "select url from article_documents")] == [URL + "?v=2"]


def test_the_bulk_import_stores_documents_as_the_writer_does(tmp_path):
    source, db = tmp_path / "items.jsonl", tmp_path / "import.db"
    write_jsonl(source, [notice("https://stc.daknong.gov.vn/tb-1", [entry()], content_hash="1" * 64),
                         notice("https://stc.daknong.gov.vn/tb-2", [entry()], content_hash="2" * 64)])
    result = BulkImporter(db, workers=0).run(source)
    assert result.inserted == 2 and result.skipped == {}
    assert rows(db, "select count(*) n from documents")[0]["n"] == 1
    assert rows(db, "select count(*) n from article_documents where sha256 = ?", [SHA])[0]["n"] == 2
    assert rows(db, "select count(*) n from documents_fts where documents_fts match '\"tinh gian\"'")[0]["n"] == 1


OLD = sorted((ROOT / "tests" / "fixtures" / "old-schemas").glob("*.db.gz"))


@pytest.mark.parametrize("source", OLD[-3:], ids=[p.name.split(".")[0] for p in OLD[-3:]])
def test_earlier_schemas_get_the_document_tables(source, tmp_path):
    db = tmp_path / "old.db"
    db.write_bytes(gzip.decompress(source.read_bytes()))
    store = Store(str(db))
    store.keep_document(entry(), URL)
    store.add(notice("https://old.example.gov.vn/tin/moi", [entry()], content_hash="4" * 64))
    store.close()
    assert rows(db, "select version from schema_version")[0]["version"] == SCHEMA_VERSION >= 7
    assert rows(db, "select name from schema_migrations where version = 7")[0]["name"] == "m007_documents"
    assert json.loads(rows(db, "select ocr_pending from documents")[0]["ocr_pending"]) == []
    assert unreadable_with_plain_sqlite(db) == []
