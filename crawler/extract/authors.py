"""The article's author: visible bylines (several authors as the page joins them), then structured data; a
role ("Ban biên tập") or the publisher's name ("Báo Lào Cai điện tử") is not an author."""
from __future__ import annotations

import re

from parsel import Selector

from crawler.extract.content import _in_card, _publisherish, element_text, in_boilerplate, select
from crawler.extract.page_index import page_index
from crawler.vi.text import clean_text, strip_diacritics

# A role, not a name: "Pho Ban bien tap" (sotttt.hanoi.gov.vn's p.view-content-author), "Biên tập viên", "Admin".
_ROLE_ONLY = re.compile(r"^(pho |truong )?(ban bien tap|bien tap vien|bien tap|quan tri( vien)?|admin|bbt|"
                        r"phong vien|ctv|cong tac vien)$")
_MORE_AUTHORS = re.compile(r"\s*(và|\+)\s*\d+\s*tác giả khác.*$", re.I)
_NAME_SEPARATORS = re.compile(r"\s+-\s+|\s*[,;&/]\s*|\s+và\s+", re.I)


def author_candidates(sel: Selector, meta: dict) -> list[tuple[str, str]]:
    """(text, why) of bylines: visible author elements (several authors as the page joins them), then metadata."""
    found = []
    for element in page_index(sel).author_like:
        text = _MORE_AUTHORS.sub("", element_text(element)).strip(" -–:")
        text = re.sub(r"^(tác giả|tác giả:|bài|bài:|by)\s+", "", text, flags=re.I).strip()
        if not 2 <= len(text) <= 80 or in_boilerplate(element) or _in_card(element) or _publisherish(text, meta):
            continue
        if text.lower() in ("tác giả", "author", "theo") or _ROLE_ONLY.search(strip_diacritics(text).lower()):
            continue
        found.append((text, f"author element <{element.tag} class={element.get('class')!r}>"))
    for name in meta.get("authors") or []:
        name = clean_text(name)
        if name and len(name) <= 80 and not _publisherish(name, meta):
            found.append((name, "structured data (JSON-LD/meta author)"))
    # The fullest byline wins: "NHẬT XUÂN - NGHI VŨ" at the bottom over "NHẬT XUÂN và 1 tác giả khác" at the top.
    def names(text):
        return len([n for n in _NAME_SEPARATORS.split(text) if n.strip()])
    best = max((names(t) for t, _ in found), default=0)
    return [c for c in found if names(c[0]) == best] + [c for c in found if names(c[0]) != best]


def find_author(sel: Selector, selector: str | None, meta: dict) -> str | None:
    if selector:
        return clean_text(" ".join(select(sel, selector).xpath(".//text()").getall()))
    candidates = author_candidates(sel, meta)
    return candidates[0][0] if candidates else None
