"""``python -m crawler savefixture SITE FILE|URL``: add a page to a site's fixtures, like web-poet's savefixture;
``savefixture --from-archive URL``: the page as a crawl fetched it, from the WARC archive (crawler/archive).

The page is copied into ``<CCHC_FIXTURES_DIR>/sites/<domain>/`` (the checkout's tests/fixtures by default), a manifest row is appended (recorded, with where it
came from; or synthetic with ``--synthetic NOTE``), and for an article page a *draft* expected JSON is written
from today's extraction: ``<domain>__<file>.draft.json``. A person checks it against the page, fixes what the
extraction got wrong, and renames it to ``.json``; until then the fixture contract test names it.

A URL is fetched once, politely: robots.txt first, the project's user agent, a 30 s timeout.
"""
from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from crawler.discover.fetch import FetchError
from crawler.discover.fetch import fetch as polite_fetch
from crawler.registry import Site, registry
from crawler.ops.saved_pages import MANIFEST, MANIFEST_COLUMNS, untraceable
from crawler.ops.fixture_pages import SITES, Page, summarize

class SaveError(Exception):
    """A page that cannot be saved, with the reason in words."""


def fetch(url: str) -> bytes:
    try:
        return polite_fetch(url)
    except FetchError as exc:
        raise SaveError(str(exc)) from None


def _file_name(url: str, kind: str, folder: Path) -> str:
    """``article-<id>.html`` (the id at the end of the URL's last part, else that part), unique in the folder."""
    tail = [p for p in urlsplit(url).path.split("/") if p]
    stem = re.sub(r"\.(html?|aspx|php)$", "", tail[-1] if tail else "index", flags=re.I)
    # an id: /<slug>-post296110.html, /<cat>/<slug>/218305.htm, /tin/1523.aspx; not a year ending a slug (-nam-2022)
    ident = re.search(r"(post)?\d{5,}$", stem) or re.fullmatch(r"\d{3,}", stem)
    if ident:
        stem = ident.group(0)
    else:  # the slug, cut at a word boundary
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")
        stem = (stem[:61].rsplit("-", 1)[0] if len(stem) > 60 else stem) or "page"
    name, n = f"{kind}-{stem}.html", 2
    while (folder / name).exists():
        name, n = f"{kind}-{stem}-{n}.html", n + 1
    return name


def _append_row(folder: Path, row: dict) -> None:
    path = folder / MANIFEST
    existing = []
    if path.exists():
        with open(path, encoding="utf-8", newline="") as fh:
            existing = list(csv.DictReader(fh, delimiter="\t"))
    if any(r["url"] == row["url"] and r["kind"] == row["kind"] for r in existing):
        raise SaveError(f"{path} already has a {row['kind']} page for {row['url']}")
    columns = list(dict.fromkeys([*(existing[0].keys() if existing else MANIFEST_COLUMNS), *row]))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns, delimiter="\t", restval="")  # csv's \r\n, as the other manifests
        writer.writeheader()
        writer.writerows(existing + [row])


def draft_expected(site: Site, page: Page) -> dict:
    """Today's extraction of the page, in the expected-output form."""
    from crawler.extract import response_from_file
    from crawler.prepare import read_article

    item = read_article(response_from_file(str(page.path), page.url), site, now=page.extraction_time)
    return summarize(item)


def save_fixture(key: str, source: str, url: str | None = None, kind: str = "article", origin: str | None = None,
                 synthetic: bool = False, fetched: str | None = None) -> list[Path]:
    """Save ``source`` (a file or an http(s) URL) as a fixture page of site ``key``; the files written.

    ``origin`` says where a saved file came from (required for a recorded file; for a synthetic one, what it is
    modelled on)."""
    site = registry().get(key)
    if site is None:
        raise SaveError(f"no site {key!r} in the registry (python -m crawler sites lists them)")
    if kind not in ("article", "listing"):
        raise SaveError(f"--kind must be article or listing, not {kind!r}")
    is_url = source.startswith(("http://", "https://"))
    url = url or (source if is_url else None)
    if not url:
        raise SaveError("a saved file needs --url: the address the page was saved from")
    if not is_url and not origin:
        raise SaveError("say where the file came from (--origin 'shared/real-pages/MANIFEST.tsv: ...'), or what a "
                        "synthetic page is modelled on (--synthetic --origin '...')")
    if not is_url and not synthetic and untraceable(origin):
        raise SaveError(f"--origin {origin!r} does not say where the page came from: name a repository at a commit "
                        "(owner/repo@1fe5c0e), the day you saved it (saved from the live site on 2026-12-01), or "
                        "shared/real-pages/MANIFEST.tsv; a page written here is --synthetic")
    if not site.owns(url):
        raise SaveError(f"{url} is not on {key}'s domains ({', '.join(site.all_domains)})")
    if fetched:
        try:
            date.fromisoformat(fetched)
        except ValueError:
            raise SaveError(f"--fetched {fetched!r}: use a date such as 2019-06-15") from None
    body = fetch(source) if is_url else Path(source).read_bytes()
    if synthetic:
        provenance, origin = "synthetic", origin or f"modelled on {source}"
    elif is_url:
        provenance, origin = "recorded", f"fetched {source} on {date.today()} by python -m crawler savefixture"
    else:
        provenance = "recorded"
    return _write(site, url, kind, body, provenance, origin, fetched or (str(date.today()) if is_url else None))


def save_from_archive(url: str, db_path: str | None, archive: Path | None, key: str | None = None,
                      kind: str | None = None, origin: str | None = None, synthetic: bool = False) -> list[Path]:
    """The page of ``url`` as the crawl fetched it, from the WARC archive: the response of the article stored at
    that URL (``article_archive``), else the newest archived response of the URL (a listing, a page that gave no
    article). Recorded, with the file, offset and time it was fetched; a page the crawl fetched from a local mirror
    is only what the mirror served, so its origin must be said (``origin``, and ``synthetic`` if it is not real)."""
    from crawler.archive.reader import ArchiveError, ArchiveReader, find
    from crawler.store import Store

    with Store.opened(db_path) as store:
        known = store.archive_location(url) if store is not None else None
    where = known[:2] if known else find(archive, url)
    if where is None:
        raise SaveError(f"{url} is not in the archive {archive} (nor linked from an article of {db_path})")
    try:
        with ArchiveReader(archive) as reader:
            page = reader.page(*where)
    except ArchiveError as exc:
        raise SaveError(f"the archived copy of {url} cannot be read: {exc}") from None
    context = page.context or {}
    key = key or (known[2] if known else None) or context.get("site")
    site = registry().get(key or "")
    if site is None:
        raise SaveError(f"{url} was crawled as {key!r}, not a registry site: name one (savefixture SITE --from-archive URL)")
    kind = kind or ("article" if known or context.get("kind") == "article" else "listing")
    via = context.get("fetched_from")
    if via and not origin:
        raise SaveError(f"this copy of {url} was fetched from the mirror {via}, not from the site: say what the mirror "
                        "served with --origin (and --synthetic if it is not a real page)")
    said = f"archive {where[0]} @ {where[1]}, fetched {page.date} by the crawl" + (f" from the mirror {via}" if via else "")
    provenance = "synthetic" if synthetic else "recorded"
    # the fetch day picks the parser version a fixture tests: a mirror's copy has no such day
    return _write(site, url, kind, page.body, provenance, f"{origin}; {said}" if origin else said,
                  None if via else page.date[:10])


def _write(site: Site, url: str, kind: str, body: bytes, provenance: str, origin: str | None,
           fetched: str | None) -> list[Path]:
    folder = SITES / site.domains[0]
    folder.mkdir(parents=True, exist_ok=True)
    name = _file_name(url, kind, folder)
    row = {"url": url, "file": name, "provenance": provenance, "kind": kind, "source": origin}
    if fetched:
        row["fetched"] = fetched
    _append_row(folder, row)  # refuses a page the manifest already has, before the file is written
    (folder / name).write_bytes(body)
    written = [folder / name, folder / MANIFEST]
    if kind == "article":
        page = Page(folder, row)
        page.draft_path.parent.mkdir(parents=True, exist_ok=True)
        page.draft_path.write_text(json.dumps(draft_expected(site, page), ensure_ascii=False, indent=2) + "\n",
                                   encoding="utf-8")
        written.append(page.draft_path)
    return written
