"""The article's title: candidates in order of trust, each checked before it is believed.

Trust order: the site's selector; the longest heading that <title>/og:title starts with; the first <h1>;
og:title (or JSON-LD headline); the longest part of <title>. A candidate loses to the next one when it is the
site's name (og:site_name, the suffix of <title>, the text of the link home, "Cổng thông tin điện tử ...") or
when the URL carries a title (Vietnamese URLs usually do, without diacritics:
``/le-ra-quan-tong-dieu-tra-dan-so-va-nha-o-nam-2019``) and the candidate shares almost none of its words.
When no candidate passes, the element of the page whose text best agrees with the URL's words is the title
(notices of department portals print their headline as a styled paragraph in a table, with no <h1>).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from parsel import Selector

from crawler.extract.content import _site_name_like, element_text, in_boilerplate, select
from crawler.extract.page_index import page_index
from crawler.vi.text import clean_text, normalize_for_compare, strip_diacritics

_WORD = re.compile(r"[a-z0-9]+")
# Trailing article ids in a slug: "-post404649", "-a196670", "-ar994669", "-20260307080054340", "_123".
_SLUG_ID = re.compile(r"[-_.]?(post|ar|a|bv|n|d|c|t|tin|id)?\d{3,}$")
# A slug that names the title has at least this many words; "tin-tuc" or "chi-tiet" name a section.
SLUG_MIN_WORDS = 4
# Share of the slug's words a title must contain to agree with it (URLs are often cut: baocantho.com.vn keeps
# ~100 characters, the last word half written), and under which a candidate "shares nothing" with it.
AGREES, DISAGREES = 0.6, 0.2
_TITLE_SPLIT = re.compile(r"\s+[|–—>-]\s+|\s+::\s+|\s*»\s*")


@dataclass
class TitleChoice:
    title: str | None
    method: str
    fallbacks: list[str] = field(default_factory=list)  # why better-trusted candidates were refused
    alternatives: list[list[str]] = field(default_factory=list)  # [method, text] of the runners-up
    element: object | None = None  # the element that shows it, when the method found one


def folded_words(text: str | None) -> list[str]:
    """Lower-case ASCII words of a text, as a URL slug spells them ("Đắk Nông" -> ["dak", "nong"])."""
    return _WORD.findall(strip_diacritics(text or "").lower())


def slug_words(url: str) -> list[str]:
    """The words of the URL's title slug: its last path segment without extension or trailing id, else the
    longest query value; [] when the URL names no title (ids, "Default.aspx?ItemID=12", a section path such as
    "/thong-tin-chi-dao-dieu-hanh/12345.html", whose words are the section's, not the article's)."""
    parts = urlsplit(url)
    segments = [unquote(p) for p in parts.path.split("/") if p]
    pieces = segments[-1:] + sorted((unquote(v) for pair in parts.query.split("&") for v in pair.split("=")[1:]),
                                    key=len, reverse=True)[:1]
    for piece in pieces:
        stem = re.sub(r"\.(html?|aspx?|php|jsp|bcb|vnp)$", "", piece.lower())
        stem = _SLUG_ID.sub("", stem)
        words = [w for w in folded_words(stem.replace("_", "-")) if not w.isdigit()]
        if len(words) >= SLUG_MIN_WORDS:  # "bai-viet-so-12" (three words and a number) names no title
            return words
    return []


def slug_agreement(text: str | None, slug: list[str]) -> float:
    """Share of the slug's words the text contains (the slug may be cut, its last word half written)."""
    if not slug or not text:
        return 0.0
    words = set(folded_words(text))
    found = sum(1 for i, w in enumerate(slug) if w in words or (i == len(slug) - 1 and any(x.startswith(w) for x in words)))
    return found / len(slug)


def _overlap(text: str, other: str) -> float:
    """Share of the text's words that the other text has too."""
    words, others = folded_words(text), set(folded_words(other))
    return sum(1 for w in words if w in others) / len(words) if words else 0.0


def site_names(sel: Selector, meta: dict, url: str) -> set[str]:
    """The site's name as the page states it, in comparison form without spaces: og:site_name, the last part
    of <title>, and the text or image title of the links to the homepage."""
    names = {meta.get("site_name") or ""}
    html_title = meta.get("html_title") or ""
    parts = _TITLE_SPLIT.split(html_title)
    if len(parts) > 1:
        names.add(parts[-1])  # "Headline - Site name": the last part names the site
    host = (urlsplit(url).hostname or "").lower()
    home = {"", "/", ".", "./", "#top", "/index.html", "/default.aspx", "/trang-chu"}
    for scheme in ("http", "https"):
        for name in (host, host.removeprefix("www."), "www." + host.removeprefix("www.")):
            home.update((f"{scheme}://{name}", f"//{name}"))
    for href in sel.root.xpath("//a/@href"):
        if href.strip().rstrip("/").lower() in home and href.strip():
            a = href.getparent()
            names.add(element_text(a) or a.get("title") or "")
            names.update(img.get("alt") or "" for img in a.iter("img"))
    return {n for n in (normalize_for_compare(x).replace(" ", "") for x in names) if len(n) >= 6}


_TITLE_CLASS = re.compile(r"title|tieu-?de|tieude|headline|heading|tenbai|ten-bai", re.I)
_EMPHASIS = {"strong", "b", "font", "span", "em"}
# How many elements before the body (document order) the headline may be: a date line, a sapo, a share bar and
# their wrappers lie between them; further up are the page's menus.
ABOVE_BODY = 40


def _headline_strength(element) -> int:
    """2: a heading tag, a title class or a styled paragraph; 1: an emphasised line that is its block's whole
    text (department portals print the headline as <td><strong><font>...</font></strong></td>); 0: neither."""
    if element.tag in ("h1", "h2", "h3", "h4", "h5"):
        return 2
    marker = f"{element.get('class') or ''} {element.get('id') or ''}"
    if _TITLE_CLASS.search(marker):
        return 2
    style = (element.get("style") or "").replace(" ", "").lower()
    if element.tag in ("p", "div") and ("font-weight:bold" in style or "font-size:1" in style or "font-size:2" in style):
        return 2
    if element.tag in _EMPHASIS:
        parent = element.getparent()
        return int(parent is not None and element_text(parent) == element_text(element))
    return 0


def _headline_text(text: str) -> bool:
    """A headline's length and form: not a date line ("Cập nhật ngày 26/04/2019 08:30"), not a sentence of a
    sapo ("Ngày 17/01/2019, Sở Nội vụ tổ chức ... ." is long and ends with a full stop)."""
    from crawler.extract.datefind import _HAS_DATE
    from crawler.vi.furniture import RELATED_HEADING_RE

    if not 15 <= len(text) <= 300 or RELATED_HEADING_RE.search(text):
        return False
    if len(text) <= 60 and _HAS_DATE.search(text):
        return False
    return not (text.endswith(".") and len(text) > 160)


def _heading_above_body(sel: Selector, body, names: set[str]):
    """The nearest headline-like text above the body (outside menus and other articles' boxes): a heading or a
    title class first, else an emphasised line."""
    from crawler.extract.zones import in_related_zone, related_zones

    if body is None:
        return None
    index = page_index(sel)
    order, start = index.order, index.order_position.get(body)
    if start is None:
        return None
    zones = related_zones(sel.root)
    window = [e for e in reversed(order[max(0, start - ABOVE_BODY):start])
              if not any(a is e for a in body.iterancestors())]
    for wanted in (2, 1):
        for element in window:
            if _headline_strength(element) != wanted:
                continue
            text = element_text(element)
            if not _headline_text(text) or normalize_for_compare(text).replace(" ", "") in names \
                    or _site_name_like(text, {}) or in_boilerplate(element) or in_related_zone(element, zones):
                continue
            return text, element
    return None


def _heading_candidates(sel: Selector, meta: dict, body=None, names=frozenset(), passed=()):
    """(text, method) of the usual title places, in order of trust."""
    stated = [t for t in (normalize_for_compare(meta.get("html_title")), normalize_for_compare(meta.get("title"))) if t]
    index = page_index(sel)
    best, best_at = None, None
    # The visible title is usually the longest heading-like element that <title> (or og:title) starts with.
    for element in index.title_like:  # h1-h3 and elements with "title" or "tieu-de" in their class
        text = element_text(element)
        if not 10 <= len(text) <= 400 or in_boilerplate(element):
            continue
        norm = normalize_for_compare(text)
        if any(t.startswith(norm) for t in stated) and (best is None or len(text) > len(best)):
            best, best_at = text, element
    if best:
        yield best, "heading=page-title", best_at
    for element in index.h1:  # the article's own first <h1> (SEO titles differ from every heading)
        text = element_text(element)
        if text and 10 <= len(text) <= 400 and not in_boilerplate(element):
            yield text, "h1", element
            break
    if meta.get("title"):
        yield clean_text(meta["title"]), "og:title", None
    if not passed:  # the nearest headline above the body: looked for only when the usual places gave nothing
        above = _heading_above_body(sel, body, names)
        if above:
            yield above[0], "heading-above-body", above[1]
    if meta.get("html_title"):
        yield clean_text(max(_TITLE_SPLIT.split(meta["html_title"]), key=len)), "html-title", None


def _slug_match(sel: Selector, slug: list[str]) -> tuple[str, float, object] | None:
    """The page's short text element (outside menus and sidebars) that best agrees with the URL's words: most of
    the slug's words (recall, at least AGREES), and few others (precision: a box holding the headline and its
    sapo agrees as much as the headline alone, but says more)."""
    best = None
    for element in sel.root.iter("h1", "h2", "h3", "h4", "h5", "p", "span", "td", "strong", "b", "div", "font"):
        if element.tag in ("div", "td", "p") and len(element) > 4:
            continue
        raw = element.text_content()  # in C; the text is cleaned only for the few that can agree
        if not 10 <= len(raw) <= 600:
            continue
        text = element_text(element)
        if not 10 <= len(text) <= 300:
            continue
        recall = slug_agreement(text, slug)
        if recall < AGREES:
            continue
        words = folded_words(text)
        precision = sum(1 for w in words if w in slug) / len(words)
        score = 2 * recall * precision / (recall + precision)
        if (best is None or score > best[1]) and not in_boilerplate(element):
            best = (text, score, element)
    return best


def choose_title(sel: Selector, selector: str | None, meta: dict, url: str, body=None) -> TitleChoice:
    """The title and how it was found (``body``: the body element, under which the headline usually sits)."""
    if selector:
        title = clean_text(" ".join(select(sel, selector).xpath(".//text()").getall()))
        if title and len(title) <= 400:  # longer: the selector caught more than a headline (a whole column)
            return TitleChoice(title, "selector")
    slug = slug_words(url)
    names = site_names(sel, meta, url)
    og = meta.get("title")
    fallbacks: list[str] = []
    passed: list[tuple[str, str]] = []
    elements: dict[str, object] = {}
    for text, method, element in _heading_candidates(sel, meta, body, names, passed):
        if len(passed) >= 3:
            break  # the title and two runners-up (for a title the site repeats): the rest need not be computed
        if not text or any(text == t for t, _ in passed):
            continue
        compact = normalize_for_compare(text).replace(" ", "")
        if compact in names or _site_name_like(text, meta):
            fallbacks.append(f"title: {method} {text[:60]!r} is the site's name")
            continue
        if slug and slug_agreement(text, slug) < DISAGREES and (not og or _overlap(text, og) < DISAGREES):
            fallbacks.append(f"title: {method} {text[:60]!r} shares nothing with the URL's words")
            continue
        passed.append((text, method))
        elements.setdefault(text, element)
    if slug and not any(slug_agreement(t, slug) >= AGREES for t, _ in passed):
        found = _slug_match(sel, slug)
        if found and (not passed or found[1] > slug_agreement(passed[0][0], slug) + 0.3):
            if passed:
                fallbacks.append(f"title: {passed[0][1]} {passed[0][0][:60]!r} agrees less with the URL's words")
            passed.insert(0, (found[0], "slug-match"))
            elements[found[0]] = found[2]
    if not passed:
        return TitleChoice(None, "none", fallbacks)
    (title, method), rest = passed[0], passed[1:]
    return TitleChoice(title, method, fallbacks, [[m, t] for t, m in rest[:2]], elements.get(title))


def title_element(sel: Selector, title: str | None):
    """The element that shows the chosen title (a heading first, else any short element), or None."""
    if not title:
        return None
    index = page_index(sel)
    for element in index.title_like:
        if element_text(element) == title and not in_boilerplate(element):
            return element
    for element in sel.root.iter("p", "span", "td", "strong", "b", "div", "font", "h4", "h5"):
        if (element.tag not in ("div", "td", "p") or len(element) <= 4) and element_text(element) == title \
                and not in_boilerplate(element):
            return element
    return None
