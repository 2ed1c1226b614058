"""PDF: the text layer through PDFium, pages rendered for OCR through PDFium too.

pypdfium2 (Chromium's PDF engine, Apache/BSD, wheels with the engine built in, no system package) rather than
pypdf or poppler: one library both extracts text and renders pages, it is fast (C++; pypdf is pure Python and
several times slower on text, see bench/documents.py), it opens broken files the way a browser does
(reconstructs a lost cross-reference table), and it reports encryption and corruption as errors, not crashes.
It is not thread-safe: the crawl reads documents in worker processes, one document at a time per process.
"""
from __future__ import annotations

import ctypes
import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# A page drawn with more path objects than this and no text may be text converted to outlines: worth OCR.
_MANY_PATHS = 200
# Rendering cap: an A4 page at 200 dpi is 3.9 Mpx; a poster-size page is scaled down to this many pixels.
_MAX_PIXELS = 40_000_000


class PdfError(Exception):
    """The PDF cannot be opened; the message is the short reason for DocumentText.error."""


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise PdfError("encrypted PDF (a password is needed to open it)") from None
        detail = re.search(r"\(PDFium: ([^)]*)\)", message)
        raise PdfError(f"corrupt PDF ({detail.group(1) if detail else message})") from None


def page_text(page: pdfium.PdfPage) -> str:
    """The page's text layer in PDFium's reading order, lines separated by "\\n"."""
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
    finally:
        textpage.close()
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "")  # \x02: PDFium's soft hyphen
    return "\n".join(line.rstrip() for line in text.split("\n"))


def has_graphics(page: pdfium.PdfPage) -> bool:
    """The page draws an image, or enough paths to be outlined text: something OCR could read."""
    paths = 0
    for obj in page.get_objects(max_depth=3):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return True
        if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            paths += 1
            if paths > _MANY_PATHS:
                return True
    return False


def render_pgm(page: pdfium.PdfPage, dpi: int) -> bytes:
    """The page as an 8-bit grey PGM (Tesseract reads it from stdin; no Pillow needed).

    Annotations are not drawn: a signature widget's stamp is not the page's text.
    """
    width, height = page.get_size()
    scale = dpi / 72
    if width * height * scale * scale > _MAX_PIXELS:
        scale = (_MAX_PIXELS / (width * height)) ** 0.5
    bitmap = page.render(scale=scale, grayscale=True, draw_annots=False)
    try:
        w, h, stride = bitmap.width, bitmap.height, bitmap.stride
        buffer = bytes(bitmap.buffer)
    finally:
        bitmap.close()
    rows = buffer if stride == w else b"".join(buffer[y * stride:y * stride + w] for y in range(h))
    return b"P5\n%d %d\n255\n" % (w, h) + rows


def first_signature_time(pdf: pdfium.PdfDocument) -> str | None:
    """The first digital signature's time (its /M entry) as ISO 8601, e.g. "2018-12-28T15:38:07+07:00"."""
    try:
        count = pdfium_c.FPDF_GetSignatureCount(pdf.raw)
        for index in range(max(count, 0)):
            signature = pdfium_c.FPDF_GetSignatureObject(pdf.raw, index)
            size = pdfium_c.FPDFSignatureObj_GetTime(signature, None, 0)
            if size <= 0:
                continue
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFSignatureObj_GetTime(signature, buffer, size)
            when = pdf_date(buffer.value.decode("latin-1"))
            if when:
                return when
    except (AttributeError, OSError, ValueError):  # an older PDFium without the signature API
        return None
    return None


_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?")


def pdf_date(value: str) -> str | None:
    """A PDF date string ("D:20181228153807+07'00'") as ISO 8601; None when it is not one."""
    match = _PDF_DATE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31 and int(hour) < 24 and int(minute) < 60):
        return None
    iso = f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}"
    if zone == "Z":
        iso += "+00:00"
    elif zone:
        digits = zone.replace("'", "")
        iso += f"{digits[:3]}:{digits[3:5] or '00'}"
    return iso
