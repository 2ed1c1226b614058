"""A crawl with documents against the same crawl without them, side by side in one run: pages per second, the
documents fetched, read and reused, OCR pages, and the CPU of the whole crawl (the scrapy process, its extraction
and document workers, Tesseract).

    .venv/bin/python bench/documents_crawl.py [--notices 40] [--news 40]

A mirror on 127.0.0.1 (generated here: a listing of N notices of the stc.daknong.gov.vn kind, each linking one of
the five real PDFs of tests/fixtures/documents in turn, so each PDF is linked by N/5 notices, and M news articles
with a body of their own and no document) is crawled through the real engine (`scrapy crawl generic`):

1. documents off (``CCHC_DOCUMENTS=0``): the crawl as it was before issue 32 (the short notices are dropped);
2. text layers only (``CCHC_OCR_MAX_PAGES=0``): the scans are kept waiting for OCR;
3. everything (the default settings: OCR of up to 20 pages per document);
4. a second night over the same mirror with nothing new, every article re-checked (``CCHC_RECHECK_DAYS``): each
   document asked for again with If-None-Match, answered 304, nothing read.

CPU is summed over every process of the crawl (found by a marker in their environment, sampled every 0.1 s
from /proc: a process that lives less than that may be missed), so the document workers and Tesseract count.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from crawler.ops.saved_pages import FixtureServer

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "tests" / "fixtures" / "documents"
HOST = "stc.daknong.gov.vn"
PDFS = sorted(p.name for p in DOCUMENTS.glob("*.pdf"))
BODY = ("Sở Tài chính tổ chức hội nghị triển khai nhiệm vụ cải cách hành chính năm 2019, nâng cao chất lượng giải "
        "quyết hồ sơ cho tổ chức và công dân tại Bộ phận tiếp nhận và trả kết quả.")
MARKER = "CCHC_BENCH_CRAWL"
TICKS = os.sysconf("SC_CLK_TCK")


def build(folder: Path, notices: int, news: int) -> None:
    rows, links = [], []
    for n in range(notices):
        pdf = PDFS[n % len(PDFS)]
        slug = f"thong-bao-ke-hoach-cai-cach-hanh-chinh-so-{n:03d}"
        html = (f"<html><head><title>Trang chủ - Sở Tài chính tỉnh ĐắkNông</title></head><body><div class='zoneCent-GT'>"
                f"<div class='gtTitle'><p style='font-weight: bold'>Thông báo kế hoạch cải cách hành chính số {n:03d}</p>"
                f"<div style='font-size: 12px'><p>Xem chi tiết <a href='/img/{pdf}'>tại đây</a></p></div></div></div>"
                f"<div class='zoneRight'><a href='/img/van-ban-moi.pdf'>Văn bản mới</a></div></body></html>")
        rows.append((f"https://{HOST}/{slug}", f"{slug}.html", "article", html))
        links.append((slug, f"Thông báo kế hoạch cải cách hành chính số {n:03d}", n))
    for n in range(news):
        slug = f"hoi-nghi-trien-khai-cai-cach-hanh-chinh-so-{500 + n:03d}"  # one URL shape with the notices
        html = (f"<html><head><title>Tin số {n}</title></head><body><h1 class='title'>Hội nghị triển khai cải cách "
                f"hành chính số {500 + n}</h1><div class='content'><p>{BODY}</p><p>{BODY}</p><p>{BODY}</p></div>"
                f"</body></html>")
        rows.append((f"https://{HOST}/{slug}", f"{slug}.html", "article", html))
        links.append((slug, f"Hội nghị triển khai cải cách hành chính số {500 + n}", n))
    items = "".join(f"<tr><td class='TitleFront'><a href='/{slug}'>{title}<span class='ShowDate'> "
                    f"({1 + n % 28:02d}.06.2019 08:00)</span></a></td></tr>" for slug, title, n in links)
    rows.append((f"https://{HOST}/cai-cach-hanh-chinh", "listing.html", "listing",
                 f"<html><body><table class='list'>{items}</table></body></html>"))
    with open(folder / "MANIFEST.tsv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["url", "file", "provenance", "kind", "source", "content_type"])
        for url, file, kind, html in rows:
            (folder / file).write_text(html, encoding="utf-8")
            writer.writerow([url, file, "synthetic", kind, "bench/documents_crawl.py", "text/html; charset=utf-8"])
        for pdf in PDFS:
            shutil.copy(DOCUMENTS / pdf, folder / pdf)
            writer.writerow([f"https://{HOST}/img/{pdf}", pdf, "synthetic", "document", "tests/fixtures/documents",
                             "application/pdf"])


class TreeCpu:
    """CPU seconds of every process whose environment holds ``MARKER=<token>``, sampled from /proc."""

    def __init__(self, token: str):
        self.needle, self.seen, self._stop = f"{MARKER}={token}".encode(), {}, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    if self.needle not in (entry / "environ").read_bytes().split(b"\0"):
                        continue
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    self.seen[entry.name] = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
                except (OSError, IndexError, ValueError):
                    continue
            time.sleep(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def stats_of(stderr: str) -> dict:
    found = {}
    for line in stderr.splitlines():
        line = line.strip().rstrip(",")
        if line.startswith(("{'", "'")):
            key, _, value = line.lstrip("{").partition(":")
            value = value.strip().rstrip("}")
            if value.isdigit():
                found[key.strip().strip("'")] = int(value)
    return found


def crawl(server, db: Path, env: dict) -> dict:
    token = uuid.uuid4().hex
    full = dict(os.environ, CCHC_DB=str(db), CCHC_LOG_LEVEL="INFO", CCHC_FAILED_PAGES_DIR=str(db.parent / "failed"),
                **{MARKER: token}, **env)
    started = time.perf_counter()
    with TreeCpu(token) as cpu:
        result = subprocess.run([str(ROOT / ".venv" / "bin" / "scrapy"), "crawl", "generic", "-a",
                                 f"start_urls=https://{HOST}/cai-cach-hanh-chinh", "-a", f"base_url={server.base_url()}"],
                                cwd=ROOT, env=full, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - started
    if result.returncode not in (0, 1) or "Spider closed (finished)" not in result.stderr:
        raise SystemExit(result.stderr[-3000:])
    verdict = result.stderr.strip().splitlines()[-1].split(": ")[1]  # scrapy crawl's last line: "site: verdict: why"
    return {"wall": wall, "cpu": cpu.seconds, "verdict": verdict, **stats_of(result.stderr)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=40)
    parser.add_argument("--news", type=int, default=40)
    args = parser.parse_args()
    runs = [("documents off (before issue 32)", {"CCHC_DOCUMENTS": "0"}, True),
            ("documents, text layers only", {"CCHC_OCR_MAX_PAGES": "0"}, True),
            ("documents, OCR (defaults)", {}, True),
            ("second night, nothing new", {"CCHC_RECHECK_DAYS": "100000"}, False)]
    print(f"Documents in a crawl: {args.notices} notices linking the {len(PDFS)} real PDFs in turn "
          f"({args.notices // len(PDFS)} notices each), {args.news} news articles without documents; mirror on "
          f"127.0.0.1; {os.cpu_count()} cores\n")
    header = (f"{'run':<34}{'wall s':>8}{'pages/s':>9}{'CPU s':>8}{'stored':>8}{'dropped':>8}{'docs got':>9}"
              f"{'read':>6}{'reused':>7}{'304':>5}{'OCR pg':>7}  verdict")
    print(header)
    with tempfile.TemporaryDirectory(prefix="cchc-bench-docs-") as tmp:
        folder = Path(tmp) / "site"
        folder.mkdir()
        build(folder, args.notices, args.news)
        with FixtureServer([folder]) as server:
            db = None
            for name, env, fresh in runs:
                if fresh:
                    db = Path(tmp) / f"run-{len(name)}.db"
                s = crawl(server, db, env)
                pages = s.get("cchc/articles/extracted", 0)
                print(f"{name:<34}{s['wall']:8.1f}{pages / s['wall']:9.1f}{s['cpu']:8.1f}{s.get('cchc/stored', 0):8}"
                      f"{s.get('cchc/dropped/invalid', 0):8}{s.get('cchc/documents/fetched', 0):9}"
                      f"{s.get('cchc/documents/read', 0):6}{s.get('cchc/documents/reused', 0):7}"
                      f"{s.get('cchc/documents/not_modified', 0):5}{s.get('cchc/documents/ocr_pages', 0):7}  "
                      f"{s['verdict']}")
    print("\npages/s: article pages read per second of the whole run (wall); CPU s: every process of the crawl; "
          "docs got: documents downloaded (200), read: read in a document worker, reused: the same bytes read once "
          "for several notices, 304: not modified since the stored reading.")


if __name__ == "__main__":
    main()
