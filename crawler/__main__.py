"""``python -m crawler COMMAND``: tools for people running or debugging the crawler.

- ``extract PAGE.html --url URL [--explain]``: the article item a crawl would store, as JSON (no network, no
  database); ``--explain`` shows each field's candidates, the one chosen and why
- ``links PAGE.html --url URL``: the article links and next page the listing logic finds
- ``demo``: crawl the bundled offline mirror (tests/fixtures) into output/demo.db
- ``run``: the nightly job, every enabled registry site into CCHC_DB (output/cchc.db by default)
- ``health [DB]``: every site's last run, last success, new articles, days since the newest; exit 1 if failing
- ``browse [DB]``: Datasette on the database (read-only, 127.0.0.1), with metadata, facets, charts, feeds
- ``export [DB] [--format csv|xlsx] [--province P] [--month YYYY-MM] [--search WORDS]``: articles for Excel
- ``import FILE.jsonl [DB]``: load article items in bulk (indexes built after loading; crawler/store/bulk.py)
- ``cron install|show|remove``: the nightly crontab entry
- ``discover URL|SITE [--html PAGE]``: the feeds, sitemaps, CCHC and news sections and CMS family of a site,
  and a registry entry ready to paste (offline on a saved page; with the network, a few polite requests)
- ``savefixture SITE FILE|URL``: add a page to a site's test fixtures, with its manifest row and a draft
  expected JSON for a person to check (a developer's tool, like ``demo``: both use crawler/testing)
- ``seed`` / ``writer``: a distributed night on Redis (``CCHC_REDIS_URL``): queue the start pages; write SQLite.
  Workers are ``run`` (or ``scrapy crawl SITE``) with ``CCHC_REDIS_URL`` set.
"""
from __future__ import annotations

import argparse
import json
import os
import sys


def _extract(args) -> int:
    from crawler.extract import extract_article, response_from_file
    from crawler.processing import process_article

    response = response_from_file(args.page, args.url, args.encoding)
    item = extract_article(response, generic=args.generic)
    item["from_cchc_section"] = args.cchc_section
    date_candidates = list(item.get("date_candidates") or [])
    report, errors = process_article(item)
    if args.explain:
        from crawler.extract.explain import explain_article, format_explanation

        print(format_explanation(explain_article(response, item, report, date_candidates)))
        return 1 if errors else 0
    out = dict(item)
    if not args.html:
        out.pop("body_html", None)
    out["_cleaning"] = dict(report.dropped)
    out["_validation_errors"] = errors
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 1 if errors else 0


def _links(args) -> int:
    from crawler.extract import extract_links, response_from_file

    response = response_from_file(args.page, args.url, args.encoding)
    links = extract_links(response, generic=args.generic)
    if args.explain:
        from crawler.extract.explain import explain_listing

        print(explain_listing(response, links))
        return 0 if links.articles else 1
    json.dump({"articles": links.articles, "next_page": links.next_page, "listing_dates": links.dates,
               "method": links.method, "notes": links.notes}, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0 if links.articles else 1


def _demo(args) -> int:
    from crawler.ops.demo import run_demo

    return run_demo(args.db)


def _run(args) -> int:
    from crawler.ops.runner import run_all

    return run_all(args.sites or None, cron=args.cron)


def _jobs(args) -> list[tuple[str, dict]]:
    if args.spider:
        return [(args.spider, dict(a.split("=", 1) for a in args.arg))]
    from crawler.registry import registry

    return [(s.key, {}) for s in registry().values() if s.enabled and (not args.sites or s.key in args.sites)]


def _seed(args) -> int:
    from crawler.distributed.seed import seed
    from crawler.ops.runner import project_settings

    jobs = _jobs(args)
    unknown = set(args.sites or ()) - {name for name, _ in jobs}
    if unknown or not jobs:
        print(f"seed: unknown or disabled sites: {', '.join(sorted(unknown))}" if unknown else
              "seed: no site to seed (the registry has no enabled site)", file=sys.stderr)
        return 2
    queued = seed(jobs, project_settings())
    for name, count in sorted(queued.items()):
        print(f"{name:<24} {count:>5} requests queued")
    print(f"{len(queued)} spiders seeded; start workers with CCHC_REDIS_URL set, and one writer")
    return 0


def _writer(args) -> int:
    from crawler.distributed.writer import Writer
    from crawler.ops.runner import project_settings

    settings = project_settings()
    if not settings.get("CCHC_REDIS_URL"):
        print("error: set CCHC_REDIS_URL (e.g. redis://127.0.0.1:6379/0)", file=sys.stderr)
        return 2
    writer = Writer(settings.get("CCHC_REDIS_URL"), args.db or settings.get("CCHC_DB"),
                    settings.get("CCHC_REDIS_PREFIX"), run_ttl=settings.getint("CCHC_REDIS_RUN_TTL", 20 * 3600))
    status = writer.run(until_done=not args.forever, wait_workers=args.wait_workers)
    print(f"writer: {writer.summary()}")
    return status


def _health(args) -> int:
    from crawler.monitor.health import print_health

    return print_health(args.db, show_never=args.all)


def _browse(args) -> int:
    from crawler.web.browse import browse

    return browse(args.db, args.host, args.port)


def _export(args) -> int:
    from crawler.ops.export import run_export
    from crawler.store.exports import ExportFilter

    spec = ExportFilter(everything=args.all, province=args.province, month=args.month, site=args.site,
                        search=args.search, mode=args.mode)
    return run_export(args.db, spec, args.format, args.output)


def _import(args) -> int:
    import logging

    import sqlite3

    from crawler.store.bulk import BulkImporter
    from crawler.store.indexes import ImportRunning

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


def _cron(args) -> int:
    from crawler.ops import cron

    if args.action == "install":
        print("installed:", cron.install(args.at, args.db, args.tabfile, args.mailto))
    elif args.action == "show":
        entries = cron.show(args.tabfile)
        print("\n".join(entries) if entries else "no cchc-crawler entry in the crontab")
    else:
        print(f"removed {cron.remove(args.tabfile)} entr(ies)")
    return 0


def _discover(args) -> int:
    from crawler.discover.fetch import FetchError
    from crawler.discover.report import discover

    try:
        found, key, province = discover(args.target, args.html)
    except (ValueError, FetchError) as exc:
        print(f"discover: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(found.__dict__, ensure_ascii=False, indent=1, default=str) if args.json
          else found.as_text(key, province))
    return 0


def _savefixture(args) -> int:
    from crawler.testing.savefixture import SaveError, save_fixture

    try:
        written = save_fixture(args.site, args.source, url=args.url, kind=args.kind, origin=args.origin,
                               synthetic=args.synthetic, fetched=args.fetched)
    except SaveError as exc:
        print(f"savefixture: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    if args.kind == "article":
        print(f"check {written[-1].name} against the page, fix what is wrong, then rename it to .json")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, help_text in (("extract", _extract, "print the article item of a saved page"),
                                  ("links", _links, "print the article links of a saved listing page")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("page", help="saved HTML file")
        p.add_argument("--url", required=True, help="the page's original URL (chooses the site, resolves links)")
        p.add_argument("--encoding", help="override the detected encoding")
        p.add_argument("--generic", action="store_true", help="ignore registry selectors")
        if name == "extract":
            p.add_argument("--html", action="store_true", help="include body_html")
            p.add_argument("--cchc-section", action="store_true", help="the page comes from a CCHC section")
        p.add_argument("--explain", action="store_true",
                       help="for each field: the candidates considered, the one chosen, the checks and the fallbacks"
                       if name == "extract" else "how the links were found: method, checks, URL-shape groups, next page")
        p.set_defaults(func=func)
    p = sub.add_parser("demo", help="crawl the bundled offline mirror into output/demo.db")
    p.add_argument("--db", default="output/demo.db")
    p.set_defaults(func=_demo)
    p = sub.add_parser("run", help="crawl every enabled registry site into CCHC_DB")
    p.add_argument("sites", nargs="*", help="registry keys (default: all enabled)")
    p.add_argument("--cron", action="store_true",
                   help="print nothing on a good night, the summary when a site is not ok or quiet (what cron mails)")
    p.set_defaults(func=_run)
    p = sub.add_parser("discover", help="feeds, sitemaps, CCHC and news sections, CMS of a site; a registry entry")
    p.add_argument("target", help="a URL (homepage or any page with the menu) or a registry key")
    p.add_argument("--html", help="a saved copy of the page: work offline, fetch nothing")
    p.add_argument("--json", action="store_true", help="print what was found as JSON")
    p.set_defaults(func=_discover)
    p = sub.add_parser("savefixture", help="add a page to a site's fixtures (manifest row, draft expected JSON)")
    p.add_argument("site", help="registry key")
    p.add_argument("source", help="a saved HTML file, or an http(s) URL to fetch (robots.txt and user agent obeyed)")
    p.add_argument("--url", help="the page's address (required for a file)")
    p.add_argument("--kind", default="article", choices=["article", "listing"])
    p.add_argument("--origin", help="where the file came from; for --synthetic, what it is modelled on")
    p.add_argument("--synthetic", action="store_true", help="a page written here, not recorded")
    p.add_argument("--fetched", help="the day the page was fetched (or the layout it models was live): YYYY-MM-DD; "
                                     "picks the parser version it tests")
    p.set_defaults(func=_savefixture)
    p = sub.add_parser("seed", help="distributed crawl: queue tonight's start pages in Redis (CCHC_REDIS_URL)")
    p.add_argument("sites", nargs="*", help="registry keys (default: all enabled)")
    p.add_argument("--spider", help="seed this spider instead of registry sites (e.g. generic)")
    p.add_argument("-a", dest="arg", action="append", default=[], metavar="NAME=VALUE", help="spider argument")
    p.set_defaults(func=_seed)
    p = sub.add_parser("writer", help="distributed crawl: write the workers' items into CCHC_DB, until the run ends")
    p.add_argument("--db", help="database path (default: CCHC_DB or output/cchc.db)")
    p.add_argument("--forever", action="store_true", help="keep draining after the run has ended")
    p.add_argument("--wait-workers", type=float, default=600,
                   help="give up (exit 3) when work is left and no worker has been alive this many seconds")
    p.set_defaults(func=_writer)
    p = sub.add_parser("health", help="site health from crawl_runs; exit status 1 when any site is failing")
    p.add_argument("db", nargs="?", default=os.environ.get("CCHC_DB", "output/cchc.db"))
    p.add_argument("--all", action="store_true", help="also list sites that were never crawled")
    p.set_defaults(func=_health)
    p = sub.add_parser("browse", help="browse a database with Datasette (read-only, 127.0.0.1)")
    p.add_argument("db", nargs="?", default=os.environ.get("CCHC_DB", "output/cchc.db"))
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    p.add_argument("--port", type=int, default=8001)
    p.set_defaults(func=_browse)
    p = sub.add_parser("export", help="CCHC articles as CSV (UTF-8 with BOM, for Excel) or XLSX, by province, month, site, search")
    p.add_argument("db", nargs="?", default=os.environ.get("CCHC_DB", "output/cchc.db"))
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
    p.add_argument("db", nargs="?", default=os.environ.get("CCHC_DB", "output/cchc.db"))
    p.add_argument("--workers", type=int, help="processes that parse, hash and sign lines (default: one per core but one)")
    p.set_defaults(func=_import)
    p = sub.add_parser("cron", help="install, show or remove the nightly crontab entry")
    p.add_argument("action", choices=["install", "show", "remove"])
    p.add_argument("--at", default="02:30", help="time of day, HH:MM (install)")
    p.add_argument("--db", help="database path for the nightly run (default: CCHC_DB or output/cchc.db)")
    p.add_argument("--tabfile", help="edit this crontab file instead of the user's crontab")
    p.add_argument("--mailto", help="address cron mails a failing night's summary to (sets MAILTO in the crontab)")
    p.set_defaults(func=_cron)
    args = parser.parse_args(argv)
    import sqlite3

    # Bad input is one line, never a traceback: a folder or a missing file where a file was expected, a file that
    # is not an SQLite database, a database that cannot be read or written.
    try:
        return args.func(args)
    except IsADirectoryError as exc:
        print(f"error: {exc.filename} is a folder, not a file", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: {exc.filename}: no such file", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc.filename or ''}{': ' if exc.filename else ''}{exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
