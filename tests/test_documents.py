"""crawler.documents: the five real documents of ../shared/real-documents (copied to tests/fixtures/documents) (text layer, scans through OCR) with
their header metadata checked against values READ BY HAND from the rendered pages (never from the code's
output), the Office formats, the bad inputs of issue 32, the OCR budget and the sha256 cache.

OCR runs on at most two pages per scan here, so the suite stays fast; bench/documents.py reads them whole.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import document_files as files
from crawler.documents import Limits, MemoryCache, OcrBudget, Tesseract, parse_header, read_cached, read_document
from crawler.documents.header import fold
from crawler.vi.text import normalize_for_compare

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "documents"  # the five real PDFs (MANIFEST.tsv: recorded, with origin)


def real(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def contains(text: str, phrase: str) -> bool:
    """``phrase`` in ``text``, case, tone placement and line breaks aside."""
    return normalize_for_compare(phrase) in normalize_for_compare(text)


@pytest.fixture(scope="module")
def tesseract() -> Tesseract:
    """Tesseract with its Vietnamese model; bin/setup installs both, so a missing one fails, never skips."""
    engine = Tesseract.default()
    reason = engine.unavailable()
    if reason:
        pytest.fail(f"{reason}: run bin/setup (apt-get install tesseract-ocr tesseract-ocr-vie)")
    return engine


# ---- the real documents -----------------------------------------------------------------------------------------
# Every expected value below was read by hand from the page rendered to PNG (pdftoppm, 100-110 dpi) and looked
# at; where the text layer and the print differ, the print wins. The issuer is expected as the top-left block in
# capitals with the province spelled officially ("ĐĂK NÔNG" printed -> "ĐẮK NÔNG"); the place likewise.


def test_text_layer_plan_3125():
    doc = read_document(real("stc.daknong-3125-KH-tuyen-truyen-CCHC-2018.pdf"), url="http://stc.daknong.gov.vn/img/3125 KH tuyen truyen cong tac CCHC 2018.pdf")
    # Page 1, read by hand: "UBND TỈNH ĐẮK NÔNG / SỞ TÀI CHÍNH / Số: 3125 /KH-STC", right "Đắk Nông, ngày 28
    # tháng 12 năm 2018", then "KẾ HOẠCH" and "Tuyên truyền công tác cải cách hành chính / của Sở Tài chính
    # tỉnh Đắk Nông năm 2019".
    assert (doc.error, doc.pages, doc.text_source, doc.ocr_pages) == (None, 3, "text-layer", ())
    assert doc.doc_number == "3125/KH-STC"
    assert doc.doc_type == "Kế hoạch"
    assert doc.issuer == "UBND TỈNH ĐẮK NÔNG SỞ TÀI CHÍNH"
    assert (doc.place, doc.issued_date) == ("Đắk Nông", "2018-12-28")
    assert fold(doc.subject) == fold("Tuyên truyền công tác cải cách hành chính của Sở Tài chính tỉnh Đắk Nông "
                                     "năm 2019")
    # Page 1, first paragraph, read by hand.
    assert contains(doc.text, "Thực hiện Kế hoạch số 3121/KH-STC ngày 28/12/2018 của Sở Tài chính")
    assert doc.text.count("\f") == 2 and doc.complete
    # Digitally signed: the first signature's /M entry (the manifest's date, 28/12/2018).
    assert doc.signed_at.startswith("2018-12-28T")


def test_text_layer_report_99():
    doc = read_document(real("stc.daknong-99-BC-CCHC-6-thang-2019.pdf"))
    # Page 1, read by hand: "UBND TỈNH ĐĂK NÔNG / SỞ TÀI CHÍNH / Số: 99/BC-STC", "Đăk Nông, ngày 20 tháng 5
    # năm 2019", "BÁO CÁO", "Tình hình thực hiện công tác cải cách hành chính 6 tháng năm 2019".
    assert (doc.error, doc.pages, doc.text_source) == (None, 15, "text-layer")
    assert doc.doc_number == "99/BC-STC"
    assert doc.doc_type == "Báo cáo"
    assert doc.issuer == "UBND TỈNH ĐẮK NÔNG SỞ TÀI CHÍNH"
    assert (doc.place, doc.issued_date) == ("Đắk Nông", "2019-05-20")
    assert doc.subject == "Tình hình thực hiện công tác cải cách hành chính 6 tháng năm 2019"
    # Page 5, read by hand; page 15 is blank (looked at): nothing to read, and no OCR spent on it.
    assert contains(doc.text, "Sở Tài chính đã ban hành Kế hoạch số 43/KH-STC ngày 07/01/2019")
    assert contains(doc.page_texts()[4], "Số lượng TTHC thuộc thẩm quyền giải quyết của phòng 70 thủ tục")
    assert doc.page_sources[14] == "empty" and doc.ocr_pending == ()


def test_scan_with_only_a_signature_layer_120(tesseract):
    doc = read_document(real("stc.daknong-120-QD-noi-quy-tiep-cong-dan.pdf"), limits=Limits(ocr_max_pages=1))
    # Page 1, read by hand: "UBND TỈNH ĐẮK NÔNG / SỞ TÀI CHÍNH / Số: 120 /QĐ-STC" ("120" handwritten),
    # "Đắk Nông, ngày 05 tháng 10 năm 2018" (05 and 10 handwritten), "QUYẾT ĐỊNH", "Về việc ban hành Nội quy
    # tiếp công dân của / Sở Tài chính tỉnh Đắk Nông.", "GIÁM ĐỐC SỞ TỈNH ĐẮK NÔNG", "Căn cứ Luật Tiếp công dân
    # ngày 25 tháng 11 năm 2013;".
    assert doc.error is None and doc.text_source == "ocr"
    assert doc.ocr_pages == (1,) and doc.ocr_pending == (2, 3, 4, 5)
    assert any("OCR stopped at 1 pages" in note for note in doc.notes)
    assert doc.doc_type == "Quyết định"
    assert doc.issuer == "UBND TỈNH ĐẮK NÔNG SỞ TÀI CHÍNH"
    assert doc.place == "Đắk Nông"
    assert fold(doc.subject) == fold("Về việc ban hành Nội quy tiếp công dân của Sở Tài chính tỉnh Đắk Nông")
    assert contains(doc.text, "Căn cứ Luật Tiếp công dân ngày 25 tháng 11 năm 2013")
    # Handwritten digits: Tesseract reads no print there. The value is the hand-read one or none, never a guess.
    assert doc.doc_number in (None, "120/QĐ-STC")
    assert doc.issued_date in (None, "2018-10-05")
    # The signature stamp is not page text ("Người ký: Sở Tài chính ... 05.10.2018 10:32:07 +07:00", read by
    # hand from the signature widget on page 1); its time is kept apart.
    assert "Người ký" not in doc.text
    assert doc.signed_at == "2018-10-05T10:32:07+07:00"


def test_scanned_report_248(tesseract):
    doc = read_document(real("thanhtra.daknong-BC-248-2019.pdf"), limits=Limits(ocr_max_pages=2))
    # Page 1, read by hand: "UBND TỈNH ĐẮK NÔNG / SỞ LAO ĐỘNG - TBXH / Số: 248/BC-LĐTBXH" ("248"
    # handwritten), "Đắk Nông, ngày 15 tháng 02 năm 2019" ("15" handwritten), "BÁO CÁO", "Kết quả giải quyết
    # khiếu nại, tố cáo tháng 02 năm 2019 / (từ ngày 16/01/2019 – 15/02/2019)". The manifest's "của Thanh tra
    # tỉnh" is wrong: the issuer printed is the Sở Lao động - Thương binh và Xã hội.
    assert doc.error is None and doc.pages == 7 and doc.text_source == "ocr"
    assert doc.ocr_pages == (1, 2) and doc.ocr_pending == (3, 4, 5, 6, 7)
    assert doc.doc_type == "Báo cáo"
    assert doc.issuer == "UBND TỈNH ĐẮK NÔNG SỞ LAO ĐỘNG - TBXH"
    assert doc.place == "Đắk Nông"
    assert fold(doc.subject).startswith(fold("Kết quả giải quyết khiếu nại, tố cáo tháng 02 năm 2019 (từ ngày "
                                             "16/01/2019"))
    assert doc.doc_number in (None, "248/BC-LĐTBXH")   # handwritten number: read right or not at all
    assert doc.issued_date in (None, "2019-02-15")     # handwritten day
    # Page 1 and page 2, read by hand.
    assert contains(doc.text, "Số lượt tiếp công dân: 02 lượt")
    page2 = doc.page_texts()[1]
    assert contains(page2, "Trên đây là báo cáo công tác giải quyết khiếu nại")  # OCR reads "tố cáo" as "tổ cáo"
    assert contains(page2, "của Sở Lao động - TB&XH tỉnh Đắk Nông")
    assert "Người ký" not in page2  # the signature widget on page 2 is not drawn for OCR
    assert doc.signed_at == "2019-02-15T10:22:27+07:00"  # the stamp on page 2 reads "15.02.2019 10:22:27 +07:00"


def test_scanned_party_resolution_13(tesseract):
    doc = read_document(real("stc.daknong-NQ-13-CP.pdf"), limits=Limits(ocr_max_pages=1))
    # Page 1, read by hand: "BAN CHẤP HÀNH TRUNG ƯƠNG / * / Số 13-NQ/TW", right "ĐẢNG CỘNG SẢN VIỆT NAM",
    # "Hà Nội, ngày 16 tháng 01 năm 2012", "NGHỊ QUYẾT / HỘI NGHỊ LẦN THỨ TƯ / BAN CHẤP HÀNH TRUNG ƯƠNG ĐẢNG
    # KHÓA XI / Xây dựng hệ thống kết cấu hạ tầng đồng bộ nhằm đưa nước ta cơ bản trở thành nước công nghiệp
    # theo hướng hiện đại vào năm 2020"; an incoming-mail stamp of the Tỉnh ủy Đắk Nông over the left margin.
    # The manifest's "13/NQ-CP of the Government" is wrong: it is the Party Central Committee's 13-NQ/TW.
    assert doc.error is None and doc.pages == 13 and doc.ocr_pages == (1,)
    assert doc.doc_number == "13-NQ/TW"
    assert doc.doc_type == "Nghị quyết"
    assert doc.issuer == "BAN CHẤP HÀNH TRUNG ƯƠNG"
    assert (doc.place, doc.issued_date) == ("Hà Nội", "2012-01-16")
    assert contains(doc.subject, "kết cấu hạ tầng đồng bộ")
    assert contains(doc.text, "Trong những năm qua, Đảng, Nhà nước và nhân dân ta đã dành sự quan tâm")


# ---- text layers that are not the page's text --------------------------------------------------------------------

def test_a_signature_stamp_layer_over_a_scan_goes_to_ocr(tesseract):
    stamped = files.with_text_layer(real("thanhtra.daknong-BC-248-2019.pdf"), 0, [
        "Nguoi ky: So Tai chinh", "Email: stc@daknong.gov.vn", "Co quan: Tinh Dak Nong",
        "Thoi gian ky: 05.10.2018 10:32:07 +07:00"])
    doc = read_document(stamped)
    assert doc.ocr_pages == (1,) and doc.text_source == "ocr"
    assert any("no text layer" in note for note in doc.notes)
    assert doc.signer == "So Tai chinh" and doc.signed_at == "2018-10-05T10:32:07+07:00"
    assert "Nguoi ky" not in doc.text and contains(doc.text, "Số lượt tiếp công dân: 02 lượt")
    assert read_document(stamped) == doc  # deterministic, OCR included


def test_a_layer_without_diacritics_is_replaced_by_ocr(tesseract):
    layer = ["BAO CAO KET QUA GIAI QUYET KHIEU NAI, TO CAO THANG 02 NAM 2019",
             "Thuc hien Quyet dinh so 09/2017/QD-UBND cua UBND tinh Dak Nong ban hanh quy dinh che do bao cao"]
    doc = read_document(files.with_text_layer(real("thanhtra.daknong-BC-248-2019.pdf"), 0, layer))
    assert any("without diacritics" in note for note in doc.notes)
    assert doc.ocr_pages == (1,) and "KHIEU NAI" not in doc.text
    assert contains(doc.text, "Kết quả giải quyết khiếu nại, tố cáo tháng 02 năm 2019")


def test_without_tesseract_the_layer_is_kept_and_the_result_says_so():
    layer = ["KE HOACH THANH TRA, KIEM TRA NAM 2019 CUA SO Y TE",
             "Thuc hien ke hoach cua UBND tinh ve cong tac thanh tra, kiem tra nam 2019 tai cac don vi"]
    missing = Tesseract(command="/nonexistent/tesseract")
    doc = read_document(files.with_text_layer(real("thanhtra.daknong-BC-248-2019.pdf"), 0, layer), tesseract=missing)
    assert "OCR unavailable (tesseract not installed)" in doc.notes
    assert doc.error is None and doc.text_source == "text-layer" and "KE HOACH THANH TRA" in doc.text
    assert doc.ocr_pending == (1,) and not doc.complete
    scan = read_document(real("stc.daknong-NQ-13-CP.pdf"), tesseract=missing)
    assert scan.error == "OCR unavailable (tesseract not installed)"
    assert scan.pages == 13 and scan.ocr_pending == tuple(range(1, 14)) and scan.text.strip() == ""


# ---- OCR bounds: time limit, per-document cap, the night's budget -------------------------------------------------

def _fake_tesseract(folder: Path, body: str) -> Tesseract:
    script = folder / "tesseract"
    script.write_text("#!/bin/sh\nif [ \"$1\" = \"--list-langs\" ]; then printf 'List of available languages "
                      "in \"/x/\" (1):\\nvie\\n'; exit 0; fi\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return Tesseract(command=str(script), timeout=1.0)


def test_an_ocr_that_hangs_is_killed_at_its_time_limit(tmp_path):
    hanging = _fake_tesseract(tmp_path, "cat >/dev/null; sleep 600")
    doc = read_document(real("stc.daknong-NQ-13-CP.pdf"), tesseract=hanging, limits=Limits(ocr_max_pages=5))
    assert "page 1: OCR timed out after 1 s" in doc.notes
    assert "OCR of the remaining pages skipped after a time-out" in doc.notes  # one hang, not thirteen
    assert doc.error == "no text (the pages need OCR)" and doc.ocr_pending == tuple(range(1, 14))


def test_an_ocr_that_fails_is_a_note(tmp_path):
    failing = _fake_tesseract(tmp_path, "cat >/dev/null; echo 'Error: bad image' >&2; exit 1")
    doc = read_document(real("thanhtra.daknong-BC-248-2019.pdf"), tesseract=failing, limits=Limits(ocr_max_pages=2))
    assert "page 1: OCR failed: Error: bad image" in doc.notes and doc.ocr_pending == tuple(range(1, 8))


def test_the_nights_budget_is_shared_by_documents(tesseract, tmp_path):
    budget = OcrBudget(1)
    first = read_document(real("thanhtra.daknong-BC-248-2019.pdf"), budget=budget, limits=Limits(ocr_max_pages=3))
    second = read_document(real("stc.daknong-NQ-13-CP.pdf"), budget=budget)
    assert first.ocr_pages == (1,) and "OCR budget of the night spent" in first.notes
    assert second.ocr_pages == () and "OCR budget of the night spent" in second.notes
    assert (budget.used, budget.remaining) == (1, 0)
    assert OcrBudget(None).take(10_000)


def test_the_cache_reads_a_document_once():
    cache = MemoryCache(size=2)
    data = real("stc.daknong-3125-KH-tuyen-truyen-CCHC-2018.pdf")
    first = read_cached(data, cache=cache, url="http://a/1.pdf")
    again = read_cached(data, cache=cache, url="http://b/republished.pdf")
    assert again is first and (cache.hits, cache.misses) == (1, 1)
    # A result still waiting for OCR is read again (a later night with budget completes it).
    missing = Tesseract(command="/nonexistent/tesseract")
    scan = real("stc.daknong-NQ-13-CP.pdf")
    pending = read_cached(scan, cache=cache, tesseract=missing)
    assert not pending.complete and read_cached(scan, cache=cache, tesseract=missing) is not pending
    read_cached(files.letter_docx(), cache=cache)
    assert len(cache) == 2 and cache.get(first.sha256) is None  # least recently used dropped


# ---- bad input: a clear error, never an exception or a hang --------------------------------------------------------

def test_encrypted_pdf():
    doc = read_document(files.encrypted_pdf(b""), url="http://x/a.pdf")
    assert doc.error == "encrypted PDF (a password is needed to open it)" and doc.kind == "pdf"


def test_truncated_and_corrupt_pdfs():
    data = real("stc.daknong-99-BC-CCHC-6-thang-2019.pdf")
    for broken in (data[: len(data) // 2], data[:3000], b"%PDF-1.7\n" + b"\x00garbage" * 100):
        doc = read_document(broken)
        assert doc.error and doc.error.startswith("corrupt PDF"), doc.error
        assert len(doc.sha256) == 64 and doc.bytes == len(broken)


def test_html_that_pretends_to_be_a_pdf():
    page = "<!DOCTYPE html><html><head><title>Không tìm thấy</title></head><body>404</body></html>".encode()
    doc = read_document(page, url="http://stc.daknong.gov.vn/img/99BC.pdf", content_type="application/pdf")
    assert doc.error == "not a document: an HTML page in place of a PDF" and doc.content_type == "text/html"


def test_a_5000_page_pdf_is_refused_without_reading_it():
    doc = read_document(files.blank_pdf(5000))
    assert doc.error == "PDF has 5000 pages, over the limit of 1000" and doc.pages == 5000 and doc.text == ""


def test_byte_cap():
    doc = read_document(real("stc.daknong-3125-KH-tuyen-truyen-CCHC-2018.pdf"), url="x.pdf",
                        limits=Limits(max_bytes=100_000))
    assert doc.error == "file too large (465956 bytes, over the limit of 100000)"


def test_zip_bombs():
    doc = read_document(files.zip_bomb_docx(), url="http://x/bomb.docx")
    assert doc.kind == "docx" and doc.error.startswith("zip bomb suspected: 3000"), doc.error
    # One member that inflates 1000:1 under the total cap is refused by its ratio.
    doc = read_document(files.zip_bomb_docx(inflated=50_000_000))
    assert doc.error.startswith("zip bomb suspected: word/document.xml inflates"), doc.error
    # A member that declares a small size but inflates more is read no further than it declares.
    doc = read_document(files.lying_zip_bomb_docx())
    assert doc.error.startswith("corrupt document (word/document.xml"), doc.error
    # The same inside an XLSX (issue 32 names both): refused before openpyxl opens it.
    doc = read_document(files.zip_bomb_xlsx(), url="http://x/bang.xlsx")
    assert doc.kind == "xlsx" and doc.error.startswith("zip bomb suspected: xl/worksheets/sheet1.xml inflates"), \
        doc.error
    assert not doc.text


def test_unknown_and_empty_files():
    assert read_document(b"").error == "empty file"
    assert read_document(b"\x89PNG\r\n\x1a\n....").error.startswith("unknown document format")
    assert read_document(files._zip({"a.txt": "x"})).error == \
        "unknown document format (a zip archive that is no Office document, or a corrupt one)"
    assert read_document(b"PK\x03\x04broken", url="a.docx").error.startswith("unknown document format")


# ---- Word-processing files and spreadsheets ----------------------------------------------------------------------
# The letter written in tests/document_files.py (its header is the expected value).

LETTER = {"doc_number": "512/SNV-CCHC", "doc_type": "Công văn", "issuer": "UBND TỈNH ĐẮK NÔNG SỞ NỘI VỤ",
          "place": "Đắk Nông", "issued_date": "2020-03-03",
          "subject": "V/v triển khai Kế hoạch cải cách hành chính năm 2020"}


@pytest.mark.parametrize("kind, data", [
    ("docx", lambda: files.letter_docx()),
    ("odt", lambda: files.letter_odt()),
    ("doc", lambda: (FIXTURES / "cong-van-512-SNV.doc").read_bytes()),
])
def test_letters(kind, data):
    doc = read_document(data(), url=f"http://x/cong-van.{kind}")
    assert (doc.kind, doc.text_source, doc.error, doc.pages) == (kind, kind, None, 1)
    assert {name: getattr(doc, name) for name in LETTER} == LETTER
    assert contains(doc.text, "Sở Nội vụ đề nghị các phòng, đơn vị triển khai thực hiện nghiêm túc")


def test_odt_spaces_and_tabs():
    assert "Hai  khoảng\ttrắng" in read_document(files.letter_odt()).text


@pytest.mark.parametrize("kind, data", [
    ("xlsx", lambda: files.table_xlsx()),
    ("ods", lambda: files.table_ods()),
    ("xls", lambda: (FIXTURES / "bang-tong-hop.xls").read_bytes()),
])
def test_spreadsheets(kind, data):
    doc = read_document(data(), url=f"http://x/bang.{kind}")
    assert (doc.kind, doc.text_source, doc.error, doc.pages) == (kind, kind, None, 2)
    sheets = doc.page_texts()
    assert "Sở Tư pháp\t132" in sheets[0] and "Số liệu đến ngày 30/6/2019" in sheets[1]
    assert doc.doc_number is None and doc.issued_date is None


def test_the_bytes_decide_the_type():
    docx = read_document(files.letter_docx(), url="http://x/file.pdf", content_type="application/pdf")
    assert docx.kind == "docx" and docx.doc_number == "512/SNV-CCHC"
    pdf = read_document(real("stc.daknong-3125-KH-tuyen-truyen-CCHC-2018.pdf"), url="http://x/download.aspx?id=3",
                        content_type="application/octet-stream")
    assert pdf.kind == "pdf" and pdf.content_type == "application/pdf"


def test_legacy_converter_missing_is_an_error(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    doc = read_document((FIXTURES / "cong-van-512-SNV.doc").read_bytes())
    assert doc.error == "legacy .doc unreadable (antiword not installed: apt-get install antiword)"


# ---- the header parser on its own: OCR errors, lost diacritics, layouts -----------------------------------------

def test_header_without_diacritics():
    # An OCR layer made without a Vietnamese model (issue 32's example), restored through the header lexicon.
    header = parse_header("UBND TINH DAK NONG CONG HOA XA HOI CHU NGHIA VIET NAM\nSO Y TE Doc lap - Tu do - "
                          "Hanh phuc\nSo: 45/KH-SYT Dak Nong, ngay 15 thang 01 nam 2019\nKE HOACH\n"
                          "Thanh tra, kiem tra nam 2019 cua So Y te\nCan cu Luat Thanh tra ngay 15 thang 11 nam 2010;")
    assert (header.doc_number, header.doc_type, header.issuer) == ("45/KH-SYT", "Kế hoạch", "UBND TỈNH ĐẮK NÔNG SỞ Y TẾ")
    assert (header.place, header.issued_date) == ("Đắk Nông", "2019-01-15")
    assert header.subject == "Thanh tra, kiem tra nam 2019 cua So Y te"


def test_header_with_ocr_digit_errors_and_legal_numbers():
    header = parse_header("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\nSố: 3l/2O19/QD-UBND\nĐà Lạt, ngày 2O tháng 5 năm 2O19\n"
                          "QUYÉT ĐỊNH\nBan hành Quy chế làm việc\nCăn cứ Luật Tổ chức chính quyền địa phương;")
    assert header.doc_number == "31/2019/QĐ-UBND"
    assert (header.doc_type, header.issuer) == ("Quyết định", "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG")
    assert (header.place, header.issued_date, header.subject) == ("Đà Lạt", "2019-05-20", "Ban hành Quy chế làm việc")


def test_header_never_guesses_a_date_or_a_number():
    header = parse_header("UBND TỈNH ĐẮK NÔNG\nSở TÀI CHÍNH\nSố: 24ý/BC-STC\nĐắk Nông, ngày A5 tháng 02 năm 2019\nBÁO CÁO\nKết quả")
    assert (header.doc_number, header.issued_date, header.place, header.doc_type) == (None, None, "Đắk Nông", "Báo cáo")
    assert parse_header("Số: 30c/NQ-CP\nHà Nội, ngày 08 tháng 11 năm 2011\nNGHỊ QUYẾT").doc_number == "30c/NQ-CP"
    assert parse_header("Số: 12/KH-UBND\nĐắk Nông, ngày 31 tháng 02 năm 2019").issued_date is None  # 31 February


def test_a_type_line_that_holds_the_subject_too():
    # Issue 32's example of a title in capitals: the type and the subject on one line (and the next), with and
    # without its diacritics; the number left blank for the signature. "SỞ KẾ HOẠCH VÀ ĐẦU TƯ" is no type line.
    header = parse_header("SỞ Y TẾ TỈNH ĐẮK NÔNG\nSố:    /KH-SYT\nĐắk Nông, ngày 10 tháng 01 năm 2019\n"
                          "KẾ HOẠCH THANH TRA, KIỂM TRA NĂM 2019\nCỦA SỞ Y TẾ\nCăn cứ Luật Thanh tra ngày 15 tháng 11 "
                          "năm 2010;")
    assert (header.doc_number, header.doc_type, header.issued_date) == (None, "Kế hoạch", "2019-01-10")
    assert header.subject == "THANH TRA, KIỂM TRA NĂM 2019 CỦA SỞ Y TẾ"
    header = parse_header("UBND TỈNH ĐẮK NÔNG\nBAN CHỈ ĐẠO CCHC\nĐắk Nông, ngày 10 tháng 01 năm 2019\n"
                          "KE HOACH THANH TRA, KIEM TRA NAM 2019 CUA SO Y TE\nCan cu Luat Thanh tra")
    assert (header.doc_type, header.subject) == ("Kế hoạch", "THANH TRA, KIEM TRA NAM 2019 CUA SO Y TE")
    header = parse_header("UBND TỈNH ĐẮK NÔNG\nĐắk Nông, ngày 10 tháng 01 năm 2019\nKẾ HOẠCH VÀ ĐẦU TƯ\n"
                          "Căn cứ Luật Đầu tư công")
    assert (header.doc_type, header.subject) == (None, None)


def test_a_numbers_leading_zeros_are_kept_as_printed():
    # Documents are cited with the number as printed ("Nghị quyết số 01/NQ-CP", "Kế hoạch số 07/KH-UBND"): a
    # search or a join on "07/KH-UBND" must find it. The date's zeros are only a date's ("05" -> day 5).
    header = parse_header("ỦY BAN NHÂN DÂN\nHUYỆN ĐẮK MIL\nSố: 07/KH-UBND\nĐắk Mil, ngày 05 tháng 01 năm 2020\n"
                          "KẾ HOẠCH\nCải cách hành chính năm 2020")
    assert (header.doc_number, header.issued_date, header.place) == ("07/KH-UBND", "2020-01-05", "Đắk Mil")
    assert parse_header("Số: 01/2020/QĐ-UBND\nHà Nội, ngày 02 tháng 01 năm 2020\nQUYẾT ĐỊNH").doc_number == (
        "01/2020/QĐ-UBND")
    assert parse_header("Số: O5/TB-STC\nĐắk Nông, ngày 1 tháng 3 năm 2019\nTHÔNG BÁO").doc_number == "05/TB-STC"
    assert parse_header("Số: 00/KH-STC\nĐắk Nông, ngày 1 tháng 3 năm 2019\nKẾ HOẠCH").doc_number is None


def test_the_body_is_not_the_header():
    body = ("Căn cứ Luật Tiếp công dân ngày 25 tháng 11 năm 2013;\nThực hiện Quyết định số 09/2017/QĐ-UBND ngày "
            "27/3/2017 của UBND tỉnh báo cáo kết quả giải quyết khiếu nại.\nSố lượt tiếp công dân: 02 lượt.")
    assert parse_header(body) == type(parse_header(body))()


# ---- which text layers need OCR ----------------------------------------------------------------------------------

def test_which_layers_need_ocr():
    from crawler.documents.quality import ocr_reason

    vietnamese = "Thực hiện Kế hoạch số 3121/KH-STC ngày 28/12/2018 của Sở Tài chính về cải cách hành chính " * 2
    assert ocr_reason(vietnamese, has_graphics=True) is None
    folded = "Thuc hien Ke hoach so 3121/KH-STC ngay 28/12/2018 cua So Tai chinh ve cai cach hanh chinh " * 2
    assert ocr_reason(folded, has_graphics=False) == "text layer without diacritics"
    english = "The Department of Finance published its administrative reform plan for the year 2019 today. " * 2
    assert ocr_reason(english, has_graphics=True) is None  # no diacritics, but not Vietnamese: left alone
    tcvn3 = "KÕ ho¹ch tuyªn truyÒn c«ng t¸c c¶i c¸ch hµnh chÝnh cña Së Tµi chÝnh tØnh §¾k N«ng n¨m 2019 " * 2
    assert ocr_reason(tcvn3, has_graphics=False) == "text layer in a legacy font encoding (TCVN3)"
    assert ocr_reason("", has_graphics=False) is None  # a blank page: no OCR spent
    assert ocr_reason("Trang 12", has_graphics=True) == "almost no text layer"  # a scan with its page number
    assert ocr_reason("12", has_graphics=True) == "no text layer"


def test_damaged_files_never_raise():
    """Bytes flipped and files cut at random (seeded): every result has text or an error, nothing escapes."""
    import random

    rng = random.Random(32)
    seeds = [real("stc.daknong-3125-KH-tuyen-truyen-CCHC-2018.pdf"), files.letter_docx(), files.table_xlsx(),
             files.letter_odt(), files.table_ods(), (FIXTURES / "cong-van-512-SNV.doc").read_bytes(),
             (FIXTURES / "bang-tong-hop.xls").read_bytes()]
    missing = Tesseract(command="/nonexistent/tesseract")
    for _ in range(200):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[:rng.randrange(len(data))]
        doc = read_document(bytes(data), tesseract=missing)
        assert doc.error or doc.text.strip() or doc.notes, doc
