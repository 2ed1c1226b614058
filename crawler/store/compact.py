"""Schema 4's compressed bodies, kept for the migrations only (crawler/store/schema.py).

Schema 4 stored ``body_z`` (the body text through zlib) and ``body_html_z`` (the HTML through zlib with the text
as its preset dictionary, so that only the markup was stored again). Migration 4 writes them on a database of an
earlier schema and migration 5 reads them back into the plain ``body_text`` and ``body_html`` columns that every
database has had since (issue 34: any SQLite client must read the text without this project's functions). The
functions are registered on the migrating connection only: no view, trigger or query of today's schema needs them.
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
    """``cchc_text(body_z)``, ``cchc_html(body_html_z, body_z)`` and the packers, on the migrating connection."""
    conn.create_function("cchc_text", 1, unpack_text, deterministic=True)
    conn.create_function("cchc_html", 2, unpack_html, deterministic=True)
    conn.create_function("cchc_pack_text", 1, pack_text, deterministic=True)
    conn.create_function("cchc_pack_html", 2, pack_html, deterministic=True)
