"""Document metadata from the header block that every Vietnamese administrative document has
(Decree 30/2020/NĐ-CP, Appendix I; the Party's documents follow Guide 36-HD/VPTW, which looks the same)::

    UBND TỈNH ĐẮK NÔNG               CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM     <- issuer (left), motto (right)
       SỞ TÀI CHÍNH                       Độc lập - Tự do - Hạnh phúc
    Số: 3125/KH-STC                  Đắk Nông, ngày 28 tháng 12 năm 2018    <- number/symbol, place and date
    [V/v ... (a letter's subject)]
                              KẾ HOẠCH                                      <- type (not in a letter)
              Tuyên truyền công tác cải cách hành chính ...                 <- subject (trích yếu)

Text layers and OCR give the two columns line by line ("UBND TỈNH ĐẮK NÔNG CỘNG HÒA XÃ HỘI ...") or block by
block; the parser reads both by removing the motto and the date from the left column's lines. Every match is
made on a folded copy of the text (marks removed, one character for one, so positions map back), because OCR
loses or changes marks ("QUYÉT ĐỊNH", "BẢN CHẮP HÀNH"); numbers with OCR's letter-for-digit confusions are
repaired only when the repair is unambiguous, and left out otherwise (a date is never guessed).
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from crawler.vi.text import normalize_tone_marks

from . import lexicon
from .issuer import issuer
from .lexicon import fold

_HEADER_LINES = 40  # the header sits in a page's first lines; the body's "Số lượt ..." must not be read as one


@dataclass(frozen=True)
class Header:
    doc_number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    place: str | None = None
    issued_date: str | None = None
    subject: str | None = None

    def found(self) -> bool:
        return bool(self.doc_number or self.doc_type or self.issued_date)


def parse_header(text: str) -> Header:
    """The header's fields, from a document's first page (or its first few thousand characters)."""
    lines = [" ".join(line.split()) for line in _nfc(text).split("\n")][:_HEADER_LINES * 2]
    lines = lines[:_HEADER_LINES] if sum(1 for line in lines[:_HEADER_LINES] if line) > 8 else lines
    folded = [fold(line) for line in lines]

    number = _find_number(lines, folded)
    date = _find_date(lines, folded, number)
    type_at, doc_type, inline = _find_type_line(lines, folded, after=min(
        [i for i in (number and number.line, date and date.line) if i is not None], default=0))
    subject = _subject(lines, folded, type_at, number.line if number else None, inline)
    if doc_type is None:
        doc_type = (number.type_code and lexicon.TYPE_BY_CODE.get(number.type_code)) if number else None
    if doc_type is None and subject and fold(subject).startswith("V/V"):
        doc_type = "Công văn"
    stop = min([i for i in (number and number.line, date and date.line, type_at) if i is not None],
               default=min(len(lines), 8))
    return Header(
        doc_number=number.value if number else None,
        doc_type=doc_type,
        issuer=issuer(lines[:stop + 1], folded[:stop + 1], number, date),
        place=date.place if date else None,
        issued_date=date.iso if date else None,
        subject=subject,
    )


def _nfc(text: str) -> str:
    return normalize_tone_marks(unicodedata.normalize("NFC", text))


# ---- number and symbol: "Số: 3125 /KH-STC", "Số 13-NQ/TW", "Số: 12/2019/QĐ-UBND", "Số:    /QĐ-STC" ----------

_NUMBER = re.compile(
    r"(?<![A-Z])S[O0]\s*[:;.]?\s*"                       # "Số:" (folded), OCR's "S0" and "Số." too
    r"(?P<no>[0-9A-Z|!\]\[(){}?]{0,6}?)\s*"              # the number, possibly OCR-damaged or blank
    r"(?:/\s*(?P<year>[12][0-9OQDILZSBG]{3})\s*)?"       # a year in legal documents' numbers
    r"(?P<sep>[/-])\s*"
    r"(?P<sym>[A-Z]{1,6}(?:\s?[-/]\s?[A-Z0-9]{1,10}){1,3})")
# Letters OCR reads for digits in a number; only used when the token is otherwise digits.
_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "|": "1", "!": "1", "]": "1",
                        "Z": "2", "S": "5", "B": "8", "G": "6"})


@dataclass
class _Number:
    line: int
    start: int
    end: int
    value: str | None
    type_code: str | None


def _find_number(lines: list[str], folded: list[str]) -> _Number | None:
    for index, line in enumerate(folded):
        for match in _NUMBER.finditer(line):
            original = lines[index]
            if original[match.start()] != "S":  # "Số:" of a header; the body's "... số 09/2017/QĐ-UBND" is lower case
                continue
            symbol = re.sub(r"\s+", "", original[match.start("sym"):match.end("sym")]).upper()
            symbol = symbol.replace("Ð", "Đ")
            parts = re.split(r"[-/]", symbol)
            party = match.group("sep") == "-"   # Party style: number-TYPE/ISSUER ("13-NQ/TW")
            code = fold(parts[0])
            if not party and code not in lexicon.TYPE_BY_CODE and len(parts) < 2:
                continue
            symbol = _restore_codes(symbol)
            digits = _digits(match.group("no"), original[match.start("no"):match.end("no")])
            value = None
            if digits:
                year = _digits(match.group("year") or "")
                year = f"/{year}" if year and len(year) == 4 else ""
                value = f"{digits}{'-' if party else year + '/'}{symbol}"
            return _Number(index, match.start(), match.end(), value, code)
    return None


def _digits(token: str, original: str | None = None) -> str | None:
    """A folded number token as digits, as printed (a leading zero is part of the number: "Số: 07/KH-UBND" is
    cited so): '3125' -> '3125', '3L25' -> '3125', '07' -> '07', '30C' (printed '30c') -> '30c'; None when a
    character is no digit OCR could have misread: '24Y' (printed '24ý'), '{/O', '', or all zeros."""
    token = token.strip()
    if not token:
        return None
    suffix = ""
    printed = (original or "").strip()
    if len(token) > 1 and token[:-1].isdigit() and printed[-1:] in ("a", "b", "c", "d"):
        token, suffix = token[:-1], printed[-1]   # "30c/NQ-CP", "01a/KH-UBND"
    letters = sum(1 for ch in token if not ch.isdigit())
    if letters * 2 > len(token):
        return None
    repaired = token.translate(_DIGIT)
    if not repaired.isdigit():
        return None
    return repaired + suffix if repaired.strip("0") else None


def _restore_codes(symbol: str) -> str:
    """The Đ that ASCII or OCR dropped from the type codes that have one ("QD-UBND" -> "QĐ-UBND")."""
    return re.sub(r"(?<![A-ZĐ])(QD|ND|CD)(?![A-ZĐ])", lambda m: {"QD": "QĐ", "ND": "NĐ", "CD": "CĐ"}[m.group(1)],
                  symbol)


# ---- place and date: "Đắk Nông, ngày 28 tháng 12 năm 2018" ----------------------------------------------------

_DATE = re.compile(r"(?P<comma>,?)\s*NGAY\s*(?P<d>[^\s]{0,3}?)\s*THANG\s*(?P<m>[^\s]{0,3}?)\s*NAM\s*(?P<y>[^\s]{4})")


@dataclass
class _Date:
    line: int
    start: int
    place: str | None
    iso: str | None


def _find_date(lines: list[str], folded: list[str], number: _Number | None) -> _Date | None:
    """The first "<Place>, ngày d tháng m năm y" near the number (the body's "Luật ... ngày 25 tháng 11 năm
    2013" has no place before it)."""
    first, last = (max(number.line - 4, 0), number.line + 8) if number else (0, 15)
    for index in range(first, min(last, len(lines))):
        match = _DATE.search(folded[index])
        if not match:
            continue
        before = lines[index][:match.start()]
        if number and index == number.line and number.end <= match.start():
            before = before[number.end:]
        place = _place(before)
        if place is None or not (match.group("comma") or index < 10):
            continue
        day, month, year = (_digits(match.group(g).upper()) for g in ("d", "m", "y"))
        iso = None
        if day and month and year and day.isdigit() and month.isdigit() and year.isdigit():
            try:
                when = dt.date(int(year), int(month), int(day))
                iso = when.isoformat() if 1945 <= when.year <= 2100 else None
            except ValueError:
                iso = None
        return _Date(index, match.start(), place, iso)
    return None


def _place(text: str) -> str | None:
    """The place before ", ngày": its last capitalised words ("Hà Nội", "TP. Hồ Chí Minh"), province names
    spelled one way ("Đăk Nông" -> "Đắk Nông")."""
    words = text.replace(",", " ").split()
    kept: list[str] = []
    for word in reversed(words):
        if not (word[:1].isupper() or word in ("phố", "xã", "tỉnh")) or len(kept) == 5:
            break
        if len(word) > 2 and word.isupper() and word not in ("TP.", "TP"):  # the issuer's capitals, beside it
            break
        kept.insert(0, word)
    place = " ".join(kept).strip(" .:;-") or None
    if place:
        for province in lexicon.provinces():
            if fold(place) == fold(province):
                return province
    return place


# ---- type line and subject ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _type_line() -> re.Pattern:
    names = sorted((fold(name) for name in lexicon.DOC_TYPES), key=len, reverse=True)
    alternatives = "|".join(r"\s*".join(map(re.escape, name.split())) for name in names)
    return re.compile(rf"(?:^|[^A-Z])(?P<type>{alternatives})\s*[.:]?\s*$")


@functools.lru_cache(maxsize=1)
def _type_then_subject() -> re.Pattern:
    """A capitals line that is the type and the subject at once: "KẾ HOẠCH THANH TRA, KIỂM TRA NĂM 2019 CỦA SỞ Y
    TẾ" (the issue's example; "SỞ KẾ HOẠCH VÀ ĐẦU TƯ" is an issuer and begins otherwise)."""
    names = sorted((fold(name) for name in lexicon.DOC_TYPES), key=len, reverse=True)
    alternatives = "|".join(r"\s*".join(map(re.escape, name.split())) for name in names)
    return re.compile(rf"^\s*(?P<type>{alternatives})\s*[.:,-]?\s+(?!VA\b)(?P<rest>[A-Z0-9].*\S)\s*$")


def _capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def _find_type_line(lines: list[str], folded: list[str], after: int) -> tuple[int | None, str | None, str | None]:
    """The line that is the document's type in capitals ("KẾ HOẠCH"), after the number and date lines, and the
    subject when the same line goes on with it (else None). OCR may prefix the type with a stamp's noise ("Tin SA
    vang NGHỊ QUYÉT"); body text never has it in capitals alone."""
    names = {fold(name): label for name, (label, _code) in lexicon.DOC_TYPES.items()}
    for index in range(after, min(len(lines), after + 15)):
        match = _type_line().search(folded[index])
        if match and _capitals(lines[index][match.start("type"):match.end("type")]):
            return index, names[" ".join(match.group("type").split())], None
        match = _type_then_subject().match(folded[index])
        if match and len(match.group("rest").split()) >= 2 and _capitals(lines[index]) \
                and not _DATE.search(folded[index]):
            return index, names[" ".join(match.group("type").split())], lines[index][match.start("rest"):]
    return None, None, None


_VV = re.compile(r"(?<![A-Z])V\s*/\s*V\b")
# Lines that begin a body, not a subject: "Căn cứ ...", "Thực hiện ...", "Kính gửi:", "I. ...", an authority
# line in capitals ("GIÁM ĐỐC SỞ TÀI CHÍNH", "ỦY BAN NHÂN DÂN TỈNH") or a rule ("_____").
_BODY_START = re.compile(r"^(CAN CU|THUC HIEN|KINH GUI|THEO DE NGHI|XET DE NGHI|TRONG |NGAY \d|PHAN |CHUONG |"
                         r"DIEU \d|[IVX]+\s*[.\-]\s|\d+\s*[.\-/)]|[-_=.*]{3,})")
_AUTHORITY = re.compile(r"^(GIAM DOC|CHU TICH|UY BAN|BO TRUONG|THU TUONG|CHANH|TRUONG BAN|TONG CUC TRUONG|"
                        r"CUC TRUONG|HOI DONG|BAN THUONG VU|BAN CHAP HANH TRUNG|TINH UY|BAN CHI DAO)")


def _subject(lines: list[str], folded: list[str], type_at: int | None, number_at: int | None,
             inline: str | None = None) -> str | None:
    """The trích yếu: "V/v ..." under the number (a letter), else the rest of the type's line (``inline``) or the
    lines after it."""
    start = None
    for index in range(number_at or 0, min(len(lines), (number_at or 0) + 6)):
        match = _VV.search(folded[index])
        if match:
            start, first = index, lines[index][match.start():]
            break
    if start is None and inline is not None:
        start, first = type_at, inline
    elif start is None:
        if type_at is None:
            return None
        start = type_at + 1
        while start < len(lines) and not lines[start]:
            start += 1
        if start >= len(lines):
            return None
        first = lines[start]
    kept = [first if type_at is None else _trim_noise(first)]
    for index in range(start + 1, min(len(lines), start + 4)):
        line, fline = lines[index], folded[index].strip()
        if not line or _BODY_START.match(fline) or _AUTHORITY.match(fline) or _DATE.search(fline):
            break
        if type_at is None and line.isupper():  # a letter's subject ends where the right column's lines begin
            break
        kept.append(_trim_noise(line))
    subject = " ".join(" ".join(kept).split()).strip(" .;:_-")
    if not subject or _BODY_START.match(fold(subject)) or _AUTHORITY.match(fold(subject)):
        return None
    return subject[:400]


# A Vietnamese syllable, folded: initial consonants, one to three vowels, a final consonant. OCR's noise from a
# stamp or a handwritten note beside the header ("T471 SENEERE", "“") is not one.
_SYLLABLE = re.compile(r"^(NGH|NG|NH|CH|GH|GI|KH|PH|QU|TH|TR|[BCDGHKLMNPQRSTVX])?[AEIOUY]{1,3}(CH|NG|NH|[CMNPT])?$")


def _trim_noise(line: str) -> str:
    """The line from its first run of two real words on (what precedes is a stamp's or a scan's noise)."""
    words = line.split()
    for start in range(len(words)):
        pair = [fold(w).strip("“”\"'(),.:;") for w in words[start:start + 2]]
        if len(pair) == 2 and all(_SYLLABLE.match(w) for w in pair):
            return " ".join(words[start:]).lstrip("“”\"':;")
        if len(pair) == 1 and _SYLLABLE.match(pair[0]):
            return " ".join(words[start:]).lstrip("“”\"':;")
    return line
