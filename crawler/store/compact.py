"""How an article's body is stored: compressed, the HTML as what it adds to the text.

The body text is the bulk of an article (4 KB of UTF-8 on average, and the sanitized HTML is the same text
again with its tags). At a million articles it is most of the file, so ``articles`` holds

- ``body_z``: the body text, zlib-compressed (Vietnamese news text: ~2.3x smaller);
- ``body_html_z``: the HTML compressed with the body text as zlib's preset dictionary (``zdict``): every run of
  text is a back-reference into the text already stored, so what is left is the markup (~100 bytes), and the
  text is stored once.

Both are read back with the SQL functions ``cchc_text(body_z)`` and ``cchc_html(body_html_z, body_z)``, which
every connection of this project registers (the store, Datasette's plugin, the export command): the view
``article_bodies`` gives the readable columns. Outside the project, ``python -m crawler export`` or
``zlib.decompress`` in any language read them.
"""
from __future__ import annotations

import zlib

LEVEL = 6  # zlib's default: level 9 saves ~1% more on 4 KB texts and costs twice the time


def pack_text(text: str | None) -> bytes | None:
    return None if text is None else zlib.compress(text.encode("utf-8"), LEVEL)


def unpack_text(blob: bytes | str | None) -> str | None:
    if blob is None or isinstance(blob, str):  # a str: a row written before compression (or by hand)
        return blob
    return zlib.decompress(blob).decode("utf-8")


def pack_html(html: str | None, text: str | None) -> bytes | None:
    if html is None:
        return None
    packer = zlib.compressobj(LEVEL, zdict=(text or "").encode("utf-8")) if text else zlib.compressobj(LEVEL)
    return packer.compress(html.encode("utf-8")) + packer.flush()


def unpack_html(blob: bytes | str | None, body_z: bytes | str | None) -> str | None:
    if blob is None or isinstance(blob, str):
        return blob
    text = unpack_text(body_z)
    unpacker = zlib.decompressobj(zdict=text.encode("utf-8")) if text else zlib.decompressobj()
    return (unpacker.decompress(blob) + unpacker.flush()).decode("utf-8")


def register_store_functions(conn) -> None:
    """``cchc_text(body_z)``, ``cchc_html(body_html_z, body_z)`` and the packers the migration uses, on an
    sqlite3 connection."""
    conn.create_function("cchc_text", 1, unpack_text, deterministic=True)
    conn.create_function("cchc_html", 2, unpack_html, deterministic=True)
    conn.create_function("cchc_pack_text", 1, pack_text, deterministic=True)
    conn.create_function("cchc_pack_html", 2, pack_html, deterministic=True)
