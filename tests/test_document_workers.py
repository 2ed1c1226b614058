"""Issue 32 item 2: documents are read beside the reactor, in worker processes of their own
(crawler/prepare/document_workers.py), with OCR bounded per document and per night: the crawl's process hands each
document its allowance from the night's budget, so several workers together never OCR more pages than the night
allows; a document whose reading hangs is stopped at its deadline and the next one is read by a fresh worker."""
from __future__ import annotations

import asyncio
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.documents import Limits
from crawler.fetch.documents import DocumentFetcher
from crawler.prepare import document_workers
from crawler.prepare.document_workers import NightBudget, read_beside

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"
PLAN = (FIXTURES / "stc.daknong-3125-KH-tuyen-truyen-CCHC-2018.pdf").read_bytes()
SCANS = [(FIXTURES / name).read_bytes() for name in ("thanhtra.daknong-BC-248-2019.pdf", "stc.daknong-NQ-13-CP.pdf")]


def run(coroutine):
    """The coroutine on an event loop of its own, in a thread: whatever loop an earlier test left in this one."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


@pytest.fixture(autouse=True)
def fresh_workers():
    yield
    document_workers.shutdown(wait=True)


def test_the_nights_budget_hands_out_allowances_and_takes_back_what_is_left():
    budget = NightBudget(5)
    assert (budget.allowance(3), budget.allowance(3), budget.allowance(3)) == (3, 2, 0) and budget.spent
    budget.give_back(2)  # a document that needed one page of its three
    assert budget.allowance(20) == 2 and budget.used == 5


def test_a_document_is_read_in_a_worker_process():
    doc = run(read_beside(PLAN, url="http://stc.daknong.gov.vn/img/3125.pdf", content_type="application/pdf",
                                  limits=Limits(), allowance=0, tesseract="tesseract", workers=1))
    assert (doc.doc_number, doc.doc_type, doc.pages, doc.error) == ("3125/KH-STC", "Kế hoạch", 3, None)


def test_a_reading_that_hangs_is_stopped_and_the_next_document_is_read(tmp_path):
    # A Tesseract that never answers, with a per-page limit longer than the document's deadline: the worker is
    # killed at the deadline (a hang in PDFium would be stopped the same way), never the crawl, and its Tesseract
    # with it (the session's guard fails the run if "sleep 600" is left).
    script = tmp_path / "tesseract"
    script.write_text("#!/bin/sh\nif [ \"$1\" = \"--list-langs\" ]; then printf 'List of available languages in "
                      "\"/x/\" (1):\\nvie\\n'; exit 0; fi\ncat >/dev/null; exec sleep 600\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)

    async def night():
        stuck = await read_beside(SCANS[1], url=None, content_type=None, limits=Limits(ocr_timeout=1000),
                                  allowance=1, tesseract=str(script), workers=1, timeout=4)
        after = await read_beside(PLAN, url=None, content_type=None, limits=Limits(), allowance=0,
                                  tesseract="tesseract", workers=1)
        return stuck, after

    stuck, after = run(night())
    assert stuck.error == "reading took longer than 4 s: the document worker was stopped"
    assert after.doc_number == "3125/KH-STC"


def test_several_workers_share_the_nights_ocr_budget(monkeypatch):
    # Two scans read at once by two workers, a night of 3 OCR pages and 2 per document: 3 pages in all, never 4.
    monkeypatch.setattr(DocumentFetcher, "budget", None)
    project = {k: getattr(project_settings, k) for k in dir(project_settings) if k.startswith("CCHC_")}
    crawler = get_crawler(settings_dict={**project, "CCHC_DB": "", "CCHC_OCR_PAGES_PER_NIGHT": 3,
                                         "CCHC_OCR_MAX_PAGES": 2, "CCHC_DOCUMENT_WORKERS": 2})
    fetcher = DocumentFetcher(crawler)

    async def night():
        return await asyncio.gather(*(fetcher._read(scan, None, "application/pdf") for scan in SCANS))

    first, second = run(night())
    assert len(first.ocr_pages) + len(second.ocr_pages) == 3 and fetcher.budget.used == 3
    assert "OCR budget of the night spent" in first.notes + second.notes
    assert crawler.stats.get_value("cchc/documents/ocr_pages") == 3
