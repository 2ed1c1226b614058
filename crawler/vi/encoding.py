"""Choosing the text encoding of a page when the HTTP header, the <meta> tag and the bytes disagree.

Vietnamese sites serve UTF-8 labelled ISO-8859-1, Windows-1258 labelled UTF-8, and so on. Valid UTF-8 with
non-ASCII bytes is UTF-8 (legacy encodings almost never form valid UTF-8 by chance); otherwise each candidate
(the declared ones, then Windows-1258 and Windows-1252) is scored by how Vietnamese its letters look.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_VIETNAMESE = set("ăâđêôơưĂÂĐÊÔƠƯ") | {
    c for c in "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
}
FALLBACKS = ("cp1258", "cp1252")


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


def vietnamese_score(text: str) -> float:
    """Share of non-ASCII letters that are Vietnamese letters (after NFC); mojibake scores low."""
    text = unicodedata.normalize("NFC", text)
    total = good = 0
    previous = " "
    for char in text:
        if "\u00a1" <= char <= "\u00bf" or "\u0080" <= char <= "\u009f":
            total += 1  # Latin-1 symbols and C1 controls: UTF-8 read as a one-byte charset ("á»", "áº")
        elif ord(char) > 127 and char.isalpha():
            total += 1
            # A capital in the middle of a lowercase word ("HÃ nh") is mojibake, not Vietnamese.
            mid_word_capital = char.isupper() and previous.isalpha() and previous.islower()
            good += char.lower() in _VIETNAMESE and not mid_word_capital
        previous = char
    return good / total if total else 0.0


def best_encoding(body: bytes, declared: list[str | None]) -> str | None:
    """The encoding to decode ``body`` with, or None when the bytes are plain ASCII (anything works)."""
    if body.isascii():
        return None
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for name in [*declared, *FALLBACKS]:
        name = _canonical(name)
        if name and name != "utf-8" and name not in candidates:
            candidates.append(name)
    best, best_score = None, -1.0
    sample = body[:200_000]
    for name in candidates:
        try:
            text = sample.decode(name)
        except UnicodeDecodeError:
            continue
        score = vietnamese_score(text)
        if score > best_score + 0.05:  # a declared encoding wins ties
            best, best_score = name, score
    return best
