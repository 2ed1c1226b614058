"""Finding the parts of an article page: title, lead, main body, author, category.

Each finder takes a parsel Selector (the page parsed once) and optional site selectors; with no selector it
uses a generic heuristic. Nothing here fetches or stores anything.
"""
from __future__ import annotations

import re

from lxml import html as lxml_html
from parsel import Selector, SelectorList

from crawler.extract.page_index import page_index
from crawler.vi.text import clean_text, normalize_for_compare

# Regions that are never the article: menus, headers, footers, sidebars, comments, related lists.
_FURNITURE_WORDS = (r"nav|navbar|menu|header|footer|sidebar|side-bar|breadcrumbs?|banner|social|share|sharing|comment|"
                    r"comments|binh-luan|binhluan|most-?read|doc-nhieu|widget|advert|ads|quang-cao|toolbar|print|"
                    r"login|search|weblink|lien-ket|copyright")
_OTHER_ARTICLES_WORDS = r"related|relate|lien-quan|tin-khac|othernews|other-news|tin-moi"
BOILERPLATE_RE = re.compile(rf"(^|[\s_-])({_FURNITURE_WORDS}|{_OTHER_ARTICLES_WORDS})($|[\s_-])", re.I)
# On a listing page, "related" and "tin-moi" blocks are the list itself (tuoitre.vn's lead story carries
# div.item-related stories; a "tin-moi" section is a list): only the furniture words mark boilerplate there.
LISTING_BOILERPLATE_RE = re.compile(rf"(^|[\s_-])({_FURNITURE_WORDS})($|[\s_-])", re.I)
BOILERPLATE_TAGS = {"nav", "header", "footer", "aside", "form", "script", "style", "noscript", "iframe", "button"}


def select(sel: Selector, query: str | None) -> SelectorList:
    """Run a registry selector: CSS by default, ``xpath:`` prefix for XPath."""
    if not query:
        return SelectorList([])
    if query.startswith("xpath:"):
        return sel.xpath(query[6:])
    return sel.css(query)


def node_text(node) -> str:
    """Cleaned text of a parsel node (its text nodes joined by spaces, as XPath ``.//text()`` gives them)."""
    root = node.root
    raw = " ".join(root.itertext()) if hasattr(root, "itertext") else " ".join(node.xpath(".//text()").getall())
    return clean_text(raw) or ""


def element_text(element) -> str:
    """Cleaned text of an lxml element (its text nodes joined by spaces)."""
    return clean_text(" ".join(element.itertext())) or ""


def _marked(element, pattern=BOILERPLATE_RE) -> bool:
    """The element itself (not its ancestors) is a menu, footer, sidebar, comment block ..."""
    tag = element.tag if isinstance(element.tag, str) else ""
    marker = f"{element.get('class', '')} {element.get('id', '')}"
    return tag in BOILERPLATE_TAGS or bool(marker.strip() and pattern.search(marker))


def in_boilerplate(element, pattern=BOILERPLATE_RE) -> bool:
    """True if the lxml element or one of its ancestors is a menu, footer, sidebar, comment block ...
    (``pattern``: LISTING_BOILERPLATE_RE on listing pages)."""
    while element is not None:
        if _marked(element, pattern):
            return True
        element = element.getparent()
    return False


def find_title(sel: Selector, selector: str | None, meta: dict) -> str | None:
    if selector:
        title = clean_text(" ".join(select(sel, selector).xpath(".//text()").getall()))
        if title and len(title) <= 400:  # longer: the selector caught more than a headline (a whole column)
            return title
    stated = [t for t in (normalize_for_compare(meta.get("html_title")), normalize_for_compare(meta.get("title"))) if t]
    best = None
    # The visible title is usually the longest heading-like element that <title> (or og:title) starts with.
    index = page_index(sel)
    for element in index.title_like:  # h1-h3 and elements with "title" or "tieu-de" in their class
        text = element_text(element)
        if not 10 <= len(text) <= 400 or in_boilerplate(element):
            continue
        norm = normalize_for_compare(text)
        if any(t.startswith(norm) for t in stated) and (best is None or len(text) > len(best)):
            best = text
    if best:
        return best
    # <title> and og:title both differ from every heading (an SEO title): the article's own first non-empty
    # <h1>, unless it is the site's name (a logo in an <h1>).
    for element in index.h1:
        text = element_text(element)
        if text:
            if 10 <= len(text) <= 400 and not in_boilerplate(element) and not _site_name_like(text, meta):
                return text
            break
    if meta.get("title"):
        return clean_text(meta["title"])
    if meta.get("html_title"):
        parts = re.split(r"\s+[|–-]\s+", meta["html_title"])
        return clean_text(max(parts, key=len))
    return None


_PARAGRAPH_BLOCKS = {"div", "p", "table", "ul", "ol", "section", "article"}


def density_candidates(sel: Selector):
    """Readability-style scoring: paragraphs credit their parent fully and grandparent by half."""
    scores: dict = {}
    for p in sel.root.iter("p", "br", "div"):
        parent = p.getparent()
        if parent is None:
            continue
        if p.tag == "div" and any(c.tag in _PARAGRAPH_BLOCKS for c in p.iterdescendants() if isinstance(c.tag, str)):
            continue
        text = (p.text_content() if p.tag != "br" else (p.tail or "")).strip()
        if len(text) < 25:
            continue
        points = 1 + min(len(text) / 100, 3) + text.count(",") * 0.3
        scores[parent] = scores.get(parent, 0) + points
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + points / 2
    ranked = []
    for element, score in scores.items():
        if in_boilerplate(element):
            continue
        text_len = len(element.text_content()) or 1
        link_len = sum(len(a.text_content()) for a in element.iter("a"))
        ranked.append((score * (1 - link_len / text_len), element))
    ranked.sort(key=lambda pair: pair[0], reverse=True)
    return ranked


def _without(fragment: str, remove: str | None) -> str:
    """The fragment minus the elements a registry ``remove`` selector names (toolbars, date lines ...)."""
    if not remove:
        return fragment
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    nodes = root.xpath(remove[6:]) if remove.startswith("xpath:") else root.cssselect(remove)
    for node in nodes:
        node.drop_tree()
    return "".join(lxml_html.tostring(child, encoding="unicode") for child in root)


def _innermost(known: list) -> list:
    """Known body containers, each replaced by the deepest known container inside it that holds a good part
    (30%+) of its text (tuoitre.vn: div#main-detail wraps the date, share bar, comments, newsletter box and
    div.detail-content, 6,208 of 12,960 characters)."""
    out = []
    for element, length in known:
        inner = [(e, n) for e, n in known if e is not element and n >= max(200, 0.3 * length)
                 and any(a is element for a in e.iterancestors())]
        out.append(max(inner, key=lambda pair: len(list(pair[0].iterancestors()))) if inner else (element, length))
    return out


def find_body_element(sel: Selector):
    """The main content element by generic rules: a known CMS body container, else density scoring; or None."""
    # Lengths of the text with spaces folded are enough for the thresholds (no need to clean all of it).
    known = _innermost([(e, len(" ".join(" ".join(e.itertext()).split()))) for e in page_index(sel).known_body])
    for element, length in known:
        if length >= 200 and not in_boilerplate(element):
            return element, "known body container"
    for element, length in known:
        # A long known body whose *column* only looks like boilerplate: VnExpress's main column is
        # <div class="sidebar-1"> (e.g. https://vnexpress.net/...-4672302.html).
        if length >= 500 and not _marked(element):
            return element, "known body container (in a sidebar-named column)"
    ranked = density_candidates(sel)
    if ranked and ranked[0][0] >= 3:
        return ranked[0][1], f"paragraph density score {ranked[0][0]:.1f}"
    return None, ""


def find_body(sel: Selector, selector: str | None, url: str, remove: str | None = None):
    """(HTML, element) of the main content: site selector first, then the generic rules, then trafilatura
    (whose HTML has no element in the page: None)."""
    if selector:
        nodes = select(sel, selector)
        if nodes and sum(len(node_text(n)) for n in nodes) >= 40:
            return _without("\n".join(nodes.getall()), remove), nodes[0].root
    element, _ = find_body_element(sel)
    if element is not None:
        return lxml_html.tostring(element, encoding="unicode", with_tail=False), element
    import trafilatura  # the fallback only: imported when a page needs it, not at every crawl's start

    return trafilatura.extract(
        sel.root, url=url, output_format="html", include_images=True, include_tables=True,
        include_links=False, favor_precision=True,
    ), None


def _in_card(element) -> bool:
    """Inside another article's teaser: a link, or a list item / <article> card that links elsewhere."""
    for ancestor in element.iterancestors():
        if ancestor.tag == "a":
            return True
        if ancestor.tag in ("li", "article") and any(len(" ".join(a.text_content().split())) >= 20
                                                     for a in ancestor.iter("a")):
            return True
        if ancestor.tag in ("body", "main"):
            break
    return False


def lead_candidates(sel: Selector, meta: dict, body=None) -> list[tuple[str, str]]:
    """(text, why) of lead candidates in order of trust: a sapo element of this article (before or at the top of
    the body, not inside another article's card), then the meta description."""
    found = []
    description = normalize_for_compare(meta.get("description"))[:40]
    index = page_index(sel)
    for element in index.lead_like:
        text = element_text(element)
        if len(text) < 40 or in_boilerplate(element) or _in_card(element):
            continue
        if body is not None and (element is body or any(a is element for a in body.iterancestors())):
            continue  # the content container itself, or one around it
        inside = body is not None and any(a is body for a in element.iterancestors())
        if not inside and body is not None and index.position.get(element, 0) > index.position.get(body, 0):
            continue  # below the article: a card of the next one
        marker = element.get("data-role") or element.get("class") or element.get("itemprop")
        agrees = description and normalize_for_compare(text).startswith(description[:30])
        found.append((text, f"sapo element <{element.tag} {marker!r}>" + (" (= meta description)" if agrees else "")))
    found.sort(key=lambda pair: "meta description" not in pair[1])  # stable: agreeing with metadata first
    return found


def find_lead(sel: Selector, selector: str | None, meta: dict, body_text_hint: str = "", body=None) -> str | None:
    if selector:
        return clean_text(" ".join(select(sel, selector).xpath(".//text()").getall()))
    candidates = lead_candidates(sel, meta, body)
    if candidates:
        return candidates[0][0]
    description = clean_text(meta.get("description"))
    if description and len(description) >= 60:
        # Portals often put a site-wide slogan in <meta description>: keep it only if the page text has it.
        probe = normalize_for_compare(description.rstrip(". …"))[:60]
        if probe and probe in normalize_for_compare(body_text_hint, cleaned=True):  # the hint is clean_text output
            return description
    return None


# A publisher, not a writer: "Báo Lào Cai điện tử", "Cổng TTĐT tỉnh", "Sở Nội vụ", "baochinhphu.vn". ("Trang" alone
# is a given name: "Trang Nguyễn" is an author; "Trang thông tin điện tử ..." is not.)
_PUBLISHER_RE = re.compile(r"^(báo|cổng|trang (thông tin|tin|điện tử)|sở|ubnd|ủy ban|tạp chí|đài)\b|\.(vn|com|net|org)\b")
# A site's name in an <h1> (a logo): "Cổng thông tin điện tử tỉnh ...", "Báo điện tử ...". Article titles may start
# with "Báo cáo" or "Trang bị", so only these phrases count.
_SITE_NAME_RE = re.compile(r"^(cổng thông tin|cổng ttđt|trang thông tin|báo điện tử|tạp chí điện tử)\b")


def _publisher_names(meta: dict) -> str:
    suffix = re.split(r"\s+[|–-]\s+", meta.get("html_title") or "")[-1] if meta.get("html_title") else ""
    return normalize_for_compare(f"{meta.get('site_name') or ''} {suffix}").replace(" ", "")


def _publisherish(text: str, meta: dict) -> bool:
    """A byline that names the publisher, not a writer."""
    norm = normalize_for_compare(text)
    publisher = _publisher_names(meta)
    return bool(_PUBLISHER_RE.search(norm)) or (bool(publisher) and norm.replace(" ", "") in publisher)


def _site_name_like(text: str, meta: dict) -> bool:
    """A heading that is the site's name, not an article's title."""
    norm = normalize_for_compare(text)
    publisher = _publisher_names(meta)
    return bool(_SITE_NAME_RE.search(norm)) or (bool(publisher) and norm.replace(" ", "") == publisher.strip())


def find_category(sel: Selector, selector: str | None, meta: dict) -> str | None:
    if selector:  # a breadcrumb selector matches every level: the last one is the category
        nodes = [t for t in (node_text(n) for n in select(sel, selector)) if t]
        return nodes[-1] if nodes else None
    if meta.get("section"):
        return clean_text(meta["section"])
    for element in page_index(sel).breadcrumbs:
        crumb = Selector(root=element)
        parts = [clean_text(t) for t in crumb.xpath(".//a//text() | .//p//text() | .//li//text()").getall()]
        parts = [p for p in parts if p and p.casefold() not in ("trang chủ", "home", ">", "»", "/")]
        if parts:
            return parts[-1]
    return None
