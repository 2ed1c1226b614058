"""Near-duplicate stories: one article republished with small changes by the newspaper, the portal and
department sites (another lead, an added "Theo ..." line, trimmed paragraphs) gets one ``story_id``.

MinHash signatures (datasketch's affine32 scheme, computed here) over word shingles of the comparison form of the text; locality-sensitive
hashing by bands kept in SQLite (``story_band_keys``: one integer per band and article, the table is its own
index), so adding an article looks up only the articles that share a band with it, never every stored article. The earliest published copy of a story is its first source.
"""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

import numpy as np

from crawler.vi.text import normalize_for_compare

NUM_PERM = 128
THRESHOLD = 0.5  # estimated Jaccard similarity of shingle sets that makes two articles one story
SHINGLE = 4  # words (Vietnamese syllables) per shingle
SCHEME = "affine32"  # datasketch's hashing scheme (``signature``); stored signatures are only comparable within one scheme
# LSH bands x rows: datasketch's _optimal_param(THRESHOLD, NUM_PERM, 0.5, 0.5), written out because computing it
# imports SciPy (a third of a second at every start); tests/test_syndication.py checks it still agrees.
BANDS, ROWS = 25, 5
_WORD = re.compile(r"\w+")


def shingles(title: str | None, body: str | None) -> set[bytes]:
    words = _WORD.findall(normalize_for_compare(f"{title or ''} {body or ''}", cleaned=True))
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch 2.0's affine32 permutations for seed 1 (``MinHash._init_permutations``): odd multipliers a and
    offsets b, drawn in this order from numpy's RandomState(1)."""
    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


_A, _B = _permutations()
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))  # MurmurHash3's


def signature(title: str | None, body: str | None) -> np.ndarray | None:
    """The MinHash of the text's shingles (128 values, as uint64), or None for an empty text.

    Bit for bit what datasketch 2.0 computes with ``MinHash(num_perm=128, scheme="affine32").update_batch``
    (tests/test_syndication.py checks it): each shingle's SHA-1 truncated to 32 bits, mixed by MurmurHash3's
    finalizer, then a * h + b modulo 2**32 per permutation, the minimum over shingles. Written out because
    importing datasketch imports SciPy (0.7 s at the start of every crawl that stores an article), and this is
    one vectorized pass over the shingles."""
    tokens = shingles(title, body)
    if not tokens:
        return None
    hv = np.frombuffer(b"".join(hashlib.sha1(t).digest()[:4] for t in tokens), dtype="<u4").reshape(-1, 1)
    s1, m1, s2, m2, s3 = _FMIX
    with np.errstate(over="ignore"):  # uint32 wraparound is the arithmetic meant
        hv = hv ^ (hv >> s1)
        hv = hv * m1
        hv = hv ^ (hv >> s2)
        hv = hv * m2
        hv = hv ^ (hv >> s3)
        return (hv * _A + _B).min(axis=0).astype(np.uint64)


def _values(minhash) -> np.ndarray:
    """The signature as uint64 values, from a MinHash or an array."""
    return getattr(minhash, "hashvalues", minhash).astype(np.uint64)


def encode_signature(minhash) -> str:
    """Compact text form (base64 of 128 uint32: the affine32 scheme's values fit) for items in transit."""
    return base64.b64encode(_values(minhash).astype("<u4").tobytes()).decode("ascii")


def decode_signature(text: str | None) -> np.ndarray | None:
    """The uint64 signature values of ``encode_signature`` output; None if absent or malformed."""
    if not text:
        return None
    try:
        values = np.frombuffer(base64.b64decode(text, validate=True), dtype="<u4").astype(np.uint64)
    except ValueError:
        return None
    return values if len(values) == NUM_PERM else None


# Fixed odd 64-bit multipliers (multiply-shift hashing of a band's rows): changing them changes every stored key
# (a migration would have to rebuild story_band_keys from article_minhash, as migration 4 did).
_BAND_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                              0xFF51AFD7ED558CCD], dtype=np.uint64)
_BAND_NUMBERS = np.arange(BANDS, dtype=np.uint64) << np.uint64(32)


def band_keys(minhash) -> list[int]:
    """One integer per band: the band number in the high bits, a 32-bit hash of the band's rows in the low 32.
    Equal keys mark candidate near-duplicates. 32 bits are plenty: a chance collision (about one in 4,000 per
    band at a million articles) only adds a candidate, whose full signature is then compared."""
    rows = _values(minhash)[:BANDS * ROWS].reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 is the point
        mixed = (rows * _BAND_MULTIPLIERS).sum(axis=1, dtype=np.uint64)
    return ((mixed >> np.uint64(32)) | _BAND_NUMBERS).tolist()


def similarity(values, others) -> np.ndarray | float:
    """MinHash's Jaccard estimate between a signature and another (or each row of a 2-D array of them)."""
    return np.count_nonzero(others == _values(values), axis=-1) / NUM_PERM


def stored_signature(values) -> bytes:
    """The signature as stored in ``article_minhash``: 128 little-endian uint32 (512 bytes; the affine32 scheme's
    values fit in 32 bits)."""
    return _values(values).astype("<u4").tobytes()


def read_signature(blob: bytes) -> np.ndarray:
    """A stored signature as uint64 values (databases before schema 4 stored 1,024 bytes of uint64)."""
    return np.frombuffer(blob, dtype="<u8" if len(blob) == NUM_PERM * 8 else "<u4").astype(np.uint64)


def signatures_of(blobs: list[bytes]) -> np.ndarray:
    """Stored signatures as rows of one uint64 array, in one conversion (``read_signature`` per blob, then
    ``np.stack``: a story decision took 0.38 instead of 0.34 ms at 200,000 articles, bench/README.md)."""
    if all(len(blob) == NUM_PERM * 4 for blob in blobs):
        return np.frombuffer(b"".join(blobs), dtype="<u4").reshape(-1, NUM_PERM).astype(np.uint64)
    return np.stack([read_signature(blob) for blob in blobs])  # some written before schema 4 (uint64)


@dataclass
class StoryMatch:
    story_id: int
    similar_to: int | None
    similarity: float | None


def create_story_tables(db) -> None:
    """The signature and band tables (part of the store's schema: crawler/store/schema.py)."""
    if not db["article_minhash"].exists():
        db["article_minhash"].create({"article_id": int, "signature": bytes}, pk="article_id")
    # Databases of schema 2 and 3 had story_bands (band, hash, article_id) with two indexes: migration 4
    # (crawler/store/schema.py) replaces it with this table, a quarter of the size.
    for table in BAND_TABLES:
        db.execute(f"create table if not exists {table} (key integer not null, article_id integer not null, "
                   "primary key (key, article_id)) without rowid")


# New band keys go to the small table story_band_keys_recent; lookups read both tables; ``merge_recent`` moves
# them into story_band_keys in one pass once there are MERGE_AT of them (a writer's close). At a million articles
# story_band_keys spans ~22,000 pages and an article's 25 random keys land on 25 of them: each commit of the
# nightly writer rewrote ~500 pages of it into the WAL (batches of 20), where a merge of 100,000 keys rewrites
# each page once (a log-structured merge, as FTS5 does with its segments).
BAND_TABLES = ("story_band_keys", "story_band_keys_recent")
MAX_CANDIDATES = 32
MERGE_AT = 100_000  # recent keys (4,000 articles): a merge then costs about one page write per 4 new keys


def merge_recent(conn, at: int = MERGE_AT) -> int:
    """Move the recent band keys into story_band_keys when there are at least ``at`` of them (inside the
    caller's transaction); the number moved."""
    count = conn.execute("select count(*) from story_band_keys_recent").fetchone()[0]
    if count < max(at, 1):
        return 0
    conn.execute("insert or ignore into story_band_keys select key, article_id from story_band_keys_recent order by key")
    conn.execute("delete from story_band_keys_recent")
    return count


class StoryIndex:
    """Story assignment inside the articles database (tables ``story_band_keys`` and ``article_minhash``)."""

    def __init__(self, db):
        self.db = db  # its tables come from the store's migrations (create_story_tables)

    def _candidates(self, keys: list[int], exclude: int | None) -> list[int]:
        """Articles sharing at least one band with the new one (one primary-key range per band, in one query):
        the MAX_CANDIDATES that share the most bands. A copy of a story shares many (25 x J^5 expected: 8 at a
        similarity of 0.8); an article that only shares a stock paragraph with a hundred others shares one with
        each, and reading a hundred signatures per article was most of the writer's time at a million."""
        marks = ", ".join("?" * len(keys))
        rows = self.db.conn.execute(
            f"select article_id, count(*) as shared from (select article_id from story_band_keys where key in ({marks}) "
            f"union all select article_id from story_band_keys_recent where key in ({marks})) "
            f"group by article_id order by shared desc, article_id limit {MAX_CANDIDATES + 1}", keys + keys).fetchall()
        return [r[0] for r in rows if r[0] != exclude][:MAX_CANDIDATES]

    def _stored(self, article_id: int) -> np.ndarray | None:
        row = self.db.conn.execute("select signature from article_minhash where article_id = ?", [article_id]).fetchone()
        return None if row is None else read_signature(row[0])

    def assign(self, article_id: int, title: str | None, body: str | None, minhash=None) -> StoryMatch:
        """Index the article and give it the story of its most similar stored article (or a new story)."""
        old = self._stored(article_id)
        if old is not None:  # the page changed: its old bands go (the keys come from its stored signature)
            for table in BAND_TABLES:
                self.db.conn.executemany(f"delete from {table} where key = ? and article_id = ?",
                                         [(key, article_id) for key in band_keys(old)])
        minhash = signature(title, body) if minhash is None else minhash
        if minhash is None:
            return self._set_story(article_id, StoryMatch(article_id, None, None))
        keys = band_keys(minhash)
        best = self.closest(minhash, keys, exclude=article_id)
        self.index(article_id, minhash, keys)
        if best is None:
            return self._set_story(article_id, StoryMatch(article_id, None, None))
        story = self.db.execute("select story_id from articles where id = ?", [best[1]]).fetchone()[0]
        return self._set_story(article_id, StoryMatch(story or best[1], best[1], round(best[0], 3)))

    def closest(self, minhash, keys: list[int], exclude: int | None = None):
        """(similarity, article id) of the most similar stored article at or above THRESHOLD (ties: the first
        stored), or None. The candidates' signatures are read in one query and compared at once: an article that
        shares a paragraph or two with many others has a hundred candidates, and a query each took 2 ms an article
        at a million articles."""
        candidates = self._candidates(keys, exclude)  # at most MAX_CANDIDATES: one bound parameter each
        if not candidates:
            return None
        marks = ", ".join("?" * len(candidates))
        rows = self.db.conn.execute(f"select article_id, signature from article_minhash where article_id in ({marks}) "
                                    "order by article_id", candidates).fetchall()
        if not rows:
            return None
        scores = similarity(minhash, signatures_of([blob for _, blob in rows]))
        best = int(np.argmax(scores))  # the first of the highest
        return (float(scores[best]), rows[best][0]) if scores[best] >= THRESHOLD else None

    def index(self, article_id: int, minhash, keys: list[int]) -> None:
        """Store the article's signature and LSH bands."""
        self.db.conn.execute("insert or replace into article_minhash (article_id, signature) values (?, ?)",
                             [article_id, stored_signature(minhash)])
        self.db.conn.executemany("insert or ignore into story_band_keys_recent (key, article_id) values (?, ?)",
                                 [(key, article_id) for key in keys])

    def first_source(self, story_id: int) -> None:
        """The earliest published copy is the first source (undated copies last, then the first stored)."""
        self.db.conn.execute(
            """update articles set is_first_source = (id = (
                   select id from articles where story_id = :story
                   order by published_at is null, published_at, id limit 1))
               where story_id = :story""",
            {"story": story_id},
        )

    def _set_story(self, article_id: int, match: StoryMatch) -> StoryMatch:
        self.db.execute("update articles set story_id = ?, story_similarity = ? where id = ?",
                        [match.story_id, match.similarity, article_id])
        self.first_source(match.story_id)
        return match
