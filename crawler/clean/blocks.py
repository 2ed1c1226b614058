"""The block model of an article body: the located body HTML, pruned of page furniture (related boxes, author
boxes, link cards), flattened into leaf blocks (paragraphs, headings, list items, images with captions, data
tables) in document order."""
from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import html as lxml_html

from crawler.extract.content import BOILERPLATE_RE
from crawler.extract.links import DOCUMENT_EXT, is_document_url
from crawler.extract.page_index import AUTHOR_CLASS_RE
from crawler.vi.text import clean_text

BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "td", "th",
              "section", "article", "figure", "table", "tr", "tbody", "thead", "ul", "ol", "center", "dd", "dt", "pre"}
REMOVE_TAGS = {"script", "style", "form", "iframe", "noscript", "button", "input", "select", "textarea", "nav",
               "aside", "footer", "svg", "video", "audio", "object", "embed", "label"}
DROP_CAP_RE = re.compile(r"drop-?cap|first-?letter|chu-?cai-?dau|chudau|big-?letter", re.I)
# Class/id tokens (or a VCCorp ``type``) of boxes inside a content container that are not the article: related
# cards ("kbwscwl-relatedbox", type="RelatedOneNews" on tuoitre.vn/baochinhphu.vn), newsletters, tags, galleries.
# Matched inside class tokens, where BOILERPLATE_RE (tried first) needs whole words.
INNER_BOX_RE = re.compile(
    r"relate|lien-?quan|tin-?khac|xem-?them|doc-?them|newsletter|subscri|^tags?$|^tags?[-_]|[-_]tags?$|keyword|"
    r"tu-?khoa|gallery|slideshow|promo|sponsor|read-?more|suggest|recommend|most-?view|rating|vote|box-?tin|"
    r"author-?box",
    re.I,
)
CAPTION_HINT_RE = re.compile(r"\(?ảnh\s*:|\bảnh\b.{0,40}$|^ảnh minh họa|^ảnh:", re.I)


@dataclass
class Block:
    kind: str  # p, h, li, img, table
    text: str = ""
    html: str = ""
    src: str | None = None
    caption: str | None = None
    right_aligned: bool = False
    emphasised: bool = False
    linked: bool = False  # the whole block is one link (a "read also" teaser)
    documents: bool = False  # the block links a document (PDF, DOC, XLS ...)
    list_tag: str = "ul"


@dataclass
class CleaningReport:
    dropped: Counter = field(default_factory=Counter)

    def count(self, reason: str, n: int = 1) -> None:
        self.dropped[reason] += n


def _inner_html(element) -> str:
    parts = [html_lib.escape(element.text or "")]
    parts.extend(lxml_html.tostring(child, encoding="unicode") for child in element)
    return "".join(parts)


def _is_right_aligned(element) -> bool:
    for node in (element, element.getparent()):
        if node is None:
            continue
        style = (node.get("style") or "").replace(" ", "").lower()
        if "text-align:right" in style or (node.get("align") or "").lower() == "right":
            return True
    return False


def _emphasised(element) -> bool:
    text = " ".join(element.text_content().split())
    bold = " ".join(" ".join(n.text_content().split()) for n in element.iter("strong", "b", "em", "i"))
    return bool(text) and len(bold) >= 0.9 * len(text)


def _linked(element) -> bool:
    text = " ".join(element.text_content().split())
    linked = " ".join(" ".join(a.text_content().split()) for a in element.iter("a"))
    return bool(text) and len(linked) >= 0.9 * len(text)


def _is_data_table(table) -> bool:
    rows = [r for r in table.iter("tr")]
    texty = [r for r in rows if sum(1 for c in r if c.tag in ("td", "th") and c.text_content().strip()) >= 2]
    return len(texty) >= 2 and not any(True for _ in table.iter("img"))


# A box inside the body that holds this share of the body's text is not a box in the body: it is the body (a
# container named "slider-jsgallery" around a whole article on baocantho.com.vn, a "news-relate-wrap" around
# a portal's whole content). It is kept and its boxes are judged one by one.
MOST_OF_BODY = 0.5


def prune(root, bylines: list, light: bool = False, report: "CleaningReport | None" = None) -> None:
    """Drop non-content elements, unwrap drop caps, set aside author boxes (their text goes to ``bylines``).
    ``light``: only scripts, forms, media and the like go (no judging of boxes by class or link density): the
    fallback when the full pruning left an implausible body (crawler/clean/check.py)."""
    body_chars = len(" ".join(root.text_content().split()))

    def holds_most(element) -> bool:
        if body_chars < 200:
            return False
        if len(" ".join(element.text_content().split())) < MOST_OF_BODY * body_chars:
            return False
        if report is not None:
            report.count("kept_box_holding_body")
        return True

    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments, processing instructions
            element.drop_tree() if element.getparent() is not None else None
            continue
        if element is root:
            continue
        if element.tag in REMOVE_TAGS and not (element.tag == "form" and holds_most(element)):
            element.drop_tree()  # a form holding most of the body is an ASP.NET page form around the content
            continue
        if light:
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if AUTHOR_CLASS_RE.search(marker) and len(element.text_content()) <= 80:
            bylines.append(clean_text(element.text_content()))
            element.drop_tree()
        elif DROP_CAP_RE.search(marker):
            element.drop_tag()  # keep the letter, glued to the word it starts
        elif marker.strip() and BOILERPLATE_RE.search(marker) and not holds_most(element):
            element.drop_tree()
        elif (_inner_box(element) or _link_box(element)) and not holds_most(element):
            element.drop_tree()


def _inner_box(element) -> bool:
    tokens = f"{element.get('class', '')} {element.get('id', '')}".split()
    kind = element.get("type") or element.get("data-component-type") or ""
    return any(INNER_BOX_RE.search(t) for t in tokens) or kind.lower().startswith(("related", "tin_xemthem"))


def _link_box(element) -> bool:
    """A box of links to other pages: a related list, a "read also" teaser, a card (readability's link density).

    Blocks (ul/div/section/table) whose text is 60% or more link text, and paragraphs wholly one link, count when a
    link has a headline-length text (15+ characters) and leads to a page, not a document (a PDF or scan linked by
    a portal is part of the article).
    """
    if element.tag not in ("div", "ul", "ol", "section", "table", "p", "li", "h2", "h3", "h4", "h5", "blockquote"):
        return False
    text = " ".join(element.text_content().split())
    if len(text) < 15:
        return False
    links = [a for a in element.iter("a") if not DOCUMENT_EXT.search(urlsplit(a.get("href") or "").path)
             and not (a.get("href") or "").startswith(("#", "javascript:", "mailto:"))]
    if not links or not any(len(" ".join(a.text_content().split())) >= 15 for a in links):
        return False
    linked = sum(len(" ".join(a.text_content().split())) for a in links)
    share = 0.9 if element.tag in ("p", "li", "h2", "h3", "h4", "h5", "blockquote") else 0.6
    return linked >= share * len(text)


def blocks_from(root) -> list[Block]:
    """Flatten the content tree into leaf blocks, in document order."""
    blocks: list[Block] = []

    def leaf_text_block(element, kind="p"):
        text = clean_text(element.text_content())
        if text:
            blocks.append(Block(kind, text, _inner_html(element), right_aligned=_is_right_aligned(element),
                                emphasised=_emphasised(element), linked=_linked(element),
                                documents=any(is_document_url(a.get("href") or "") for a in element.iter("a")),
                                list_tag=element.getparent().tag if kind == "li" and element.getparent() is not None else "ul"))

    def loose_text(text):
        for piece in re.split(r"\n\s*\n", text or ""):
            piece = clean_text(piece)
            if piece:
                blocks.append(Block("p", piece, html_lib.escape(piece)))

    def walk(element):
        tag = element.tag
        if tag == "img":
            src = element.get("src") or ""
            if not src or src.startswith("data:"):  # lazy-loaded: the real address is in data-src
                src = element.get("data-src") or element.get("data-original") or src
            if src and not src.startswith("data:"):
                blocks.append(Block("img", src=src, caption=clean_text(element.get("alt") or element.get("title"))))
            loose_text(element.tail)
            return
        if tag == "br":
            loose_text(element.tail)
            return
        if tag == "table" and _is_data_table(element):
            rows = [" | ".join(filter(None, (clean_text(c.text_content()) for c in r if c.tag in ("td", "th"))))
                    for r in element.iter("tr")]
            blocks.append(Block("table", "\n".join(r for r in rows if r), lxml_html.tostring(element, encoding="unicode")))
            loose_text(element.tail)
            return
        has_block_child = any(isinstance(c.tag, str) and (c.tag in BLOCK_TAGS or c.tag in ("img", "br")) for c in element.iter() if c is not element)
        if tag in BLOCK_TAGS and not has_block_child:
            kind = "h" if tag in ("h1", "h2", "h3", "h4", "h5", "h6") else "li" if tag == "li" else "p"
            leaf_text_block(element, kind)
            if element is not root:
                loose_text(element.tail)
            return
        if tag not in BLOCK_TAGS and not has_block_child:
            loose_text(element.text_content() + "\n\n")
            if element is not root:
                loose_text(element.tail)
            return
        # A container: its own loose text and inline children become paragraphs, block children recurse.
        buffer = [element.text or ""]
        for child in element:
            if not isinstance(child.tag, str):
                continue
            child_is_block = child.tag in BLOCK_TAGS or child.tag in ("img", "br") or any(
                isinstance(c.tag, str) and (c.tag in BLOCK_TAGS or c.tag == "img") for c in child.iter() if c is not child)
            if child_is_block:
                loose_text("".join(buffer))
                buffer = []
                walk(child)
            else:
                buffer.append(child.text_content() + (child.tail or ""))
        loose_text("".join(buffer))
        if element is not root:
            loose_text(element.tail)

    walk(root)
    return blocks


def restore_drop_cap(blocks: list[Block], title: str | None, lead: str | None, report: CleaningReport) -> None:
    """"ải cách hành chính" -> "Cải cách hành chính": the first letter lived in a separate element that got lost."""
    first = next((b for b in blocks if b.kind == "p"), None)
    if first is None or not first.text[:1].islower():
        return
    head = re.match(r"\w+", first.text)
    if not head:
        return
    fragment = head.group(0)
    for word in re.findall(r"\w+", f"{title or ''} {lead or ''}"):
        if len(word) == len(fragment) + 1 and word.casefold().endswith(fragment.casefold()):
            first.text = word[0].upper() + first.text
            first.html = html_lib.escape(first.text)
            report.count("drop_cap_restored")
            return
    report.count("drop_cap_unresolved")


def attach_captions(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "img" and i + 1 < len(blocks) and blocks[i + 1].kind == "p":
            nxt = blocks[i + 1]
            if len(nxt.text) <= 300 and (CAPTION_HINT_RE.search(nxt.text) or nxt.emphasised or nxt.caption is None
                                         and len(nxt.text) <= 160 and not nxt.text.endswith((".", ":"))):
                block.caption = nxt.text
                out.append(block)
                out.append(Block("caption", nxt.text, nxt.html))
                i += 2
                continue
        out.append(block)
        i += 1
    return out


# Text after the closing cards that is this long is a box of its own (a promotion, a newsletter invitation),
# not a byline or a source line (under 80 characters: "Tin, ảnh: P.Y", "Theo Báo Chính phủ").
TRAILER_MIN = 100


def drop_after_closing_cards(root, report: CleaningReport) -> None:
    """What follows the related-article cards that close an article is not the article (a promotion box, a
    newsletter form: znews.vn ends its bodies with three cards and a "Tủ sách" promotion). The cards close it when
    they come after the last paragraph of the element that holds the article's paragraphs; cards between
    paragraphs ("read also" mid-article) close nothing. Short lines after them stay: the byline and the source
    line often come last (plo.vn: "THUẬN VĂN", "LÊ ÁNH" after the related card)."""
    parents: dict = {}
    for p in root.iter("p"):
        parent = p.getparent()
        if parent is not None:
            parents[parent] = parents.get(parent, 0) + len(p.text_content().strip())
    if not parents:
        return
    main = max(parents, key=parents.get)
    children = [c for c in main if isinstance(c.tag, str)]
    last_p = max((i for i, c in enumerate(children) if c.tag == "p" and len(c.text_content().strip()) >= 25),
                 default=None)
    if last_p is None:
        return
    for i, child in enumerate(children[last_p + 1:], start=last_p + 1):
        if _inner_box(child) or _link_box(child):
            for extra in children[i + 1:]:
                text = " ".join(extra.text_content().split())
                if len(text) >= TRAILER_MIN and not (_inner_box(extra) or _link_box(extra)):
                    report.count("after_closing_cards")
                    extra.drop_tree()
            return
