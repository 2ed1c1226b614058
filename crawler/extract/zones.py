"""Where a page lists other articles: the boxes that follow a heading such as "Tin liên quan", "Các tin khác" or
"Tin đã đưa". A date or a headline inside one belongs to another article, whatever its markup (portals often
give such boxes no telling class: a table cell with the heading in bold, then rows of links and dates)."""
from __future__ import annotations

from crawler.vi.furniture import RELATED_HEADING_MAX, RELATED_HEADING_RE

# How far up from the heading's own element the box may start: the heading sits in a <span>, <a> or <b> inside
# a title bar (<div class="title"><span>Các tin khác</span></div>) whose next siblings are the list, or deeper
# (LacViet SharePoint: p > td > tr > tbody > table.tbtinkhac, the list in the next table).
_CLIMB = 5
_last: tuple = (None, None)


def _heading_elements(root):
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "title", "option"):
            continue
        own = " ".join((element.text or "").split())
        if own and len(own) < RELATED_HEADING_MAX and RELATED_HEADING_RE.search(own):
            yield element


def related_zones(root) -> list:
    """Root elements of the page's "other articles" boxes (cached for the last page asked)."""
    global _last
    if _last[0] is root:
        return _last[1]
    zones = []
    for heading in _heading_elements(root):
        node = heading
        for _ in range(_CLIMB):
            if node.getnext() is not None or node.getparent() is None or node.getparent().tag in ("body", "html"):
                break
            node = node.getparent()
        zones.extend(sibling for sibling in node.itersiblings() if isinstance(sibling.tag, str))
    _last = (root, zones)
    return zones


def in_related_zone(element, zones: list, unless_holding=None) -> bool:
    """The element sits in one of ``zones`` (a zone that holds ``unless_holding``, the page's headline, is not
    a box of other articles but the article itself, and does not count)."""
    if not zones:
        return False
    ancestry = [element, *element.iterancestors()]
    for zone in zones:
        if any(node is zone for node in ancestry):
            if unless_holding is not None and any(a is zone for a in unless_holding.iterancestors()):
                continue
            return True
    return False
