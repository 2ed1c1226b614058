"""``python -m crawler`` commands on a database: ``browse``, ``export``, ``import``, ``reextract``."""
from __future__ import annotations

import os
import sys

from crawler import settings


def _browse(args) -> int:
    from crawler.web.browse import browse

    return browse(args.db, args.host, args.port)


def _export(args) -> int:
    from crawler.ops.export import run_export
    from crawler.store import ExportFilter

    spec = ExportFilter(everything=args.all, province=args.province, month=args.month, site=args.site,
                        search=args.search, mode=args.mode)
    return run_export(args.db, spec, args.format, args.output)


def _import(args) -> int:
    import logging

    import sqlite3

    from crawler.store import BulkImporter, ImportRunning

    if os.path.isdir(args.file):
        raise IsADirectoryError(21, "is a folder", args.file)
    if not os.path.isfile(args.file):
        raise FileNotFoundError(2, "no such file", args.file)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    try:
        result = BulkImporter(args.db, workers=args.workers).run(args.file)
    except ImportRunning as exc:
        print(f"import: {exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:  # a full disk, a read-only file: what was committed stays, indexes come back
        print(f"import stopped: cannot write to the database {args.db}: {exc}. What was committed is kept (run the "
              "import again: stored articles count as already stored); the next open of the database builds the "
              "dropped indexes again.", file=sys.stderr)
        return 1
    skipped = sum(result.skipped.values())
    print(f"{result.lines:,} lines in {result.seconds:.1f} s ({result.rate:,.0f}/s): {result.inserted:,} new, "
          f"{result.updated:,} updated, {result.duplicates:,} already stored (URL recorded), {skipped:,} skipped"
          + (" (" + ", ".join(f"{n:,} {reason}" for reason, n in result.skipped.items()) + ")" if skipped else ""))
    print(f"writing {result.loading:.1f} s, waiting for the parse workers {result.waiting:.1f} s, building indexes "
          f"{result.indexing:.1f} s")
    return 1 if skipped else 0


def _reextract(args) -> int:
    import multiprocessing

    from crawler.archive.place import folder_for
    from crawler.ops.reextract import Reextraction, report, since_utc

    if not os.path.isfile(args.db):
        print(f"reextract: no database at {args.db}", file=sys.stderr)
        return 2
    try:
        since = since_utc(args.since)
    except ValueError as exc:
        print(f"reextract: {exc}", file=sys.stderr)
        return 2
    archive = folder_for(args.archive if args.archive is not None else settings.CCHC_ARCHIVE_DIR, args.db)
    if archive is None or not archive.is_dir():
        print(f"reextract: no archive folder {archive or '(CCHC_ARCHIVE_DIR is empty)'}: crawls write one beside the "
              "database unless CCHC_ARCHIVE_DIR says otherwise; --archive DIR names another", file=sys.stderr)
        return 2
    workers = max(0, multiprocessing.cpu_count() - 1) if args.workers is None else max(0, args.workers)
    summary = Reextraction(args.db, archive, args.site, since, args.dry_run, workers).run(progress=sys.stderr)
    report(summary, args.db, args.dry_run)
    if not summary.total:
        said = f" of site {args.site}" if args.site else ""
        said += f" fetched since {args.since}" if args.since else ""
        print(f"no archived article{said} could be read again" if summary.problems else
              f"no archived article{said} in {args.db} (articles stored before the archive existed have none)")
        return 1 if summary.problems else 0
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("browse", help="browse a database with Datasette (read-only, 127.0.0.1)")
    p.add_argument("db", nargs="?", default=settings.CCHC_DB)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    p.add_argument("--port", type=int, default=8001)
    p.set_defaults(func=_browse)
    p = sub.add_parser("export", help="CCHC articles as CSV (UTF-8 with BOM, for Excel) or XLSX, by province, month, site, search")
    p.add_argument("db", nargs="?", default=settings.CCHC_DB)
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--province", help="current or former province, as written in the data (e.g. 'Lâm Đồng', 'Đắk Nông')")
    p.add_argument("--month", help="YYYY-MM, or YYYY for a year")
    p.add_argument("--site", help="a registry key, e.g. baodaknong")
    p.add_argument("--search", help="words as in the browser's search (a phrase by default)")
    p.add_argument("--mode", choices=["phrase", "all", "any"], default="phrase", help="how --search matches")
    p.add_argument("--all", action="store_true", help="every article, not only the CCHC-relevant ones")
    p.add_argument("-o", "--output", help="file to write (default: beside the database, named by the filters)")
    p.set_defaults(func=_export)
    p = sub.add_parser("import", help="load a JSON Lines file of articles (a backfill, another machine's crawl) fast")
    p.add_argument("file", help="one article item per line, e.g. from `scrapy crawl SITE -O items.jsonl`")
    p.add_argument("db", nargs="?", default=settings.CCHC_DB)
    p.add_argument("--workers", type=int, help="processes that parse, hash and sign lines (default: one per core but one)")
    p.set_defaults(func=_import)
    p = sub.add_parser("reextract", help="read every archived article again with today's extraction (no network); "
                                         "changed ones get a new version")
    p.add_argument("db", nargs="?", default=settings.CCHC_DB)
    p.add_argument("--site", help="only this site (a registry key, as stored in articles.site)")
    p.add_argument("--since", help="only responses fetched on or after this day (YYYY-MM-DD, Vietnam time)")
    p.add_argument("--dry-run", action="store_true", help="write nothing; print what would change, with examples")
    p.add_argument("--archive", help="the archive folder (default: CCHC_ARCHIVE_DIR, archive/ beside the database)")
    p.add_argument("--workers", type=int, help="extraction processes (default: one per core but one; 0: none)")
    p.set_defaults(func=_reextract)
