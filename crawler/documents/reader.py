"""read_document: bytes in, DocumentText out. A pure function of the bytes and the limits (no network, no
database); every failure becomes the result's ``error`` or ``notes``, never an exception or a hang.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from . import legacy, office, pdf, sniff
from .budget import DocumentCache, OcrBudget
from .header import Header, parse_header
from .model import BUDGET_SPENT, EMPTY, MISSING, MIXED, OCR, OCR_UNAVAILABLE, TEXT_LAYER, DocumentText, Limits, PageRead
from .ocr import OcrError, Tesseract
from .quality import ocr_reason, strip_stamp

_STAMP_TIME = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{2}):?(\d{2})?")


def read_document(data: bytes, *, url: str | None = None, content_type: str | None = None,
                  limits: Limits | None = None, budget: OcrBudget | None = None,
                  tesseract: Tesseract | None = None) -> DocumentText:
    """Read one downloaded document.

    ``url`` and ``content_type`` are hints only (the bytes decide what the file is); ``budget`` is the night's
    OCR budget shared by every document of a crawl; ``tesseract`` overrides the OCR command (tests, or a
    Tesseract outside PATH; default: ``tesseract`` on PATH, with ``limits.ocr_lang`` and ``limits.ocr_timeout``).
    """
    limits = limits or Limits()
    digest = hashlib.sha256(data).hexdigest()
    base = {"bytes": len(data), "sha256": digest}
    claimed = sniff.hinted(url, content_type)
    if len(data) > limits.max_bytes:
        return DocumentText(claimed or sniff.UNKNOWN, sniff.KIND.get(claimed, "unknown"), **base,
                            error=f"file too large ({len(data)} bytes, over the limit of {limits.max_bytes})")
    try:
        mime = sniff.sniff(data, url=url, content_type=content_type)
    except Exception:  # sniffing catches what a broken container raises; this is the last net
        mime = sniff.UNKNOWN
    kind = sniff.KIND[mime]
    base.update(content_type=mime, kind=kind)
    if not data:
        return DocumentText(**base, error="empty file")
    if kind == "html":
        what = f" in place of a {sniff.KIND[claimed].upper()}" if claimed else ""
        return DocumentText(**base, error=f"not a document: an HTML page{what}")
    if kind in ("unknown", "zip", "ole"):
        return DocumentText(**base, error=f"unknown document format ({_describe(data)})")
    try:
        if kind == "pdf":
            return _read_pdf(data, base, limits, budget, tesseract or Tesseract.default(limits.ocr_lang,
                                                                                       limits.ocr_timeout))
        return _read_office(data, base, kind, limits)
    except Exception as exc:  # a library's unexpected failure on hostile input: a result, never a crash
        return DocumentText(**base, error=f"unreadable {kind} ({type(exc).__name__}: {str(exc)[:100]})")


def read_cached(data: bytes, *, cache: DocumentCache, **kwargs) -> DocumentText:
    """read_document, once per distinct document: a complete result in ``cache`` is returned as it is."""
    digest = hashlib.sha256(data).hexdigest()
    cached = cache.get(digest)
    if cached is not None and cached.complete:
        return cached
    document = read_document(data, **kwargs)
    cache.put(document)
    return document


def _describe(data: bytes) -> str:
    head = data[:8]
    if head.startswith(b"PK"):
        return "a zip archive that is no Office document, or a corrupt one"
    if head.startswith(sniff.OLE_MAGIC):
        return "an OLE2 file that is neither Word nor Excel"
    return f"starts with {head!r}"


# ---- PDF --------------------------------------------------------------------------------------------------------

def _read_pdf(data: bytes, base: dict, limits: Limits, budget: OcrBudget | None,
              tesseract: Tesseract) -> DocumentText:
    try:
        document = pdf.open_pdf(data)
    except pdf.PdfError as exc:
        return DocumentText(**base, error=str(exc))
    try:
        count = len(document)
        if count == 0:
            return DocumentText(**base, error="corrupt PDF (no pages)")
        if count > limits.max_pages:
            return DocumentText(**base, pages=count,
                                error=f"PDF has {count} pages, over the limit of {limits.max_pages}")
        pages = []
        for index in range(count):
            page = document[index]
            try:
                pages.append(_text_layer(page))
            finally:
                page.close()
        notes = _ocr(document, pages, limits, budget, tesseract)
        signed_at = pdf.first_signature_time(document)
    finally:
        document.close()
    stamped = next((p for p in pages if p.signer or p.signed), None)
    if signed_at is None and stamped is not None and stamped.signed:
        signed_at = _stamp_time(stamped.signed)
    return _finish(base, pages, notes, signed_at, stamped.signer if stamped else None, limits)


def _text_layer(page) -> PageRead:
    text, signer, signed = strip_stamp(pdf.page_text(page))
    letters = sum(1 for ch in text if ch.isalpha())
    reason = ocr_reason(text, has_graphics=letters < 40 and pdf.has_graphics(page))
    text = text.strip()
    source = MISSING if reason else (TEXT_LAYER if text else EMPTY)
    return PageRead(text=text, source=source, reason=reason, signer=signer, signed=signed)


def _ocr(document, pages: list[PageRead], limits: Limits, budget: OcrBudget | None,
         tesseract: Tesseract) -> list[str]:
    """OCR the pages that need it, within the document's and the night's bounds; returns the notes."""
    wanted = [i for i, p in enumerate(pages) if p.reason]
    if not wanted:
        return []
    notes: list[str] = []
    reasons = sorted({pages[i].reason for i in wanted})
    notes.append(f"{len(wanted)} page(s) need OCR: {', '.join(reasons)}")
    unavailable = tesseract.unavailable()
    if unavailable:
        return notes + [unavailable]
    done = 0
    for index in wanted:
        page = pages[index]
        if done >= limits.ocr_max_pages:
            notes.append(f"OCR stopped at {limits.ocr_max_pages} pages per document")
            break
        if budget is not None and not budget.take(1):
            notes.append(BUDGET_SPENT)
            break
        pdf_page = document[index]
        try:
            image = pdf.render_pgm(pdf_page, limits.ocr_dpi)
        finally:
            pdf_page.close()
        try:
            text = tesseract.image_to_text(image)
        except OcrError as exc:
            notes.append(f"page {index + 1}: {exc}")
            if "timed out" in str(exc):  # a page that hangs Tesseract: the next ones would too, most likely
                notes.append("OCR of the remaining pages skipped after a time-out")
                break
            continue
        done += 1
        text, signer, signed = strip_stamp(_tidy_ocr(text))
        page.signer, page.signed = page.signer or signer, page.signed or signed
        page.text, page.source, page.reason = text, OCR, None
    return notes


def _tidy_ocr(text: str) -> str:
    """Tesseract's page: form feed and trailing spaces off, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.replace("\f", "").split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _finish(base: dict, pages: list[PageRead], notes: list[str], signed_at: str | None, signer: str | None,
            limits: Limits) -> DocumentText:
    texts = [unicodedata.normalize("NFC", p.text) for p in pages]
    sources = tuple(p.source for p in pages)
    used = {p.source for p in pages if p.text and p.source in (TEXT_LAYER, OCR)}
    if any(p.source == MISSING and p.text for p in pages):
        used.add(TEXT_LAYER)  # a diacritic-less layer kept while its OCR waits
    text_source = MIXED if len(used) > 1 else (used.pop() if used else None)
    text = "\f".join(texts)
    text, cut = _cap(text, limits)
    if cut:
        notes.append(cut)
    header = _header(texts)
    pending = tuple(i + 1 for i, p in enumerate(pages) if p.source == MISSING)
    error = None
    if not any(t.strip() for t in texts):
        error = next((n for n in notes if n.startswith(OCR_UNAVAILABLE)), None) or (
            "no text (the pages need OCR)" if pending else "no text (blank pages)")
    return DocumentText(**base, pages=len(pages), text=text, text_source=text_source, page_sources=sources,
                        ocr_pages=tuple(i + 1 for i, p in enumerate(pages) if p.source == OCR),
                        ocr_pending=pending, error=error, notes=tuple(notes), signed_at=signed_at,
                        signer=signer, **_header_fields(header))


def _stamp_time(text: str) -> str | None:
    match = _STAMP_TIME.search(text)
    if not match:
        return None
    day, month, year, hour, minute, second, zone_h, zone_m = match.groups()
    return (f"{year}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{minute}:{second or '00'}"
            f"{zone_h}:{zone_m or '00'}")


def _header(page_texts: list[str]) -> Header:
    """The header of page 1, else of page 2 (a cover or a routing slip may come first)."""
    first = parse_header(page_texts[0]) if page_texts else Header()
    if first.found() or len(page_texts) < 2:
        return first
    second = parse_header(page_texts[1])
    return second if second.found() else first


def _header_fields(header: Header) -> dict:
    return {name: getattr(header, name) for name in Header.__dataclass_fields__}


def _cap(text: str, limits: Limits) -> tuple[str, str | None]:
    if len(text) <= limits.max_text_chars:
        return text, None
    return text[:limits.max_text_chars], f"text cut at {limits.max_text_chars} characters"


# ---- Word-processing files and spreadsheets ---------------------------------------------------------------------

_OFFICE = {"docx": office.read_docx, "odt": office.read_odt, "ods": office.read_ods, "xlsx": office.read_xlsx}


def _read_office(data: bytes, base: dict, kind: str, limits: Limits) -> DocumentText:
    notes: list[str] = []
    try:
        if kind in _OFFICE:
            result = _OFFICE[kind](data, limits)
            text, pages, notes = result.text, result.pages, list(result.notes)
        else:  # doc, xls
            text = legacy.convert(kind, data, limits).replace("\r\n", "\n")
            if kind == "doc":
                text = legacy.untable(text)
            sheets = [s.strip("\n") for s in text.split("\f")]
            sheets = [s for s in sheets if s.strip()] or [""]
            text, pages = "\f".join(sheets), len(sheets)
    except (office.OfficeError, legacy.ConverterError) as exc:
        return DocumentText(**base, error=str(exc))
    text = unicodedata.normalize("NFC", text)
    text, cut = _cap(text, limits)
    if cut:
        notes.append(cut)
    spreadsheet = kind in ("xlsx", "ods", "xls")
    header = parse_header(text.split("\f")[0][:6000]) if text else Header()
    if spreadsheet and not header.found():
        header = Header()
    error = None if text.strip() else "no text (an empty document)"
    return DocumentText(**base, pages=pages, text=text, text_source=kind if text.strip() else None,
                        page_sources=(kind,) * pages if text.strip() else (), error=error, notes=tuple(notes),
                        **_header_fields(header))
