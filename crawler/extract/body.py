"""Where the article text is: the body container, the method that found it, and the fallbacks.

The first candidate is trusted: the site's selector, else a known CMS body container, else the block with the
densest paragraphs (Readability's scoring). When the page gives a reason to doubt it (it is short, or another
block of the page holds far more prose), the other methods' containers travel with the item as fallbacks
(``BodyChoice.alternatives``): the cleaning step judges the cleaned text and takes a fallback when the first
choice turns out implausible (crawler/clean/check.py). trafilatura is asked only then: it costs twice this
module's whole extraction of a page.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import html as lxml_html
from parsel import Selector

from crawler.extract.content import _marked, in_boilerplate, node_text, select, visible_text
from crawler.extract.page_index import page_index

_PARAGRAPH_BLOCKS = {"div", "p", "table", "ul", "ol", "section", "article"}
# Doubt thresholds, in characters of prose (paragraph text outside links; see ``prose_chars``):
# a body under SHORT_BODY is checked against the other methods (a one-paragraph notice is ~150-400 characters,
# a news article 1,500+); another block with DENSER_FACTOR times the prose (and MIN_GAIN more) is a rival.
SHORT_BODY = 400
DENSER_FACTOR = 2.0
MIN_GAIN = 300
# A known container with this much prose is the article: the densest block is not looked for (it costs ~3 ms a
# page, and a teaser box or a sidebar that merely carries a body class holds far less).
RIVAL_CHECK_BELOW = 1500


@dataclass
class BodyChoice:
    html: str | None
    element: object | None  # the chosen element in the page (None for trafilatura's HTML)
    method: str  # "selector", "known-container", "density", "trafilatura", "none"
    why: str = ""
    # (method, HTML) of the other methods' bodies, in order of trust: only when the first choice is in doubt
    alternatives: list[list[str]] = field(default_factory=list)
    doubt: str = ""  # why alternatives were gathered


def density_candidates(sel: Selector):
    """Readability-style scoring: paragraphs credit their parent fully and grandparent by half."""
    scores: dict = {}
    for p in sel.root.iter("p", "br", "div"):
        parent = p.getparent()
        if parent is None:
            continue
        if p.tag == "div" and any(c.tag in _PARAGRAPH_BLOCKS for c in p.iterdescendants() if isinstance(c.tag, str)):
            continue
        if p.tag in ("script", "style"):
            continue
        text = (visible_text(p) if p.tag != "br" else (p.tail or "")).strip()
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
        text_len = len(visible_text(element)) or 1
        link_len = sum(len(a.text_content()) for a in element.iter("a"))
        ranked.append((score * (1 - link_len / text_len), element))
    ranked.sort(key=lambda pair: pair[0], reverse=True)
    return ranked


def prose_chars(element) -> int:
    """Characters of the element's prose: text of its leaf blocks (p, li, td, div without block children ...)
    of 25+ characters, minus what sits inside links. A menu or a list of teasers has little; an article has all
    of its text here."""
    total = 0
    for node in element.iter("p", "li", "td", "div", "blockquote", "h2", "h3"):
        if node.tag in ("div", "td") and any(isinstance(c.tag, str) and c.tag in _PARAGRAPH_BLOCKS | {"p", "li"}
                                             for c in node.iterdescendants()):
            continue
        text = " ".join(visible_text(node).split())
        if len(text) < 25:
            continue
        linked = sum(len(" ".join(a.text_content().split())) for a in node.iter("a"))
        total += max(0, len(text) - linked)
    return total


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
    """(element, method, why) of the main content by generic rules: a known CMS body container, else density
    scoring; (None, "none", "") when neither finds one."""
    # Lengths of the text with spaces folded are enough for the thresholds (no need to clean all of it).
    known = _innermost([(e, len(" ".join(" ".join(e.itertext()).split()))) for e in page_index(sel).known_body])
    for element, length in known:
        if length >= 200 and not in_boilerplate(element):
            return element, "known-container", "known body container"
    for element, length in known:
        # A long known body whose *column* only looks like boilerplate: VnExpress's main column is
        # <div class="sidebar-1"> (e.g. https://vnexpress.net/...-4672302.html).
        if length >= 500 and not _marked(element):
            return element, "known-container", "known body container (in a sidebar-named column)"
    ranked = density_candidates(sel)
    if ranked and ranked[0][0] >= 3:
        return ranked[0][1], "density", f"paragraph density score {ranked[0][0]:.1f}"
    return None, "none", ""


def _html(element) -> str:
    return lxml_html.tostring(element, encoding="unicode", with_tail=False)


def _trafilatura_html(sel: Selector, url: str) -> str | None:
    import trafilatura  # only for a page in doubt: imported when one needs it, not at every crawl's start

    return trafilatura.extract(sel.root, url=url, output_format="html", include_images=True, include_tables=True,
                               include_links=False, favor_precision=True)


def choose_body(sel: Selector, selector: str | None, url: str, remove: str | None = None) -> BodyChoice:
    """The body container by the most trusted method that finds one, with the other methods' bodies as
    fallbacks when the page gives a reason to doubt it."""
    if selector:
        nodes = select(sel, selector)
        if nodes and sum(len(node_text(n)) for n in nodes) >= 40:
            return BodyChoice(_without("\n".join(nodes.getall()), remove), nodes[0].root, "selector",
                              f"site selector {selector!r}")
    element, method, why = find_body_element(sel)
    if element is None:
        html = _trafilatura_html(sel, url)
        return BodyChoice(html, None, "trafilatura" if html else "none", "no container found by the generic rules")
    choice = BodyChoice(_html(element), element, method, why)
    chosen = prose_chars(element)
    rival = None
    if method != "density" and chosen < RIVAL_CHECK_BELOW:
        ranked = density_candidates(sel)
        rival = next((e for _, e in ranked[:1] if e is not element), None)
    rival_prose = prose_chars(rival) if rival is not None else 0
    if chosen < SHORT_BODY:
        choice.doubt = f"{chosen} characters of prose, under {SHORT_BODY}"
    elif rival_prose >= DENSER_FACTOR * chosen and rival_prose >= chosen + MIN_GAIN:
        choice.doubt = f"another block holds {rival_prose} characters of prose against {chosen}"
    if choice.doubt:
        if rival is not None:
            choice.alternatives.append(["density", _html(rival)])
        extra = _trafilatura_html(sel, url)
        if extra:
            choice.alternatives.append(["trafilatura", extra])
    return choice
