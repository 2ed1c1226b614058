"""Article text cleaning: boilerplate, repeated leads and captions, lost drop caps, attribution and signature.

``clean_article(item)`` turns the located body HTML into a list of blocks (paragraphs, headings, list items,
images, data tables), fixes and filters them, and renders both ``body_text`` and a sanitized ``body_html``.
Every change that drops text is counted in the returned ``CleaningReport`` (the pipeline puts it in stats).
"""
from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from lxml import html as lxml_html

from crawler.extract.content import BOILERPLATE_RE
from crawler.extract.links import DOCUMENT_EXT
from crawler.extract.page_index import AUTHOR_CLASS_RE
from crawler.vi.text import clean_text, normalize_for_compare

BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "td", "th",
              "section", "article", "figure", "table", "tr", "tbody", "thead", "ul", "ol", "center", "dd", "dt", "pre"}
REMOVE_TAGS = {"script", "style", "form", "iframe", "noscript", "button", "input", "select", "textarea", "nav",
               "aside", "footer", "svg", "video", "audio", "object", "embed", "label"}
DROP_CAP_RE = re.compile(r"drop-?cap|first-?letter|chu-?cai-?dau|chudau|big-?letter", re.I)

# Whole blocks that are page furniture, not article text (seen in the seeds: comment forms, toolbars).
NOISE_BLOCK_RE = re.compile(
    r"^(email\s*print\s*aa|email|print|in bài( viết)?|in trang|bản in|gửi email|gửi bài|chia sẻ|share|tweet|lưu bài|"
    r"cỡ chữ|aa|a\+?|a-|refresh|\(\*\)|lượt xem:?\s*\d*|view count:?\s*\d*|quay lại|về đầu trang|top|"
    r"viết bình luận|gửi bình luận|ý kiến bạn đọc|bình luận|ý kiến của bạn|mã xác nhận|captcha|"
    r"tắt bộ gõ.*|số ký tự còn lại:?.*|protected by formshield|họ (và )?tên:?|email:?|"
    r"hãy sử dụng tiếng việt có dấu.*|bình luận của bạn sẽ được biên tập.*|ý kiến của bạn sẽ được biên tập.*)$",
    re.I,
)
# A heading after which only other articles follow ("Tin liên quan", "Tham khảo thêm", "TIN MỚI", "Chủ đề:").
RELATED_HEADING_RE = re.compile(
    r"^(tin|bài|bài viết|các tin|các bài|tin bài|tin tức)\s+(liên quan|khác|cùng chuyên mục|cùng loại|đã đưa|mới hơn|cũ hơn"
    r"|mới|nổi bật|xem nhiều|đọc nhiều)\b"
    r"|^(xem|đọc|tham khảo) thêm\b|^có thể bạn quan tâm|^(đọc|xem) nhiều\b|^(chủ đề|từ khóa|từ khoá|tags?)\s*:",
    re.I,
)
# Class/id tokens (or a VCCorp ``type``) of boxes inside a content container that are not the article: related
# cards ("kbwscwl-relatedbox", type="RelatedOneNews" on tuoitre.vn/baochinhphu.vn), newsletters, tags, galleries.
# Matched inside class tokens, where BOILERPLATE_RE (tried first) needs whole words.
INNER_BOX_RE = re.compile(
    r"relate|lien-?quan|tin-?khac|xem-?them|doc-?them|newsletter|subscri|^tags?$|^tags?[-_]|[-_]tags?$|keyword|"
    r"tu-?khoa|gallery|slideshow|promo|sponsor|read-?more|suggest|recommend|most-?view|rating|vote|box-?tin|"
    r"author-?box",
    re.I,
)
# End-of-body credit lines: "Tin, ảnh: Minh Anh", "Bài và ảnh: X", "Ảnh: T.H".
CREDIT_BYLINE_RE = re.compile(r"^(tin|bài|ảnh|video|clip)(\s*(,|và|-|&)\s*(tin|bài|ảnh|video|clip))*\s*:\s*(.{2,60}?)\.?$", re.I)
ATTRIBUTION_RE = re.compile(r"^[(\[]?\s*(theo|nguồn)\b[\s:]*(.{2,90}?)[)\]]?\.?$", re.I)
CAPTION_HINT_RE = re.compile(r"\(?ảnh\s*:|\bảnh\b.{0,40}$|^ảnh minh họa|^ảnh:", re.I)
ONLY_DATE_RE = re.compile(r"^[\w\s,:/|().+-]{6,40}$")


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


def _prepare(root, bylines: list) -> None:
    """Drop non-content elements, unwrap drop caps, set aside author boxes (their text goes to ``bylines``)."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments, processing instructions
            element.drop_tree() if element.getparent() is not None else None
            continue
        if element is root:
            continue
        if element.tag in REMOVE_TAGS:
            element.drop_tree()
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if AUTHOR_CLASS_RE.search(marker) and len(element.text_content()) <= 80:
            bylines.append(clean_text(element.text_content()))
            element.drop_tree()
        elif DROP_CAP_RE.search(marker):
            element.drop_tag()  # keep the letter, glued to the word it starts
        elif marker.strip() and BOILERPLATE_RE.search(marker):
            element.drop_tree()
        elif _inner_box(element) or _link_box(element):
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


def _blocks_from(root) -> list[Block]:
    """Flatten the content tree into leaf blocks, in document order."""
    blocks: list[Block] = []

    def leaf_text_block(element, kind="p"):
        text = clean_text(element.text_content())
        if text:
            blocks.append(Block(kind, text, _inner_html(element), right_aligned=_is_right_aligned(element),
                                emphasised=_emphasised(element), linked=_linked(element),
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


def _restore_drop_cap(blocks: list[Block], title: str | None, lead: str | None, report: CleaningReport) -> None:
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


def _attach_captions(blocks: list[Block]) -> list[Block]:
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


def clean_blocks(blocks: list[Block], item: dict, report: CleaningReport) -> list[Block]:
    title_norm = normalize_for_compare(item.get("title"))
    lead_norm = normalize_for_compare(item.get("lead"))
    kept: list[Block] = []
    seen: set[str] = set()
    text_blocks = sum(1 for b in blocks if b.kind in ("p", "h", "li", "table"))
    total_chars = sum(len(b.text) for b in blocks) or 1
    seen_chars = 0
    for index, block in enumerate(blocks):
        seen_chars += len(block.text)
        if block.kind == "img":
            kept.append(block)
            continue
        text = block.text
        if RELATED_HEADING_RE.search(text) and len(text) < 60:
            report.count("related_block")
            rest = [b for b in blocks[index + 1:] if b.kind in ("p", "h", "li")]
            if seen_chars >= 0.6 * total_chars or not rest or sum(b.linked for b in rest) >= 0.5 * len(rest):
                break  # only other articles (or tags) follow
            continue  # a stray heading mid-article: drop it alone
        if NOISE_BLOCK_RE.match(text):
            report.count("boilerplate")
            continue
        norm = normalize_for_compare(text)
        if norm == title_norm:
            report.count("repeated_title")
            continue
        if lead_norm and text_blocks > 1 and (norm == lead_norm or (len(norm) > 40 and lead_norm.startswith(norm))):
            report.count("repeated_lead")
            continue
        if norm in seen and block.kind != "caption":
            echo_of_caption = kept and kept[-1].kind == "caption" and normalize_for_compare(kept[-1].text) == norm
            report.count("repeated_caption" if echo_of_caption else "repeated_paragraph")
            continue
        if block.kind == "caption" and norm in seen:
            report.count("repeated_caption")
            kept = [b for b in kept if not (b.kind != "img" and normalize_for_compare(b.text) == norm)] + [block]
            continue
        seen.add(norm)
        kept.append(block)
    while kept and kept[-1].kind in ("p", "li", "h") and kept[-1].linked:
        kept.pop()  # trailing "read also" links
        report.count("related_block")
    _drop_duplicate_captions(kept, report)
    _drop_date_lines(kept, report)
    return kept


def _drop_duplicate_captions(blocks: list[Block], report: CleaningReport) -> None:
    """A caption printed again as the following paragraph (seed 002) is kept once."""
    i = 0
    while i + 1 < len(blocks):
        a, b = blocks[i], blocks[i + 1]
        if a.kind == "caption" and b.kind == "p" and normalize_for_compare(a.text) == normalize_for_compare(b.text):
            del blocks[i + 1]
            report.count("repeated_caption")
            continue
        i += 1


def _drop_date_lines(blocks: list[Block], report: CleaningReport) -> None:
    from crawler.vi.dates import parse_date

    for block in list(blocks[:4]):
        if block.kind == "p" and len(block.text) <= 40 and ONLY_DATE_RE.match(block.text) and parse_date(block.text):
            blocks.remove(block)
            report.count("date_line")


def _take_signature(blocks: list[Block], item: dict, report: CleaningReport) -> None:
    """Trailing "Theo ..."/"Nguồn: ..." lines become ``source_attribution``, a trailing byline ``author``."""
    for _ in range(3):
        texts = [b for b in blocks if b.kind in ("p", "h")]
        if not texts:
            return
        last = texts[-1]
        match = ATTRIBUTION_RE.match(last.text)
        if match and len(last.text) <= 100:
            item["source_attribution"] = item.get("source_attribution") or last.text.strip("()[] ")
            blocks.remove(last)
            report.count("attribution_moved")
            continue
        credit = CREDIT_BYLINE_RE.match(last.text)
        if credit and len(last.text) <= 80:
            item["author"] = item.get("author") or credit.group(5).strip()
            blocks.remove(last)
            report.count("byline_moved")
            continue
        words = last.text.split()
        looks_like_name = (
            len(last.text) <= 40 and 1 <= len(words) <= 5 and not last.text.endswith((".", ":", ";", ","))
            or re.fullmatch(r"(?:[A-ZĐ]\.){1,3}[A-ZĐ]?\.?", last.text)
        )
        styled = last.right_aligned or last.emphasised or last.text.isupper()
        capitalised = all(w[:1].isupper() for w in words)
        if looks_like_name and (styled or capitalised and len(words) <= 4) and capitalised:
            author = item.get("author")
            if not author or normalize_for_compare(author) == normalize_for_compare(last.text):
                item["author"] = author or last.text
                blocks.remove(last)
                report.count("byline_moved")
                continue
        return


def _promote_truncated_lead(blocks: list[Block], item: dict, report: CleaningReport) -> None:
    """A lead cut short with "..." (meta description) that starts the first paragraph: that paragraph is the lead."""
    lead = item.get("lead") or ""
    if not lead.endswith(("...", "…")):
        return
    stem = normalize_for_compare(lead.rstrip(".… "))
    if sum(1 for b in blocks if b.kind == "p") < 2:
        first = next((b for b in blocks if b.kind == "p"), None)
        if first is not None and normalize_for_compare(first.text).startswith(stem):
            item["lead"] = None  # only a cut-off copy of the text itself
        return
    for block in blocks[:3]:
        if block.kind == "p" and len(stem) >= 30 and normalize_for_compare(block.text).startswith(stem):
            # The page has no sapo of its own: its first paragraph is the lead, and stays the body's start.
            item["lead"] = block.text
            report.count("lead_from_first_paragraph")
            return


def render(blocks: list[Block]) -> tuple[str, str]:
    """(body_text, sanitized body_html)."""
    texts: list[str] = []
    parts: list[str] = []
    open_list: str | None = None
    for block in blocks:
        if block.kind == "li":
            if open_list != block.list_tag:
                if open_list:
                    parts.append(f"</{open_list}>")
                open_list = "ol" if block.list_tag == "ol" else "ul"
                parts.append(f"<{open_list}>")
            parts.append(f"<li>{block.html}</li>")
            texts.append(block.text)
            continue
        if open_list:
            parts.append(f"</{open_list}>")
            open_list = None
        if block.kind == "img":
            caption = f"<figcaption>{html_lib.escape(block.caption)}</figcaption>" if block.caption else ""
            alt = html_lib.escape(block.caption or "", quote=True)
            parts.append(f'<figure><img src="{html_lib.escape(block.src, quote=True)}" alt="{alt}">{caption}</figure>')
            continue
        if block.kind == "caption":  # a photo caption is not article text (GOLD.md): kept with its image only
            continue
        texts.append(block.text)
        tag = {"h": "h3", "table": "div"}.get(block.kind, "p")
        parts.append(f"<{tag}>{block.html}</{tag}>")
    if open_list:
        parts.append(f"</{open_list}>")
    if not texts:  # what looked like a caption was the only text ("Nội dung chi tiết xem tại văn bản đính kèm")
        texts = [b.text for b in blocks if b.kind == "caption"]
    return "\n\n".join(texts), sanitize_html("\n".join(parts))


ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "figure", "figcaption", "img", "a", "strong",
                "em", "b", "i", "u", "br", "table", "thead", "tbody", "tr", "td", "th", "sub", "sup", "div"}


def sanitize_html(fragment: str) -> str:
    """Only these tags and attributes survive; scripts, styles and event handlers never do."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}, "img": {"src", "alt"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


# Vietnamese headlines run to about 150 characters; 300 leaves room for long official titles ("Quyết định số ...
# về việc ..."). Anything longer is a page that put its text in the title element.
TITLE_MAX = 300


def _bounded_title(title: str | None, report: "CleaningReport") -> str | None:
    """``title`` cut to TITLE_MAX characters at a word boundary, with an ellipsis, and counted."""
    if title is None or len(title) <= TITLE_MAX:
        return title
    report.dropped["title_truncated"] += 1
    cut = title[:TITLE_MAX].rsplit(" ", 1)[0] or title[:TITLE_MAX]
    return cut.rstrip(" ,;:-–") + "…"


def clean_article(item: dict) -> CleaningReport:
    """Clean ``item`` in place: title, lead, body_text, body_html, images, author, source_attribution."""
    report = CleaningReport()
    item["title"] = _bounded_title(clean_text(item.get("title")), report)
    item["lead"] = clean_text(item.get("lead"))
    item["author"] = clean_text(item.get("author"))
    item["source_attribution"] = clean_text(item.get("source_attribution"))
    item["category"] = clean_text(item.get("category"))
    raw = item.get("body_html") or ""
    if not raw.strip():
        item["body_html"], item["body_text"], item["images"] = None, None, []
        return report
    root = lxml_html.fragment_fromstring(raw, create_parent="div")
    root.make_links_absolute(item["url"], resolve_base_href=False, handle_failures="discard")
    bylines: list[str | None] = []
    _prepare(root, bylines)
    blocks = _blocks_from(root)
    blocks = _attach_captions(blocks)
    _restore_drop_cap(blocks, item.get("title"), item.get("lead"), report)
    blocks = clean_blocks(blocks, item, report)
    _take_signature(blocks, item, report)
    _promote_truncated_lead(blocks, item, report)
    if not item.get("author"):
        item["author"] = next((b for b in bylines if b), None)
    body_text, body_html = render(blocks)
    item["body_text"] = body_text or None
    item["body_html"] = body_html or None
    item["images"] = [{"url": b.src, "caption": b.caption} for b in blocks if b.kind == "img"]
    if item["lead"] and normalize_for_compare(item["lead"]) == normalize_for_compare(body_text):
        item["lead"] = None  # the "lead" was the whole text
    return report
