"""Datasette plugin for ``python -m crawler browse``: search that means what was typed, cells made for
reading, CSV that Excel opens. Loaded with ``datasette --plugins-dir`` (crawler/web/plugins); it imports the
crawler package, which ``bin/setup`` installs into the same .venv.

- SQL functions (``prepare_connection``): ``cchc_fts(q, mode)`` is the MATCH expression of crawler/store/
  search.py (phrase by default, ``all`` / ``any`` words); ``cchc_has_words(q)``; ``cchc_as_typed(q, mode,
  text...)`` keeps only articles that hold words typed with diacritics as typed. Datasette's own
  ``escape_fts`` (what its table search box uses, ``searchmode: escaped``) is replaced by the phrase form, so
  the search box of every table means the same as the saved searches. ``trylast``: pluggy calls later
  registrations first, so this runs after Datasette's default and its function wins.
- on the ``articles`` table, ``body_text`` is clamped and ``body_html`` shown as the (sanitized) HTML it holds.
- ``filters_from_request``: the search box of the reading views and ``articles`` (an article is also found by the
  words of the documents it attaches) and of ``all_documents``: the phrase among the newest NEWEST_MATCHES
  matches (bounded at a million articles), words typed with diacritics kept as typed.
- ``render_cell``: in the reading views and saved queries, a title links to its article page, a URL shows
  as its host, a topic list as words, a snippet's matches highlighted (``«...»`` in the data, so a CSV
  stays plain text), a lead clamped to three lines. The data (JSON, CSV) is never changed.
- ``asgi_wrapper``: every CSV download starts with a UTF-8 byte order mark, so Excel reads Vietnamese, and its
  cells that a spreadsheet would run as formulas start with an apostrophe (the pages show the text as it is);
  a request with another method than GET or HEAD is answered 405.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from datasette import hookimpl
from datasette.filters import FilterArguments
from markupsafe import Markup, escape

from crawler.ops.spreadsheet import CsvCellGuard
from crawler.store import (DOCUMENTS_TEXT, MATCHING_ARTICLES, MATCHING_DOCUMENTS, TOPIC_SEPARATOR,
                           register_search_functions, typed_with_diacritics)
from crawler.web.safety import sanitize_html, web_url

READING_VIEWS = {"cchc_articles", "all_articles"}
BOM = b"\xef\xbb\xbf"


@hookimpl(trylast=True)
def prepare_connection(conn):
    register_search_functions(conn)


# The search box of these pages (Datasette's table search, done here instead: their metadata names no
# fts_table, so Datasette's own search adds nothing). A phrase ("cai cach hanh chinh") can match most of a
# million articles; collecting and sorting every match took 3.5 s (bench/database.py). The box looks among the
# newest NEWEST_MATCHES stored matches (FTS5 walks its index newest first and stops), which the page then sorts
# and counts as usual; the search page ranks, and `python -m crawler export --search` writes every match.
SEARCHABLE = {"cchc_articles": "id", "all_articles": "id", "articles": "id", "all_documents": "id"}
NEWEST_MATCHES = 1000  # as the search page ranks: checking 5,000 bodies for words typed with diacritics took 0.4 s


def _search(table: str, key: str, q: str) -> list[str]:
    """The search box's conditions: articles found by their own text or by the documents they attach
    (crawler/store/search.py), documents by theirs; words typed with diacritics kept as typed."""
    match = "cchc_fts(:cchc_search, 'phrase')"
    if table == "all_documents":
        where = [f"[{key}] in ({MATCHING_DOCUMENTS.format(match=match, limit=NEWEST_MATCHES)})"]
        if typed_with_diacritics(q):
            where.append("cchc_as_typed(:cchc_search, 'phrase', subject, (select d.text from documents d "
                         f"where d.id = [{table}].[{key}]))")
        return where
    where = [f"[{key}] in ({MATCHING_ARTICLES.format(match=match, limit=NEWEST_MATCHES)})"]
    if typed_with_diacritics(q):  # the index matched without diacritics: keep articles that hold them as typed
        documents = DOCUMENTS_TEXT.format(article=f"[{table}].[{key}]")
        where.append(f"(cchc_as_typed(:cchc_search, 'phrase', title, lead) or cchc_as_typed(:cchc_search, 'phrase', "
                     f"title, lead, (select b.body_text from articles b where b.id = [{table}].[{key}])) "
                     f"or cchc_as_typed(:cchc_search, 'phrase', {documents}))")
    return where


@hookimpl(trylast=True)  # after Datasette's own search filter, so that our extra_context (the box) wins
def filters_from_request(request, database, table, datasette):
    if table not in SEARCHABLE:
        return None
    key, where, params, said = SEARCHABLE[table], [], {}, []
    articles = table != "all_documents"
    topics = request.args.getlist("_topic") if articles else []  # the topic facet's choice (label_facets.py), by label
    for number, label in enumerate(topics):
        where.append(f"[{key}] in (select x.article_id from article_topics x join topics t on t.key = x.topic "
                     f"where t.label_vi = :cchc_topic_{number})")
        params[f"cchc_topic_{number}"] = label
        said.append(f'topic is "{label}"')
    for number, name in enumerate(request.args.getlist("_source") if articles else []):  # the source facet, by site name
        where.append(f"[{key}] in (select id from articles where site in (select key from sites where name = "
                     f":cchc_source_{number}) or site = :cchc_source_{number})")
        params[f"cchc_source_{number}"] = name
        said.append(f'source is "{name}"')
    q = request.args.get("_search")
    if q is not None:
        where += _search(table, key, q)
        params["cchc_search"] = q
        said.append(f'search matches "{q}" (among the newest {NEWEST_MATCHES:,} matches)')
    context = {"supports_search": True, **({"search": q} if q is not None else {})}
    return FilterArguments(where, params, said, context)


def _columns(row) -> set:
    try:
        return set(row.keys())
    except AttributeError:
        return set()


def _highlight(value: str) -> Markup:
    return Markup(str(escape(value)).replace("«", "<mark>").replace("»", "</mark>"))


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if (table, column) in (("articles", "body_text"), ("articles", "body_html"), ("documents", "text")) \
            and isinstance(value, str):
        # the whole body in a table cell made every row a page tall: three lines, the HTML as HTML. Sanitized when
        # stored (crawler/clean/render.py) and again here: a row written by an older version or another tool must
        # not bring a script or a javascript: link into the page.
        shown = Markup(sanitize_html(value)) if column == "body_html" else escape(value)
        return Markup('<div class="cchc-clamp">') + shown + Markup("</div>")
    if table not in READING_VIEWS and table is not None:
        return None  # other tables keep Datasette's cells; `table` is None in saved queries
    if value is None:
        return None
    if column == "title" and "id" in _columns(row) and row["id"] is not None:
        href = datasette.urls.row(database, "articles", str(row["id"]))
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    if column == "url" and web_url(value):
        host = urlsplit(value).hostname or value
        return Markup(f'<a href="{escape(value)}" title="{escape(value)}">{escape(host)}&nbsp;↗</a>')
    if column == "snippet" and isinstance(value, str):
        return _highlight(value)
    if column == "topics" and isinstance(value, str):  # "A; B" in the data (CSV), "A · B" on the page
        return Markup("<span>" + " · ".join(str(escape(label)) for label in value.split(TOPIC_SEPARATOR)) + "</span>")
    if column == "lead" and table in READING_VIEWS and isinstance(value, str):
        return Markup(f'<div class="cchc-clamp">{escape(value)}</div>')
    return None


def _csv_for_spreadsheets(app):
    """Every CSV download (Datasette's .csv, streamed or not) starts with a UTF-8 byte order mark, so Excel reads
    Vietnamese, and its cells that a spreadsheet would run as formulas start with an apostrophe
    (crawler/ops/spreadsheet.py). Only the 200 answers with a CSV body: the HTML debug view (?_trace=1) and
    errors pass as they are."""
    async def wrapped(scope, receive, send):
        if scope.get("type") != "http" or not scope.get("path", "").endswith(".csv"):
            return await app(scope, receive, send)
        state = {"guard": None, "first": True}

        async def send_guarded(message):
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if message.get("status") == 200 and kind.startswith((b"text/plain", b"text/csv")):
                    state["guard"] = CsvCellGuard()
                    # the length changes (the BOM, apostrophes); Datasette streams CSV without one anyway
                    message = dict(message, headers=[(k, v) for k, v in headers if k.lower() != b"content-length"])
            elif message["type"] == "http.response.body" and state["guard"] is not None:
                guard = state["guard"]
                body = guard.feed(message.get("body", b""))
                if not message.get("more_body", False):
                    body += guard.close()
                if state["first"]:
                    state["first"] = False
                    body = BOM + body
                message = dict(message, body=body)
            await send(message)

        await app(scope, receive, send_guarded)

    return wrapped


READ_METHODS = ("GET", "HEAD")


def _read_only(app):
    """Any other method than GET or HEAD is answered 405 with ``Allow: GET, HEAD``. The database is browsed
    read-only and nothing here takes a form, but Datasette 0.65 answered a POST to a table, a saved query or an
    export with a 500 (its views have no post handler to refuse it)."""
    async def wrapped(scope, receive, send):
        if scope.get("type") != "http" or scope.get("method", "GET") in READ_METHODS:
            return await app(scope, receive, send)
        body = b"405: this site is read-only (GET and HEAD only)\n"
        await send({"type": "http.response.start", "status": 405,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return wrapped


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: _read_only(_csv_for_spreadsheets(app))
