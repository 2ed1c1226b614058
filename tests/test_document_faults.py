"""Issue 32 item 5: bad documents in a real crawl (`scrapy crawl generic` against a server on 127.0.0.1 that
misbehaves on demand, tests/faults.py). Each notice links one bad file: an HTML page named .pdf, a 1 GB file, a
file that never says its length, an encrypted and a corrupt PDF, a zip bomb, a 5,000-page PDF, a scan whose OCR
hangs, a 404, a file robots.txt forbids and a "Tải về" that leads to a page. Every notice is stored, each attachment
says why it has no text, each cause is counted, the run's reason lists them, and the crawl ends by itself."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import document_files as files
from conftest import crawl_stats, rows, run_scrapy
from faults import FaultServer, ok, send
from plain_sqlite import unreadable_with_plain_sqlite

HOST = "sotc.example.gov.vn"
SITE = f"https://{HOST}"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"
PLAN = (FIXTURES / "stc.daknong-3125-KH-tuyen-truyen-CCHC-2018.pdf").read_bytes()
SCAN = (FIXTURES / "stc.daknong-NQ-13-CP.pdf").read_bytes()
REPORT = (FIXTURES / "stc.daknong-99-BC-CCHC-6-thang-2019.pdf").read_bytes()
MAX_BYTES = 5_000_000  # CCHC_DOCUMENT_MAX_BYTES for this crawl: the real PDFs are under 2.5 MB
GIGABYTE_CHUNKS = 2048  # what the "1 GB" answer would send in all (128 MB) if the client went on reading
SENT = {"gigabyte": 0}  # chunks the "1 GB" answer got out before the client hung up


def announced_gigabyte(handler, n):
    """A 1 GB file: the header says so; then bytes for as long as the client reads."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/pdf")
    handler.send_header("Content-Length", str(1 << 30))
    handler.end_headers()
    for _ in range(GIGABYTE_CHUNKS):
        handler.wfile.write(b"%PDF-1.7\n" + b"\0" * 65527)
        SENT["gigabyte"] += 1


def endless(handler, n):
    """A file that never says its length (the connection closes at its end): 8 MB of it."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    for _ in range(128):
        handler.wfile.write(b"%PDF-1.7\n" + b"\0" * 65527)


# (path, link text, how the server answers, the attachment's error and its failure kind)
CASES = [
    ("/files/bao-cao.pdf", "Báo cáo", ok("<!DOCTYPE html><html><body>Không tìm thấy tệp</body></html>".encode()),
     "not a document: an HTML page in place of a PDF", "not_a_document"),
    ("/files/ho-so-1gb.pdf", "Hồ sơ", announced_gigabyte,
     f"file too large (over CCHC_DOCUMENT_MAX_BYTES={MAX_BYTES})", "too_large"),
    ("/files/khong-do-dai.pdf", "Tài liệu", endless, f"file too large (over CCHC_DOCUMENT_MAX_BYTES={MAX_BYTES})",
     "too_large"),
    ("/files/ma-hoa.pdf", "Quyết định", ok(files.encrypted_pdf(b""), "application/pdf"),
     "encrypted PDF (a password is needed to open it)", "encrypted"),
    ("/files/hong.pdf", "Kế hoạch", ok(REPORT[: len(REPORT) // 2], "application/pdf"), "corrupt PDF", "corrupt"),
    ("/files/bom.docx", "Công văn", ok(files.zip_bomb_docx(), "application/octet-stream"), "zip bomb suspected",
     "zip_bomb"),
    ("/files/5000-trang.pdf", "Phụ lục", ok(files.blank_pdf(5000), "application/pdf"),
     "PDF has 5000 pages, over the limit of 1000", "too_many_pages"),
    ("/files/treo.pdf", "Nghị quyết", ok(SCAN, "application/pdf"), "no text (the pages need OCR)", "no_text"),
    ("/files/mat.pdf", "Thông báo", lambda h, n: send(h, 404, b"not found"), "HTTP 404", "http_404"),
    ("/cam/van-ban.pdf", "Văn bản", ok(PLAN, "application/pdf"), "download failed: Forbidden by robots.txt",
     "robots_txt"),
]


def notice(n: int, path: str, text: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>Thông báo số {n} của Sở Tài chính</title></head><body>"
            f"<h1 class='title'>Thông báo số {n} của Sở Tài chính</h1><div class='date'>0{n % 9 + 1}/03/2024 08:00</div>"
            f"<div class='content'><p>Sở Tài chính thông báo nội dung số {n} về cải cách thủ tục hành chính tới các "
            f"cơ quan, đơn vị.</p><p>Văn bản đính kèm: <a href='{path}'>{text} {n}</a></p></div></body></html>").encode()


def hanging_tesseract(folder: Path) -> Path:
    script = folder / "tesseract"
    script.write_text("#!/bin/sh\nif [ \"$1\" = \"--list-langs\" ]; then printf 'List of available languages in "
                      "\"/x/\" (1):\\nvie\\n'; exit 0; fi\ncat >/dev/null; sleep 600\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_bad_documents_are_counted_drops_and_every_notice_is_stored(tmp_path):
    routes = {"/robots.txt": ok(b"User-agent: *\nDisallow: /cam/\n", "text/plain")}
    pages = []
    for n, (path, text, answer, _, _) in enumerate(CASES, 1):
        routes[path] = answer
        pages.append(f"/tin/thong-bao-so-{n}.html")
        routes[pages[-1]] = ok(notice(n, path, text))
    # a "Tải về" whose answer is a page: no document, nothing attached; and one good plan among the bad
    routes["/tin/thong-bao-so-11.html"] = ok(notice(11, "/Download.aspx?id=11", "Tải về"))
    routes["/Download.aspx?id=11"] = ok("<html><body><h1>Trang chủ</h1></body></html>".encode())
    routes["/tin/thong-bao-so-12.html"] = ok(notice(12, "/files/ke-hoach.pdf", "Kế hoạch"))
    routes["/files/ke-hoach.pdf"] = ok(PLAN, "application/pdf")
    pages += ["/tin/thong-bao-so-11.html", "/tin/thong-bao-so-12.html"]
    routes["/tin"] = ok(("<html><body><ul class='news'>" + "".join(
        f"<li class='item'><a href='{p}'>Thông báo số {p.split('-')[-1][:-5]} của Sở Tài chính về thủ tục</a></li>"
        for p in pages) + "</ul></body></html>").encode())
    db = tmp_path / "cchc.db"
    with FaultServer(routes) as server:
        result = run_scrapy(
            ["crawl", "generic", "-a", f"start_urls={SITE}/tin", "-a", f"base_url={server.base_url}",
             "-s", "CCHC_BROWSER_FALLBACK=0"], db, timeout=600,
            env={"CCHC_DOCUMENT_MAX_BYTES": str(MAX_BYTES), "CCHC_TESSERACT": str(hanging_tesseract(tmp_path)),
                 "CCHC_OCR_TIMEOUT": "2", "CCHC_OCR_MAX_PAGES": "3"})
    assert result.returncode == 0 and "Spider closed (finished)" in result.stderr, result.stderr[-3000:]
    stats = crawl_stats(result)
    stored = {r["url"] for r in rows(db, "select url from articles")}
    assert stored == {SITE + p for p in pages}  # every notice, whatever its document did
    attached = {r["page"].rsplit("/", 1)[1]: r for r in rows(
        db, "select a.url as page, l.url, l.sha256, l.error as fetch_error, d.error as reading_error, d.text "
            "from article_documents l join articles a on a.id = l.article_id "
            "left join documents d on d.sha256 = l.sha256")}
    for n, (path, _, _, error, kind) in enumerate(CASES, 1):
        entry = attached[f"thong-bao-so-{n}.html"]
        said = entry["fetch_error"] or entry["reading_error"] or ""
        assert said.startswith(error), (path, said)
        assert not entry["text"], path
        assert stats.get(f"cchc/documents/failed/{kind}"), (kind, {k: v for k, v in stats.items() if "documents" in k})
    assert "thong-bao-so-11.html" not in attached and stats["cchc/documents/not_document"] == 1
    assert attached["thong-bao-so-12.html"]["text"] and not attached["thong-bao-so-12.html"]["fetch_error"]
    # the hung OCR: killed at its time limit, once, and the rest of that scan skipped
    notes = json.loads(rows(db, "select notes from documents where error = 'no text (the pages need OCR)'")[0]["notes"])
    assert "page 1: OCR timed out after 2 s" in notes and "OCR of the remaining pages skipped after a time-out" in notes
    # the gigabyte was never read: the server's bytes stopped at the cap, the file was refused at its header
    assert server.hits["/files/ho-so-1gb.pdf"] == 1 and server.hits["/cam/van-ban.pdf"] == 0
    assert SENT["gigabyte"] < GIGABYTE_CHUNKS  # the client hung up: the server could not send it all
    reason = rows(db, "select verdict, verdict_reason from crawl_runs")[0]
    assert reason["verdict"] in ("ok", "quiet"), reason  # the site's pages were read: bad files break nothing
    assert "10 attachments without text" in reason["verdict_reason"] and "too_large 2" in reason["verdict_reason"]
    assert unreadable_with_plain_sqlite(db) == []
