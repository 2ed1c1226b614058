"""One walk over a parsed page, shared by the finders, instead of a dozen XPath scans of the whole tree.

``page_index(sel)`` is built once per page (kept for the last page parsed) and lists, in document order, the
elements the generic finders look at: elements by class token, title-like elements, known CMS body containers,
``<time datetime>``, breadcrumbs and elements whose class or id looks like a date line.
"""
from __future__ import annotations

import re

_DATEISH = re.compile(r"date|time|ngay|publish|timer|posted|meta|thoi-gian|ngaydang", re.I)
# Class substrings of the body containers of known CMS families (Liferay, the -post<id>.html newspaper CMS ...).
KNOWN_BODY_CLASSES = ("journal-content-article", "article__body", "cms-body", "fck_detail", "detail-content",
                      "content-detail", "newscontent", "ArticleContent", "news-content")
_KNOWN_BODY = re.compile("|".join(KNOWN_BODY_CLASSES))
_TITLE_TAGS = {"h1", "h2", "h3"}
# Class tokens of a lead (sapo): "sapo", "detail-sapo", "article__sapo", "cms-desc", "summary", "tomtat" ...
_LEAD_CLASS = re.compile(r"(^|[\s_-])(sapo|lead|summary|chapeau|desc|description|intro|text-intro|tomtat|tom-tat|"
                         r"mota|trichyeu|excerpt|abstract|teaser)($|[\s_-])", re.I)
# Class/id of a byline element (also what cleaning sets aside from a body as a byline).
AUTHOR_CLASS_RE = re.compile(r"author|tac-?gia|byline|nguoi-?viet|signature", re.I)


class PageIndex:
    def __init__(self, root):
        self.by_class: dict[str, list] = {}
        self.title_like: list = []
        self.h1: list = []
        self.lead_like: list = []  # sapo/lead/summary classes, data-role="sapo", itemprop="description"
        self.author_like: list = []  # author/byline/tac-gia classes, itemprop/rel/data-role="author"
        self.known_body: list = []
        self.times: list = []  # <time datetime=...>
        self.breadcrumbs: list = []
        self.dateish: list = []  # inside <body>
        self._root, self._position, self._order, self._order_position = root, None, None, None
        body = root.find("body") if root.tag == "html" else None
        in_body = body is None
        for element in root.iter():
            tag = element.tag
            if not isinstance(tag, str):
                continue
            if element is body:
                in_body = True
                continue
            classes = element.get("class") or ""
            if classes:
                for token in classes.split():
                    self.by_class.setdefault(token, []).append(element)
            if tag in _TITLE_TAGS or "title" in classes or "tieu-de" in classes:
                self.title_like.append(element)
            if tag == "h1":
                self.h1.append(element)
            role = element.get("data-role") or element.get("data-slot")  # VCCorp data-role, Dân trí data-slot
            itemprop = element.get("itemprop")
            if role in ("sapo", "lead") or itemprop == "description" or (classes and _LEAD_CLASS.search(classes)):
                self.lead_like.append(element)
            if (classes and AUTHOR_CLASS_RE.search(classes)) or "author" in (itemprop, role, element.get("rel")):
                self.author_like.append(element)
            if (itemprop == "articleBody" or role == "content" or element.get("id") == "main-detail"
                    or (classes and _KNOWN_BODY.search(classes))):
                self.known_body.append(element)
            if tag == "time" and element.get("datetime") is not None:
                self.times.append(element)
            if classes and ("breadcrumb" in classes or "chuyenmuc" in classes or "chuyen-muc" in classes):
                self.breadcrumbs.append(element)
            if in_body and element is not body:
                marker = f"{classes} {element.get('id') or ''}"
                if marker != " " and _DATEISH.search(marker):
                    self.dateish.append(element)

    @property
    def order(self) -> list:
        """The page's elements (no comments) in document order (listed once, when first asked)."""
        if self._order is None:
            self._order = [e for e in self._root.iter() if isinstance(e.tag, str)]
            self._order_position = {e: i for i, e in enumerate(self._order)}
        return self._order

    @property
    def order_position(self) -> dict:
        """Element -> its index in ``order``."""
        _ = self.order
        return self._order_position

    @property
    def position(self) -> dict:
        """Element -> its index in document order (walked once, when first asked)."""
        if self._position is None:
            self._position = {element: i for i, element in enumerate(self._root.iter())}
        return self._position

    def with_class(self, token: str) -> list:
        return self.by_class.get(token, [])


_last: tuple = (None, None)


def page_index(sel) -> PageIndex:
    """The index of this Selector's page (cached for the most recent page)."""
    global _last
    root = sel.root
    if _last[0] is not root:
        _last = (root, PageIndex(root))
    return _last[1]
