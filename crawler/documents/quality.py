"""Is a page's text layer the page's text? Three kinds of text layer say nothing of the content and send the
page to OCR: none at all (a scan), only a digital-signature stamp ("Người ký: Sở Tài chính ... Thời gian ký:
05.10.2018 10:32:07 +07:00", added to a scan when it is signed), and text that lost every diacritic (an OCR layer
made by a scanner without a Vietnamese model: "KE HOACH THANH TRA, KIEM TRA NAM 2019 CUA SO Y TE") or that is
in a legacy 8-bit font encoding (TCVN3/ABC, ".VnTime": "KÕ ho¹ch"), which search cannot match.
"""
from __future__ import annotations

import re

# A signature stamp, as PDF signers (VGCA, Viettel-CA, iTextSharp-based tools) write it: labels in this order,
# each value possibly broken over several short lines. It ends with the signing time and its UTC offset.
_STAMP = re.compile(
    r"Ng[ưu][ờoơ]i\s*k[ýy]\s*:(?P<signer>.{0,160}?)"
    r"(?:E-?mail\s*:.{0,120}?)?(?:C[ơo]\s*quan\s*:.{0,160}?)?"
    r"Th[ờo]i\s*gian\s*k[ýy]\s*:\s*(?P<when>[\d./\- ]{8,12}\s*\d{1,2}\s*:\s*\d{2}(?:\s*:\s*\d{2})?"
    r"(?:\s*[+-]\s*\d{2}\s*:?\s*\d{2})?)",
    re.S | re.I)
_SIGNER_STOP = re.compile(r"\s*(E-?mail|C[ơo]\s*quan)\s*:.*", re.S | re.I)

# Frequent Vietnamese syllables once their marks are gone: a text whose words are mostly these, with no marked
# letter at all, is Vietnamese that lost its diacritics (English or a list of codes would not match).
_COMMON = set(
    "va cua cac cho trong nam ngay thang so theo tinh huyen xa nhan dan uy ban hanh chinh cai cach ke hoach "
    "bao cao quyet dinh thong tin cong tac thuc hien viec ve nhung duoc co khong mot nay tai den voi la de "
    "nguoi can bo quan ly nha nuoc giai quyet thu tuc dia phuong don vi co quan to chuc ket qua tren dai hoi "
    "kiem tra thanh tra y te tai chinh giao duc dao tao xay dung phat trien kinh te xa hoi".split())
_WORD = re.compile(r"[^\W\d_]+")
# Letters of TCVN3 (ABC) fonts that Unicode reads as Latin-1 punctuation and symbols: "¸ ¹ ¶ · ¾ ¿ ® ¦ §".
_TCVN3 = re.compile("[\u00a6-\u00ac\u00ac\u00ae\u00b5-\u00b9\u00bd-\u00bf\u00c6\u00c7\u00ce\u00d1\u00d7"
                    "\u00d8\u00dc\u00de\u00f8\u00fc\u00fe]")


def strip_stamp(text: str) -> tuple[str, str | None, str | None]:
    """The text without its signature stamps, the first stamp's signer ("Sở Tài chính") and its time as
    written ("05.10.2018 10:32:07 +07:00")."""
    match = _STAMP.search(text)
    if not match:
        return text, None, None
    signer = " ".join(_SIGNER_STOP.sub("", match.group("signer")).split()) or None
    return _STAMP.sub("\n", text), signer, " ".join(match.group("when").split())


def ocr_reason(text: str, has_graphics: bool) -> str | None:
    """Why this page's text layer (already without stamps) needs OCR, or None when it is the page's text.

    ``has_graphics``: the page draws an image or many paths; a page with neither and no text is blank, and is
    not worth an OCR run.
    """
    letters = sum(1 for ch in text if ch.isalpha())
    if letters < 40:  # fewer letters than one line of body text: a scan, or a scan with a page number
        if not has_graphics:
            return None
        return "no text layer" if letters == 0 else "almost no text layer"
    if len(_TCVN3.findall(text)) > letters * 0.05:
        return "text layer in a legacy font encoding (TCVN3)"
    if letters >= 80 and not _has_diacritics(text):
        words = [w.lower() for w in _WORD.findall(text)]
        if words and sum(w in _COMMON for w in words) >= 0.2 * len(words):
            return "text layer without diacritics"
    return None


def _has_diacritics(text: str) -> bool:
    """Vietnamese prose marks about every second syllable; 1 % of its letters marked is a very low floor."""
    letters = [ch for ch in text if ch.isalpha()]
    marked = sum(1 for ch in letters if not ch.isascii())
    return marked >= 0.01 * len(letters)

