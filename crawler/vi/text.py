"""Text normalization shared by cleaning, hashing and search.

Two forms exist on purpose:
- display text (``clean_text``): the page's own spelling, in NFC, entities decoded, whitespace folded;
- the comparison form (``normalize_for_compare``): also case-folded, one tone-mark placement, zero-width and
  control characters removed. Hashing and deduplication use it, never the display form.
"""
from __future__ import annotations

import html
import re
import unicodedata

import ftfy

# Zero-width and bidi controls, soft hyphen, BOM.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What neither SQLite (UTF-8) nor XML 1.0 can hold: lone UTF-16 surrogates (a cut-off emoji written as
# "\ud83d" in JSON-LD) and the noncharacters U+FFFE/U+FFFF; C0 controls are handled by _CONTROL.
_UNSTORABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")

# Old-style ("hòa", "thủy") and new-style ("hoà", "thuỷ") tone placement differ only in open syllables
# "oa", "oe", "uy". The comparison form uses the old style: the mark sits on the first vowel.
_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
_NEW_STYLE = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])([\u0300\u0301\u0309\u0303\u0323])(?![^\W\d_])")


def _move_tone(match: re.Match) -> str:
    first, second, tone = match.groups()
    if first in "oO" and second in "yY" or first in "uU" and second not in "yY":
        return match.group(0)
    return first + tone + second


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# UTF-8 read as Latin-1/Windows-1252 always shows a lead byte (Â Ã Ä Å Æ Ì Í á â) followed by what a
# continuation byte (0x80-0xBF) becomes: ftfy, which is slow, only runs on text that has such a pair.
_MOJIBAKE_HINT = re.compile(
    "[\xc2-\xc6\xcc\xcd\xe1\xe2][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac"
    "\u2122\ufffd]"
)


def fix_mojibake(text: str) -> str:
    """Repair UTF-8 that was decoded as Latin-1/Windows-1252 (ftfy), leave good text alone."""
    if not text or text.isascii() or not _MOJIBAKE_HINT.search(text):
        return text
    return ftfy.fix_encoding(text)


_ENTITY = re.compile(r"&(#\d{2,6}|#x[0-9a-fA-F]{2,5}|[a-zA-Z]{2,8});")


def _unstorable_replacement(match: re.Match) -> str:
    return "" if match.group(0) in "\ufffe\uffff" else "\ufffd"


def repair_unstorable(value):
    """``value`` (a string, or lists/dicts of them) with lone surrogates replaced by U+FFFD and U+FFFE/U+FFFF
    and C0 control characters other than tab and newlines removed: text that SQLite, Redis (UTF-8) and XML can
    hold. Returns the value itself when nothing needed repair."""
    if isinstance(value, str):
        if value.isascii():
            return value if not _CONTROL_STRICT.search(value) else _CONTROL_STRICT.sub("", value)
        if not _NEEDS_REPAIR.search(value):  # the usual case: one scan, no copy
            return value
        repaired = _UNSTORABLE.sub(_unstorable_replacement, value)
        return _CONTROL_STRICT.sub("", repaired)
    if isinstance(value, list):
        return [repair_unstorable(v) for v in value]
    if isinstance(value, dict):
        return {k: repair_unstorable(v) for k, v in value.items()}
    return value


# C0 controls except tab, newline and carriage return (not allowed in XML 1.0).
_CONTROL_STRICT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NEEDS_REPAIR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Any character the three repairs below would touch (invisible, unstorable, control, carriage return): most
# texts have none, and one scan spares three substitutions over the whole text.
_TOUCHED = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ud800-\udfff\ufffe\uffff"
                      "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\r]")


def clean_text(text: str | None, *, multiline: bool = False) -> str | None:
    """Display form: entities decoded, mojibake repaired, NFC, invisible characters dropped, spaces folded."""
    if text is None:
        return None
    if "&" in text:
        text = html.unescape(text)
        if "&" in text and _ENTITY.search(text):  # escaped twice (tuoitre.vn's og:title: "Chi&amp;#7871;n")
            text = html.unescape(text)
    if not text.isascii():
        text = nfc(fix_mojibake(text))
    if _TOUCHED.search(text):
        text = _INVISIBLE.sub("", text)
        text = _UNSTORABLE.sub(_unstorable_replacement, text)
        text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    if multiline:
        text = _SPACES.sub(" ", text)
        text = _BLANK_LINES.sub("\n", text)
        text = "\n".join(line.strip() for line in text.split("\n"))
    else:  # str.split() folds every Unicode space _SPACES names, and the newlines
        text = " ".join(text.split())
    text = text.strip()
    return text or None


# The same spots in NFC text: o/u then a precomposed a/e/y whose decomposition puts a tone mark right after the
# letter ("oà", "uỷ"; also "oặ", whose dot below sorts before the breve). Text in NFC without one is left as it
# is by the substitution, and skips the decomposition round trip. (That "hoặc" becomes "họăc" in the comparison
# form is a known slip of _NEW_STYLE, kept: content hashes stored by earlier runs depend on it.)
_TONED_VOWELS = "".join(c for c in map(chr, range(0xC0, 0x1F00)) if len(d := unicodedata.normalize("NFD", c)) > 1
                        and d[0] in "aAeEyY" and d[1] in _TONES)
_NEW_STYLE_NFC = re.compile(f"[oOuU][{_TONED_VOWELS}]")


def normalize_tone_marks(text: str) -> str:
    """One tone-mark placement ("hoà" -> "hòa", "thuỷ" -> "thủy"); returns NFC."""
    if text.isascii() or unicodedata.is_normalized("NFC", text) and not _NEW_STYLE_NFC.search(text):
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return nfc(_NEW_STYLE.sub(_move_tone, decomposed))


def normalize_for_compare(text: str | None, cleaned: bool = False) -> str:
    """Comparison form used for hashing and near-duplicate checks (``cleaned``: skip the display-form repair,
    for text that already went through ``clean_text``)."""
    if not text:
        return ""
    text = text if cleaned else (clean_text(text) or "")
    text = normalize_tone_marks(text).casefold()
    return " ".join(text.split())


_COMBINING = None


def _combining_marks() -> re.Pattern:
    """One character class of every combining mark of the Basic Multilingual Plane (unicodedata.combining)."""
    marks = [c for c in range(0x300, 0x10000) if unicodedata.combining(chr(c))]
    ranges, start = [], marks[0]
    for previous, current in zip(marks, marks[1:] + [None]):
        if current != previous + 1:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}" if previous > start else re.escape(chr(start)))
            start = current
    return re.compile("[" + "".join(ranges) + "]+")


def strip_diacritics(text: str) -> str:
    """ASCII-ish folding: removes tone and vowel marks and maps đ to d ("Đắk Nông" -> "Dak Nong")."""
    global _COMBINING
    if _COMBINING is None:  # a regex scan in C instead of a Python test of every character
        _COMBINING = _combining_marks()
    return _COMBINING.sub("", unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D")))




# In Vietnamese "đ" only begins a syllable, so the word runs from the đ (a scan for the letter alone, in C).
_D_WORD = re.compile(r"[đĐ]\w*")


def d_folded_terms(*texts: str | None) -> str | None:
    """Words containing "đ", spelled with "d", for full-text search.

    SQLite's ``unicode61 remove_diacritics 2`` removes tone marks but cannot fold "đ" (it has no Unicode
    decomposition), so "dong" would not find "Đồng". Indexing these extra spellings fixes that.
    """
    seen: dict[str, None] = {}
    for text in texts:
        if text and ("đ" in text or "Đ" in text):  # one regex scan in C, only over texts that have a đ
            for word in dict.fromkeys(_D_WORD.findall(text)):  # each spelling once (an article repeats "để", "đã")
                seen.setdefault(word.replace("đ", "d").replace("Đ", "D").casefold(), None)
    return " ".join(seen) or None
