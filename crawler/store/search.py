"""What a person types into a search box, as a full-text query that means what they typed.

Vietnamese words are single syllables, so matching the words of "mot cua" in any order finds "một ... của" in
half of all articles; what a reader means is the phrase. So, by mode:

- ``phrase`` (the default): the words as typed, in order, next to each other ("mot cua" finds "một cửa");
- ``all``: every word, anywhere in the article; ``any``: at least one of the words.

Double quotes group words into a phrase in every mode (``all`` with ``"mot cua" "dich vu cong"`` needs both
phrases; ``phrase`` with the same text needs both too). Diacritics are optional: the index folds them away
(``unicode61 remove_diacritics 2``), so "cai cach" finds "cải cách". Typed *with* diacritics, a word must be
in the article as typed: "một cửa" does not find "một của" (``matches_as_typed``, applied to the index's hits).
Nothing the user types is FTS syntax (no column filters, NEAR or operators that fail as "syntax error").
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from crawler.vi.text import strip_diacritics

MODES = {"phrase": "phrase", "cum_tu": "phrase", "cụm từ": "phrase", "all": "all", "moi_tu": "all",
         "mọi từ": "all", "any": "any", "bat_ky": "any", "bất kỳ từ": "any", "bất kỳ": "any"}
_WORD = re.compile(r"\w+")


def mode_of(mode: str | None) -> str:
    return MODES.get((mode or "").strip().casefold(), "phrase")


def groups(text: str | None, mode: str | None = "phrase") -> list[list[str]]:
    """The word groups a query needs: each group is one phrase (its words in order). Quoted parts are always a
    group; unquoted text is one group in ``phrase`` mode and one group per word otherwise."""
    found = []
    for index, part in enumerate((text or "").split('"')):
        words = _WORD.findall(part)
        if not words:
            continue
        quoted = index % 2 == 1
        if quoted or mode_of(mode) == "phrase":
            found.append(words)
        else:
            found.extend([word] for word in words)
    return found


MAX_D_WORDS = 4  # words typed with a plain "d" that get an "đ" variant: 2**4 = 16 phrases at most


def _phrase(words: list[str]) -> str:
    """One group as FTS5: the phrase, or its spellings with "đ" ORed. The index folds tone marks but not đ
    (it has no decomposition), so "dak nong" must also be looked up as "đak nong" to find "Đắk Nông"; in
    Vietnamese d and đ only begin a syllable, so one variant per such word covers it."""
    plain_d = [i for i, w in enumerate(words) if w[:1] in "dD"][:MAX_D_WORDS]
    variants = []
    for choice in range(2 ** len(plain_d)):
        spelled = list(words)
        for bit, index in enumerate(plain_d):
            if choice >> bit & 1:
                spelled[index] = "đ" + spelled[index][1:]
        variants.append('"' + " ".join(spelled) + '"')
    return variants[0] if len(variants) == 1 else "(" + " OR ".join(variants) + ")"


def fts_query(text: str | None, mode: str | None = "phrase") -> str | None:
    """The FTS5 MATCH expression for what was typed, or None when it holds no word (the caller shows the newest
    articles instead: ``MATCH ''`` is a syntax error)."""
    found = groups(text, mode)
    if not found:
        return None
    joiner = " OR " if mode_of(mode) == "any" else " "
    return joiner.join(_phrase(words) for words in found)


def _fold(word: str) -> str:
    """Lower case without diacritics; đ as d (the index keeps đ, but an article's search_extra holds it as d)."""
    return strip_diacritics(word.casefold())


def _typed_with_diacritics(word: str) -> bool:
    return _fold(word) != word.casefold()


@lru_cache(maxsize=1)
def _letter_classes() -> dict[str, str]:
    """Each plain letter and every lower-case letter that folds to it ("a": "aàáảãạăằắẳẵặâầấẩẫậ", "d": "dđ")."""
    classes: dict[str, str] = {}
    for code in list(range(0x61, 0x7B)) + list(range(0xC0, 0x1EFA)):
        char = chr(code)
        base = _fold(char)
        if char.islower() and len(base) == 1 and base.isascii():
            classes[base] = classes.get(base, "") + char
    return classes


def _word_pattern(typed: str) -> str:
    """A typed word with diacritics must be the word as typed; one without matches any accented form."""
    typed = unicodedata.normalize("NFC", typed.casefold())
    if _typed_with_diacritics(typed):
        return re.escape(typed)
    classes = _letter_classes()
    return "".join(f"[{classes[c]}]" if c in classes else re.escape(c) for c in typed)


@lru_cache(maxsize=256)
def _typed_patterns(text: str, mode: str | None) -> tuple[re.Pattern, ...]:
    """One regular expression per group, words separated as the index's tokenizer splits them (anything that
    is not a letter or digit). Compiled once per query: the check runs on up to a thousand hits."""
    return tuple(re.compile(r"(?<!\w)" + r"\W+".join(_word_pattern(w) for w in words) + r"(?!\w)")
                 for words in groups(text, mode))


def typed_with_diacritics(text: str | None) -> bool:
    """Whether any word of the query carries a diacritic (then ``matches_as_typed`` has work to do)."""
    return any(_typed_with_diacritics(w) for g in groups(text) for w in g)


def matches_as_typed(text: str | None, mode: str | None, *columns: str | None) -> bool:
    """True when the article's text holds what was typed with its diacritics (case-insensitive): run on the
    index's hits, which matched without them. A query typed without any diacritics always passes; in ``any``
    mode one group that holds is enough."""
    if not typed_with_diacritics(text):
        return True
    body = " ".join(c for c in columns if c).casefold()
    if not unicodedata.is_normalized("NFC", body):
        body = unicodedata.normalize("NFC", body)
    hits = (pattern.search(body) is not None for pattern in _typed_patterns(text, mode_of(mode)))
    return any(hits) if mode_of(mode) == "any" else all(hits)


MATCH_NOTHING = '""'  # an empty phrase: a valid MATCH that finds nothing (an empty MATCH is a syntax error)


def register_search_functions(conn) -> None:
    """The SQL functions of the browser's searches on an sqlite3 connection (the Datasette plugin and
    bench/database.py): ``escape_fts(q)`` (Datasette's name: its table search box) and ``cchc_fts(q, mode)``
    give the MATCH expression, ``cchc_has_words(q)`` tells an empty query, ``cchc_as_typed(q, mode, text...)``
    keeps the hits that hold the words typed with diacritics."""
    conn.create_function("escape_fts", 1, lambda q: fts_query(q) or MATCH_NOTHING, deterministic=True)
    conn.create_function("cchc_fts", 2, lambda q, mode: fts_query(q, mode) or MATCH_NOTHING, deterministic=True)
    conn.create_function("cchc_has_words", 1, lambda q: int(bool(groups(q))), deterministic=True)
    conn.create_function("cchc_as_typed", -1, lambda q, mode, *cols: int(matches_as_typed(q, mode, *cols)),
                         deterministic=True)
