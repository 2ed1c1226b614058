"""Words of document headers, spelled right: what OCR's lost or wrong diacritics are restored to.

A header word read by OCR is replaced only by a phrase of this list that folds to the same letters
("BẢN CHẮP HÀNH TRUNG ƯƠNG" -> "BAN CHẤP HÀNH TRUNG ƯƠNG", "ĐĂK NÔNG" -> "ĐẮK NÔNG"), so a correct word never
changes and an unknown one is kept as read.
"""
from __future__ import annotations

import functools
import unicodedata

# Document types of Decree 30/2020/NĐ-CP (Appendix III) and the Party's Guide 36-HD/VPTW, with the codes their
# numbers carry ("3125/KH-STC", "13-NQ/TW"). Codes without their Đ are what OCR or ASCII filenames give.
DOC_TYPES = {
    "NGHỊ QUYẾT": ("Nghị quyết", "NQ"),
    "QUYẾT ĐỊNH": ("Quyết định", "QĐ"),
    "CHỈ THỊ": ("Chỉ thị", "CT"),
    "QUY CHẾ": ("Quy chế", "QC"),
    "QUY ĐỊNH": ("Quy định", "QYĐ"),
    "THÔNG CÁO": ("Thông cáo", "TC"),
    "THÔNG BÁO": ("Thông báo", "TB"),
    "HƯỚNG DẪN": ("Hướng dẫn", "HD"),
    "CHƯƠNG TRÌNH": ("Chương trình", "CTR"),
    "KẾ HOẠCH": ("Kế hoạch", "KH"),
    "PHƯƠNG ÁN": ("Phương án", "PA"),
    "ĐỀ ÁN": ("Đề án", "ĐA"),
    "DỰ ÁN": ("Dự án", "DA"),
    "BÁO CÁO": ("Báo cáo", "BC"),
    "BIÊN BẢN": ("Biên bản", "BB"),
    "TỜ TRÌNH": ("Tờ trình", "TTR"),
    "HỢP ĐỒNG": ("Hợp đồng", "HĐ"),
    "CÔNG VĂN": ("Công văn", None),
    "CÔNG ĐIỆN": ("Công điện", "CĐ"),
    "BẢN GHI NHỚ": ("Bản ghi nhớ", "BGN"),
    "BẢN THỎA THUẬN": ("Bản thỏa thuận", "BTT"),
    "GIẤY ỦY QUYỀN": ("Giấy ủy quyền", "GUQ"),
    "GIẤY MỜI": ("Giấy mời", "GM"),
    "GIẤY GIỚI THIỆU": ("Giấy giới thiệu", "GGT"),
    "GIẤY NGHỈ PHÉP": ("Giấy nghỉ phép", "GNP"),
    "PHIẾU GỬI": ("Phiếu gửi", "PG"),
    "PHIẾU CHUYỂN": ("Phiếu chuyển", "PC"),
    "PHIẾU BÁO": ("Phiếu báo", "PB"),
    "THƯ CÔNG": ("Thư công", None),
    "KẾT LUẬN": ("Kết luận", "KL"),
    "NGHỊ ĐỊNH": ("Nghị định", "NĐ"),
    "THÔNG TƯ": ("Thông tư", "TT"),
    "LUẬT": ("Luật", None),
    "PHÁP LỆNH": ("Pháp lệnh", None),
    "CHỈ THỊ LIÊN TỊCH": ("Chỉ thị liên tịch", None),
    "THÔNG TƯ LIÊN TỊCH": ("Thông tư liên tịch", "TTLT"),
}
TYPE_BY_CODE = {code: name for name, code in DOC_TYPES.values() if code}
TYPE_BY_CODE.update({"QD": "Quyết định", "CD": "Công điện", "ND": "Nghị định", "QYD": "Quy định"})

# Issuing bodies and their parts (upper case, as headers print them).
ISSUER_WORDS = """
ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN|HĐND|ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM|TỈNH|THÀNH PHỐ|
HUYỆN|THỊ XÃ|XÃ|PHƯỜNG|THỊ TRẤN|QUẬN|SỞ|BỘ|BAN|CỤC|TỔNG CỤC|CHI CỤC|VỤ|VIỆN|TRUNG TÂM|VĂN PHÒNG|THANH TRA|
KHO BẠC NHÀ NƯỚC|NGÂN HÀNG NHÀ NƯỚC|CÔNG AN|BỘ CHỈ HUY QUÂN SỰ|TÒA ÁN NHÂN DÂN|VIỆN KIỂM SÁT NHÂN DÂN|
TÀI CHÍNH|NỘI VỤ|TƯ PHÁP|KẾ HOẠCH VÀ ĐẦU TƯ|LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI|LAO ĐỘNG|THƯƠNG BINH|XÃ HỘI|TBXH|
LĐTBXH|Y TẾ|GIÁO DỤC VÀ ĐÀO TẠO|XÂY DỰNG|GIAO THÔNG VẬN TẢI|CÔNG THƯƠNG|NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN|
NÔNG NGHIỆP VÀ MÔI TRƯỜNG|TÀI NGUYÊN VÀ MÔI TRƯỜNG|THÔNG TIN VÀ TRUYỀN THÔNG|VĂN HÓA, THỂ THAO VÀ DU LỊCH|
VĂN HÓA|THỂ THAO VÀ DU LỊCH|KHOA HỌC VÀ CÔNG NGHỆ|DÂN TỘC|NGOẠI VỤ|QUỐC PHÒNG|DÂN TỘC VÀ TÔN GIÁO|
BAN CHẤP HÀNH TRUNG ƯƠNG|BAN CHẤP HÀNH|TRUNG ƯƠNG|TỈNH ỦY|TỈNH UỶ|THÀNH ỦY|HUYỆN ỦY|ĐẢNG ỦY|BAN TỔ CHỨC|
BAN TUYÊN GIÁO|BAN DÂN VẬN|BAN NỘI CHÍNH|ỦY BAN KIỂM TRA|CHÍNH PHỦ|THỦ TƯỚNG CHÍNH PHỦ|THỦ TƯỚNG|QUỐC HỘI|
ỦY BAN THƯỜNG VỤ QUỐC HỘI|CHỦ TỊCH NƯỚC|BAN CHỈ ĐẠO|CẢI CÁCH HÀNH CHÍNH|BỘ PHẬN MỘT CỬA|TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG
"""

# Provinces and centrally-run cities: the 63 before 1 July 2025 (the 34 after are among them).
PROVINCES = """
An Giang|Bà Rịa - Vũng Tàu|Bạc Liêu|Bắc Giang|Bắc Kạn|Bắc Ninh|Bến Tre|Bình Dương|Bình Định|Bình Phước|
Bình Thuận|Cà Mau|Cao Bằng|Cần Thơ|Đà Nẵng|Đắk Lắk|Đắk Nông|Điện Biên|Đồng Nai|Đồng Tháp|Gia Lai|Hà Giang|Hà Nam|
Hà Nội|Hà Tĩnh|Hải Dương|Hải Phòng|Hậu Giang|Hòa Bình|Hồ Chí Minh|Hưng Yên|Khánh Hòa|Kiên Giang|Kon Tum|Lai Châu|
Lạng Sơn|Lào Cai|Lâm Đồng|Long An|Nam Định|Nghệ An|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên|Quảng Bình|Quảng Nam|
Quảng Ngãi|Quảng Ninh|Quảng Trị|Sóc Trăng|Sơn La|Tây Ninh|Thái Bình|Thái Nguyên|Thanh Hóa|Thừa Thiên Huế|Huế|
Tiền Giang|Trà Vinh|Tuyên Quang|Vĩnh Long|Vĩnh Phúc|Yên Bái|Gia Nghĩa|Buôn Ma Thuột|Việt Nam
"""


def phrases() -> list[str]:
    """Every phrase, upper case, longest first (a longer phrase wins over its parts)."""
    words = [w.strip() for w in ISSUER_WORDS.replace("\n", "").split("|")]
    words += [p.strip().upper() for p in PROVINCES.replace("\n", "").split("|")]
    words += list(DOC_TYPES)
    return sorted({w for w in words if w}, key=lambda w: (-len(w.split()), -len(w), w))


def provinces() -> list[str]:
    return [p.strip() for p in PROVINCES.replace("\n", "").split("|") if p.strip()]


def fold(text: str) -> str:
    """Upper case without marks, one character for one ("Đắk Nông" -> "DAK NONG"), so spans map back."""
    return "".join(_fold_char(ch) for ch in text)


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in "đĐðÐ":
        return "D"
    base = unicodedata.normalize("NFD", ch)[0]
    upper = base.upper()
    return upper if len(upper) == 1 else base
