"""The layout of a listing page: its main column, the side columns beside it, and the site's furniture (header,
menus, footer) that bounds it."""
from __future__ import annotations

import re

from crawler.extract.content import HAS_PART as _HAS_PART


# A side column of a listing page ("box-right", "list-box-right", "cot-phai", "col-right"): not the main list.
_SIDE_COLUMN = re.compile(r"(^|[\s_-])(right|cot-?phai|phai|aside|side|sidebar|col-?right|right-?col|most|hot|"
                          r"trending|xem-?nhieu|doc-?nhieu|noi-?bat-?sidebar)($|[\s_-])", re.I)
# Only the layout words: a column beside the main one. A "hot" or "trending" box may sit in the main column too
# (znews.vn's section page: section.section-trending between the featured block and the list).
_SIDE_LAYOUT = re.compile(r"(^|[\s_-])(right|cot-?phai|phai|aside|side|sidebar|col-?right|right-?col)($|[\s_-])", re.I)
# Page furniture that bounds the main column: the site's header, menus and footer.
_FURNITURE = re.compile(r"(^|[\s_-])(header|footer|nav|navbar|menu|mainmenu|topbar|top-bar|site-header)($|[\s_-])", re.I)
# A pager's class: "pagination", "paging", "boxpage", "phantrang", "page-nav" ... and its links are page numbers or
# arrows (a "page-wrapper" around znews.vn's whole page has the class but not the links).
_PAGER = re.compile(r"pag|phantrang|phan-trang|trang-so", re.I)
_PAGE_LABEL = re.compile(r"^(\d{1,4}|[«»‹›<>]+|sau|trước|tiếp|đầu|cuối|next|prev(ious)?|first|last|\.\.\.|…)$", re.I)


def is_pager(element) -> bool:
    """A pager: a "pag"-like class, 2+ links, most of them labelled with a number or an arrow."""
    marker = f"{element.get('class') or ''} {element.get('id') or ''}"
    if not _PAGER.search(marker):
        return False
    labels = [" ".join(a.text_content().split()) for a in element.iter("a")]
    return len(labels) >= 2 and sum(1 for t in labels if _PAGE_LABEL.match(t)) >= 0.6 * len(labels)


def side_column(element, stop, include_self: bool = False, layout_only: bool = False) -> bool:
    """The element sits in a side column (below ``stop``, the main column, when given). ``layout_only``: a column
    beside the main one (an <aside>, "sidebar", "col-right", "LeftPane" ...), not a "hot" box within it."""
    pattern = _SIDE_LAYOUT if layout_only else _SIDE_COLUMN
    for node in ([element] if include_self else []) + list(element.iterancestors()):
        if node is stop:
            return False
        if node.tag == "aside":
            return True
        marker = _HAS_PART.sub(" ", f"{node.get('class') or ''} {node.get('id') or ''}")
        if marker.strip() and pattern.search(marker):
            return True
    return False


# The site's own header or footer. A header of one block of the page ("category-header", "box-header",
# "section-header": znews.vn's sub-section menu above its list) is part of that block, not the site's furniture.
_SITE_PART = re.compile(r"(^|\s)((site|page|main|top|wrap|global)[-_]?)?(header|footer)([-_]?(top|wrap|main|site|page|"
                        r"inner|container|content|bottom))?($|\s)", re.I)


def _is_furniture(element) -> bool:
    """The site's header or footer (8+ links), or a menu of 15+ links: a section's own sub-section menu
    (dantri.com.vn: 8 links above the list) is part of the main column."""
    marker = f"{element.get('class') or ''} {element.get('id') or ''}"
    if element.tag in ("header", "footer") or _SITE_PART.search(marker):
        need = 8
    elif element.tag == "nav" or (marker.strip() and _FURNITURE.search(marker)):
        need = 15
    else:
        return False
    return sum(1 for _ in element.iter("a")) >= need


def main_column(container):
    """The highest ancestor of the best list that holds none of the site's header, menus or footer: the lead
    story, top stories and every block of the list sit in it; boxes beside it are excluded later."""
    root = container.getroottree().getroot()
    # Each furniture element with its ancestors (element objects, not id(): lxml proxies die and ids get reused).
    furniture = [(element, set(element.iterancestors()))
                 for element in root.iter() if isinstance(element.tag, str) and _is_furniture(element)]
    column = container
    while column.getparent() is not None and column.getparent().tag not in ("html", "body"):
        parent = column.getparent()
        if any(parent in above and column not in above and own is not column for own, above in furniture):
            break  # the parent also holds the header, a big menu or the footer
        column = parent
    return column


def after_pager(column, listed: set) -> set:
    """The links that follow the column's pager: the main list ends at the first pager after one of its links
    (a pager above the list does not count); what comes after it is other boxes (dantri.com.vn's older features
    and sub-section cards)."""
    started = pager = False
    after: set = set()
    for element in column.iter():
        if pager:
            if element.tag == "a":
                after.add(element)  # the pager's own links are numbers, never article links
        elif element in listed:
            started = True
        elif started and element.tag in ("div", "ul", "nav", "p", "section"):
            pager = is_pager(element)
    return after
