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


# Ranking. The index finds the matches; ranking them with FTS5's bm25() costs a pass over every match of every
# phrase in the whole index (its document frequencies), a second at a million articles for "cải cách hành chính".
# So the searches rank a bounded set (the newest-stored matches) here instead: occurrences of each phrase in
# the title (x10) and the lead (x4), each saturating like BM25's term frequency (tf / (tf + 1.2)), plus 1 for
# the body, which every match of the index has (reading and counting 1,000 bodies per search took 90 ms at a
# million articles: a headline and lead that carry the words are what a reader ranks first anyway). Within one
# query the phrases weigh alike; the search then orders equal scores newest first.
WEIGHTS = (10.0, 4.0, 1.0)  # title, lead, body
SATURATION = 1.2


@lru_cache(maxsize=256)
def _loose_patterns(text: str, mode: str | None) -> tuple[re.Pattern, ...]:
    """One pattern per group that matches the words with or without any diacritics (as the index does)."""
    return tuple(re.compile(r"(?<!\w)" + r"\W+".join(_word_pattern(_fold(w)) for w in words) + r"(?!\w)", re.IGNORECASE)
                 for words in groups(text, mode))


def score(text: str | None, mode: str | None, title: str | None, lead: str | None) -> float:
    """How well an article the index matched answers the query: the weighted, saturated phrase counts described
    above, in the title and the lead, plus the body's weight (the index's match stands for the body). Diacritics
    as typed are checked afterwards, on the whole text of the best-ranked (``matches_as_typed``)."""
    total = WEIGHTS[2]
    for pattern in _loose_patterns(text or "", mode_of(mode)):
        for weight, column in zip(WEIGHTS, (title, lead)):
            if column:
                count = sum(1 for _ in pattern.finditer(column))
                total += weight * count / (count + SATURATION)
    return total


SNIPPET_WORDS = 24


def snippet(text: str | None, mode: str | None, *columns: str | None) -> str | None:
    """About SNIPPET_WORDS words around the first match in the first of ``columns`` that has one (the searches
    pass body, lead, title), the matched words between « and » (the index holds no text, so FTS5's snippet()
    has none to cut from); the body's first words when nothing matches."""
    patterns = _loose_patterns(text or "", mode_of(mode))
    found, body = [], next((c for c in columns if c), None)
    for column in columns:
        found = [m for pattern in patterns if column and (m := pattern.search(column))]
        if found:
            body = column
            break
    if not body:
        return None
    if not found:
        words = body.split()
        return " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")
    first = min(found, key=lambda m: m.start())
    before = body[max(0, first.start() - 40 * SNIPPET_WORDS // 3):first.start()]  # a few words back, not the page
    left = re.search(r"(?:\S+\s+){0,%d}$" % (SNIPPET_WORDS // 3), before)
    right = re.match(r"(?:\s*\S+){0,%d}" % (SNIPPET_WORDS - SNIPPET_WORDS // 3), body[first.end():])
    head = ("… " if left.start() > 0 or len(before) < first.start() else "") + left.group()
    tail = right.group() + (" …" if first.end() + right.end() < len(body.rstrip()) else "")
    return f"{head}«{first.group()}»{tail}".strip()


MATCH_NOTHING = '""'  # an empty phrase: a valid MATCH that finds nothing (an empty MATCH is a syntax error)


def register_search_functions(conn) -> None:
    """The SQL functions of the browser's searches on an sqlite3 connection (the Datasette plugin and
    bench/database.py): ``escape_fts(q)`` (Datasette's name: its table search box) and ``cchc_fts(q, mode)``
    give the MATCH expression, ``cchc_has_words(q)`` tells an empty query, ``cchc_as_typed(q, mode, text...)``
    keeps the hits that hold the words typed with diacritics, ``cchc_score(q, mode, title, lead)`` ranks
    them and ``cchc_snippet(q, mode, body, lead, title)`` cuts the text around the first match."""
    conn.create_function("escape_fts", 1, lambda q: fts_query(q) or MATCH_NOTHING, deterministic=True)
    conn.create_function("cchc_fts", 2, lambda q, mode: fts_query(q, mode) or MATCH_NOTHING, deterministic=True)
    conn.create_function("cchc_has_words", 1, lambda q: int(bool(groups(q))), deterministic=True)
    conn.create_function("cchc_as_typed", -1, lambda q, mode, *cols: int(matches_as_typed(q, mode, *cols)),
                         deterministic=True)
    conn.create_function("cchc_score", 4, score, deterministic=True)
    conn.create_function("cchc_snippet", -1, snippet, deterministic=True)


# The ids of the articles that match a search in their own text (articles_fts) or in the text of a document they
# attach (documents_fts, crawler/store/documents.py): a notice whose whole text is "xem chi tiết tại đây" is found
# by the words of its PDF. ``{match}`` is the MATCH expression (a parameter, or cchc_fts(:q, :mode)); each index
# gives its newest ``{limit}`` matches (FTS5 walks its rowids newest first and stops: collecting every match of
# "cai cach hanh chinh" took seconds at a million articles), and so does the union. A limit of -1 is no limit.
MATCHING_ARTICLES = (
    "select id from (select * from (select rowid as id from articles_fts where articles_fts match {match} "
    "order by rowid desc limit {limit}) union select * from (select l.article_id as id from documents_fts f "
    "join documents d on d.id = f.rowid join article_documents l on l.sha256 = d.sha256 "
    "where documents_fts match {match} order by f.rowid desc limit {limit})) order by id desc limit {limit}")
# The documents that match (the documents view's search box).
MATCHING_DOCUMENTS = ("select rowid from documents_fts where documents_fts match {match} order by rowid desc "
                      "limit {limit}")
# The text of the documents an article attaches ({article}: the expression of its id), for the diacritics check
# and the snippet of a search that matched there.
DOCUMENTS_TEXT = ("(select group_concat(d.text, ' ') from article_documents l join documents d on d.sha256 = l.sha256 "
                  "where l.article_id = {article})")
# The documents of an article as one line each, for exports: type, number, date, subject and the URL.
DOCUMENTS_LIST = ("(select group_concat(trim(coalesce(d.doc_type || ' ', '') || coalesce(d.doc_number || ' ', '') || "
                  "coalesce('(' || d.issued_date || ') ', '') || coalesce(d.subject, l.name, '') || ': ' || l.url), "
                  "' | ') from article_documents l left join documents d on d.sha256 = l.sha256 "
                  "where l.article_id = {article})")
