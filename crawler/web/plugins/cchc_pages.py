"""Datasette plugin for ``python -m crawler browse``: what the page templates (crawler/web/templates) need.

- ``prepare_jinja2_environment``: filters: ``local_time`` (a stored UTC time in Vietnam's time), ``site_name`` (a
  registry key as the site's name), ``column_label`` (a saved query's column as people read it,
  crawler/web/labels.py), ``province_pivot`` and ``heat_cell`` (the shaded province-by-period table,
  crawler/web/pivot.py), ``web_url`` (the URL if it is http(s), else None) and ``sanitized`` (HTML through the
  storing sanitizer again).
- ``extra_template_vars``: table pages do not print their CREATE TABLE / VIEW statement (analysts read these
  pages; the SQL is one click away in the database's schema, ``/-/`` pages and any SQLite client); the saved
  searches get the address and title of their Atom feed; the article page gets its topics, the size of its
  story and its archived copy (when its response is in the WARC archive, crawler/archive).
- ``register_routes``: ``/-/archived/<db>/<article id>`` serves that archived copy as it was fetched, read from the
  archive folder (``CCHC_ARCHIVE_DIR``, by default archive/ beside the database), under a Content-Security-Policy
  sandbox: none of its scripts run and it loads nothing, so a page from the web cannot act on this site.
"""
from __future__ import annotations

from urllib.parse import urlencode

from datasette import hookimpl

from crawler.store import ARCHIVED_COPY, ARTICLE_DOCUMENTS, ARTICLE_TOPIC_LABELS, STORY_SIZE
from crawler.web.labels import column_label, search_feed_title
from crawler.web.pivot import Cell, province_pivot, shade
from crawler.web.safety import sanitize_html, web_url


def site_name(key) -> str:
    from crawler.registry import registry

    site = registry().get(str(key)) if key else None
    return site.name if site else (key or "")


@hookimpl
def prepare_jinja2_environment(env):
    from crawler.vi.dates import local_display

    env.filters["local_time"] = lambda value: local_display(value) or ""
    env.filters["site_name"] = site_name
    env.filters["column_label"] = column_label
    env.filters["province_pivot"] = province_pivot
    env.filters["heat_cell"] = lambda count, largest: Cell(count, "", shade(count, largest))
    env.filters["web_url"] = web_url  # only an http(s) URL becomes a link (an imported row may hold javascript:)
    env.filters["sanitized"] = sanitize_html  # the body HTML, sanitized when stored and again when shown


def _feed(datasette, database: str, request) -> dict:
    """The Atom feed of the search on this page: same words, same mode."""
    q, mode = request.args.get("q", ""), request.args.get("mode", "")
    args = urlencode([(k, v) for k, v in (("q", q), ("mode", mode)) if v])
    return {"search_feed_url": f"{datasette.urls.database(database)}/search_feed.atom" + (f"?{args}" if args else ""),
            "search_feed_title": search_feed_title(q)}


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if template == "query.html" and database and request is not None:  # (saved queries' view_name is "table" too)
        return _feed(datasette, database, request)
    if view_name == "table":
        return {"table_definition": None, "view_definition": None}
    if view_name == "row" and table == "articles" and request is not None:
        async def article_extras():
            db, key = datasette.get_database(database), {"id": request.url_vars.get("pks")}
            story = (await db.execute(STORY_SIZE, key)).first()
            topics = [row[0] for row in await db.execute(ARTICLE_TOPIC_LABELS, key)]
            documents = [dict(row) for row in await db.execute(ARTICLE_DOCUMENTS, key)] if await db.table_exists(
                "article_documents") else []
            archived = (await db.execute(ARCHIVED_COPY, key)).first()
            return {"story_size": story[0] if story else 0, "topic_labels": topics, "documents": documents,
                    "archived_copy": dict(archived) if archived else None}
        return article_extras
    return {}


# The archived page loads nothing and runs nothing: no script, no request (not even its own CSS or images, which
# were never archived with it), no form, no navigation of this window.
SANDBOX = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


async def archived_copy(datasette, request):
    """The archived response of an article, as the crawl fetched it (the rendered DOM for a browser page)."""
    import asyncio

    from datasette.utils.asgi import NotFound, Response

    from crawler import settings
    from crawler.archive.place import folder_for
    from crawler.archive.reader import ArchiveError, ArchiveReader

    name, article = request.url_vars["database"], request.url_vars["id"]
    try:
        db = datasette.get_database(name)
    except KeyError:
        raise NotFound(f"no database {name}") from None
    row = (await db.execute(ARCHIVED_COPY, {"id": int(article)})).first()
    if row is None:
        raise NotFound("this article has no archived copy")
    folder = folder_for(settings.CCHC_ARCHIVE_DIR, db.path)

    def read():
        with ArchiveReader(folder) as reader:
            return reader.page(row["warc_file"], row["warc_offset"])

    try:
        page = await asyncio.get_running_loop().run_in_executor(None, read)
    except ArchiveError as exc:
        return Response.text(f"Bản lưu không đọc được / The archived copy cannot be read: {exc}", status=404)
    content_type = next((v for k, v in page.headers if k.lower() == "content-type"), "text/html")
    return Response(page.body, status=200, content_type=content_type,
                    headers={"Content-Security-Policy": SANDBOX, "X-Content-Type-Options": "nosniff",
                             "X-Archived-From": page.url, "X-Archived-At": page.date})


@hookimpl
def register_routes():
    return [(r"^/-/archived/(?P<database>[^/]+)/(?P<id>\d+)$", archived_copy)]
