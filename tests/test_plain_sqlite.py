"""Issue 34, item 1: the stored database is plain SQLite. A database made by a real crawl of the fixtures (the
offline demo, tests/browse_server.py) is read with Python's sqlite3 and the `sqlite3` shell, no function of this
project registered: every table and view, the article text as TEXT, the full-text index with SQLite's own
snippet() and highlight()."""
import sqlite3

import pytest

from plain_sqlite import SQLITE3_CLI, sqlite3_shell, unreadable_with_plain_sqlite, unreadable_with_sqlite3_shell


def test_every_table_and_view_reads_without_the_project(browse_db):
    assert unreadable_with_plain_sqlite(browse_db) == []
    con = sqlite3.connect(browse_db)
    try:
        (articles, texts), = con.execute("select count(*), count(case when typeof(body_text) = 'text' and "
                                         "typeof(body_html) = 'text' then 1 end) from articles").fetchall()
        assert articles == texts > 50
        body, = con.execute("select body_text from article_bodies where title = ?",
                            ["Gia Nghĩa triển khai mô hình một cửa liên thông cấp xã"]).fetchone()
        assert "Theo UBND thành phố Gia Nghĩa" in body
        # the reading view, its topics as words (Datasette's CSV writes them so)
        topics = [t for (t,) in con.execute("select topics from cchc_articles where topics is not null")]
        assert topics and not any(t.startswith("[") for t in topics) and any("; " in t for t in topics)
        # the full-text index reads its text from `articles`: SQLite's own highlight() works in any client
        marked, = con.execute("select highlight(articles_fts, 0, '[', ']') from articles_fts where articles_fts "
                              "match 'gia nghia' order by rank limit 1").fetchone()
        assert "[Gia] [Nghĩa]" in marked
    finally:
        con.close()


@pytest.mark.skipif(SQLITE3_CLI is None, reason="no sqlite3 shell on this machine (apt-get install sqlite3)")
def test_the_sqlite3_shell_reads_it_too(browse_db):
    assert unreadable_with_sqlite3_shell(browse_db) == []
    result = sqlite3_shell(browse_db, "select count(*) from articles_fts where articles_fts match "
                                      "'\"cai cach hanh chinh\"'; select typeof(body_text) from articles limit 1;")
    count, kind = result.stdout.split()
    con = sqlite3.connect(browse_db)
    try:
        expected, = con.execute("select count(*) from articles_fts where articles_fts match "
                                "'\"cai cach hanh chinh\"'").fetchone()
    finally:
        con.close()
    assert (int(count), kind) == (expected, "text") and expected > 10
