"""``python -m crawler COMMAND``: tools for people running or debugging the crawler.

- ``extract PAGE.html --url URL [--explain]``: the article item a crawl would store, as JSON (no network, no
  database); ``--explain`` shows each field's candidates, the one chosen and why
- ``links PAGE.html --url URL``: the article links and next page the listing logic finds
- ``demo``: crawl the saved pages (tests/fixtures, served on 127.0.0.1) into output/demo.db
- ``run``: the nightly job, every enabled registry site into CCHC_DB (output/cchc.db by default)
- ``health [DB]``: every site's last run, last success, new articles, days since the newest; exit 1 if failing
- ``browse [DB]``: Datasette on the database (read-only, 127.0.0.1), with metadata, facets, charts, feeds
- ``export [DB] [--format csv|xlsx] [--province P] [--month YYYY-MM] [--search WORDS]``: articles for Excel
- ``import FILE.jsonl [DB]``: load article items in bulk (indexes built after loading; crawler/store/bulk.py)
- ``reextract [DB] [--site S] [--since DATE] [--dry-run]``: read every archived article again (the WARC archive,
  no network) with today's extraction; the articles that read differently get a new version
- ``cron install|show|remove``: the nightly crontab entry
- ``discover URL|SITE [--html PAGE]``: the feeds, sitemaps, CCHC and news sections and CMS family of a site,
  and a registry entry ready to paste (offline on a saved page; with the network, a few polite requests)
- ``savefixture SITE FILE|URL``: add a page to a site's test fixtures, with its manifest row and a draft
  expected JSON for a person to check (a developer's tool; it and ``demo`` use CCHC_FIXTURES_DIR, the
  checkout's tests/fixtures); ``savefixture --from-archive URL``: the page as a crawl fetched it, from the archive
- ``seed`` / ``writer``: a distributed night on Redis (``CCHC_REDIS_URL``): queue the start pages; write SQLite.
  Workers are ``run`` (or ``scrapy crawl SITE``) with ``CCHC_REDIS_URL`` set.
"""
from __future__ import annotations

import argparse
import sys

from crawler.cli import data, nights, reading


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for commands in (reading, nights, data):
        commands.add_commands(sub)
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
