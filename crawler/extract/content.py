"""Finding the parts of an article page: title, lead, main body, author, category.

Each finder takes a parsel Selector (the page parsed once) and optional site selectors; with no selector it
uses a generic heuristic. Nothing here fetches or stores anything.
"""
from __future__ import annotations

import re

from parsel import Selector, SelectorList

from crawler.extract.page_index import page_index
from crawler.vi.text import clean_text, normalize_for_compare

# Regions that are never the article: menus, headers, footers, sidebars, comments, related lists.
_FURNITURE_WORDS = (r"nav|navbar|menu|header|footer|sidebar|side-bar|breadcrumbs?|banner|social|share|sharing|comment|"
                    r"comments|binh-luan|binhluan|most-?read|doc-nhieu|widget|advert|ads|quang-cao|toolbar|print|"
                    r"login|search|weblink|lien-ket|copyright|"
                    # the side panes and menus of the portal CMS families: SharePoint's quick launch and zones,
                    # DotNetNuke's LeftPane/RightPane, left menus of ASP.NET portals
                    r"quicklaunch|ms-quicklaunch|navlist|navitem|leftmenu|leftsubmenu|submenu|rightpane|leftpane|"
                    r"zoneright|zoneleft")
_OTHER_ARTICLES_WORDS = r"related|relate|lien-quan|tin-khac|othernews|other-news|tin-moi"
BOILERPLATE_RE = re.compile(rf"(^|[\s_-])({_FURNITURE_WORDS}|{_OTHER_ARTICLES_WORDS})($|[\s_-])", re.I)
# On a listing page, "related" and "tin-moi" blocks are the list itself (tuoitre.vn's lead story carries
# div.item-related stories; a "tin-moi" section is a list): only the furniture words mark boilerplate there.
LISTING_BOILERPLATE_RE = re.compile(rf"(^|[\s_-])({_FURNITURE_WORDS})($|[\s_-])", re.I)
# Places of a page that hold other articles or the site's own furniture, but no part of the article's header
# (a share bar may sit on the date line): where a date next to the headline cannot come from.
OTHER_PLACES_RE = re.compile(rf"(^|[\s_-])(nav|navbar|menu|footer|sidebar|side-bar|banner|most-?read|doc-nhieu|"
                             rf"widget|advert|ads|quang-cao|weblink|lien-ket|{_OTHER_ARTICLES_WORDS})($|[\s_-])", re.I)
BOILERPLATE_TAGS = {"nav", "header", "footer", "aside", "form", "script", "style", "noscript", "iframe", "button"}


# The article's own header or footer ("article__header", "detail-header", "post-footer": title, date, byline), not
# the site's: such class tokens are left out when judging boilerplate.
_ARTICLE_PART = re.compile(r"\b(article|detail|post|news|entry|story|content|tin|bai-?viet)[_-]+(header|footer|meta|top)"
                           r"\S*", re.I)


# "has-sidebar", "with-right-col", "no-ads": a block that holds a sidebar (and the content beside it), or says what
# it lacks, is not that thing (znews.vn: section.has-sidebar holds the main list and the sidebar).
HAS_PART = _HAS_PART = re.compile(r"(^|\s)(has|with|no)[-_]\S*", re.I)


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


_INVISIBLE = ("script", "style", "noscript", "template")


def visible_text(element) -> str:
    """The element's text without what scripts and styles hold (text_content() includes them: a portal's clock
    script is longer than its notice)."""
    if element.find(".//script") is None and element.find(".//style") is None:
        return element.text_content()
    out: list[str] = []

    def walk(node):
        if node.tag in _INVISIBLE:
            return
        out.append(node.text or "")
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            out.append(child.tail or "")

    walk(element)
    return "".join(out)


def element_text(element) -> str:
    """Cleaned text of an lxml element (its text nodes joined by spaces)."""
    return clean_text(" ".join(element.itertext())) or ""


def _marked(element, pattern=BOILERPLATE_RE) -> bool:
    """The element itself (not its ancestors) is a menu, footer, sidebar, comment block ..."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in ("header", "footer") and any(a.tag == "article" for a in element.iterancestors()):
        tag = ""  # an <article>'s own header or footer (HTML5: its title, date, byline), not the page's
    elif tag == "form" and element in _page_forms(element):
        tag = ""  # ASP.NET and SharePoint wrap the whole page in <form id="aspnetForm">: that form is the page
    marker = _HAS_PART.sub(" ", _ARTICLE_PART.sub(" ", f"{element.get('class', '')} {element.get('id', '')}"))
    return tag in BOILERPLATE_TAGS or bool(marker.strip() and pattern.search(marker)) or _hidden(element)


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _hidden(element) -> bool:
    """Hidden by its own markup (style="display:none", the hidden attribute): a SharePoint list view kept for
    scripts, a print template, a popup. Nobody reads it on the page."""
    style = element.get("style")
    return element.get("hidden") is not None or bool(style and _HIDDEN_STYLE.search(style))


_forms: tuple = (None, set())


def _page_forms(element) -> set:
    """The forms of the element's page that hold most of its text (an ASP.NET web form around the whole page),
    found once per page."""
    global _forms
    root = element.getroottree().getroot()
    if _forms[0] is not root:
        total = len(root.text_content()) or 1
        _forms = (root, {f for f in root.iter("form") if len(f.text_content()) >= 0.5 * total})
    return _forms[1]


_judged: tuple = (None, {})


def in_boilerplate(element, pattern=BOILERPLATE_RE) -> bool:
    """True if the lxml element or one of its ancestors is a menu, footer, sidebar, comment block ...
    (``pattern``: LISTING_BOILERPLATE_RE on listing pages). Each element is judged once per page and pattern: the
    finders ask about thousands of elements that share their ancestors."""
    global _judged
    root = element.getroottree().getroot()
    if _judged[0] is not root:
        _judged = (root, {})
    cache = _judged[1]
    chain = []
    verdict = False
    node = element
    while node is not None:
        known = cache.get((node, pattern))
        if known is not None:
            verdict = known
            break
        if _marked(node, pattern):
            verdict = True
            chain.append(node)
            break
        chain.append(node)
        node = node.getparent()
    for seen in chain:  # every element walked has the answer of the first one found marked (or of the cache)
        cache[(seen, pattern)] = verdict
    return verdict


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


def _emphasised_block(element) -> bool:
    """The element's text is all bold or italic (a tag, or a style)."""
    style = (element.get("style") or "").replace(" ", "").lower()
    if element.tag in ("b", "strong", "em", "i") or "font-weight:bold" in style or "font-style:italic" in style:
        return True
    text = len(" ".join(element.text_content().split()))
    marked = sum(len(" ".join(e.text_content().split())) for e in element.iter("b", "strong", "em", "i"))
    return bool(text) and marked >= 0.9 * text


def lead_after_title(sel: Selector, title_at, body) -> str | None:
    """A sapo with no telling class: the bold or italic block between the headline and the body (portals print it
    so: <div style="font-weight: bold">Nhằm nâng cao ...</div> under a styled headline)."""
    if title_at is None or body is None:
        return None
    started = False
    seen = 0
    for element in sel.root.iter():
        if element is title_at:
            started = True
            continue
        if not started or not isinstance(element.tag, str) or any(a is title_at for a in element.iterancestors()):
            continue
        if element is body or seen > 15:
            return None
        seen += 1
        if element.tag not in ("div", "p", "td", "span", "b", "strong", "em", "i") or len(element) > 4:
            continue
        text = element_text(element)
        if 40 <= len(text) <= 600 and _emphasised_block(element) and not in_boilerplate(element):
            return text
    return None


def find_lead(sel: Selector, selector: str | None, meta: dict, body=None, title_at=None) -> str | None:
    if selector:
        return clean_text(" ".join(select(sel, selector).xpath(".//text()").getall()))
    candidates = lead_candidates(sel, meta, body)
    if candidates:
        return candidates[0][0]
    emphasised = lead_after_title(sel, title_at, body)
    if emphasised:
        return emphasised
    description = clean_text(meta.get("description"))
    if description and len(description) >= 60:
        # Portals often put a site-wide slogan in <meta description>: keep it only if the page text has it (the
        # page's whole text is read only here, when no sapo element was found).
        probe = normalize_for_compare(description.rstrip(". …"))[:60]
        page_text = sel.xpath("string(//body)").get() or ""
        if probe and probe in normalize_for_compare(page_text):
            return description
    return None


# A publisher, not a writer: "Báo Lào Cai điện tử", "Cổng TTĐT tỉnh", "Sở Nội vụ", "baochinhphu.vn". ("Trang" alone
# is a given name: "Trang Nguyễn" is an author; "Trang thông tin điện tử ..." is not.)
_PUBLISHER_RE = re.compile(r"^(báo|cổng|trang (thông tin|tin|điện tử)|sở|ubnd|ủy ban|tạp chí|đài)\b|\.(vn|com|net|org)\b")
# A site's name in an <h1> (a logo): "Cổng thông tin điện tử tỉnh ...", "Báo điện tử ...". Article titles may start
# with "Báo cáo" or "Trang bị", so only these phrases count.
_SITE_NAME_RE = re.compile(r"^(cổng thông tin|cổng ttđt|trang thông tin|báo điện tử|tạp chí điện tử)\b")


def _publisher_names(meta: dict) -> str:
    parts = re.split(r"\s+[|–-]\s+", meta.get("html_title") or "")
    suffix = parts[-1] if len(parts) > 1 else ""  # "Headline - Site": a <title> without a separator names no site
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
