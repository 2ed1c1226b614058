"""Datasette output renderer ``.atom``: an Atom feed of any query with ``atom_id``, ``atom_updated`` and
``atom_title`` columns (the contract of datasette-atom, which this replaces).

datasette-atom answered 500 for a query without rows (``max() arg is an empty sequence``) and for any row whose
text holds a character XML 1.0 cannot carry (U+FFFF, a C0 control, a lone surrogate: "All strings must be XML
compatible"), so one odd page broke every feed that matched it. Here an empty result is an empty, valid feed,
and such characters are removed from every value. The feed of a saved search (a query with a ``q`` parameter)
is titled by the words it follows (crawler/web/labels.py). Only an http(s) URL becomes an entry's link (a stored
``javascript:`` or ``data:`` URL would be one click away in a feed reader); another entry id becomes a
``urn:sha256:`` name, which no reader takes for a link. Loaded with ``datasette --plugins-dir`` by
``python -m crawler browse``.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from datasette import hookimpl
from datasette.utils.asgi import Response
from feedgen.feed import FeedGenerator

from crawler.web.labels import search_feed_title

REQUIRED_COLUMNS = {"atom_id", "atom_updated", "atom_title"}
# Everything outside XML 1.0's Char production.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


def web_url(value) -> str | None:
    """``value`` if it is an absolute http(s) URL, else None."""
    text = xml_safe(value).strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _entry_id(value) -> str:
    text = xml_safe(value)
    return web_url(text) or "urn:sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def query_params(sql: str) -> set[str]:
    return set(re.findall(r"(?<!:):(\w+)", sql or ""))


def _updated(value):
    """An ISO 8601 date from the row, as an aware datetime (UTC when it has no zone); None when unreadable."""
    try:
        parsed = datetime.fromisoformat(xml_safe(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def render_atom(datasette, request, sql, columns, rows, database, table, query_name, view_name, data):
    from datasette.views.base import DatasetteError

    if not REQUIRED_COLUMNS.issubset(columns):
        raise DatasetteError(f"SQL query must return columns {', '.join(sorted(REQUIRED_COLUMNS))}", status=400)
    feed = FeedGenerator()
    feed.id(xml_safe(request.url))
    feed.link(href=xml_safe(request.url), rel="self")
    title = xml_safe(request.args.get("_feed_title") or table or query_name or "Datasette")
    if query_name:
        try:
            title = xml_safe(datasette.metadata(database=database)["queries"][query_name]["title"])
        except (KeyError, TypeError):
            pass
    if query_name and "q" in query_params(sql):  # a saved search: the feed says what it follows
        title = xml_safe(search_feed_title(request.args.get("q")))
    feed.title(title)
    dates = [d for d in (_updated(row["atom_updated"]) for row in rows) if d is not None]
    feed.updated(max(dates) if dates else datetime.now(timezone.utc).replace(microsecond=0))
    for row in reversed(rows):
        entry = feed.add_entry()
        entry.id(_entry_id(row["atom_id"]))
        entry.title(xml_safe(row["atom_title"]) or "(no title)")
        entry.updated(_updated(row["atom_updated"]) or datetime.now(timezone.utc).replace(microsecond=0))
        if "atom_content" in columns and row["atom_content"]:
            entry.content(xml_safe(row["atom_content"]), type="text")
        if "atom_link" in columns and web_url(row["atom_link"]):
            entry.link(href=web_url(row["atom_link"]))
        if "atom_author_name" in columns and row["atom_author_name"]:
            entry.author({"name": xml_safe(row["atom_author_name"])})
    return Response(feed.atom_str(pretty=True), content_type="application/xml; charset=utf-8", status=200)


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "atom", "render": render_atom,
            "can_render": lambda columns: REQUIRED_COLUMNS.issubset(columns)}
