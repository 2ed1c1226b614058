"""Gold pages and the scoring rules of ``../shared/real-pages/GOLD.md``, shared by the quality bench and the tests.

A gold file is the hand-read truth about one real page (never an extractor's output). Shared gold sits beside the
page in ``../shared/real-pages/<site>/<page>.gold.json``; the project's own gold for the other real pages is in
``tests/gold/<site>/<page>.gold.json`` and names the same page under ``../shared/real-pages`` (or, for recorded
fixtures, ``tests/fixtures/sites``).

Scoring (GOLD.md): text is compared after NFC and folding whitespace runs (NBSP too) to one space.
- title: equal.  date: within 60 s of ``published_local``, or the same local day when gold has only a day; gold
  null (the page states no date): no date.
- body start: the first 60 characters of ``body_first`` in the first 600 of the body; body end: the last 60 of
  ``body_last`` in the last 800; boilerplate: no ``must_not_contain`` string in the body.
- author: gold's author lower-cased contained in the item's (lower-cased); gold null: the item has none.
- lead (rule of this project, GOLD.md has none): gold's first 60 characters in the item's first 100 and the item's
  lead at most 1.5x gold's length; gold null: no lead, or one that only repeats the start of the article text.
- listing: at least 90% of ``article_urls`` found, none of ``sidebar_or_nav_examples``, ``next_page_url`` found
  (gold null: none invented).
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_PAGES = ROOT.parent / "shared" / "real-pages"
PROJECT_GOLD = ROOT / "tests" / "gold"
FIXTURE_SITES = ROOT / "tests" / "fixtures" / "sites"
# Pages written here for the generic path (notices of department portals ...), gold beside each: synthetic, so
# scored apart from the real pages.
GENERIC_PAGES = ROOT / "tests" / "fixtures" / "generic"
VN = timezone(timedelta(hours=7))
ARTICLE_CHECKS = ("title", "date", "body_start", "body_end", "boilerplate", "author", "lead", "length")
LISTING_CHECKS = ("recall", "no_sidebar", "next_page")


def fold(text: str | None) -> str:
    """NFC, every whitespace run (NBSP included) one space, trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "").replace("\u00a0", " ")).strip()


@dataclass(frozen=True)
class GoldPage:
    name: str  # "<site>/<page>" without .html
    kind: str  # "article" or "listing"
    html_path: Path
    gold: dict
    gold_path: Path
    synthetic: bool = False

    @property
    def url(self) -> str:
        return self.gold["url"]


def _page_for(relative: str) -> Path | None:
    for base in (SHARED_PAGES, FIXTURE_SITES):
        path = base / relative
        if path.exists():
            return path
    return None


def gold_pages(synthetic: bool = False) -> list[GoldPage]:
    """Every real gold page whose HTML is present, shared gold first; each page once. ``synthetic``: the pages
    written here (tests/fixtures/generic) instead."""
    found: dict[str, GoldPage] = {}
    if synthetic:
        for gold_path in sorted(GENERIC_PAGES.glob("*/*.gold.json")):
            relative = f"{gold_path.parent.name}/{gold_path.name[:-len('.gold.json')]}"
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            kind = "listing" if "article_urls" in gold else "article"
            found[relative] = GoldPage(relative, kind, gold_path.with_name(gold_path.name.replace(".gold.json", ".html")),
                                       gold, gold_path, synthetic=True)
        return list(found.values())
    for base in (SHARED_PAGES, PROJECT_GOLD):
        if not base.exists():
            continue
        for gold_path in sorted(base.glob("*/*.gold.json")):
            relative = f"{gold_path.parent.name}/{gold_path.name[:-len('.gold.json')]}"
            html = _page_for(relative + ".html")
            if html is None or relative in found:
                continue
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            kind = "listing" if "article_urls" in gold else "article"
            found[relative] = GoldPage(relative, kind, html, gold, gold_path)
    return list(found.values())


def _parse_when(value) -> tuple[datetime | None, bool]:
    """(datetime, has_time) of an ISO string, datetime or date; naive values are Vietnam time."""
    if value is None or value == "":
        return None, False
    if isinstance(value, datetime):
        dt, has_time = value, True
    else:
        text = str(value).strip().replace("Z", "+00:00")
        has_time = bool(re.search(r"\d[T ]\d{1,2}:\d{2}", text))
        try:
            dt = datetime.fromisoformat(text if has_time else text[:10])
        except ValueError:
            return None, False
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=VN)
    return dt, has_time


def date_matches(gold_value: str, predicted) -> bool:
    gold_dt, gold_has_time = _parse_when(gold_value)
    got, got_has_time = _parse_when(predicted)
    if got is None or gold_dt is None:
        return False
    if not gold_has_time:
        return got.astimezone(VN).date() == gold_dt.date()
    return got_has_time and abs((got - gold_dt).total_seconds()) <= 60


def result_from_item(item) -> dict:
    """The scored fields of a processed ArticleItem (what a crawl stores), as ``score_article`` takes them."""
    return {"title": item.get("title"), "published": item.get("published_at_local"), "author": item.get("author"),
            "lead": item.get("lead"), "body": item.get("body_text")}


def score_article(gold: dict, result: dict) -> dict[str, bool | None]:
    """Check -> passed (None: the extractor gives no such field at all). ``result`` keys: title, published
    (ISO string or datetime), author, lead, body (text)."""
    body = fold(result.get("body"))
    first, last = fold(gold["body_first"]), fold(gold["body_last"])
    checks: dict[str, bool | None] = {}
    checks["title"] = None if "title" not in result else fold(result["title"]) == fold(gold["title"])
    if "published" not in result:
        checks["date"] = None
    elif gold.get("published_local") is None:  # the page states no date: none may be invented (nor "now")
        checks["date"] = not result["published"]
    else:
        checks["date"] = date_matches(gold["published_local"], result["published"])
    checks["body_start"] = bool(body) and first[:60] in body[:600]
    checks["body_end"] = bool(body) and last[-60:] in body[-800:]
    checks["boilerplate"] = bool(body) and not any(fold(s) in body for s in gold.get("must_not_contain", []))
    if "author" not in result:
        checks["author"] = None
    else:
        got = fold(result.get("author")).lower()
        checks["author"] = (fold(gold["author"]).lower() in got) if gold.get("author") else not got
    if "lead" not in result:
        checks["lead"] = None
    else:
        lead, want = fold(result.get("lead")), fold(gold.get("lead"))
        if want:
            checks["lead"] = want[:60] in lead[:100] and len(lead) <= 1.5 * len(want)
        else:
            checks["lead"] = not lead or lead[:60] in first
    approx = gold.get("body_chars_approx")
    checks["length"] = bool(approx) and abs(len(body_paragraphs_joined(result.get("body"))) - approx) <= 0.1 * approx
    return checks


def gold_body_text(page: GoldPage) -> str | None:
    """The page's whole hand-read body text (``tests/gold/<site>/<page>.body.txt``, made by tests/gold/body_text.py
    from selectors chosen by reading the markup), or None when there is none."""
    path = PROJECT_GOLD / f"{page.name}.body.txt"
    return path.read_text(encoding="utf-8") if path.exists() else None


_TOKEN = re.compile(r"\w+")


def body_f1(gold_text: str, body: str | None) -> tuple[float, float, float]:
    """(precision, recall, F1) of the body's word tokens against the gold text's, as bags of words (lower case,
    NFC): the measure of the article-extraction benchmarks (Zyte's, trafilatura's evaluation)."""
    from collections import Counter

    want = Counter(_TOKEN.findall(fold(gold_text).lower()))
    got = Counter(_TOKEN.findall(fold(body).lower()))
    common = sum((want & got).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def body_paragraphs_joined(body: str | None) -> str:
    """The body as GOLD.md counts ``body_chars_approx``: paragraphs folded, joined by single newlines."""
    return "\n".join(p for p in (fold(part) for part in re.split(r"\n+", body or "")) if p)


_HTTRACK_SUFFIX = re.compile(r"(/index)?\.html(?=$|\?)")


def _norm_url(url: str, httrack: bool = False) -> str:
    """A URL as gold compares it. ``httrack``: the page is an HTTrack mirror, whose links HTTrack rewrote by
    appending ".html" (and "index.html" to folders); gold names the original URLs (odp.cantho.gov.vn's notes give
    the rule), so the suffix is dropped on both sides."""
    url = url.split("#", 1)[0]
    if httrack:
        url = _HTTRACK_SUFFIX.sub("", url)
    return url.rstrip("/")


def is_httrack_mirror(html: bytes) -> bool:
    """The saved page says it was mirrored by HTTrack (a comment near its top)."""
    return b"by HTTrack Website Copier" in html[:4096]


def score_listing(gold: dict, articles: list[str], next_page: str | None,
                  httrack: bool = False) -> dict[str, bool | None | float]:
    want = [_norm_url(u, httrack) for u in gold["article_urls"]]
    got = {_norm_url(u, httrack) for u in articles}
    found = sum(1 for u in want if u in got)
    recall = found / len(want) if want else 1.0
    sidebar = [u for u in gold.get("sidebar_or_nav_examples", []) if _norm_url(u, httrack) in got]
    checks: dict = {"recall": recall >= 0.9, "no_sidebar": not sidebar}
    expected_next = gold.get("next_page_url")
    checks["next_page"] = next_page is None if expected_next is None else (
        next_page is not None and _norm_url(next_page, httrack) == _norm_url(expected_next, httrack))
    checks["_found"], checks["_wanted"], checks["_sidebar_taken"] = found, len(want), len(sidebar)
    return checks
