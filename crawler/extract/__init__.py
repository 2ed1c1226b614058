"""Article extraction: a pure function of the response (no requests, no database).

``extract_article`` returns an ``ArticleItem`` with raw-but-located fields; the item pipelines (or
the preparation stages of crawler/prepare) then clean the text, parse the date and hash it.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from urllib.parse import urljoin

from scrapy.http import HtmlResponse, TextResponse

from crawler.vi.dates import to_utc_iso
from crawler.extract.authors import find_author
from crawler.extract.body import choose_body
from crawler.extract.content import find_category, find_lead, in_boilerplate, select
from crawler.extract.datefind import date_candidates, htmldate_candidate
from crawler.extract.documents import attachment_links
from crawler.extract.links import ListingLinks, find_article_links
from crawler.extract.metadata import page_metadata
from crawler.extract.title import choose_title, title_element
from crawler.extract.zones import in_related_zone, related_zones
from crawler.items import ArticleItem
from crawler.registry import Site, host_of, site_for_url
from crawler.vi.text import clean_text

__all__ = ["extract_article", "extract_links", "site_selectors", "response_from_file"]


def site_selectors(site: Site | None, sel, fetched_on: date | None = None) -> dict[str, str]:
    """Selectors of the parser version for the fetch date; an older version if only its body selector matches."""
    if site is None:
        return {}
    current = site.selectors(fetched_on)
    if not current.get("body") or select(sel, current["body"]):
        return current
    for version in site.selector_versions():
        if version.get("body") and select(sel, version["body"]):
            return version
    # No version's body selector matches this page: keep only what still matches, generic for the rest.
    return {k: v for k, v in current.items() if k in ("remove",) or select(sel, v)}


def extract_article(
    response: TextResponse,
    site: Site | None = None,
    *,
    now: datetime | None = None,
    listing_date: str | None = None,
    feed_date: tuple[str, str] | None = None,
    generic: bool = False,
) -> ArticleItem:
    """Locate the article's parts on the page. ``generic=True`` ignores registry selectors. ``feed_date`` is
    ``(source, raw)`` from the feed ("feed") or News sitemap ("sitemap") that listed the page: after the page's
    own dates, before htmldate's guess."""
    now = now or datetime.now(timezone.utc)
    url = response.url
    if site is None and not generic:
        site = site_for_url(url)
    sel = response.selector
    selectors = {} if generic else site_selectors(site, sel, now.date())
    meta = page_metadata(sel)
    body = choose_body(sel, selectors.get("body"), url, selectors.get("remove"))
    title = choose_title(sel, selectors.get("title"), meta, url, body.element)
    title_at = title.element if title.element is not None else title_element(sel, title.title)
    candidates = date_candidates(sel, url, meta, selectors.get("date"), title_at)
    if feed_date and feed_date[1]:
        candidates.append(list(feed_date))
    if not candidates:
        fallback = htmldate_candidate(sel, url, title_at)
        if fallback:
            candidates.append(fallback)
    if listing_date:
        candidates.append(["listing", listing_date])
    canonical = meta.get("canonical")
    # How each field was found, and which trusted method was refused (crawler/clean/check.py adds the body's
    # verdict, the date step the date's source): stored with the article, shown by `extract --explain`.
    extraction = {"title": title.method, "body": body.method, "fallbacks": list(title.fallbacks)}
    if body.doubt:
        extraction["body_doubt"] = body.doubt
    return ArticleItem(
        url=url,
        canonical_url=urljoin(url, canonical) if canonical else None,
        site=site.key if site else host_of(url),
        province=site.province if site else None,
        province_before_2025=site.province_before_2025 if site else None,
        title=title.title,
        lead=find_lead(sel, selectors.get("lead"), meta, body.element, title_at),
        body_html=body.html,
        body_text=None,
        author=find_author(sel, selectors.get("author"), meta),
        source_attribution=clean_text(" ".join(select(sel, selectors.get("attribution")).xpath(".//text()").getall())),
        category=find_category(sel, selectors.get("category"), meta),
        tags=_tags(sel, selectors.get("tags"), meta),
        images=[],
        published_at=None,
        published_at_local=None,
        date_raw=None,
        date_source=None,
        date_candidates=candidates,
        body_alternatives=body.alternatives,
        title_alternatives=title.alternatives,
        extraction=extraction,
        attachments=_attachments(sel, url, site, body.element, title_at),
        content_hash=None,
        crawled_at=to_utc_iso(now.replace(microsecond=0)),
    )


def _attachments(sel, url: str, site: Site | None, body, title_at) -> list[dict]:
    """The documents the page attaches (crawler/extract/documents.py): candidates ``{url, name}``, fetched and
    read by pipelines/documents.py. Outside the body, page furniture and other articles' boxes do not count."""
    root = sel.root
    if not hasattr(root, "iter"):
        return []
    zones = related_zones(root)
    anchor = title_at if title_at is not None else body

    def skip(element) -> bool:
        return in_boilerplate(element) or in_related_zone(element, zones, unless_holding=anchor)

    return attachment_links(root, url, site.all_domains if site else (), body, skip)


def _tags(sel, selector: str | None, meta: dict) -> list[str]:
    raw = select(sel, selector).xpath("normalize-space(.)").getall() if selector else meta.get("tags", [])
    return list(dict.fromkeys(t for t in (clean_text((t or "").lstrip("#")) for t in raw) if t))


def extract_links(response: TextResponse, site: Site | None = None, *, generic: bool = False,
                  page: int | None = None) -> ListingLinks:
    """Article links, listing dates and next page (a URL, or an ASP.NET postback) of listing page ``page``."""
    if site is None and not generic:
        site = site_for_url(response.url)
    selectors = {} if generic or site is None else site.selectors()
    domains = site.all_domains if site else (host_of(response.url),)
    return find_article_links(response.selector, response.url, domains, selectors, page)


def response_from_file(path: str, url: str, encoding: str | None = None) -> HtmlResponse:
    """A response built from a saved page, for the command line and tests (encoding sniffed like Scrapy does)."""
    with open(path, "rb") as fh:
        body = fh.read()
    return HtmlResponse(url=url, body=body, encoding=encoding) if encoding else HtmlResponse(url=url, body=body)
