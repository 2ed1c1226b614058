"""Near-duplicate stories: one article republished with small changes by the newspaper, the portal and
department sites (another lead, an added "Theo ..." line, trimmed paragraphs) gets one ``story_id``.

MinHash signatures (datasketch's affine32 scheme, crawler/minhash.py) over word shingles of the comparison form of the
text; locality-sensitive hashing by bands kept in SQLite (``story_band_keys``: one integer per band and article, the table is its own
index), so adding an article looks up only the articles that share a band with it, never every stored article. The earliest published copy of a story is its first source.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crawler.minhash import NUM_PERM, THRESHOLD, band_keys, signature, similarity, values_of


def stored_signature(values) -> bytes:
    """The signature as stored in ``article_minhash``: 128 little-endian uint32 (512 bytes; the affine32 scheme's
    values fit in 32 bits)."""
    return values_of(values).astype("<u4").tobytes()


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
