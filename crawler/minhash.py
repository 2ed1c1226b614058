"""MinHash signatures of an article's text, the near-duplicate fingerprint of crawler/store/syndication.py.

Pure arithmetic over the text (no database): the preparation stages compute an article's signature where it is
read (crawler/prepare/stages.py), the store compares and bands them. Datasketch's affine32 scheme over word
shingles of the comparison form of the text, computed here bit for bit as datasketch 2.0 does.
"""
from __future__ import annotations

import base64
import hashlib
import re

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


def values_of(minhash) -> np.ndarray:
    """The signature as uint64 values, from a MinHash or an array."""
    return getattr(minhash, "hashvalues", minhash).astype(np.uint64)


def encode_signature(minhash) -> str:
    """Compact text form (base64 of 128 uint32: the affine32 scheme's values fit) for items in transit."""
    return base64.b64encode(values_of(minhash).astype("<u4").tobytes()).decode("ascii")


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
    rows = values_of(minhash)[:BANDS * ROWS].reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 is the point
        mixed = (rows * _BAND_MULTIPLIERS).sum(axis=1, dtype=np.uint64)
    return ((mixed >> np.uint64(32)) | _BAND_NUMBERS).tolist()


def similarity(values, others) -> np.ndarray | float:
    """MinHash's Jaccard estimate between a signature and another (or each row of a 2-D array of them)."""
    return np.count_nonzero(others == values_of(values), axis=-1) / NUM_PERM
