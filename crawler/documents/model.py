"""What reading a document gives back, and the bounds it is read within.

The result is a plain frozen dataclass so the crawl can pickle it to and from its extraction workers, keep it in
a cache keyed by sha256 and turn it into an item's ``attachments`` entry with ``dataclasses.asdict``. It depends
only on the bytes (never on the URL they came from), which is what makes the sha256 cache exact.
"""
from __future__ import annotations

from dataclasses import dataclass

from crawler import settings as _settings

# text_source / page source values.
TEXT_LAYER = "text-layer"  # the PDF's own text
OCR = "ocr"                # Tesseract on the page rendered at Limits.ocr_dpi
MIXED = "mixed"            # some pages one way, some the other
EMPTY = "empty"            # a page with nothing to read (blank, or only a picture too small to be text)
MISSING = "missing"        # the page needs OCR and did not get it (see DocumentText.notes)

# Notes that say a later read of the same bytes would get further (the night's OCR budget ran out, or Tesseract was
# missing), unlike "OCR stopped at N pages per document", the document's own bound.
BUDGET_SPENT = "OCR budget of the night spent"
OCR_UNAVAILABLE = "OCR unavailable"


@dataclass(frozen=True)
class Limits:
    """Bounds on one document. The first four are the crawl's settings (crawler/settings.py, declared there once;
    the crawl passes its own values, crawler/fetch/documents.py), the rest this reader's own."""

    max_bytes: int = _settings.CCHC_DOCUMENT_MAX_BYTES  # larger files are not read (the fetch caps first)
    max_pages: int = _settings.CCHC_DOCUMENT_MAX_PAGES  # a PDF with more pages is refused, not read
    ocr_max_pages: int = _settings.CCHC_OCR_MAX_PAGES  # OCR at most this many pages of one document
    ocr_timeout: float = _settings.CCHC_OCR_TIMEOUT  # seconds for one page's Tesseract run, then it is killed
    ocr_dpi: int = 200                   # rendering for OCR; 200 dpi reads 12-14 pt administrative type well
    ocr_lang: str = "vie"                # Tesseract language model (Debian's tesseract-ocr-vie)
    max_unpacked_bytes: int = 100_000_000  # zip bombs: the summed uncompressed size of DOCX/XLSX/ODT members
    max_ratio: int = 200                 # zip bombs: one member's uncompressed/compressed size
    max_text_chars: int = 5_000_000      # text beyond this is cut (a note says so)
    max_cells: int = 500_000             # spreadsheets: cells read at most
    convert_timeout: float = 60.0        # seconds for a legacy .doc/.xls converter (soffice, antiword, xls2csv)


@dataclass(frozen=True)
class DocumentText:
    """One document read: its text, how each page was read, and the header metadata (Decree 30/2020/NĐ-CP).

    ``error`` says why there is no usable text (never an exception); ``notes`` say what is incomplete though text
    exists (pages left without OCR, text cut). ``ocr_pending`` lists the pages that still need OCR: a later read
    with budget left completes them.
    """

    content_type: str                    # sniffed from the bytes: application/pdf, ...wordprocessingml.document ...
    kind: str                            # pdf | docx | xlsx | odt | ods | doc | xls | html | unknown
    bytes: int
    sha256: str
    pages: int = 0                       # PDF pages; sheets of a spreadsheet; 1 for a word-processing file
    text: str = ""                       # pages separated by "\f" (form feed), as pdftotext does
    text_source: str | None = None       # text-layer | ocr | mixed | docx | xlsx | odt | ods | doc | xls
    page_sources: tuple[str, ...] = ()   # per page: text-layer | ocr | empty | missing
    ocr_pages: tuple[int, ...] = ()      # 1-based numbers of the pages read by OCR
    ocr_pending: tuple[int, ...] = ()    # 1-based numbers of the pages that needed OCR and did not get it
    error: str | None = None
    notes: tuple[str, ...] = ()
    # Header metadata (crawler/documents/header.py); None when the header does not say.
    doc_number: str | None = None        # "3125/KH-STC", "13-NQ/TW"
    doc_type: str | None = None          # "Kế hoạch", "Báo cáo", "Quyết định", "Công văn" ...
    issuer: str | None = None            # "UBND TỈNH ĐẮK NÔNG SỞ TÀI CHÍNH" (the top-left block, upper case)
    place: str | None = None             # "Đắk Nông"
    issued_date: str | None = None       # "2018-12-28" (ISO date; never guessed when a digit is unreadable)
    subject: str | None = None           # the trích yếu: "V/v ..." or the line(s) after the type
    signed_at: str | None = None         # first digital signature's time, ISO ("2018-12-28T15:38:07+07:00")
    signer: str | None = None            # "Sở Tài chính" from a signature stamp ("Người ký: ...")

    @property
    def complete(self) -> bool:
        """Read to the end: no error and no page waiting for OCR."""
        return self.error is None and not self.ocr_pending

    @property
    def resumable(self) -> bool:
        """Pages wait for OCR that a later night (with budget, with Tesseract) would read."""
        return waiting_for_ocr(self.notes)

    def page_texts(self) -> list[str]:
        return self.text.split("\f") if self.text else []


@dataclass
class PageRead:
    """One page while a document is being read (internal)."""

    text: str = ""
    source: str = EMPTY
    reason: str | None = None            # why the page needs OCR ("no text layer", "signature stamp only" ...)
    signer: str | None = None            # from a signature stamp on the page
    signed: str | None = None            # the stamp's time, as written


def waiting_for_ocr(notes) -> bool:
    """``notes`` (a DocumentText's, or a stored reading's) say pages wait for the budget or for Tesseract."""
    return any(str(note).startswith((BUDGET_SPENT, OCR_UNAVAILABLE)) for note in notes or ())
