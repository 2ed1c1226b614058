"""The CCHC section and the news sections of a portal, from any page that has the site's menu; and a guess of
the CMS family.

A section link is a link on the site's own domains (or a subdomain of the province's portal, where many put
their CCHC pages: cchc.danang.gov.vn) whose URL is a section, not an article (few path segments, no article
id), and whose text or URL names the topic. CCHC words, in Vietnamese with or without diacritics, weigh most;
the link text counts more than the URL; a link in the menu (nav, header, a list of links) a little more.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.extract.links import looks_like_article
from crawler.registry import host_of
from crawler.vi.text import clean_text, strip_diacritics

# Folded (no diacritics, lower case) terms and their weight: administrative reform first.
CCHC_TERMS = {"cai cach hanh chinh": 10, "cchc": 9, "thu tuc hanh chinh": 8, "tthc": 6, "mot cua": 6,
              "dich vu cong": 6, "chuyen doi so": 5, "chinh quyen dien tu": 5, "chinh quyen so": 5,
              "hanh chinh cong": 5, "dvc": 3}
NEWS_TERMS = {"tin tuc": 4, "tin tuc su kien": 5, "thoi su": 4, "tin hoat dong": 4, "tin trong tinh": 4,
              "tin dia phuong": 3, "chinh tri": 2, "su kien": 2, "tin moi": 2, "news": 2}
_MENU = re.compile(r"menu|nav|header|topbar|danh-?muc|category", re.I)
# Sections of media, not articles (baohatinh.vn/video/thoi-su-ha-tinh): half weight.
_MEDIA = re.compile(r"/(video|videos|clip|photo|anh|media|podcast|emagazine|infographic|longform|multimedia)(/|$)", re.I)
# Markers of a CMS family in a page's HTML (the registry's cms values): (family, pattern, weight).
CMS_MARKERS = [
    ("liferay", re.compile(r"/-/asset_publisher/|/web/guest/|Liferay\.|p_p_id=|/o/[\w-]+-theme/|liferay", re.I), 3),
    ("sharepoint", re.compile(r"/SitePages/|/_layouts/|_spPageContextInfo|SharePoint|/Style%20Library/", re.I), 3),
    ("aspnet", re.compile(r"__VIEWSTATE|__doPostBack|\.aspx\b", re.I), 2),
    ("post-id", re.compile(r"-post\d{4,}\.html?\b"), 2),
    ("wordpress", re.compile(r"/wp-content/|/wp-includes/|wp-json", re.I), 3),
    ("joomla", re.compile(r"option=com_|/components/com_|Joomla", re.I), 3),
    ("drupal", re.compile(r"/sites/default/files/|Drupal\.settings|drupal", re.I), 3),
]


@dataclass(frozen=True)
class SectionLink:
    url: str
    text: str
    score: float
    why: str


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", strip_diacritics(text or "").lower()).split())


def _terms_score(folded: str, terms: dict[str, int]) -> tuple[int, str | None]:
    best = max(((w, t) for t, w in terms.items() if re.search(rf"(^| ){re.escape(t)}( |$)", folded)), default=(0, None))
    return best


def _same_site(host: str, site_host: str) -> bool:
    """The site's host, its subdomains, or (for a portal) another subdomain of its parent: cchc.danang.gov.vn
    for danang.gov.vn, but not another province's portal."""
    host, site_host = host.removeprefix("www."), site_host.removeprefix("www.")
    if host == site_host or host.endswith("." + site_host):
        return True
    parent = site_host.split(".", 1)[1] if site_host.count(".") >= 2 else site_host
    return site_host.endswith(".gov.vn") and host.endswith("." + parent) and parent not in ("gov.vn",) and \
        host.split(".", 1)[1] == parent


def _section_like(url: str, text: str) -> bool:
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if looks_like_article(url, text, ()) or len(segments) > 4 or "#" in url and not parts.path.strip("/"):
        return False
    return not re.search(r"\d{4,}", parts.path)  # an article id or a date in the path


def rank_sections(sel: Selector, url: str, limit: int = 5) -> tuple[list[SectionLink], list[SectionLink]]:
    """(CCHC sections, news sections), best first."""
    site_host = host_of(url)
    cchc: dict[str, SectionLink] = {}
    news: dict[str, SectionLink] = {}
    for a in sel.xpath("//a[@href]"):
        href = urljoin(url, a.attrib["href"].strip())
        if not href.startswith(("http://", "https://")) or not _same_site(host_of(href), site_host):
            continue
        text = clean_text(a.xpath("string()").get()) or clean_text(a.attrib.get("title")) or ""
        if len(text) > 60 or not _section_like(href, text):
            continue
        path = _fold(urlsplit(href).path.replace("-", " ").replace("_", " ")) + " " + _fold(urlsplit(href).hostname or "")
        in_menu = any(_MENU.search(f"{n.get('class', '')} {n.get('id', '')} {n.tag}") for n in a.root.iterancestors())
        for terms, found in ((CCHC_TERMS, cchc), (NEWS_TERMS, news)):
            by_text, text_term = _terms_score(_fold(text), terms)
            by_url, url_term = _terms_score(path, terms)
            score = by_text * 1.0 + by_url * 0.6 + (1 if in_menu and (by_text or by_url) else 0)
            if score <= 0:
                continue
            other_portal = host_of(href) != site_host and urlsplit(href).path.strip("/") == ""
            media = bool(_MEDIA.search(urlsplit(href).path))
            score *= 0.5 if other_portal or media else 1
            why = ", ".join(filter(None, (f"text names '{text_term}'" if text_term else "",
                                          f"URL names '{url_term}'" if url_term else "", "in the menu" if in_menu else "",
                                          "another portal's home (a service, not news?)" if other_portal else "",
                                          "a media section" if media else "")))
            key = href.rstrip("/")
            if key not in found or found[key].score < score:
                found[key] = SectionLink(href, text, round(score, 1), why)
            break  # a CCHC section is not also listed as a news section
    order = lambda d: sorted(d.values(), key=lambda s: (-s.score, len(s.url)))[:limit]  # noqa: E731
    return order(cchc), order(news)


def guess_cms(html: str) -> list[tuple[str, int]]:
    """CMS families whose markers the page shows, most evidence first: [(family, score)]."""
    scores = []
    for family, pattern, weight in CMS_MARKERS:
        hits = len(pattern.findall(html))
        if hits:
            scores.append((family, weight * min(hits, 20)))
    return sorted(scores, key=lambda s: -s[1])
