"""Vietnamese phrases of page furniture: the headings of "other articles" boxes and the short blocks of toolbars
and comment forms. Extraction uses them to know where a page's related lists begin (a date or a title there is
another article's), cleaning to cut them from a body."""
from __future__ import annotations

import re

# Whole blocks that are page furniture, not article text (seen in the seeds: comment forms, toolbars).
NOISE_BLOCK_RE = re.compile(
    r"^(email\s*print\s*aa|email|print|in bài( viết)?|in trang|bản in|gửi email|gửi bài|chia sẻ|share|tweet|lưu bài|"
    r"cỡ chữ|aa|a\+?|a-|refresh|\(\*\)|lượt xem:?\s*\d*|view count:?\s*\d*|quay lại|về đầu trang|top|"
    r"viết bình luận|gửi bình luận|ý kiến bạn đọc|bình luận|ý kiến của bạn|mã xác nhận|captcha|"
    r"tắt bộ gõ.*|số ký tự còn lại:?.*|protected by formshield|họ (và )?tên:?|email:?|"
    r"hãy sử dụng tiếng việt có dấu.*|bình luận của bạn sẽ được biên tập.*|ý kiến của bạn sẽ được biên tập.*)$",
    re.I,
)
# A heading after which only other articles follow ("Tin liên quan", "Các tin khác", "Tin đã đưa", "Tham khảo
# thêm", "TIN MỚI", "Chủ đề:").
RELATED_HEADING_RE = re.compile(
    r"^(các\s+)?(tin|bài|bài viết|tin bài|tin tức|thông báo|văn bản)\s+(liên quan|khác|cùng chuyên mục|cùng loại|"
    r"đã đưa|đã đăng|mới hơn|cũ hơn|mới|nổi bật|xem nhiều|đọc nhiều|tiêu điểm)\b"
    r"|^(xem|đọc|tham khảo) thêm\b|^có thể bạn quan tâm|^(đọc|xem) nhiều\b|^(chủ đề|từ khóa|từ khoá|tags?)\s*:",
    re.I,
)
# Longest text of a heading of such a box ("Các tin khác cùng chuyên mục Cải cách hành chính" is 48).
RELATED_HEADING_MAX = 60
# A line that only points to an attached document: "Tải về: KH CCHC 2020.docx", "File đính kèm: ...", "Xem chi
# tiết tại đây", "Chi tiết báo cáo xem tại văn bản đính kèm: BC.pdf", "Văn bản: QĐ 120.pdf (Tải về)". The
# document is the content (kept as an attachment), the line is not article text.
ATTACHMENT_LINE_RE = re.compile(
    r"^(tải về|tải xuống|download|file đính kèm|tệp đính kèm|tài liệu đính kèm|văn bản đính kèm|đính kèm|"
    r"(xem )?(chi tiết|toàn văn|nội dung)( [\w\s]{0,40})? (xem )?(tại|ở) (đây|văn bản đính kèm|file đính kèm|tệp đính kèm)|"
    r"xem (file|tệp|văn bản)|file|tệp tin)\b",
    re.I,
)
# Longest such line (a file name may be long: "Tải về: 216-BC-STC Báo cáo kết quả CCHC 6 tháng đầu năm 2019.pdf").
ATTACHMENT_LINE_MAX = 200
