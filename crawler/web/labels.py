"""Names people read in the browser, apart from the data's own keys: the column headers of the saved queries
(crawler/web/templates/query.html; a query's `column_labels` in datasette.yaml come first) and the title of a
search's Atom feed. CSV and JSON keep the short keys, which scripts rely on."""
from __future__ import annotations

COLUMN_LABELS = {
    "id": "Mã / ID", "title": "Tiêu đề / Title", "published": "Ngày đăng / Published", "province": "Tỉnh / Province",
    "source": "Trang nguồn / Source", "snippet": "Đoạn khớp / Where it matches", "lead": "Sapo / Lead",
    "url": "Bài gốc / Original", "status": "Trạng thái / Status", "sites": "Số trang / Sites",
    "urls": "Số địa chỉ / URLs", "first_published": "Đăng lần đầu / First published",
    "first_source": "Nguồn đầu tiên / First source", "all_sources": "Các nguồn / Sources",
    "story_id": "Mã câu chuyện / Story", "edited_at": "Sửa lúc / Edited", "earlier_versions": "Bản cũ / Earlier versions",
    "removed_at": "Gỡ lúc / Removed", "removed_reason": "Lý do gỡ / Why removed", "similarity": "Giống (0-1) / Similarity",
}


def column_label(column: str, metadata=None) -> str:
    labels = (metadata or {}).get("column_labels") or {}
    return labels.get(column) or COLUMN_LABELS.get(column, column)


def search_feed_title(q: str | None) -> str:
    """The feed's title names what it follows: a reader subscribed to several searches tells them apart."""
    q = " ".join((q or "").split())
    return f"Tin CCHC: “{q}” / CCHC news: “{q}”" if q else "Tin CCHC mới nhất / The newest CCHC articles"
