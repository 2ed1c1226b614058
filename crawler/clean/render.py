"""Rendering the kept blocks: ``body_text`` (paragraphs separated by blank lines) and a ``body_html`` sanitized
with nh3 (an allow-list of tags and attributes, safe for Datasette to render)."""
from __future__ import annotations

import html as html_lib

import nh3

from crawler.clean.blocks import Block

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
