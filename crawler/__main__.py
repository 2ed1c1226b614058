"""``python -m crawler COMMAND``: tools for people running or debugging the crawler.

- ``extract PAGE.html --url URL``: the article item a crawl would store, as JSON (no network, no database)
- ``links PAGE.html --url URL``: the article links and next page the listing logic finds
- ``demo``: crawl the bundled offline mirror (tests/fixtures) into output/demo.db
- ``run``: the nightly job, every enabled registry site into CCHC_DB (output/cchc.db by default)
"""
from __future__ import annotations

import argparse
import json
import sys


def _extract(args) -> int:
    from crawler.extract import extract_article, response_from_file
    from crawler.processing import process_article

    response = response_from_file(args.page, args.url, args.encoding)
    item = extract_article(response, generic=args.generic)
    item["from_cchc_section"] = args.cchc_section
    report, errors = process_article(item)
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

    links = extract_links(response_from_file(args.page, args.url, args.encoding), generic=args.generic)
    json.dump({"articles": links.articles, "next_page": links.next_page, "listing_dates": links.dates},
              sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0 if links.articles else 1


def _demo(args) -> int:
    from crawler.demo import run_demo

    return run_demo(args.db)


def _run(args) -> int:
    from crawler.runner import run_all

    return run_all(args.sites or None)


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
        p.set_defaults(func=func)
    p = sub.add_parser("demo", help="crawl the bundled offline mirror into output/demo.db")
    p.add_argument("--db", default="output/demo.db")
    p.set_defaults(func=_demo)
    p = sub.add_parser("run", help="crawl every enabled registry site into CCHC_DB")
    p.add_argument("sites", nargs="*", help="registry keys (default: all enabled)")
    p.set_defaults(func=_run)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except FileNotFoundError as exc:
        print(f"error: {exc.filename}: no such file", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
