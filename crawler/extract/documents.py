"""Links to documents (PDF, Word, Excel, archives, images), not pages: a listing never follows them as articles,
cleaning keeps them in a body (a portal's notice often is its attached PDF)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# Links to files, not pages: documents, scans, media.
DOCUMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|odt|ods|pptx?|zip|rar|7z|jpe?g|png|gif|mp[34]|avi|apk)$", re.I)
# Documents served without their extension at the end: Liferay's /documents/<group>/<folder>/<name.pdf>/<uuid>
# (sotttt.hanoi.gov.vn), DotNetNuke's LinkClick.aspx?fileticket=..., download handlers with the file in the query.
_DOCUMENT_URL = re.compile(r"/documents/\d+/\d+/[^/?#]+\.(pdf|docx?|xlsx?|odt|ods|pptx?|rar|zip)/|"
                           r"linkclick\.aspx\?fileticket=|[?&](file|filename|attachment)=[^&]+\.(pdf|docx?|xlsx?|odt)\b",
                           re.I)


def is_document_url(url: str) -> bool:
    """The link leads to a document (PDF, Word, Excel, an archive, an image), not a page."""
    path = urlsplit(url).path
    return bool(DOCUMENT_EXT.search(path) or _DOCUMENT_URL.search(url))
