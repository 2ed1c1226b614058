"""The issuer: the top-left block of a header, above the number ("UBND TỈNH ĐẮK NÔNG / SỞ TÀI CHÍNH"), as one
line in capitals, with the motto of the right column taken out of the lines it shares with it, and the words
OCR misspelt restored from the header lexicon ("BẢN CHẮP HÀNH TRUNG ƯƠNG" -> "BAN CHẤP HÀNH TRUNG ƯƠNG").
"""
from __future__ import annotations

import functools
import re

import regex

from . import lexicon
from .lexicon import fold

_MOTTOS = [regex.compile(rf"(?:{pattern}){{e<=3}}", regex.BESTMATCH) for pattern in (
    r"CONG HOA XA HOI CHU NGHIA VIET NAM", r"DOC LAP\s*[-–—]?\s*TU DO\s*[-–—]?\s*HANH PHUC",
    r"DANG CONG SAN VIET NAM")]
_SHORT_MOTTO = re.compile(r"(CONG HOA XA HOI|CHU NGHIA VIET NAM|DOC LAP|TU DO|HANH PHUC|DANG CONG SAN).*$")


def issuer(lines: list[str], folded: list[str], number, date) -> str | None:
    """The issuer from the header's lines up to the number (``number`` and ``date``: header._Number, header._Date
    or None, whose spans on their lines are cut out)."""
    kept: list[str] = []
    for index, (line, fline) in enumerate(zip(lines, folded)):
        if number and index == number.line:
            line, fline = line[:number.start], fline[:number.start]
        if date and index == date.line:
            cut = len(line) if date.place is None else fline.rfind(fold(date.place), 0, date.start)
            line, fline = line[:cut if cut >= 0 else date.start], fline[:cut if cut >= 0 else date.start]
        for motto in _MOTTOS:
            match = motto.search(fline)
            if match and match.end() - match.start() >= 12:
                line = line[:match.start()] + " " * (match.end() - match.start()) + line[match.end():]
                fline = fline[:match.start()] + " " * (match.end() - match.start()) + fline[match.end():]
        cut = _SHORT_MOTTO.search(fline)
        if cut:
            line = line[:cut.start()]
        line = " ".join(line.split()).strip(" :;,.*-_—–|'\"“”")
        letters = [ch for ch in line if ch.isalpha()]
        if len(letters) < 3 or sum(ch.isupper() for ch in letters) < 0.8 * len(letters):
            continue
        if len(line.split()) == 1 and len(letters) < 4 and not fold(line) in ("SO", "BO", "BAN", "CUC"):
            continue
        kept.append(_restore(line))
    if not kept:
        return None
    return " ".join(kept).upper()[:300]


@functools.lru_cache(maxsize=1)
def _phrase_index() -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    index: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for phrase in lexicon.phrases():
        tokens = tuple(_tokens(phrase))
        index.setdefault(tuple(fold(t) for t in tokens), []).append(tokens)
    return index


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


def _restore(line: str) -> str:
    """Header words with their marks back where OCR lost or changed them ("ĐÁẮK NÔNG" stays unknown, "BẢN CHẮP
    HÀNH TRUNG ƯƠNG" -> "BAN CHẤP HÀNH TRUNG ƯƠNG"), longest phrase first; unknown words are kept as read."""
    tokens = _tokens(line.upper())
    index = _phrase_index()
    longest = max(len(key) for key in index)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            key = tuple(fold(t) for t in tokens[i:i + size])
            if key in index:
                candidates = index[key]
                chosen = tuple(tokens[i:i + size]) if tuple(tokens[i:i + size]) in candidates else candidates[0]
                out.extend(chosen)
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    text = " ".join(out)
    return re.sub(r"\s+([,.;:])", r"\1", text)
