"""Hand-read gold body text for the gold article pages.

What the files are
------------------
``tests/gold/<site>/<page>.body.txt`` is the full article text proper of one real
page whose ``<page>.gold.json`` (in ``tests/gold/<site>/`` or in
``../shared/real-pages/<site>/``) has ``body_first``: one paragraph per line,
UTF-8, NFC, every run of whitespace (NBSP included) folded to one space. It is
what the ``body_first``/``body_last``/``body_chars_approx`` fields of the gold
JSON describe in full (see ``../shared/real-pages/GOLD.md``): no lead/sapo
(unless the gold notes say so), byline, source line, tags, related links, photo
captions, "read also" boxes or ads. It exists so that an extractor's body can
be scored by token-level F1 against it, not only by its first/last paragraph.

How they were made
------------------
By reading each page's markup, never from any extractor's output: this script
imports nothing of the crawler and no extraction library (trafilatura,
newspaper, goose, readability, justext), only lxml. For each page, ``PAGES``
below holds a hand-chosen selector for the body container and an explicit list
of the elements inside it that are dropped, each with a comment saying what the
markup shows there. The text of the remaining blocks (p, h2-h4, li,
blockquote, table rows -- or, where a CMS writes no <p>, the blocks named by
the page's ``blocks`` XPath) is taken in document order, one block per line;
<script>/<style> content is ignored, <br> counts as a space, empty blocks are
dropped.

How to regenerate / check
-------------------------
From the repository root::

    .venv/bin/python tests/gold/body_text.py           # rewrite every .body.txt, then check
    .venv/bin/python tests/gold/body_text.py --check   # rebuild in memory, compare with the files

Both print a table (page, paragraphs, chars, body_chars_approx, ratio, start
ok, end ok, must_not_contain ok) and exit non-zero when a check fails. The
checks: the text starts with the first 60 characters of gold ``body_first``,
ends with the last 60 of ``body_last``, its length (paragraphs joined by single
newlines) is within +-10% of ``body_chars_approx``, it contains no
``must_not_contain`` string, every exclusion selector still matches something,
and (``--check``) the stored file equals the rebuilt text. The real pages
are read from ``../shared/real-pages`` (override with ``REAL_PAGES_DIR``).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from lxml import html

GOLD_DIR = Path(__file__).resolve().parent
REAL_PAGES = Path(
    os.environ.get("REAL_PAGES_DIR", GOLD_DIR.parents[1].parent / "shared" / "real-pages")
)

# Blocks taken by default: the leaf-most of these inside the container.
BLOCK_TAGS = {"p", "h2", "h3", "h4", "li", "blockquote", "tr"}
# Never part of visible text.
SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg"}
START_CHARS = END_CHARS = 60
TOLERANCE = 0.10


@dataclass
class Page:
    site: str
    page: str
    container: str  # XPath (starts with / or ( ) or CSS; must match exactly one element
    exclude: list[tuple[str, str]] = field(default_factory=list)  # (XPath relative to container, why)
    blocks: str | None = None  # XPath relative to container; default: leaf-most BLOCK_TAGS


PAGES = [
    Page(
        "baocantho.com.vn", "article-a196670",
        "div.content-fck",
        [
            ("./p[starts-with(normalize-space(), '(CTO)')]",
             "first <p> of the container is the sapo '(CTO) - Ngày 8-1, ...' (= og:description and gold "
             "`lead`); gold notes: body = the 6 paragraphs after it"),
            ("./p[contains(@style, 'text-align: center')]",
             "centred <em> photo caption 'Chủ tịch UBND TP Cần Thơ Trương Cảnh Tuyên, ...'"),
            ("./p[contains(@style, 'text-align: right')]", "right-aligned bold byline 'Tin, ảnh: P.Y'"),
            ("./div[contains(@class, 'AMN_res')]", "empty ad slot div.AMN_res_baocantho.com.vn_mid"),
        ],
    ),
    Page(
        "baochinhphu.vn", "article-102260228093004191",
        "div.detail-content[data-role=content]",
        [
            ("./figure[@type='Photo']", "two photo figures (class noCaption, empty figcaption)"),
            ("./div[@type='RelatedNewsBox']",
             "'Tham khảo thêm' box of 5 older 'Chính sách mới ...' links, between "
             "<!-- bonewsrelation --> and <!-- eonewsrelation --> after the last paragraph"),
        ],
    ),
    Page(
        "dantri.com.vn", "article-20260307080054340",
        "div[data-slot=content]",
        [
            ("./div[contains(@class, 'dantri-widget--gold-price')]",
             "empty JS gold-price widget between paragraphs 2 and 3"),
            ("./aside[@data-module='related-article-in-content']", "empty slot for an in-content related article"),
        ],
    ),
    Page(
        "odp.cantho.gov.vn", "article-bhyt-ung-dung-di-dong",
        # CKAN blog post: the bare <div> right after span.muted.date in section.module-content;
        # the 'Quay lại' button, h1 and date are its siblings, not inside it.
        "//section[contains(@class, 'module-content')]/span[contains(@class, 'date')]/following-sibling::div[1]",
        # Nothing to drop: only <p>; paragraph 1 repeated verbatim as paragraph 2 is the page's own
        # text (gold notes: duplicates counted).
    ),
    Page(
        "odp.cantho.gov.vn", "article-dak-lak-csdl-dat-dai",
        "//section[contains(@class, 'module-content')]/span[contains(@class, 'date')]/following-sibling::div[1]",
        # Only <p>; the <p><img alt=''></p> (no caption) is empty and dropped as such; the literal
        # text '&nbsp;' (double-escaped in the source) is kept as the page shows it.
    ),
    Page(
        "plo.vn", "article-post874982",
        "div.article__body",
        [
            ("./figure", "single photos, each with a figcaption ending 'Ảnh: THUẬN VĂN' / 'LÊ ÁNH' / 'QUỐC THANH'"),
            ("./div[starts-with(@class, 'layout-image-')]",
             "photo galleries (layout-image-2/-3) of figure/figcaption, captions only"),
            ("./div[@class='ads_middle']", "ad scripts (Mobile_AdsArticleMiddle*)"),
            ("./div[@class='article-relate']",
             "related card 'Đoàn lãnh đạo TP.HCM dâng hương tưởng nhớ anh hùng liệt sĩ tại Côn Đảo' (has an <h2>)"),
            ("./div[@class='related-topic']",
             "'Dòng sự kiện: Tiến tới Đại hội Đảng bộ TP.HCM' topic box, 3 stories (h2/h3)"),
            ("./div[@class='article__meta']", "author names 'THUẬN VĂN' 'LÊ ÁNH' and share block"),
            ("./div[@id='adsMobile_AdsArticleAfterBody']", "ad script after the body"),
        ],
    ),
    Page(
        "plo.vn", "article-post874715",
        "div.article__body",
        [
            ("./figure", "photo with caption 'HĐXX sơ thẩm tuyên án vụ kiện ... Ảnh: TP'"),
            ("./div[@class='ads_middle']", "three ad scripts between paragraphs"),
            ("./div[@class='article-relate']",
             "related card 'Phán quyết của tòa vụ vay ngân hàng mua biệt thự: ...' (has an <h2>)"),
            ("./div[@class='article__meta']", "author 'SONG MAI' and share buttons"),
            ("./div[@id='adsMobile_AdsArticleAfterBody']", "ad script after the body"),
        ],
    ),
    Page(
        "tuoitre.vn", "article-20260307075519174",
        # Two div.detail-content[data-role=content] on the page: the second is the empty popup
        # template div#objectPopupBody near the end of the page.
        "//div[contains(@class, 'detail-content')][@data-role='content'][not(@id='objectPopupBody')]",
        [
            (".//figure",
             "photos with captions '... - Ảnh: H.Y.T.' (top) and '... - Ảnh: P.T.' (inside the 2nd "
             "tinted box; its caption is a <p> inside figcaption)"),
            ("./div[@type='RelatedOneNews']",
             "related card 'Xung đột ở Trung Đông khiến xuất khẩu Việt lao đao ...' + its sapo"),
            ("./div[contains(@class, 'readmore-body-box')]", "hidden 'Đọc tiếp / Về trang Chủ đề' buttons"),
        ],
        # The two tinted div[type=content] boxes (h3 + paragraphs) are article text: kept.
    ),
    Page(
        "vtcnews.vn", "article-ar994669",
        "//div[@itemprop='articleBody']",
        [
            (".//figure", "full-width photo before each paragraph; every figcaption is empty"),
            ("./div[contains(@class, 'author-make')]", "byline 'Lương Ý' after the last paragraph"),
            ("./div[contains(@class, 'div-interaction')]", "hidden interaction bar (empty)"),
            ("./div[@class='result-quizz']", "empty quiz slot"),
            ("./div[@class='baner-mb' or @class='baner-pc']", "ad scripts (adsvtc.push)"),
        ],
    ),
    Page(
        "znews.vn", "article-post1613516",
        "div.the-article-body",
        [
            ("./table[contains(@class, 'picture')]",
             "top photo with caption '... chạm mốc kỷ lục 4.489 USD/ounce. Ảnh: Reuters.'"),
            ("./table[@class='article']",
             "3 embedded related-article cards ('Kỷ lục mới của giá vàng', 'Giá vàng tăng lại', "
             "'Giá vàng thế giới bật tăng sau quyết định của Fed')"),
            ("./div[contains(@class, 'notebox')]",
             "promo box 'Tri Thức - Znews giới thiệu độc giả Tủ sách kiến thức kinh tế ...'"),
        ],
    ),
    Page(
        "baolaocai.vn", "article-post404649",
        "div.article__body",
        [
            ("./style", "inline CSS for the byline (.t1 right-aligned, .t2 bold)"),
            ("./div[@class='sda_middle']", "three empty ad slots between paragraphs"),
            ("./div[@class='t1']", "right-aligned byline div.t1 > span.t2 'Anh Dũng'"),
            ("./div[@id='sdaWeb_SdaArticleAfterBody']", "hidden ad slot after the body"),
        ],
        # This CMS writes no <p>: each paragraph is a bare <div> child of the body.
        blocks="./div[not(@class) and not(@id)]",
    ),
    *[
        Page(
            "sotttt.hanoi.gov.vn", page,
            # Liferay asset publisher: the article's journal-content-article is inside div.asset-content;
            # a second div.journal-content-article (a sidebar web-content portlet) is elsewhere.
            "//div[contains(@class, 'asset-content')]//div[@class='journal-content-article']",
            [
                ("./p[@align='center' or contains(@style, 'text-align: center')]",
                 "centred paragraphs: the photo and its caption (e.g. '... (Ảnh: laodongthudo.vn)')"),
                ("./p[@align='right' or contains(@style, 'text-align: right')]",
                 "right-aligned byline (author name) and p.view-content-author 'Pho Ban bien tap'"),
            ],
        )
        for page in ("article-cchc-1660919", "article-cchc-3235385", "article-cchc-3807293")
    ],
    Page(
        "vnexpress.net", "article-4672302",
        "article.fck_detail",
        [
            ("./figure[contains(@class, 'tplCaption')]", "photo with caption 'Ông Hồ Đức Phớc, Bộ trưởng Tài chính. Ảnh: Hoàng Phong'"),
            ("./p[.//iframe]", "p.Normal holding only a Flourish chart iframe + script, no text"),
            ("./p[@class='author_mail']", "byline <strong>Anh Minh</strong>"),
        ],
    ),
    Page(
        "vnexpress.net", "article-4954454",
        "article.fck_detail",
        [
            ("./figure[contains(@class, 'tplCaption')]", "photo with caption 'Y bác sĩ nội soi cho bệnh nhân. Ảnh: Bệnh viện cung cấp'"),
            ("./p[contains(@style, 'text-align:right')]", "last p.Normal, right-aligned <strong>Lê Phương</strong> byline"),
        ],
    ),
]


def fold(text: str) -> str:
    """NFC, every run of whitespace (NBSP included) to one space, stripped."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def select(root, selector: str) -> list:
    if selector.startswith(("/", "(", ".")):
        return root.xpath(selector)
    return root.cssselect(selector)


def visible_text(el) -> str:
    parts: list[str] = []

    def walk(node) -> None:
        if not isinstance(node.tag, str) or node.tag in SKIP_TAGS:  # comments, PIs, scripts
            return
        if node.tag == "br":
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return fold("".join(parts))


def block_text(el) -> str:
    if el.tag == "tr":  # table cells as one row
        cells = [visible_text(c) for c in el if isinstance(c.tag, str) and c.tag in ("td", "th")]
        return " | ".join(c for c in cells if c)
    return visible_text(el)


def body_paragraphs(spec: Page, html_path: Path) -> tuple[list[str], list[str]]:
    """The page's body paragraphs, and a list of problems with the spec."""
    problems: list[str] = []
    doc = html.document_fromstring(html_path.read_bytes(), parser=html.HTMLParser(encoding="utf-8"))
    found = select(doc, spec.container)
    if len(found) != 1:
        return [], [f"container {spec.container!r} matched {len(found)} elements"]
    box = found[0]
    dropped = set()
    for xpath, _why in spec.exclude:
        hits = box.xpath(xpath)
        if not hits:
            problems.append(f"exclusion matches nothing: {xpath}")
        for hit in hits:
            dropped.update(hit.iter())
    if spec.blocks:
        blocks = [b for b in box.xpath(spec.blocks) if b not in dropped]
    else:
        candidates = [e for e in box.iterdescendants() if isinstance(e.tag, str) and e.tag in BLOCK_TAGS]
        blocks = []
        for e in candidates:
            if e in dropped or any(a.tag in SKIP_TAGS for a in e.iterancestors()):
                continue
            inner = [d for d in e.iterdescendants() if isinstance(d.tag, str) and d.tag in BLOCK_TAGS]
            if inner:  # leaf-most wins; say so if text would be lost between the inner blocks
                outer = fold(visible_text(e))
                kept = fold(" ".join(visible_text(d) for d in inner))
                if len(outer) > len(kept) + 1:
                    problems.append(f"<{e.tag}> has text outside its inner blocks: {outer[:60]!r}")
                continue
            blocks.append(e)
    return [t for t in (block_text(b) for b in blocks) if t], problems


def find_gold(site: str, page: str) -> Path:
    paths = [p for p in (GOLD_DIR / site / f"{page}.gold.json", REAL_PAGES / site / f"{page}.gold.json")
             if p.exists()]
    if len(paths) != 1:
        raise SystemExit(f"{site}/{page}: expected one gold json, found {paths}")
    return paths[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; compare the stored .body.txt files with the rebuilt text")
    args = parser.parse_args(argv)

    header = ("page", "paras", "chars", "approx", "ratio", "start", "end", "mnc", "file")
    rows, failures = [], []
    for spec in PAGES:
        name = f"{spec.site}/{spec.page}"
        gold = json.loads(find_gold(spec.site, spec.page).read_text(encoding="utf-8"))
        paragraphs, problems = body_paragraphs(spec, REAL_PAGES / spec.site / f"{spec.page}.html")
        text = "\n".join(paragraphs)
        first, last = fold(gold["body_first"]), fold(gold["body_last"])
        start_ok = text.startswith(first[:START_CHARS])
        end_ok = text.endswith(last[-END_CHARS:])
        approx = gold["body_chars_approx"]
        ratio = len(text) / approx
        mnc_ok = not [s for s in gold.get("must_not_contain", []) if fold(s) in fold(text)]
        out = GOLD_DIR / spec.site / f"{spec.page}.body.txt"
        if args.check:
            stored = out.read_text(encoding="utf-8") if out.exists() else None
            file_state = "same" if stored == text + "\n" else ("missing" if stored is None else "DIFFERS")
        else:
            out.parent.mkdir(exist_ok=True)
            out.write_text(text + "\n", encoding="utf-8")
            file_state = "written"
        ok = start_ok and end_ok and abs(ratio - 1) <= TOLERANCE and mnc_ok and not problems
        ok = ok and file_state in ("same", "written")
        if not ok:
            failures.append((name, problems or [f"file {file_state}" if file_state not in ("same", "written")
                                                else "a check failed, see the table"]))
        rows.append((name, len(paragraphs), len(text), approx, f"{ratio:.3f}",
                     "ok" if start_ok else "NO", "ok" if end_ok else "NO", "ok" if mnc_ok else "NO",
                     file_state))

    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip())
    for name, problems in failures:
        print(f"FAIL {name}: " + "; ".join(problems), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
