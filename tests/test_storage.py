"""SQLite storage: dedup by content hash, extra sources, updates, FTS without diacritics, WAL and batches."""
import sqlite3
import time
import unicodedata

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.prepare.stages import assign_content_hash
from crawler.store.articles import ArticleStore
from pipelines.deduplication import DeduplicationPipeline
from pipelines.sqlite_writer import SQLiteWriterPipeline
from pipelines.validation import ValidationPipeline

BODY = "Tỉnh đẩy mạnh cải cách hành chính, đơn giản hóa thủ tục và phát triển dịch vụ công trực tuyến tại Đắk Nông."


def article(url, title="Đẩy mạnh cải cách hành chính", body=BODY, **extra):
    item = {"url": url, "canonical_url": None, "site": "test_site", "province": "Lâm Đồng", "province_before_2025": None,
            "title": title, "lead": None, "body_text": body, "body_html": f"<p>{body}</p>", "author": None,
            "source_attribution": None, "category": None, "tags": [], "images": [],
            "published_at": "2024-01-02T03:04:05Z", "published_at_local": "2024-01-02T10:04:05+07:00",
            "date_raw": "02/01/2024 10:04", "date_source": "selector", "crawled_at": "2026-11-01T00:00:00Z", **extra}
    assign_content_hash(item)
    return item


@pytest.fixture
def pipelines(tmp_path):
    crawler = get_crawler(settings_dict={"CCHC_DB": str(tmp_path / "t.db"), "CCHC_DB_BATCH_SIZE": 3})
    crawler.stats.open_spider()
    dedup, writer = DeduplicationPipeline.from_crawler(crawler), SQLiteWriterPipeline.from_crawler(crawler)
    dedup.open_spider(), writer.open_spider()

    def feed(item):
        try:
            return writer.process_item(dedup.process_item(ArticleItem(item)))
        except DropItem:
            return None

    yield feed, crawler.stats, tmp_path / "t.db"
    dedup.close_spider(), writer.close_spider()


def query(db, sql, params=()):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_same_content_at_two_urls_is_one_article_with_two_sources(pipelines):
    feed, stats, db = pipelines
    feed(article("https://baodaknong.vn/a-1.html"))
    nfd = unicodedata.normalize("NFD", BODY).replace(" ", "  ")
    feed(article("https://daknong.gov.vn/b-2", body=nfd))
    feed(article("https://daknong.gov.vn/b-2", body=nfd))  # re-crawl of the same page
    store = ArticleStore.shared(str(db))
    store.flush()
    store.release()
    assert query(db, "select count(*) from articles") == [(1,)]
    assert sorted(query(db, "select url from article_urls")) == [("https://baodaknong.vn/a-1.html",), ("https://daknong.gov.vn/b-2",)]
    assert stats.get_value("cchc/dropped/duplicate") == 1 and stats.get_value("cchc/dropped/unchanged") == 1


def test_changed_page_at_known_url_updates_in_place(tmp_path):
    store = ArticleStore(tmp_path / "t.db", batch_size=1)
    store.add(article("https://a.gov.vn/x"))
    store.add(article("https://a.gov.vn/x", body=BODY + " Bổ sung một câu."))
    store.close()
    rows = query(tmp_path / "t.db", "select body_text, updated_at is not null from articles")
    assert rows == [(BODY + " Bổ sung một câu.", 1)]


def test_full_text_search_without_diacritics_and_with_d(tmp_path):
    store = ArticleStore(tmp_path / "t.db")
    store.add(article("https://a.gov.vn/x"))
    store.add(article("https://a.gov.vn/y", title="Tin thể thao", body="Bóng đá giao hữu giữa các đội trong tỉnh vào cuối tuần qua."))
    store.close()
    db = tmp_path / "t.db"
    for q in ("cai cach hanh chinh", "cải cách hành chính", "dich vu cong", "dak nong", "Đắk Nông"):
        hits = query(db, "select a.url from articles_fts join articles a on a.id = articles_fts.rowid where articles_fts match ?", [q])
        assert hits == [("https://a.gov.vn/x",)], q


def test_schema_wal_indexes(tmp_path):
    ArticleStore(tmp_path / "t.db").close()
    db = tmp_path / "t.db"
    assert query(db, "pragma journal_mode") == [("wal",)]
    indexes = {r[0] for r in query(db, "select sql from sqlite_master where type='index' and sql is not null")}
    for column in ("published_at", "site", "province", "content_hash"):
        assert any(f'("{column}")' in sql for sql in indexes), column
    fts = query(db, "select sql from sqlite_master where name='articles_fts'")[0][0]
    assert "remove_diacritics 2" in fts and "content='articles'" in fts  # external content: the writer keeps it
    # no trigger writes the index; two keep the reading view's flag (articles.cchc and article_topics' copy)
    assert query(db, "select name from sqlite_master where type='trigger' order by name") == [
        ("article_topics_cchc",), ("articles_cchc",)]


def test_bodies_stored_as_text_and_the_index_follows_edits(tmp_path):
    """Schema 5: the bodies are plain TEXT columns; the full-text index (external content over `articles`) forgets
    an edited article's old words and learns its new ones, and SQLite's own integrity check agrees with it; topics
    get their rows."""
    store = ArticleStore(tmp_path / "t.db", batch_size=1)
    first = article("https://a.gov.vn/x", topics=["mot_cua"], relevance=0.9)
    edited = BODY.replace("dịch vụ công", "bưu chính công ích") + " Bổ sung ngân sách."
    store.add(first)
    store.add(article("https://a.gov.vn/x", body=edited, topics=["dich_vu_cong_truc_tuyen"], relevance=0.8))
    store.close()
    db = tmp_path / "t.db"
    assert query(db, "select body_text, body_html, typeof(body_text), typeof(body_html) from articles") == [
        (edited, f"<p>{edited}</p>", "text", "text")]
    assert query(db, "select body_text, body_html from article_bodies") == [(edited, f"<p>{edited}</p>")]
    assert query(db, "select body_text, body_html from article_versions") == [(BODY, f"<p>{BODY}</p>")]

    def hits(q):
        return query(db, "select count(*) from articles_fts where articles_fts match ?", [q])[0][0]

    assert (hits('"dich vu cong"'), hits('"buu chinh cong ich"'), hits('"ngan sach"'), hits("nong")) == (0, 1, 1, 1)
    query(db, "insert into articles_fts (articles_fts, rank) values ('integrity-check', 1)")  # raises if out of step
    assert query(db, "select highlight(articles_fts, 2, '[', ']') like '%[ngân] [sách]%' from articles_fts "
                     "where articles_fts match 'ngan sach'") == [(1,)]
    assert query(db, "select topic, cchc from article_topics") == [("dich_vu_cong_truc_tuyen", 1)]
    store = ArticleStore(db)
    store.mark_removed("https://a.gov.vn/x", "2026-11-02T00:00:00Z", "http 404")
    store.close()
    assert query(db, "select topic, cchc from article_topics") == [("dich_vu_cong_truc_tuyen", 0)]  # the trigger


def test_schema_4_compressed_bodies_read_back_exactly():
    """Schema 4 stored the bodies compressed (crawler/store/compact.py); migration 5 reads them back with these."""
    from crawler.store.compact import pack_html, pack_text, unpack_html, unpack_text

    text = BODY * 3
    html = "".join(f'<p class="x">{p}</p>' for p in text.split("\n"))
    assert unpack_text(pack_text(text)) == text and unpack_html(pack_html(html, text), pack_text(text)) == html
    assert unpack_text(None) is None and unpack_html(None, None) is None and unpack_text("plain") == "plain"


def test_batches_commit_every_n_items(tmp_path):
    store = ArticleStore(tmp_path / "t.db", batch_size=2)
    store.add(article("https://a.gov.vn/1", title="Bài thứ nhất về cải cách"))
    assert query(tmp_path / "t.db", "select count(*) from articles") == [(0,)]  # still in the open batch
    store.add(article("https://a.gov.vn/2", title="Bài thứ hai về cải cách"))
    assert query(tmp_path / "t.db", "select count(*) from articles") == [(2,)]  # committed, visible to others
    store.close()


def test_a_batch_is_also_committed_when_its_first_article_has_waited(tmp_path):
    store = ArticleStore(tmp_path / "t.db", batch_size=100, batch_seconds=0.05)
    store.add(article("https://a.gov.vn/1", title="Bài thứ nhất về cải cách"))
    assert query(tmp_path / "t.db", "select count(*) from articles") == [(0,)]
    time.sleep(0.1)  # the bound is checked when the next article arrives: no timer thread
    store.add(article("https://a.gov.vn/2", title="Bài thứ hai về cải cách"))
    assert query(tmp_path / "t.db", "select count(*) from articles") == [(2,)]
    store.add(article("https://a.gov.vn/3", title="Bài thứ ba về cải cách"))
    assert query(tmp_path / "t.db", "select count(*) from articles") == [(2,)]  # a new batch, its clock restarted
    store.close()
    assert query(tmp_path / "t.db", "select count(*) from articles") == [(3,)]


def test_queued_articles_count_in_the_dedup_decision(tmp_path):
    """A big batch is not written yet, and the next article's decision must still see it."""
    store = ArticleStore(tmp_path / "t.db", batch_size=100)
    first = article("https://a.gov.vn/1")
    assert store.classify(first["url"], first["content_hash"], "s") == "new"
    store.add(first)
    assert store.classify("https://b.gov.vn/copy", first["content_hash"], "s") == "duplicate"  # queued source
    assert store.classify("https://b.gov.vn/copy", first["content_hash"], "s") == "unchanged"
    assert store.classify(first["url"], first["content_hash"], "s") == "unchanged"
    edited = article("https://a.gov.vn/1", body=BODY + " Sửa.")
    assert store.classify(edited["url"], edited["content_hash"], "s") == "updated"
    store.close()
    assert query(tmp_path / "t.db", "select count(*) from articles") == [(1,)]
    assert query(tmp_path / "t.db", "select count(*) from article_urls") == [(2,)]


def test_invalid_item_dropped_with_counted_reason():
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    pipeline = ValidationPipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match="title"):
        pipeline.process_item(ArticleItem(article("https://a.gov.vn/x", title=None)))
    with pytest.raises(DropItem, match="body_text"):
        pipeline.process_item(ArticleItem(article("https://a.gov.vn/y", body="")))
    assert crawler.stats.get_value("cchc/dropped/invalid") == 2
    assert pipeline.process_item(ArticleItem(article("https://a.gov.vn/z")))["url"] == "https://a.gov.vn/z"


def _open_and_close(path, barrier, outcomes):
    barrier.wait()  # every process opens the new file at the same moment
    try:
        ArticleStore(path).close()
        outcomes.put("ok")
    except Exception as exc:  # reported to the test, whatever it is
        outcomes.put(f"{type(exc).__name__}: {exc}")


def test_several_processes_opening_one_new_database_at_once(tmp_path):
    """Two crawls started together by one cron line: both must open the new file. Switching its journal to WAL
    answered "database is locked" at once, without SQLite's busy wait, for one of them (crawler/store/database.py
    _enable_wal); the race is narrow, hence twenty rounds."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    found = []
    for round_ in range(20):
        barrier, outcomes = context.Barrier(3), context.Queue()
        processes = [context.Process(target=_open_and_close, args=(str(tmp_path / f"{round_}.db"), barrier, outcomes))
                     for _ in range(3)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
        found += [outcomes.get(timeout=10) for _ in processes]
    assert found == ["ok"] * 60
