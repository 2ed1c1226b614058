"""What a file is, from its bytes first: portals serve PDFs as application/octet-stream, name a Word file ".pdf",
and answer a missing file with an HTML page (status 200, "file.pdf" in the URL). The declared Content-Type and
the URL's extension are only hints for what the bytes cannot tell.
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from urllib.parse import unquote, urlsplit

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
HTML = "text/html"
ZIP = "application/zip"
OLE = "application/x-ole-storage"
UNKNOWN = "application/octet-stream"

KIND = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx", ODT: "odt", ODS: "ods", DOC: "doc", XLS: "xls", HTML: "html",
        ZIP: "zip", OLE: "ole", UNKNOWN: "unknown"}
_BY_EXTENSION = {"pdf": PDF, "docx": DOCX, "xlsx": XLSX, "odt": ODT, "ods": ODS, "doc": DOC, "xls": XLS}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# HTML that a server sends in place of the file: a doctype, <html>, or the usual first tags of an error page.
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<meta|<title|<script|<!--)", re.I)


def sniff(data: bytes, *, url: str | None = None, content_type: str | None = None) -> str:
    """The MIME type of ``data``: magic bytes, then the inner files of a zip or an OLE2 container, then hints."""
    head = data[:1024]
    # A PDF may have up to 1 KB of junk before "%PDF" (the spec's readers accept it; so does PDFium).
    if b"%PDF-" in head:
        return PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if head.startswith(OLE_MAGIC):
        return _ole_kind(data, url, content_type)
    if _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")):
        return HTML
    return UNKNOWN


def hinted(url: str | None, content_type: str | None) -> str | None:
    """The type the URL's extension or the Content-Type header claims (None when neither says)."""
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared in KIND and declared not in (UNKNOWN, ZIP, OLE, HTML):  # a page's type claims no document
        return declared
    if url:
        path = unquote(urlsplit(url).path).lower()
        extension = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
        return _BY_EXTENSION.get(extension)
    return None


def _zip_kind(data: bytes) -> str:
    """OOXML and OpenDocument are zips; their member names (or ODF's ``mimetype`` member) say which."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size < 200:
                    declared = archive.read(info).decode("ascii", "replace").strip()
                    if declared in (ODT, ODS):
                        return declared
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError, zlib.error):
        return ZIP
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if "content.xml" in names:  # an OpenDocument without its mimetype member: its content decides
        return ODT
    return ZIP


def _ole_kind(data: bytes, url: str | None, content_type: str | None) -> str:
    """Legacy Office files are OLE2 compound files: Word has a "WordDocument" stream, Excel a "Workbook" (or
    "Book") stream. Stream names are UTF-16 in the directory sectors, so a byte search finds them."""
    word, excel = "WordDocument".encode("utf-16-le"), "Workbook".encode("utf-16-le")
    book = "Book\x00".encode("utf-16-le")
    if word in data:
        return DOC
    if excel in data or book in data:
        return XLS
    hint = hinted(url, content_type)
    return hint if hint in (DOC, XLS) else OLE
