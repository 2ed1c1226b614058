"""Word-processing files and spreadsheets read as documents: DOCX, ODT, XLSX, ODS.

DOCX, ODT and ODS are read as zip + XML with lxml (already a dependency, through Scrapy): the text is every
paragraph in document order, table cells included, which is where a Vietnamese document's header block lives
(issuer left, motto right, in a two-column table); python-docx lists body paragraphs and tables apart and
misses text boxes, odfpy is unmaintained since 2020. XLSX goes through openpyxl (already pinned for exports) in
read-only mode, which streams rows. Every archive is checked for zip bombs before any member is read.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

from .model import Limits

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_MAX_MEMBERS = 10_000
# External entities and DTDs are never loaded: an office file is untrusted input (XXE, "billion laughs").
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class OfficeError(Exception):
    """The file cannot be read; the message is the short reason for DocumentText.error."""


@dataclass
class OfficeText:
    text: str
    pages: int          # 1 for a word-processing file, the number of sheets for a spreadsheet
    notes: list[str]


def open_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """The archive, once its declared sizes are safe to read (Python's zipfile never inflates a member past
    the size its header declares, so checking the declared sizes bounds what reading can cost)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise OfficeError(f"corrupt zip container ({exc})") from None
    if len(members) > _MAX_MEMBERS:
        raise OfficeError(f"zip bomb suspected: {len(members)} members")
    total = sum(member.file_size for member in members)
    if total > limits.max_unpacked_bytes:
        raise OfficeError(f"zip bomb suspected: {total} bytes uncompressed, over the limit of "
                          f"{limits.max_unpacked_bytes}")
    for member in members:
        if member.file_size > 1_000_000 and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            raise OfficeError(f"zip bomb suspected: {member.filename} inflates "
                              f"{member.file_size // max(member.compress_size, 1)}:1")
    return archive


def _xml(archive: zipfile.ZipFile, name: str) -> etree._Element:
    try:
        return etree.fromstring(archive.read(name), _PARSER)
    except KeyError:
        raise OfficeError(f"not a complete document ({name} missing)") from None
    except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError,
            NotImplementedError, zlib.error) as exc:
        raise OfficeError(f"corrupt document ({name}: {str(exc)[:80]})") from None


def read_docx(data: bytes, limits: Limits) -> OfficeText:
    """Paragraphs of word/document.xml in order (tables, text boxes); tabs and line breaks kept."""
    with open_zip(data, limits) as archive:
        root = _xml(archive, "word/document.xml")
    parts: list[str] = []
    skip = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag
        if tag == MC_FALLBACK:  # the same text box again, for older readers
            skip += 1 if event == "start" else -1
        elif skip:
            continue
        elif event == "start":
            if tag == W + "t" and element.text:
                parts.append(element.text)
            elif tag == W + "tab":
                parts.append("\t")
            elif tag in (W + "br", W + "cr"):
                parts.append("\n")
        elif tag == W + "p":
            parts.append("\n")
    return OfficeText(_tidy("".join(parts)), 1, [])


def read_odt(data: bytes, limits: Limits) -> OfficeText:
    """Paragraphs and headings of content.xml in order, with ODF's space, tab and line-break elements."""
    with open_zip(data, limits) as archive:
        root = _xml(archive, "content.xml")
    body = root.find(f"{OFFICE}body")
    return OfficeText(_tidy(_odf_text(body if body is not None else root)), 1, [])


def _odf_text(element: etree._Element) -> str:
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag
        if event == "start":
            if tag == TEXT + "s":
                parts.append(" " * int(node.get(TEXT + "c", "1") or 1))
            elif tag == TEXT + "tab":
                parts.append("\t")
            elif tag == TEXT + "line-break":
                parts.append("\n")
            elif node.text and tag not in (TEXT + "s", TEXT + "tab", TEXT + "line-break"):
                parts.append(node.text)
        else:
            if tag in (TEXT + "p", TEXT + "h"):
                parts.append("\n")
            if node is not element and node.tail:
                parts.append(node.tail)
    return "".join(parts)


def read_ods(data: bytes, limits: Limits) -> OfficeText:
    """Each sheet as tab-separated rows (repeated empty rows and columns are not expanded)."""
    with open_zip(data, limits) as archive:
        root = _xml(archive, "content.xml")
    sheets, notes, cells = [], [], 0
    for table in root.iter(TABLE + "table"):
        lines = [table.get(TABLE + "name") or ""]
        for row in table.iter(TABLE + "table-row"):
            values = []
            for cell in row:
                if cell.tag not in (TABLE + "table-cell", TABLE + "covered-table-cell"):
                    continue
                value = " ".join(_odf_text(p).strip() for p in cell.iter(TEXT + "p")).strip()
                repeat = min(int(cell.get(TABLE + "number-columns-repeated", "1") or 1), 1000) if value else 1
                values.extend([value] * repeat)
                cells += repeat
            line = "\t".join(values).rstrip("\t")
            if line:
                lines.append(line)
            if cells > limits.max_cells:
                break
        sheets.append("\n".join(lines))
        if cells > limits.max_cells:
            notes.append(f"spreadsheet cut after {limits.max_cells} cells")
            break
    return OfficeText("\f".join(_tidy(sheet) for sheet in sheets), len(sheets), notes)


def read_xlsx(data: bytes, limits: Limits) -> OfficeText:
    """Each sheet as tab-separated rows of its values (cached formula results, not formulas)."""
    import openpyxl  # imported here: the crawl imports this package in every worker, XLSX is rare

    with open_zip(data, limits):
        pass
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types (KeyError, TypeError, InvalidFileException ...)
        raise OfficeError(f"corrupt workbook ({type(exc).__name__}: {str(exc)[:80]})") from None
    sheets, notes, cells = [], [], 0
    try:
        for sheet in workbook.worksheets:
            lines = [sheet.title]
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
                line = "\t".join(_cell(value) for value in row).rstrip("\t")
                if line.strip():
                    lines.append(line)
                if cells > limits.max_cells:
                    break
            sheets.append("\n".join(lines))
            if cells > limits.max_cells:
                notes.append(f"spreadsheet cut after {limits.max_cells} cells")
                break
    except Exception as exc:
        raise OfficeError(f"corrupt workbook ({type(exc).__name__}: {str(exc)[:80]})") from None
    finally:
        workbook.close()
    return OfficeText("\f".join(_tidy(sheet) for sheet in sheets), len(sheets), notes)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return " ".join(str(value).split())


def _tidy(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.replace("\r", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")
