"""The extractors a user could pick instead of this project, each as ``name -> function(html, url) -> result``.

A result has the keys of ``harness.gold.score_article`` that the extractor can give at all (title,
published, author, lead, body); a key it never gives is left out and shows as "-" in the table. Each peer gets its
best documented settings for Vietnamese news pages. They are imported here only, from requirements-bench.txt,
never by the crawler.
"""
from __future__ import annotations

from pathlib import Path

import sys

from datetime import datetime, timezone
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test harness (tests/harness)

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
# htmldate's default output is the day only; asking for the time too gives trafilatura and htmldate their best score.
DATE_PARAMS = {"original_date": True, "extensive_search": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


def project(html: bytes, url: str) -> dict:
    """This project's generic path (no registry selectors), through every cleaning step a crawl runs."""
    from scrapy.http import HtmlResponse

    from crawler.extract import extract_article
    from crawler.prepare import prepare
    from harness.gold import result_from_item

    item = extract_article(HtmlResponse(url=url, body=html), generic=True, now=NOW)
    prepare(item)
    return result_from_item(item)


def project_extraction_only(html: bytes, url: str) -> dict:
    """The same, without the steps no peer does (topic tagging, content hash, schema validation): the cost of
    extraction and cleaning alone, to compare with the peers' time."""
    from scrapy.http import HtmlResponse

    from crawler.clean.cleaning import clean_article
    from crawler.extract import extract_article
    from crawler.prepare.stages import assign_date
    from harness.gold import result_from_item

    item = extract_article(HtmlResponse(url=url, body=html), generic=True, now=NOW)
    clean_article(item)
    assign_date(item, NOW)
    return result_from_item(item)


def trafilatura_peer(html: bytes, url: str) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(html.decode("utf-8", "replace"), url=url, with_metadata=True,
                                      date_extraction_params=DATE_PARAMS, include_comments=False)
    if doc is None:
        return {"title": None, "published": None, "author": None, "lead": None, "body": None}
    doc = doc.as_dict() if hasattr(doc, "as_dict") else doc
    return {"title": doc.get("title"), "published": doc.get("date"), "author": doc.get("author"),
            "lead": doc.get("description"), "body": doc.get("text")}


def newspaper_peer(html: bytes, url: str) -> dict:
    from newspaper import Article

    article = Article(url, language="vi", fetch_images=False)
    article.download(input_html=html.decode("utf-8", "replace"))
    article.parse()
    published = article.publish_date.isoformat() if article.publish_date else None
    return {"title": article.title, "published": published, "author": " - ".join(article.authors),
            "lead": article.meta_description, "body": article.text}


_goose = None


def goose_peer(html: bytes, url: str) -> dict:
    global _goose
    from goose3 import Goose

    if _goose is None:  # Vietnamese stop words (goose3's stopwords-vi.txt), no language guessing
        _goose = Goose({"target_language": "vi", "use_meta_language": False, "enable_image_fetching": False})
    article = _goose.extract(raw_html=html.decode("utf-8", "replace"), url=url)
    return {"title": article.title, "published": article.publish_date, "author": " - ".join(article.authors or []),
            "lead": article.meta_description, "body": article.cleaned_text}


def readability_peer(html: bytes, url: str) -> dict:
    import lxml.html
    from readability import Document

    doc = Document(html.decode("utf-8", "replace"), url=url)
    summary = lxml.html.fromstring(doc.summary(html_partial=True))
    paragraphs = [" ".join(p.text_content().split()) for p in summary.iter("p", "h2", "h3", "li")]
    return {"title": doc.short_title(), "body": "\n".join(p for p in paragraphs if p)}


def justext_peer(html: bytes, url: str) -> dict:
    import justext

    paragraphs = justext.justext(html, justext.get_stoplist("Vietnamese"))
    return {"body": "\n".join(p.text for p in paragraphs if not p.is_boilerplate)}


def htmldate_peer(html: bytes, url: str) -> dict:
    from htmldate import find_date

    return {"published": find_date(html.decode("utf-8", "replace"), url=url, **DATE_PARAMS)}


ARTICLE_EXTRACTORS = {
    "this project": project,
    "this project (extraction + cleaning)": project_extraction_only,
    "trafilatura": trafilatura_peer,
    "newspaper4k": newspaper_peer,
    "goose3": goose_peer,
    "readability": readability_peer,
    "justext": justext_peer,
    "htmldate": htmldate_peer,
}


def project_listing(html: bytes, url: str) -> tuple[list[str], str | None]:
    from scrapy.http import HtmlResponse

    from crawler.extract import extract_links

    links = extract_links(HtmlResponse(url=url, body=html), generic=True)
    return links.articles, links.next_page


def scrapy_listing(html: bytes, url: str) -> tuple[list[str], str | None]:
    """What a plain Scrapy spider follows: every same-site link of the page (LinkExtractor defaults)."""
    from urllib.parse import urlsplit

    from scrapy.http import HtmlResponse
    from scrapy.linkextractors import LinkExtractor

    host = urlsplit(url).hostname
    links = LinkExtractor(allow_domains=[host]).extract_links(HtmlResponse(url=url, body=html))
    return [link.url for link in links], None


def newspaper_listing(html: bytes, url: str) -> tuple[list[str], str | None]:
    """newspaper4k's article-URL test (``newspaper.urls.valid_url``, what ``Source`` keeps from a category page)."""
    from urllib.parse import urljoin

    import lxml.html
    from newspaper import urls

    root = lxml.html.fromstring(html)
    found: list[str] = []
    for href in root.xpath("//a/@href"):
        link = urljoin(url, href.strip()).split("#", 1)[0]
        if link not in found and urls.valid_url(link):
            found.append(link)
    return found, None


LISTING_EXTRACTORS = {
    "this project": project_listing,
    "scrapy LinkExtractor": scrapy_listing,
    "newspaper4k valid_url": newspaper_listing,
}
