"""Near-duplicate stories: one article republished with small changes by the newspaper, the portal and
department sites (another lead, an added "Theo ..." line, trimmed paragraphs) gets one ``story_id``.

MinHash signatures (datasketch) over word shingles of the comparison form of the text; locality-sensitive
hashing by bands kept in SQLite (``story_bands``, indexed), so adding an article looks up only the articles that
share a band with it, never every stored article. The earliest published copy of a story is its first source.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param

from crawler.text import normalize_for_compare

NUM_PERM = 128
THRESHOLD = 0.5  # estimated Jaccard similarity of shingle sets that makes two articles one story
SHINGLE = 4  # words (Vietnamese syllables) per shingle
SCHEME = "affine32"  # datasketch's hashing scheme; stored signatures are only comparable within one scheme
BANDS, ROWS = _optimal_param(THRESHOLD, NUM_PERM, 0.5, 0.5)
_WORD = re.compile(r"\w+")


def shingles(title: str | None, body: str | None) -> set[bytes]:
    words = _WORD.findall(normalize_for_compare(f"{title or ''} {body or ''}", cleaned=True))
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


def signature(title: str | None, body: str | None) -> MinHash | None:
    tokens = shingles(title, body)
    if not tokens:
        return None
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    minhash.update_batch(list(tokens))
    return minhash


def band_keys(minhash: MinHash) -> list[tuple[int, int]]:
    """(band number, stable 63-bit hash of the band's rows): equal keys mark candidate near-duplicates."""
    values = minhash.hashvalues.astype(np.uint64)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS:(band + 1) * ROWS].tobytes()
        keys.append((band, int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "big") >> 1))
    return keys


@dataclass
class StoryMatch:
    story_id: int
    similar_to: int | None
    similarity: float | None


class StoryIndex:
    """Story assignment inside the articles database (tables ``story_bands`` and ``article_minhash``)."""

    def __init__(self, db):
        self.db = db
        if "article_minhash" not in db.table_names():
            db["article_minhash"].create({"article_id": int, "signature": bytes}, pk="article_id")
        if "story_bands" not in db.table_names():
            db["story_bands"].create({"band": int, "hash": int, "article_id": int})
            db["story_bands"].create_index(["band", "hash"])
            db["story_bands"].create_index(["article_id"])

    def _candidates(self, keys: list[tuple[int, int]], exclude: int) -> set[int]:
        """Articles sharing at least one band with the new one: one indexed lookup per band, in one query."""
        where = " or ".join(["(band = ? and hash = ?)"] * len(keys))
        params = [v for key in keys for v in key]
        rows = self.db.execute(f"select distinct article_id from story_bands where {where}", params).fetchall()
        return {r[0] for r in rows} - {exclude}

    def _stored(self, article_id: int) -> MinHash | None:
        row = self.db.execute("select signature from article_minhash where article_id = ?", [article_id]).fetchone()
        if row is None:
            return None
        return MinHash(num_perm=NUM_PERM, hashvalues=np.frombuffer(row[0], dtype=np.uint64), scheme=SCHEME)

    def assign(self, article_id: int, title: str | None, body: str | None) -> StoryMatch:
        """Index the article and give it the story of its most similar stored article (or a new story)."""
        self.db.execute("delete from story_bands where article_id = ?", [article_id])
        minhash = signature(title, body)
        if minhash is None:
            return self._set_story(article_id, StoryMatch(article_id, None, None))
        keys = band_keys(minhash)
        best: tuple[float, int] | None = None
        for candidate in self._candidates(keys, article_id):
            other = self._stored(candidate)
            if other is None:
                continue
            similarity = minhash.jaccard(other)
            if similarity >= THRESHOLD and (best is None or similarity > best[0]):
                best = (similarity, candidate)
        self.db.execute(
            "insert or replace into article_minhash (article_id, signature) values (?, ?)",
            [article_id, minhash.hashvalues.astype(np.uint64).tobytes()],
        )
        self.db.conn.executemany("insert into story_bands (band, hash, article_id) values (?, ?, ?)",
                            [(band, value, article_id) for band, value in keys])
        if best is None:
            return self._set_story(article_id, StoryMatch(article_id, None, None))
        story = self.db.execute("select story_id from articles where id = ?", [best[1]]).fetchone()[0]
        return self._set_story(article_id, StoryMatch(story or best[1], best[1], round(best[0], 3)))

    def _set_story(self, article_id: int, match: StoryMatch) -> StoryMatch:
        self.db.execute("update articles set story_id = ?, story_similarity = ? where id = ?",
                        [match.story_id, match.similarity, article_id])
        # The earliest published copy is the first source (undated copies last, then the first stored).
        self.db.execute(
            """update articles set is_first_source = (id = (
                   select id from articles where story_id = :story
                   order by published_at is null, published_at, id limit 1))
               where story_id = :story""",
            {"story": match.story_id},
        )
        return match
