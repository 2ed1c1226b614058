"""``python -m crawler`` commands that read pages: ``extract``, ``links``, ``discover``, ``savefixture``."""
from __future__ import annotations

import json
import sys

from crawler import settings


def _extract(args) -> int:
    from crawler.extract import extract_article, response_from_file
    from crawler.items import WORKING_FIELDS
    from crawler.prepare import prepare, validation_errors
    from crawler.prepare.stages import Counts
    from crawler.stats import Stat

    response = response_from_file(args.page, args.url, args.encoding)
    # read_article's two steps (crawler/prepare/article.py), apart: --explain shows the date candidates as
    # extraction listed them, before the date stage used them
    item = extract_article(response, generic=args.generic)
    item["from_cchc_section"] = args.cchc_section
    date_candidates = list(item.get("date_candidates") or [])
    stats = Counts()
    prepare(item, stats)
    errors = validation_errors(item)
    prefix = Stat.cleaning("")
    cleaning = {k[len(prefix):]: v for k, v in stats.counts.items() if k.startswith(prefix)}
    if args.explain:
        from crawler.extract.explain import explain_article, format_explanation

        print(format_explanation(explain_article(response, item, cleaning, date_candidates)))
        return 1 if errors else 0
    out = {k: v for k, v in dict(item).items() if k not in WORKING_FIELDS}
    if not args.html:
        out.pop("body_html", None)
    out["_cleaning"] = cleaning
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
    from crawler.ops.savefixture import SaveError, save_fixture, save_from_archive

    try:
        if args.from_archive:
            from crawler.archive.place import folder_for

            if args.source:
                raise SaveError("--from-archive URL takes the page from the archive: give no FILE or URL besides it")
            archive = folder_for(args.archive if args.archive is not None else settings.CCHC_ARCHIVE_DIR, args.db)
            written = save_from_archive(args.from_archive, args.db, archive, args.site, args.kind, args.origin,
                                        args.synthetic)
        elif not args.site or not args.source:
            raise SaveError("give SITE and a FILE or URL, or --from-archive URL")
        else:
            written = save_fixture(args.site, args.source, url=args.url, kind=args.kind or "article",
                                   origin=args.origin, synthetic=args.synthetic, fetched=args.fetched)
    except SaveError as exc:
        print(f"savefixture: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    if written[-1].name.endswith(".draft.json"):
        print(f"check {written[-1].name} against the page, fix what is wrong, then rename it to .json")
    return 0


def add_commands(sub) -> None:
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
    p = sub.add_parser("discover", help="feeds, sitemaps, CCHC and news sections, CMS of a site; a registry entry")
    p.add_argument("target", help="a URL (homepage or any page with the menu) or a registry key")
    p.add_argument("--html", help="a saved copy of the page: work offline, fetch nothing")
    p.add_argument("--json", action="store_true", help="print what was found as JSON")
    p.set_defaults(func=_discover)
    p = sub.add_parser("savefixture", help="add a page to a site's fixtures (manifest row, draft expected JSON)")
    p.add_argument("site", nargs="?", help="registry key (with --from-archive: the site the crawl stored it under)")
    p.add_argument("source", nargs="?", help="a saved HTML file, or an http(s) URL to fetch (robots.txt and user "
                                             "agent obeyed)")
    p.add_argument("--url", help="the page's address (required for a file)")
    p.add_argument("--from-archive", metavar="URL", help="the page of URL as a crawl fetched it, from the WARC archive "
                                                         "(beside the database, or CCHC_ARCHIVE_DIR)")
    p.add_argument("--db", default=settings.CCHC_DB, help="the database whose articles link to the archive (--from-archive)")
    p.add_argument("--archive", help="the archive folder (--from-archive; default: CCHC_ARCHIVE_DIR)")
    p.add_argument("--kind", choices=["article", "listing"], help="default: article (with --from-archive: what "
                                                                  "the crawl read it as)")
    p.add_argument("--origin", help="where the file came from; for --synthetic, what it is modelled on")
    p.add_argument("--synthetic", action="store_true", help="a page written here, not recorded")
    p.add_argument("--fetched", help="the day the page was fetched (or the layout it models was live): YYYY-MM-DD; "
                                     "picks the parser version it tests")
    p.set_defaults(func=_savefixture)
