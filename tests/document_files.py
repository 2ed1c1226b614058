"""Small documents built in the tests (synthetic, written here): Office files with a Vietnamese header block,
and the bad inputs of issue 32 (encrypted, truncated, HTML named .pdf, zip bombs, a 5,000-page PDF)."""
from __future__ import annotations

import ctypes
import io
import zipfile
from xml.sax.saxutils import escape

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# A letter (công văn) of a department, as Decree 30/2020/NĐ-CP lays it out: a two-column header table.
LETTER_LEFT = ["UBND TỈNH ĐẮK NÔNG", "SỞ NỘI VỤ", "Số: 512/SNV-CCHC",
               "V/v triển khai Kế hoạch cải cách hành chính năm 2020"]
LETTER_RIGHT = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                "Đắk Nông, ngày 03 tháng 3 năm 2020"]
LETTER_BODY = ["Kính gửi: Các phòng, đơn vị thuộc Sở.",
               "Thực hiện Kế hoạch số 25/KH-UBND của Ủy ban nhân dân tỉnh về cải cách hành chính năm 2020, "
               "Sở Nội vụ đề nghị các phòng, đơn vị triển khai thực hiện nghiêm túc.",
               "Nơi nhận: Như trên; Lưu: VT."]

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'wordprocessingml.document.main+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="word/document.xml"/></Relationships>')


def _p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def letter_docx() -> bytes:
    """The letter as a DOCX: the header in a table (left: issuer, number, V/v; right: motto, place and date)."""
    left = "".join(_p(t) for t in LETTER_LEFT)
    right = "".join(_p(t) for t in LETTER_RIGHT)
    body = (f"<w:tbl><w:tr><w:tc>{left}</w:tc><w:tc>{right}</w:tc></w:tr></w:tbl>"
            + "".join(_p(t) for t in LETTER_BODY))
    document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>{body}' \
               f'</w:body></w:document>'
    return _zip({"[Content_Types].xml": _CT, "_rels/.rels": _RELS, "word/document.xml": document})


def letter_odt() -> bytes:
    """The letter as an ODT (header lines as paragraphs, with ODF's <text:s/> spaces)."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    cell = lambda lines: "<table:table-cell>" + "".join(  # noqa: E731
        f"<text:p>{escape(t)}</text:p>" for t in lines) + "</table:table-cell>"
    body = (f"<table:table><table:table-row>{cell(LETTER_LEFT)}{cell(LETTER_RIGHT)}</table:table-row></table:table>"
            + "".join(f"<text:p>{escape(t)}</text:p>" for t in LETTER_BODY)
            + '<text:p>Hai<text:s text:c="2"/>khoảng<text:tab/>trắng</text:p>')
    content = f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">' \
              f'<office:body><office:text>{body}</office:text></office:body></office:document-content>'
    return _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": content})


def table_ods() -> bytes:
    """A spreadsheet of two sheets, with the million repeated empty rows a real ODS file declares."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    row = lambda *cells: "<table:table-row>" + "".join(  # noqa: E731
        f"<table:table-cell><text:p>{escape(c)}</text:p></table:table-cell>" for c in cells) + "</table:table-row>"
    empty = '<table:table-row table:number-rows-repeated="1048000"><table:table-cell ' \
            'table:number-columns-repeated="1024"/></table:table-row>'
    sheets = (f'<table:table table:name="Tổng hợp">{row("Đơn vị", "Thủ tục hành chính")}'
              f'{row("Sở Tư pháp", "132")}{empty}</table:table>'
              f'<table:table table:name="Ghi chú">{row("Số liệu đến ngày 30/6/2019")}</table:table>')
    content = f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">' \
              f'<office:body><office:spreadsheet>{sheets}</office:spreadsheet></office:body>' \
              f'</office:document-content>'
    return _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": content})


def table_xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Tổng hợp"
    sheet.append(["Đơn vị", "Thủ tục hành chính", "Tỷ lệ đúng hạn"])
    sheet.append(["Sở Tư pháp", 132, 0.985])
    sheet.append(["Sở Tài chính", 87.0, None])
    workbook.create_sheet("Ghi chú").append(["Số liệu đến ngày 30/6/2019"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bomb_docx(inflated: int = 300_000_000) -> bytes:
    """A DOCX whose document.xml inflates to ``inflated`` bytes of spaces (it compresses about 1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0"?><w:document {_W}><w:body>'.encode())
            chunk = b" " * 1_000_000
            for _ in range(inflated // len(chunk)):
                member.write(chunk)
            member.write(b"</w:body></w:document>")
    return out.getvalue()


def zip_bomb_xlsx(padding: int = 50_000_000) -> bytes:
    """table_xlsx() whose first sheet's XML carries ``padding`` spaces before its end (they compress ~1000:1)."""
    source = zipfile.ZipFile(io.BytesIO(table_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", b" " * padding + b"</worksheet>")
            archive.writestr(name, data)
    return out.getvalue()


def lying_zip_bomb_docx() -> bytes:
    """A DOCX whose member header declares a small size while its data inflates far more: reading stops at the
    declared size (zipfile's guarantee), so it comes out as corrupt, not as a 100 MB string."""
    body = f'<?xml version="1.0"?><w:document {_W}><w:body>{_p("x")}'.encode() + b" " * 20_000_000
    data = bytearray(_zip({"[Content_Types].xml": _CT, "_rels/.rels": _RELS, "word/document.xml": body}))
    name = b"word/document.xml"
    for header in (b"PK\x03\x04", b"PK\x01\x02"):   # local header and central directory entry
        at = data.find(header)
        while at != -1:
            offset = 22 if header == b"PK\x03\x04" else 24
            name_at = at + (30 if header == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[at + offset:at + offset + 4] = (2000).to_bytes(4, "little")
            at = data.find(header, at + 4)
    return bytes(data)


def _zip(members: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def blank_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` blank A4 pages (5,000 pages take a fraction of a second)."""
    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()


def encrypted_pdf(real_pdf: bytes) -> bytes:
    """A PDF encrypted with a user password (RC4-40, the simplest Standard security handler), written by hand:
    neither pypdfium2 nor the standard library encrypts. The content is never decrypted by the test, only
    refused, so an /Encrypt dictionary with a user password is what matters."""
    del real_pdf
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        # /O and /U as a real tool writes them for user password "secret" would need RC4; any 32 bytes that are
        # not the empty password's /U value make PDFium ask for a password.
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<0123456789abcdef0123456789abcdef>"
            b"<0123456789abcdef0123456789abcdef>] >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return bytes(out)


def with_text_layer(pdf: bytes, page: int, lines: list[str]) -> bytes:
    """Page ``page`` of ``pdf`` alone in a new PDF, with ``lines`` written over it as an invisible text layer
    (render mode 3, as OCR layers and signature tools write it). Helvetica: the lines are ASCII."""
    source = pdfium.PdfDocument(pdf)
    document = pdfium.PdfDocument.new()
    document.import_pages(source, [page])
    target = document[0]
    for index, line in enumerate(lines):
        obj = pdfium_c.FPDFPageObj_NewTextObj(document.raw, b"Helvetica", 11.0)
        encoded = ctypes.create_string_buffer((line + "\x00").encode("utf-16-le"))
        pdfium_c.FPDFText_SetText(obj, ctypes.cast(encoded, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
        pdfium_c.FPDFTextObj_SetTextRenderMode(obj, pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE)
        pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 40, 800 - 14 * index)
        pdfium_c.FPDFPage_InsertObject(target.raw, obj)
    pdfium_c.FPDFPage_GenerateContent(target.raw)
    out = io.BytesIO()
    document.save(out)
    target.close()
    document.close()
    source.close()
    return out.getvalue()
