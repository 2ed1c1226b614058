"""Issue 33: the WARC archive of a real crawl (the real engine against a synthetic mirror on 127.0.0.1), read back
with warcio and its command line; re-extraction with the network gone; an extraction change that reaches the stored
articles as versions; a crawl killed with SIGKILL; an archive that cannot be written."""
from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from conftest import ROOT, crawl_stats, rows, run_scrapy
from harness.synthetic import SyntheticMirror
from plain_sqlite import unreadable_with_plain_sqlite

ARTICLES, PER_PAGE = 40, 10
WARCIO = Path(sys.executable).with_name("warcio")


def crawl(mirror: SyntheticMirror, db: Path, env: dict | None = None, timeout: int = 240):
    host = mirror.hosts[0]
    return run_scrapy(["crawl", "generic", "-a", f"start_urls={mirror.start_url(host)}", "-s", "CCHC_EXTRACT_WORKERS=0"],
                      db, timeout=timeout, env={"CCHC_MIRROR": mirror.mirror_setting(), **(env or {})})


def warc_files(db: Path) -> list[Path]:
    return sorted((db.parent / "archive").glob("*.warc.gz"))


def all_records(files) -> list[dict]:
    """Every record of the files, read with warcio alone, its payload in full."""
    out = []
    for path in files:
        with open(path, "rb") as fh:
            iterator = ArchiveIterator(fh)
            for record in iterator:
                headers, payload = record.rec_headers, record.content_stream().read()
                out.append({"file": path.name, "offset": iterator.get_record_offset(), "type": record.rec_type,
                            "uri": headers.get_header("WARC-Target-URI"), "id": headers.get_header("WARC-Record-ID"),
                            "refers_to": headers.get_header("WARC-Refers-To"),
                            "concurrent_to": headers.get_header("WARC-Concurrent-To"),
                            "http": record.http_headers.to_str() if record.http_headers else "",
                            "content_type": headers.get_header("Content-Type"),
                            "status": record.http_headers.get_statuscode() if record.http_headers else None,
                            "payload": payload})
    return out


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """A first crawl of one site of the synthetic mirror (4 listing pages, 40 articles): its database, archive, the
    URLs the mirror served and the pages it served for them."""
    db = tmp_path_factory.mktemp("archived") / "cchc.db"
    with SyntheticMirror(sites=1, articles=ARTICLES, per_page=PER_PAGE) as mirror:
        result = crawl(mirror, db)
        served = {f"https://{path[1:]}": n for path, n in mirror.hits.items()}  # /<host>/<path> -> its URL
        pages = {f"https://{path[1:]}": mirror.render(path) for path in mirror.hits}
    assert result.returncode == 0, result.stderr[-3000:]
    return {"db": db, "stats": crawl_stats(result), "served": served, "pages": pages, "files": warc_files(db)}


def test_a_mirror_crawl_archives_every_fetched_url(archived):
    records = all_records(archived["files"])
    responses = [r for r in records if r["type"] == "response"]
    assert {r["uri"] for r in responses} == set(archived["served"])  # robots.txt, 4 listings, 40 articles
    assert len(responses) == sum(archived["served"].values()) == ARTICLES + 4 + 1
    for r in responses:  # the payload as the server sent it
        page = archived["pages"][r["uri"]]
        assert r["payload"] == (page.encode("utf-8") if page else b"not found"), r["uri"]
    by_id = {r["id"]: r for r in records}
    requests = [r for r in records if r["type"] == "request"]  # each with the response it is concurrent to
    assert sorted(by_id[r["concurrent_to"]]["uri"] for r in requests) == sorted(r["uri"] for r in requests)
    assert len(requests) == len(responses) and all(r["http"].startswith("GET /") for r in requests)
    contexts = [json.loads(r["payload"]) for r in records if r["content_type"] == "application/json; profile=cchc-context"]
    assert sorted(c["kind"] for c in contexts) == sorted(["robots.txt"] + ["listing"] * 4 + ["article"] * ARTICLES)
    assert all(c["fetched_from"].startswith("http://127.0.0.1:") for c in contexts)  # honest: a mirror served them
    links = [r for r in records if r["content_type"] == "application/json; profile=cchc-article"]
    assert len(links) == ARTICLES
    for link in links:  # each article's metadata record refers to the response it was read from
        article = json.loads(link["payload"])
        assert by_id[link["refers_to"]]["type"] == "response" and by_id[link["refers_to"]]["uri"] == article["article_url"]
    assert records[0]["type"] == "warcinfo" and b"robots: obey" in records[0]["payload"]
    assert archived["stats"]["cchc/archive/responses"] == len(responses)
    assert archived["stats"]["cchc/archive/linked"] == ARTICLES and not archived["stats"].get("cchc/archive/errors")


def test_each_article_knows_where_its_response_is(archived):
    db = archived["db"]
    linked = rows(db, "select a.url, r.warc_file, r.warc_offset, r.fetched_at from articles a "
                      "join article_archive r on r.article_id = a.id")
    assert len(linked) == rows(db, "select count(*) n from articles")[0]["n"] == ARTICLES
    for row in linked:
        with open(db.parent / "archive" / row["warc_file"], "rb") as fh:
            fh.seek(row["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI") == row["url"]
            assert record.rec_headers.get_header("WARC-Date") == row["fetched_at"]
    assert not unreadable_with_plain_sqlite(db)


def test_the_files_open_in_warcio_tools(archived):
    """`warcio index` lists every record, `warcio check` verifies every digest, and `warcio extract --payload`
    (the record a replay tool serves for a URL and time) gives back the page as served."""
    for path in archived["files"]:
        index = subprocess.run([str(WARCIO), "index", "-f", "warc-type,warc-target-uri,offset", str(path)],
                               capture_output=True, text=True, timeout=60)
        assert index.returncode == 0 and index.stdout.count('"warc-type": "response"') >= 1, index.stderr
        check = subprocess.run([str(WARCIO), "check", "-v", str(path)], capture_output=True, text=True, timeout=60)
        assert check.returncode == 0 and "digest pass" in check.stdout and "digest fail" not in check.stdout, check.stdout
    url, file, offset = rows(archived["db"], "select a.url, r.warc_file, r.warc_offset from articles a "
                                             "join article_archive r on r.article_id = a.id limit 1")[0].values()
    extract = subprocess.run([str(WARCIO), "extract", "--payload", str(archived["db"].parent / "archive" / file),
                              str(offset)], capture_output=True, timeout=60)
    assert extract.returncode == 0 and extract.stdout == archived["pages"][url].encode("utf-8")


def test_reextract_with_the_network_gone_reads_every_article_again(archived, tmp_path):
    """The mirror is stopped and every proxy points at a closed port: the archive alone is read."""
    db = tmp_path / "cchc.db"
    shutil.copy(archived["db"], db)
    shutil.copytree(archived["db"].parent / "archive", tmp_path / "archive")
    before = rows(db, "select count(*) n from articles")[0]["n"]
    env = dict(os.environ, http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9", CCHC_DB=str(db))
    result = subprocess.run([sys.executable, "-m", "crawler", "reextract", str(db)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"{ARTICLES} archived articles of 1 site(s) read again" in result.stdout, result.stdout
    assert "articles/s" in result.stdout and "0 article(s) updated" in result.stdout and "not read again" not in result.stdout
    assert rows(db, "select count(*) n from articles")[0]["n"] == before == ARTICLES
    assert rows(db, "select count(*) n from article_versions")[0]["n"] == 0  # today's extraction reads them alike


def test_an_extraction_change_reaches_the_stored_articles_as_versions(archived, tmp_path, monkeypatch):
    """A stage that changes a field (in this process: --workers 0): --dry-run shows it and writes nothing; the run
    writes each changed article as a new version, keeps the old one with the reason, and a second run finds
    nothing more to change."""
    from crawler.ops.reextract import Reextraction, report
    from crawler.prepare import stages

    db = tmp_path / "cchc.db"
    shutil.copy(archived["db"], db)
    shutil.copytree(archived["db"].parent / "archive", tmp_path / "archive")
    old = {r["url"]: r for r in rows(db, "select url, title, category, content_hash from articles")}

    def sharper_title(item, stats):  # "today's extraction": the title gains a suffix, the category a value
        item["title"] = f"{item['title']} (đọc lại)"
        item["category"] = "Cải cách hành chính"
        item["content_hash"] = None  # hashed again from the new title by the stage after it
    monkeypatch.setattr(stages, "STAGES", (*stages.STAGES[:3], sharper_title, *stages.STAGES[3:]))

    dry = Reextraction(str(db), tmp_path / "archive", dry_run=True).run()
    assert sum(dry.changed.values()) == ARTICLES and len(dry.examples) == 3
    assert rows(db, "select count(*) n from article_versions")[0]["n"] == 0
    assert [r["title"] for r in rows(db, "select title from articles")] == [o["title"] for o in old.values()]

    summary = Reextraction(str(db), tmp_path / "archive").run()
    assert sum(summary.changed.values()) == ARTICLES and not summary.problems
    assert dict(summary.fields[next(iter(summary.fields))]) == {"title": ARTICLES, "category": ARTICLES,
                                                                 "content_hash": ARTICLES}
    stored = {r["url"]: r for r in rows(db, "select a.url, a.title, a.category, a.content_hash, a.status, "
                                            "r.reextracted_at from articles a join article_archive r on r.article_id = a.id")}
    assert len(stored) == ARTICLES  # the article count is unchanged
    for url, row in stored.items():
        assert row["title"] == old[url]["title"] + " (đọc lại)" and row["category"] == "Cải cách hành chính"
        assert row["content_hash"] != old[url]["content_hash"] and row["status"] == "active" and row["reextracted_at"]
    versions = rows(db, "select v.title, v.reason, v.changed, v.earlier, v.warc_file, v.content_hash, a.url "
                        "from article_versions v join articles a on a.id = v.article_id")
    assert len(versions) == ARTICLES
    for version in versions:
        assert version["reason"] == "re-extracted" and version["title"] == old[version["url"]]["title"]
        assert json.loads(version["changed"]) == ["category", "content_hash", "title"]
        assert json.loads(version["earlier"]) == {"category": old[version["url"]]["category"]}
        assert version["warc_file"] and version["content_hash"] == old[version["url"]]["content_hash"]
    found = rows(db, "select count(*) n from articles_fts where articles_fts match ?", ['"đọc lại"'])[0]["n"]
    assert found == ARTICLES  # the full-text index follows the new text
    assert not unreadable_with_plain_sqlite(db)  # FTS integrity-check included
    again = Reextraction(str(db), tmp_path / "archive").run()
    assert sum(again.read.values()) == ARTICLES and not sum(again.changed.values())
    lines = []
    report(summary, str(db), dry_run=False, out=type("Out", (), {"write": lambda self, s: lines.append(s)})())
    assert any("title 40" in line and "category 40" in line for line in lines)


def test_reextract_command_dry_run_site_since_and_bad_input(archived, tmp_path, monkeypatch, capsys):
    """The command itself: --dry-run prints the summary per site and field with examples and writes nothing;
    --site and --since choose the articles; a bad --since is one line (exit 2); a location that holds no record is
    counted by kind (one line each, with the first occurrence), and the other articles are read."""
    from crawler.__main__ import main
    from crawler.prepare import stages

    db = tmp_path / "cchc.db"
    shutil.copy(archived["db"], db)
    shutil.copytree(archived["db"].parent / "archive", tmp_path / "archive")
    site, first_fetch = rows(db, "select a.site, min(r.fetched_at) f from articles a join article_archive r "
                                 "on r.article_id = a.id")[0].values()

    def sharper_title(item, stats):
        item["title"] = f"Đọc lại: {item['title']}"
        item["content_hash"] = None
    monkeypatch.setattr(stages, "STAGES", (*stages.STAGES[:3], sharper_title, *stages.STAGES[3:]))
    titles = rows(db, "select id, title from articles order by id")

    def reextract(*options):
        code = main(["reextract", str(db), "--workers", "0", *options])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, _ = reextract("--dry-run", "--site", site)
    assert code == 0 and f"{ARTICLES} archived articles of 1 site(s) read again" in out, out
    assert f"{site}" in out and f"title {ARTICLES}" in out
    assert f"dry run: nothing was written; {ARTICLES} article(s) would get a new version" in out
    assert len([line for line in out.splitlines() if line.startswith("    title: ") and "-> Đọc lại: " in line]) == 3
    assert rows(db, "select id, title from articles order by id") == titles
    assert rows(db, "select count(*) n from article_versions")[0]["n"] == 0

    code, out, _ = reextract("--dry-run", "--site", "no-such-site")
    assert code == 0 and "0 archived articles" in out and "no archived article of site no-such-site" in out
    vietnam_day = (datetime.fromisoformat(first_fetch.replace("Z", "+00:00")) + timedelta(hours=7)).date()
    code, out, _ = reextract("--dry-run", "--since", vietnam_day.isoformat())
    assert code == 0 and f"{ARTICLES} archived articles" in out
    code, out, _ = reextract("--dry-run", "--since", (vietnam_day + timedelta(days=1)).isoformat())
    assert code == 0 and "0 archived articles" in out and "fetched since" in out
    code, out, err = reextract("--since", "last week")
    assert code == 2 and err.strip().splitlines() == ["reextract: --since 'last week': use a day such as 2026-11-01"]

    with sqlite3.connect(db) as con:  # two locations at a file's warcinfo record, one in a file that is gone
        ids = [r[0] for r in con.execute("select article_id from article_archive order by article_id limit 3")]
        con.execute("update article_archive set warc_offset = 0 where article_id in (?, ?)", ids[:2])
        con.execute("update article_archive set warc_file = 'cchc-gone.warc.gz' where article_id = ?", ids[2:])
    code, out, _ = reextract()
    assert code == 0, out
    assert f"{ARTICLES - 3} archived articles" in out and f"{ARTICLES - 3} article(s) updated" in out
    problems = [line for line in out.splitlines() if line.startswith("not read again")]
    assert len(problems) == 2, out  # one line per kind, however many articles
    assert problems[0].startswith("not read again: 2 article(s): unreadable archived response (the first: cchc-")
    assert "holds a warcinfo record, not a page" in problems[0]
    assert problems[1] == "not read again: 1 article(s): its archive file is missing"
    assert rows(db, "select count(*) n from articles")[0]["n"] == ARTICLES
    assert rows(db, "select count(*) n from article_versions where reason = 're-extracted'")[0]["n"] == ARTICLES - 3


def test_a_crawl_killed_with_sigkill_leaves_readable_archives(tmp_path):
    """SIGKILL right after the first batch of articles is committed: every file reads in full with warcio (a
    record is appended with one write: at most the last one of a file can be cut short, and readers skip it), and
    every article that was committed points at a whole record."""
    from crawler.archive.reader import ArchiveReader, records
    from harness.faults import kill_after

    db = tmp_path / "cchc.db"
    with SyntheticMirror(sites=1, articles=ARTICLES, per_page=PER_PAGE) as mirror:
        result = crawl(mirror, db, env={"CCHC_DB_BATCH_SIZE": "5",
                                        **kill_after("crawler.store.articles:ArticleStore.flush")})
    assert result.returncode == -9, result.stderr[-2000:]
    files = warc_files(db)
    assert files
    for path in files:
        whole = list(records(path))
        assert all(record is not None for _, record in whole[:-1])
        with open(path, "rb") as fh:
            assert sum(1 for _ in ArchiveIterator(fh)) >= len(whole) - 1
    linked = rows(db, "select warc_file, warc_offset from article_archive")
    assert len(linked) >= 5
    with ArchiveReader(tmp_path / "archive") as reader:
        for row in linked:
            assert reader.page(row["warc_file"], row["warc_offset"]).status == 200


def test_an_archive_that_cannot_be_written_does_not_stop_the_crawl(tmp_path):
    """CCHC_ARCHIVE_DIR names a file: every article is still stored (without a link), the failures are counted
    and logged, and `health` says the archive cannot be written."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    db = tmp_path / "cchc.db"
    with SyntheticMirror(sites=1, articles=10, per_page=PER_PAGE) as mirror:
        result = crawl(mirror, db, env={"CCHC_ARCHIVE_DIR": str(blocker / "archive")})
    assert result.returncode == 0, result.stderr[-3000:]
    stats = crawl_stats(result)
    assert stats["cchc/archive/errors"] == stats["cchc/archive/responses"] > 10
    assert "cannot write to the archive" in result.stderr
    assert rows(db, "select count(*) n from articles")[0]["n"] == 10
    assert rows(db, "select count(*) n from article_archive")[0]["n"] == 0
    health = subprocess.run([sys.executable, "-m", "crawler", "health", str(db)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env=dict(os.environ, CCHC_ARCHIVE_DIR=str(blocker / "archive")))
    assert health.returncode == 1 and "FAILING: archive" in health.stdout and "cannot be written" in health.stdout


def test_health_reads_the_archive_back(archived, tmp_path):
    db = tmp_path / "cchc.db"
    shutil.copy(archived["db"], db)
    shutil.copytree(archived["db"].parent / "archive", tmp_path / "archive")
    env = dict(os.environ, CCHC_ARCHIVE_DIR="auto")
    ok = subprocess.run([sys.executable, "-m", "crawler", "health", str(db)], cwd=ROOT, capture_output=True, text=True,
                        timeout=120, env=env)
    assert ok.returncode == 0 and f"{ARTICLES} articles linked" in ok.stdout and "reads back whole" in ok.stdout, ok.stdout
    newest = warc_files(db)[-1]
    newest.write_bytes(newest.read_bytes()[:-200])  # a machine that lost power while writing its last record
    cut = subprocess.run([sys.executable, "-m", "crawler", "health", str(db)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env=env)
    assert "cut short" in cut.stdout, cut.stdout
    shutil.rmtree(tmp_path / "archive")
    gone = subprocess.run([sys.executable, "-m", "crawler", "health", str(db)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=env)
    assert gone.returncode == 1 and "the folder is missing" in gone.stdout, gone.stdout


def test_articles_stored_before_the_archive_get_their_response_when_rechecked(tmp_path):
    """A database from before the archive: a re-check that finds the page unchanged links the article to the
    response it just archived (nothing else changes)."""
    db = tmp_path / "cchc.db"
    with SyntheticMirror(sites=1, articles=10, per_page=PER_PAGE) as mirror:
        first = crawl(mirror, db, env={"CCHC_ARCHIVE_DIR": ""})
        assert first.returncode == 0 and not (tmp_path / "archive").exists(), first.stderr[-2000:]
        assert rows(db, "select count(*) n from article_archive")[0]["n"] == 0
        second = crawl(mirror, db, env={"CCHC_RECHECK_DAYS": "100000"})  # every article is young enough
    assert second.returncode == 0, second.stderr[-2000:]
    assert crawl_stats(second)["cchc/dropped/unchanged"] == 10
    assert rows(db, "select count(*) n from article_archive")[0]["n"] == 10
    assert rows(db, "select count(*) n from article_versions")[0]["n"] == 0


def test_retention_runs_when_a_crawl_opens_the_archive(tmp_path):
    """Files older than CCHC_ARCHIVE_KEEP_DAYS are deleted when the next crawl starts; the articles stay and only
    forget where their response was."""
    db = tmp_path / "cchc.db"
    with SyntheticMirror(sites=1, articles=10, per_page=PER_PAGE) as mirror:
        assert crawl(mirror, db).returncode == 0
        old = warc_files(db)
        ten_days_ago = __import__("time").time() - 10 * 86400
        for path in old:
            os.utime(path, (ten_days_ago, ten_days_ago))
        assert rows(db, "select count(*) n from article_archive")[0]["n"] == 10
        again = crawl(mirror, db, env={"CCHC_ARCHIVE_KEEP_DAYS": "5"})
    assert again.returncode == 0, again.stderr[-2000:]
    assert not any(p.exists() for p in old) and warc_files(db)  # the old night's file went, tonight's is there
    assert rows(db, "select count(*) n from article_archive")[0]["n"] == 0
    assert rows(db, "select count(*) n from articles")[0]["n"] == 10
