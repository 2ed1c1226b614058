"""Links to documents (PDF, Word, Excel, archives, images), not pages: a listing never follows them as articles,
cleaning keeps them in a body (a portal's notice often is its attached PDF), and ``attachment_links`` lists the
ones an article attaches (its ``attachments`` candidates, fetched and read by pipelines/documents.py)."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from w3lib.url import safe_url_string

from crawler.registry import domain_matches, host_of
from crawler.urls import clean_url
from crawler.vi.furniture import ATTACHMENT_LINE_MAX, ATTACHMENT_LINE_RE
from crawler.vi.text import clean_text

# Links to files, not pages: documents, scans, media.
DOCUMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|odt|ods|pptx?|zip|rar|7z|jpe?g|png|gif|mp[34]|avi|apk)$", re.I)
# Documents served without their extension at the end: Liferay's /documents/<group>/<folder>/<name.pdf>/<uuid>
# (sotttt.hanoi.gov.vn), DotNetNuke's LinkClick.aspx?fileticket=..., download handlers with the file in the query.
_DOCUMENT_URL = re.compile(r"/documents/\d+/\d+/[^/?#]+\.(pdf|docx?|xlsx?|odt|ods|pptx?|rar|zip)/|"
                           r"linkclick\.aspx\?fileticket=|[?&](file|filename|attachment)=[^&]+\.(pdf|docx?|xlsx?|odt)\b",
                           re.I)
# The formats crawler/documents reads, by the extension of the path, of a Liferay file segment, or of a file
# name in the query (download.aspx?file=KH-12.pdf).
READABLE_EXT = re.compile(r"\.(pdf|docx?|xlsx?|odt|ods)$", re.I)
_READABLE_IN_PATH = re.compile(r"/documents/\d+/\d+/[^/?#]+\.(pdf|docx?|xlsx?|odt|ods)/", re.I)
# A download handler whose type only its answer tells (LinkClick.aspx?fileticket=, /Download.aspx?id=12,
# /tai-ve/123): fetched when the link says it downloads, then kept only if the answer is a document.
_DOWNLOADER = re.compile(r"linkclick\.aspx\?fileticket=|(^|/)(download|tai-?ve|tai-?xuong|getfile|file)"
                         r"(\.aspx|\.ashx|\.php)?([/?]|$)", re.I)
# A viewer page that shows a document given in its query: pdf.js's viewer.html?file=, Google's and Office's
# viewers (?url= / ?src=), portals' own (?doc=, ?path=).
_VIEWER_PARAMS = ("file", "url", "src", "doc", "path", "filename")
# Link texts (and titles) that say the link downloads a file, whatever its URL looks like.
_DOWNLOAD_WORDS = re.compile(r"\b(tải về|tải xuống|tải file|tải tệp|download|đính kèm|xem file|xem tệp|toàn văn)\b",
                             re.I)
# Link texts that only point at the file: "tại đây", "Tải về", "Xem", "Download" (the words around say what it is).
_POINTER = re.compile(r"\W*(xem( chi tiết| toàn văn| file| văn bản)?( tại| ở)? đây|tại đây|ở đây|tải về|tải xuống|"
                      r"download|xem|click|here|bấm vào đây|nhấn vào đây)\W*", re.I)
# Link texts that are a file name ("216-BC-STC.pdf").
_FILE_NAME = re.compile(r"\S\.(pdf|docx?|xlsx?|odt|ods)\s*$", re.I)
# How far up from a link its attachment block may start: <div class="file"><b>File đính kèm:</b> <ul><li><a>.
_BLOCK_CLIMB = 3


def is_document_url(url: str) -> bool:
    """The link leads to a document (PDF, Word, Excel, an archive, an image), not a page."""
    path = urlsplit(url).path
    return bool(DOCUMENT_EXT.search(path) or _DOCUMENT_URL.search(url))


def is_readable_document_url(url: str) -> bool:
    """The link names a file crawler/documents reads (PDF, Word, Excel, OpenDocument), by its extension."""
    parts = urlsplit(url)
    if READABLE_EXT.search(unquote(parts.path)) or _READABLE_IN_PATH.search(parts.path):
        return True
    return any(k.lower() in ("file", "filename", "attachment") and READABLE_EXT.search(v)
               for k, v in parse_qsl(parts.query))


def _viewed(url: str) -> str | None:
    """The document a viewer URL shows (``/pdfjs/web/viewer.html?file=/img/KH.pdf``), absolute, or None."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if key.lower() in _VIEWER_PARAMS and is_readable_document_url(urljoin(url, value.strip())):
            return urljoin(url, value.strip())
    return None


def _text(element) -> str:
    return clean_text(" ".join(element.itertext())) or ""


def _in_attachment_block(link) -> bool:
    """The link sits in a short block that announces an attachment ("File đính kèm:", "Xem chi tiết tại đây",
    "Tải về"), or follows such a heading."""
    node = link
    for _ in range(_BLOCK_CLIMB):
        node = node.getparent()
        if node is None or node.tag in ("body", "html"):
            return False
        text = _text(node)
        if len(text) > ATTACHMENT_LINE_MAX:
            break
        if ATTACHMENT_LINE_RE.match(text) or _DOWNLOAD_WORDS.search(text):
            return True
    previous = node.getprevious() if node is not None else None
    return previous is not None and isinstance(previous.tag, str) and bool(
        ATTACHMENT_LINE_RE.match(_text(previous)[:ATTACHMENT_LINE_MAX]))


def _name(element, url: str) -> str:
    """What the page calls the document: the link's text or title, else the file name in the URL."""
    for text in (_text(element), clean_text(element.get("title")), clean_text(element.get("aria-label"))):
        if text and not re.fullmatch(r"(tại đây|tải về|tải xuống|download|xem|click|here|\W*)", text, re.I):
            return text[:300]
    return unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) or url


def attachment_links(root, page_url: str, domains, body=None, skip=None) -> list[dict]:
    """The documents an article page attaches, in page order: ``[{"url", "name"}]``.

    A link (or a viewer ``iframe``/``embed``/``object``) counts when it is on the site's own hosts (``domains``,
    or the page's host) and either leads to a readable file (by extension: PDF, Word, Excel, OpenDocument; a
    viewer's ``?file=``) inside the article's ``body`` or in an attachment block anywhere outside page furniture,
    or says that it downloads ("Tải về", "File đính kèm") without an extension: its answer then decides. ``skip``
    tells page furniture and other articles' boxes (a menu's "Văn bản mới" PDFs are not this article's)."""
    own = tuple(dict.fromkeys([*domains, host_of(page_url)]))
    found: dict[str, dict] = {}
    for element in root.iter("a", "iframe", "embed", "object"):
        raw = element.get("href") if element.tag == "a" else (element.get("src") or element.get("data"))
        if not raw or raw.strip().lower().startswith(("javascript:", "mailto:", "#", "tel:", "data:")):
            continue
        url = urljoin(page_url, raw.strip())
        url = safe_url_string(_viewed(url) or url)  # as Scrapy requests it (spaces in portals' file names: %20)
        if urlsplit(url).scheme not in ("http", "https") or not domain_matches(host_of(url), own):
            continue
        inside = body is not None and (element is body or any(a is body for a in element.iterancestors()))
        if not inside and skip is not None and skip(element):
            continue
        readable = is_readable_document_url(url)
        if element.tag != "a":
            wanted = readable
        elif readable:
            wanted = inside or _in_attachment_block(element) or bool(_POINTER.fullmatch(_text(element))
                                                                       or _FILE_NAME.search(_text(element)))
        else:
            says = f"{_text(element)} {element.get('title') or ''}"
            wanted = (not DOCUMENT_EXT.search(urlsplit(url).path) and bool(_DOWNLOADER.search(url))
                      and bool(_DOWNLOAD_WORDS.search(says) or ATTACHMENT_LINE_RE.match(says.strip())))
        if not wanted:
            continue
        key = clean_url(url)
        if key not in found:
            found[key] = {"url": key, "name": _name(element, key) if element.tag == "a" else _name_of_file(key)}
        elif found[key]["name"] == _name_of_file(key) and element.tag == "a":
            found[key]["name"] = _name(element, key)  # a viewer first, its download link's text second
    return list(found.values())


def _name_of_file(url: str) -> str:
    return unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) or url
