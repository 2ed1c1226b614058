"""The stages between reading an article page and storing it, in order, written once.

``STAGES`` is the order; ``prepare(item, stats)`` runs them. Each stage is a function of the item alone (it
changes the item in place and counts what it did in ``stats``): the same code wherever an article is prepared,
in an extraction worker or the crawl's own process (crawler/prepare/article.py), for another spider's items
(pipelines/intake.py), in ``python -m crawler extract``, ``savefixture``, the bulk import's workers, re-extraction
and the benches. What needs state or the database (validation's drop, titles a site repeats, deduplication, the
writer) stays in the item pipelines.

A stage does what its item still needs: an item read from a page has its raw body HTML and date candidates, and is
cleaned, dated, hashed, tagged and signed; an imported item that already carries its text, date, hash, topics and
signature keeps them (its HTML is sanitized again), so preparing an item twice changes nothing.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime
from urllib.parse import unquote, urlsplit

from crawler.clean.cleaning import clean_article, clean_fields
from crawler.clean.render import sanitize_html
from crawler.minhash import encode_signature, signature
from crawler.stats import Stat
from crawler.vi.dates import has_time, parse_date, to_local_iso, to_utc_iso
from crawler.vi.text import normalize_for_compare, repair_unstorable
from crawler.vi.topics import tag_topics


class NoStats:
    """Stats that count nothing (a caller that does not want the counts)."""

    def inc_value(self, key, count=1, start=0):
        pass


class Counts:
    """Stats kept in a dict (an extraction worker's, to be added to the crawl's; the command line's)."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def inc_value(self, key, count=1, start=0):
        self.counts[key] = self.counts.get(key, start) + count


def repair(item, stats) -> None:
    """Text SQLite, Redis or XML cannot hold (a lone surrogate from a cut-off emoji in JSON-LD, U+FFFF), in every
    field: repaired, counted."""
    for name, value in list(item.items()):
        repaired = repair_unstorable(value)
        if repaired is not value and repaired != value:
            item[name] = repaired
            stats.inc_value(Stat.CLEANING_UNSTORABLE_TEXT)


def clean(item, stats) -> None:
    """The located body HTML into clean text and sanitized HTML, with the body check and its fallbacks
    (crawler/clean/cleaning.py); an item that has its text already keeps it (its fields folded, its HTML
    sanitized again)."""
    if item.get("body_text") is not None:
        clean_fields(item)
        if item.get("body_html"):
            item["body_html"] = sanitize_html(item["body_html"])
        return
    report = clean_article(item)
    for reason, count in report.dropped.items():
        stats.inc_value(Stat.cleaning(reason), count)
    extraction = item.get("extraction") or {}
    for fallback in extraction.get("fallbacks") or ():  # "body: ...", "title: ..." (extraction health)
        stats.inc_value(Stat.fallback(fallback.split(":", 1)[0]))


def assign_date(item: dict, now: datetime | None = None) -> bool:
    """Parse the date candidates in order; keep the first that parses, with its raw text and source.

    Returns False when no candidate gives a date: ``published_at`` stays None (never "now")."""
    candidates = item.pop("date_candidates", None) or []
    if now is None and item.get("crawled_at"):
        now = datetime.fromisoformat(item["crawled_at"].replace("Z", "+00:00"))
    for position, (source, raw) in enumerate(candidates):
        parsed = parse_date(raw, now=now)
        if parsed is not None:
            if not has_time(raw):  # a day only: a later candidate of the same day may give the time
                for later_source, later_raw in candidates[position + 1:]:
                    later = parse_date(later_raw, now=now) if has_time(later_raw) else None
                    if later is not None and to_local_iso(later)[:10] == to_local_iso(parsed)[:10]:
                        parsed, source, raw = later, later_source, later_raw
                        break
            item["published_at"] = to_utc_iso(parsed)
            item["published_at_local"] = to_local_iso(parsed)
            item["date_raw"] = raw
            item["date_source"] = source
            return True
    item["published_at"] = item["published_at_local"] = None
    item["date_raw"] = candidates[0][1] if candidates else None
    item["date_source"] = None
    return False


def date(item, stats) -> None:
    """The publication date from the candidates extraction listed (never "now"); an item without candidates
    keeps the date it carries."""
    if not item.get("date_candidates") and item.get("published_at"):
        item.pop("date_candidates", None)
        return
    if assign_date(item):
        stats.inc_value(Stat.date_source(item["date_source"]))
    else:
        stats.inc_value(Stat.DATE_MISSING)  # published_at stays null, never "now"


def content_hash(title: str | None, body_text: str | None, captions: list[str] | tuple = (),
                 documents: list[str] | tuple = ()) -> str:
    """SHA-256 of the title and the article's text blocks (paragraphs and photo captions) in comparison form and
    sorted: Unicode form, case, tone placement, spacing, and where a copy puts a caption (with its photo, or as
    a plain paragraph when a portal republishes the text without the photo) do not matter. ``documents`` are the
    file names of a short article's attachments (``assign_content_hash``): two notices "Thông báo" whose whole text
    is "xem chi tiết tại đây" differ by the document they attach (names, not bytes: a night whose download failed
    hashes the same)."""
    blocks = [normalize_for_compare(b) for b in re.split(r"\n\s*\n", body_text or "")]
    title_norm = normalize_for_compare(title)
    blocks += [c for c in (normalize_for_compare(c) for c in captions if c) if c != title_norm]  # a title as caption
    payload = title_norm + "\n" + "\n".join(sorted(b for b in blocks if b))
    if documents:
        payload += "\n\f" + "\n".join(sorted(normalize_for_compare(d) for d in documents))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def attachment_files(item: dict) -> list[str]:
    """The file names of the item's attachments (the last segment of each URL's path, decoded)."""
    names = []
    for entry in item.get("attachments") or ():
        if isinstance(entry, dict) and entry.get("url"):
            path = urlsplit(entry["url"]).path.rstrip("/")
            names.append(unquote(path.rsplit("/", 1)[-1]) or entry["url"])
    return names


# Under this many characters of its own text, an article is told apart by the files it attaches too: "Thông báo"
# notices whose text is one line ("Xem chi tiết tại đây") differ only by them. A longer article is its text: the
# newspaper's copy of a portal's report is the same article whether or not it links the PDF.
HASH_DOCUMENTS_BELOW = 500


def assign_content_hash(item: dict) -> str:
    captions = [image.get("caption") for image in item.get("images") or [] if isinstance(image, dict)]
    short = len(item.get("body_text") or "") < HASH_DOCUMENTS_BELOW
    item["content_hash"] = content_hash(item.get("title"), item.get("body_text"), captions,
                                        attachment_files(item) if short else ())
    return item["content_hash"]


def hashed(item, stats) -> None:
    """The content hash (deduplication's key) of an item that has none."""
    if not item.get("content_hash"):
        assign_content_hash(item)


# Characters of each attached document's text read for topics: its first pages (the header, the subject, the
# introduction say what a plan or report is about; a 200-page annex would match every topic of the lexicon).
DOCUMENT_TOPIC_CHARS = 20_000


def documents_text(item: dict, limit: int | None = None) -> str:
    """The text of the item's attached documents, each cut at ``limit`` characters, one after the other."""
    texts = [entry["text"][:limit] for entry in item.get("attachments") or ()
             if isinstance(entry, dict) and entry.get("text")]
    return "\n\n".join(texts)


def assign_topics(item: dict) -> list[str]:
    """CCHC topics, the terms that matched and a relevance score (1.0 for articles of a CCHC section), from the
    title, lead and body, and the first pages of the documents the article attaches."""
    item["from_cchc_section"] = bool(item.get("from_cchc_section"))
    body = "\n\n".join(filter(None, (item.get("body_text"), documents_text(item, DOCUMENT_TOPIC_CHARS))))
    topics, terms, relevance = tag_topics(item.get("title"), item.get("lead"), body or None,
                                          item["from_cchc_section"])
    item["topics"], item["topic_terms"], item["relevance"] = topics, terms, relevance
    return topics


def topics(item, stats) -> None:
    """CCHC topics and relevance (crawler/vi/topics.toml), for an item that has none yet."""
    if item.get("topics") is not None and item.get("relevance") is not None:
        return
    found = assign_topics(item)
    stats.inc_value(Stat.TOPICS_RELEVANT if found or item["from_cchc_section"] else Stat.TOPICS_NONE)


def signed(item, stats) -> None:
    """The near-duplicate signature (MinHash, crawler/minhash.py), computed where the article is read: in a
    distributed crawl the workers compute it and the single SQLite writer only stores it."""
    if item.get("story_signature") is None:
        minhash = signature(item.get("title"), item.get("body_text"))
        if minhash is not None:
            item["story_signature"] = encode_signature(minhash)


def with_documents(item, attachments: list[dict], stats) -> None:
    """The article's documents read (pipelines/documents.py): ``attachments`` replace its candidates, and its topics
    and relevance are tagged again with their text (the topics stage read the article alone where it was read).
    The content hash stays: it holds the documents' file names already."""
    item["attachments"] = attachments
    if not documents_text(item):
        return
    was_relevant = bool(item.get("topics")) or bool(item.get("from_cchc_section"))
    before = item.get("relevance") or 0
    found = assign_topics(item)
    if found and not was_relevant:  # the topics stage counted it as none
        stats.inc_value(Stat.TOPICS_NONE, -1)
        stats.inc_value(Stat.TOPICS_RELEVANT)
    if (item.get("relevance") or 0) >= 0.5 > before:
        stats.inc_value(Stat.DOCUMENTS_MADE_RELEVANT)


def retitled(item: dict, title: str) -> None:
    """A new title (pipelines/repeated_titles.py), and what depends on it computed again."""
    item["title"] = title
    assign_content_hash(item)
    assign_topics(item)
    minhash = signature(item.get("title"), item.get("body_text"))
    item["story_signature"] = encode_signature(minhash) if minhash is not None else None


STAGES = (repair, clean, date, hashed, topics, signed)


def prepare(item, stats=None):
    """Run ``STAGES`` on ``item`` in order; returns the item. Relative dates ("2 giờ trước") are read against the
    item's crawl time (``crawled_at``), so preparing is a function of the item alone."""
    stats = stats if stats is not None else NoStats()
    for stage in STAGES:
        stage(item, stats)
    return item
