"""Issue 32, done when: a crawl of a listing of notices that link real documents stores every notice with its
document's text, a Datasette search for a phrase that appears only inside a document finds its notice, and a second
night with nothing new fetches no document again.

The real Scrapy engine (`scrapy crawl generic`) against tests/fixtures/documents served on 127.0.0.1: the five
real PDFs of ../shared/real-documents (recorded) behind synthetic notices of stc.daknong.gov.vn (MANIFEST.tsv).
OCR reads the first page of each scan (CCHC_OCR_MAX_PAGES=1, a few seconds); the expected numbers, types, dates
and phrases were read by hand from the documents (tests/test_documents.py says how)."""
from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from browse_server import datasette_on, http_get
from conftest import ROOT, crawl_stats, rows, run_scrapy
from crawler.ops.saved_pages import FixtureServer
from crawler.vi.text import strip_diacritics
from plain_sqlite import unreadable_with_plain_sqlite

FOLDER = ROOT / "tests" / "fixtures" / "documents"
LISTING = "http://stc.daknong.gov.vn/cai-cach-hanh-chinh"
MANIFEST = list(csv.DictReader(open(FOLDER / "MANIFEST.tsv", encoding="utf-8"), delimiter="\t"))
PDFS = {r["url"]: r["file"] for r in MANIFEST if r["file"].endswith(".pdf")}
NOTICES = [r["url"] for r in MANIFEST if r["kind"] == "article"]
ONE_PAGE_OF_OCR = {"CCHC_OCR_MAX_PAGES": "1"}


def fold(text: str) -> str:
    """Lower case, no diacritics, one space between words (how the index compares)."""
    return " ".join(strip_diacritics(text.casefold()).replace("đ", "d").split())


def sha(file: str) -> str:
    return hashlib.sha256((FOLDER / file).read_bytes()).hexdigest()


def hits_of(server, url: str) -> tuple[int, int]:
    """(requests, 304 answers) the mirror saw for a document URL."""
    key = url.split("://", 1)[1]
    return server.hits[key], server.not_modified[key]


def crawl(server, db: Path, env: dict | None = None):
    result = run_scrapy(["crawl", "generic", "-a", f"start_urls={LISTING}", "-a", f"base_url={server.base_url()}"],
                        db, env={**ONE_PAGE_OF_OCR, **(env or {})}, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Spider closed (finished)" in result.stderr
    return crawl_stats(result), result.stderr


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """The first night: (mirror, database, stats, hits after it)."""
    db = tmp_path_factory.mktemp("documents") / "cchc.db"
    with FixtureServer([FOLDER]) as server:
        stats, log = crawl(server, db)
        first = {url: hits_of(server, url) for url in PDFS}
        yield server, db, stats, first


# The documents, read by hand: number, type, issued date, issuer (top-left block), whether by OCR.
EXPECTED = {
    "stc.daknong-3125-KH-tuyen-truyen-CCHC-2018.pdf": ("3125/KH-STC", "Kế hoạch", "2018-12-28",
                                                       "UBND TỈNH ĐẮK NÔNG SỞ TÀI CHÍNH", "text-layer"),
    "stc.daknong-99-BC-CCHC-6-thang-2019.pdf": ("99/BC-STC", "Báo cáo", "2019-05-20",
                                                "UBND TỈNH ĐẮK NÔNG SỞ TÀI CHÍNH", "text-layer"),
    # scans: page 1 by OCR; a number or a day whose digits OCR misread is left empty, never guessed
    "stc.daknong-120-QD-noi-quy-tiep-cong-dan.pdf": (None, "Quyết định", None, "UBND TỈNH ĐẮK NÔNG SỞ TÀI CHÍNH", "ocr"),
    "thanhtra.daknong-BC-248-2019.pdf": (None, "Báo cáo", None, "UBND TỈNH ĐẮK NÔNG SỞ LAO ĐỘNG - TBXH", "ocr"),
    "stc.daknong-NQ-13-CP.pdf": ("13-NQ/TW", "Nghị quyết", "2012-01-16", "BAN CHẤP HÀNH TRUNG ƯƠNG", "ocr"),
}


def test_every_notice_is_stored_with_its_documents_text(night):
    server, db, stats, first = night
    stored = {r["url"]: r for r in rows(db, "select u.url, a.id, a.title from article_urls u join articles a "
                                            "on a.id = u.article_id")}
    assert set(stored) == set(NOTICES)
    links = rows(db, "select a.url as page, l.url, l.sha256, l.error, d.text, d.doc_number, d.doc_type, "
                     "d.issued_date, d.issuer, d.text_source, d.pages from article_documents l "
                     "join articles a on a.id = l.article_id left join documents d on d.sha256 = l.sha256")
    assert {link["page"] for link in links} == set(NOTICES)  # every notice has its document ...
    for link in links:
        file = PDFS[link["url"].replace("%20", " ")]
        assert link["sha256"] == sha(file) and link["error"] is None  # ... the very file, read ...
        assert len(link["text"]) > 1000, (file, link["text"][:200])  # ... with its text
        number, kind, issued, issuer, source = EXPECTED[file]
        assert (link["doc_number"], link["doc_type"], link["issued_date"], link["issuer"], link["text_source"]) == (
            number, kind, issued, issuer, source), file
    assert rows(db, "select count(*) n from documents")[0]["n"] == 5
    # The plan is linked by two articles and fetched and read once.
    plan = next(u for u, f in PDFS.items() if f.startswith("stc.daknong-3125"))
    assert first[plan] == (1, 0) and all(h == (1, 0) for h in first.values())
    assert stats["cchc/documents/read"] == 5 and stats["cchc/documents/reused"] == 1
    assert stats["cchc/documents/ocr_pages"] == 3 and stats["cchc/documents/with_text"] == 6
    # Notices whose whole text is a link are kept for their documents, and the run is ok.
    assert stats["cchc/documents/kept_notices"] >= 3 and not stats.get("cchc/dropped/invalid")
    (verdict, reason), = [(r["verdict"], r["verdict_reason"]) for r in rows(db, "select * from crawl_runs")]
    assert verdict == "ok" and "without" not in reason, reason
    assert unreadable_with_plain_sqlite(db) == []


def test_the_documents_text_makes_the_topics(night):
    _, db, _, _ = night
    topics = {r["url"].rsplit("/", 1)[1]: json.loads(r["topics"]) for r in rows(db, "select url, topics from articles")}
    # "Xem chi tiết tại đây" alone names no topic; the plan it links is about reform, one-stop shops, civil servants
    assert {"cai_cach_hanh_chinh", "mot_cua"} <= set(topics["ban-hanh-ke-hoach-tuyen-truyen-cong-tac-cchc-nam-2019-cua-so-tai-chinh"])
    assert topics["nghi-quyet-so-13-nq-tw-ve-xay-dung-ket-cau-ha-tang"] == []  # infrastructure: not CCHC


def test_the_archive_holds_the_documents_and_reextract_keeps_their_notices(night):
    """Issue 33 with 32: each document's download is archived (kind "document"), and re-extraction, which fetches
    nothing, reads the notices again with their stored documents: every notice is kept, no topic is lost."""
    from warcio.archiveiterator import ArchiveIterator

    _, db, _, _ = night
    archived = set()
    for path in sorted((db.parent / "archive").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response" and record.content_stream().read(5) == b"%PDF-":
                    archived.add(record.rec_headers.get_header("WARC-Target-URI").replace("%20", " "))
    assert set(PDFS) <= archived
    before = rows(db, "select url, topics, content_hash from articles order by url")
    result = subprocess.run([sys.executable, "-m", "crawler", "reextract", str(db), "--dry-run"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"{len(NOTICES)} archived articles of 1 site(s) read again" in result.stdout, result.stdout
    assert "0 article(s)" in result.stdout and "validation" not in result.stdout, result.stdout
    assert rows(db, "select url, topics, content_hash from articles order by url") == before


# Phrases read by hand in the documents, found in no notice page (checked below): the plan's page 2 (text layer),
# the report's page 2 (text layer), the first page of the scanned report 248 (OCR).
ONLY_IN_DOCUMENTS = {
    "tinh gian bien che": "ban-hanh-ke-hoach-tuyen-truyen-cong-tac-cchc-nam-2019-cua-so-tai-chinh",
    "duy trì vận hành phần mềm một cửa điện tử": "bao-cao-tinh-hinh-cai-cach-hanh-chinh-6-thang-dau-nam-2019",
    "ket qua phan loai xu ly qua tiep cong dan": "thanh-tra-tinh-bao-cao-ket-qua-giai-quyet-khieu-nai-to-cao-thang-02-2019",
}


def test_a_search_for_words_only_a_document_holds_finds_its_notice(night):
    _, db, _, _ = night
    pages = " ".join(fold((FOLDER / r["file"]).read_text(encoding="utf-8")) for r in MANIFEST
                     if r["file"].endswith(".html"))
    articles = " ".join(fold(f"{r['title']} {r['lead']} {r['body_text']}") for r in rows(db, "select * from articles"))
    with datasette_on(db) as base:
        name = Path(db).stem
        for phrase, slug in ONLY_IN_DOCUMENTS.items():
            assert fold(phrase) not in pages and fold(phrase) not in articles, phrase  # only a document holds it
            found = http_get(f"{base}/{name}/search.json?q={quote(phrase)}&_shape=array")
            urls = [r["url"] for r in found]
            assert f"http://stc.daknong.gov.vn/{slug}" in urls, (phrase, urls)
            snippet = next(r["snippet"] for r in found if r["url"].endswith(slug))
            assert "«" in snippet  # cut from the document's text, the match marked
        # the plan is attached by two articles: both found, the notice and the news article that links it
        both = {r["url"].rsplit("/", 1)[1] for r in http_get(f"{base}/{name}/search.json?q=tinh+gian+bien+che&_shape=array")}
        assert both == {"ban-hanh-ke-hoach-tuyen-truyen-cong-tac-cchc-nam-2019-cua-so-tai-chinh",
                        "hoi-nghi-trien-khai-cong-tac-cai-cach-hanh-chinh-nam-2019"}
        # the reading view's search box and the newest-first search and the Atom feed find it too
        view = http_get(f"{base}/{name}/cchc_articles.json?_search=tinh+gian+bien+che&_shape=array")
        assert len(view) == 2
        assert len(http_get(f"{base}/{name}/search_newest.json?q=tinh+gian+bien+che&_shape=array")) == 2
        feed = http_get(f"{base}/{name}/search_feed.atom?q=tinh+gian+bien+che")
        assert "ban-hanh-ke-hoach-tuyen-truyen-cong-tac-cchc-nam-2019-cua-so-tai-chinh" in feed
        # the documents view: searched, faceted by type, issuer and year
        docs = http_get(f"{base}/{name}/all_documents.json?_search=van+hanh+phan+mem+mot+cua&_shape=array")
        assert [d["number"] for d in docs] == ["99/BC-STC"]
        facets = http_get(f"{base}/{name}/all_documents.json?_facet=type&_facet=issuer&_facet=year")["facet_results"]
        types = {f["value"]: f["count"] for f in facets["type"]["results"]}
        assert types == {"Báo cáo": 2, "Kế hoạch": 1, "Quyết định": 1, "Nghị quyết": 1}
        assert {f["value"]: f["count"] for f in facets["year"]["results"]} == {"2018": 1, "2019": 1, "2012": 1}
        # the article page lists its document: type, number, date, a link, the first lines
        notice = rows(db, "select id from articles where url like '%ban-hanh-ke-hoach-tuyen-truyen%'")[0]["id"]
        html = http_get(f"{base}/{name}/articles/{notice}")
        assert "Văn bản đính kèm / Documents" in html and "Kế hoạch số 3125/KH-STC" in html and "2018-12-28" in html
        assert 'href="http://stc.daknong.gov.vn/img/3125%20KH%20tuyen%20truyen%20cong%20tac%20CCHC%202018.pdf"' in html
        assert "Tuyên truyền công tác cải cách hành chính" in html  # its first lines


def test_exports_list_the_documents(night, tmp_path):
    _, db, _, _ = night
    out = tmp_path / "export.csv"
    result = subprocess.run([sys.executable, "-m", "crawler", "export", str(db), "--all", "--search",
                             "tinh gian bien che", "--output", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    exported = list(csv.DictReader(open(out, encoding="utf-8-sig")))
    assert len(exported) == 2
    assert all("Kế hoạch 3125/KH-STC (2018-12-28)" in r["documents"] for r in exported)


def test_a_second_night_with_nothing_new_fetches_no_document_again(night):
    server, db, _, first = night
    # Every article is re-checked (CCHC_RECHECK_DAYS), so each document is asked for again, conditionally.
    stats, _ = crawl(server, db, {"CCHC_RECHECK_DAYS": "100000"})
    for url in PDFS:
        requests, not_modified = hits_of(server, url)
        assert (requests - first[url][0], not_modified - first[url][1]) == (1, 1), url  # one request: a 304
    assert stats["cchc/documents/not_modified"] == 5 and stats["cchc/documents/reused"] == 1
    assert not stats.get("cchc/documents/read") and not stats.get("cchc/documents/fetched")
    assert stats["cchc/dropped/unchanged"] == 6 and not stats.get("cchc/new")
    assert rows(db, "select count(*) n from documents")[0]["n"] == 5


def test_without_tesseract_the_scans_wait_and_the_run_says_so(tmp_path):
    db = tmp_path / "cchc.db"
    with FixtureServer([FOLDER]) as server:
        stats, log = crawl(server, db, {"CCHC_TESSERACT": str(tmp_path / "no-tesseract")})
        assert "stored without their text" in log and "OCR unavailable (tesseract not installed)" in log
        assert stats["cchc/documents/without_ocr"] == 3 and stats["cchc/new"] == 6  # every notice stored
        reason = rows(db, "select verdict_reason from crawl_runs")[0]["verdict_reason"]
        assert "3 documents stored without OCR (OCR unavailable (tesseract not installed))" in reason
        waiting = rows(db, "select doc_type, error, ocr_pending from documents where text_source is null")
        assert len(waiting) == 3 and all(json.loads(w["ocr_pending"]) for w in waiting)
        # The next night has Tesseract. Nothing new, no page fetched again (the listing answers 304); at the end of
        # the run the three scans whose pages waited are fetched again (not conditionally) and read.
        before = {url: hits_of(server, url) for url in PDFS}
        stats, log = crawl(server, db)
        assert stats["cchc/listing/not_modified"] == 1 and not stats.get("cchc/articles/extracted")
        assert "3 documents of earlier articles wait for OCR: reading them now" in log
        assert stats["cchc/documents/read"] == 3 and stats["cchc/documents/caught_up"] == 3
        assert rows(db, "select count(*) n from documents where text_source = 'ocr'")[0]["n"] == 3
        for url, file in PDFS.items():
            requests, not_modified = hits_of(server, url)
            scan = EXPECTED[file][4] == "ocr"
            assert (requests - before[url][0], not_modified - before[url][1]) == ((1, 0) if scan else (0, 0)), file
        found = rows(db, "select count(*) n from documents_fts where documents_fts match "
                         "'\"ket qua phan loai xu ly qua tiep cong dan\"'")[0]["n"]
        assert found == 1  # the OCR text is in the index now (the stored reading was replaced)
        (verdict, reason), = [(r["verdict"], r["verdict_reason"]) for r in rows(db, "select * from crawl_runs "
                                                                                 "order by started_at desc limit 1")]
        assert verdict == "ok" and "without OCR" not in reason, reason
        assert unreadable_with_plain_sqlite(db) == []
