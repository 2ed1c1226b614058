"""The generic path's rules on small synthetic pages (written here): pagers, bylines, titles, dates, inner boxes.

The real-page evidence for the same rules is tests/test_gold_pages.py; these pin each rule on its own.
"""
from datetime import datetime, timezone

import pytest
from scrapy.http import HtmlResponse

from crawler.extract import extract_article, extract_links
from crawler.prepare import prepare
from crawler.prepare.stages import assign_date

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
PARA = ("Ủy ban nhân dân tỉnh vừa ban hành kế hoạch cải cách hành chính năm 2026, tập trung vào số hóa hồ sơ, "
        "giảm thời gian giải quyết thủ tục và nâng cao chỉ số hài lòng của người dân, doanh nghiệp.")


def page(body: str, head: str = "") -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


def article(body: str, head: str = "", url="https://baomau.vn/bai-viet-mau-post123456.html"):
    item = extract_article(HtmlResponse(url=url, body=page(body, head)), generic=True, now=NOW)
    prepare(item)
    return item


@pytest.mark.parametrize("url,pager,expected", [
    ("https://s.vn/kinh-doanh.htm", '<a href="/kinh-doanh/trang-2.htm">2</a><a href="/kinh-doanh/trang-3.htm">3</a>',
     "https://s.vn/kinh-doanh/trang-2.htm"),
    ("https://s.vn/tin-tuc/trang2.html", '<a href="/tin-tuc/trang1.html">1</a><a href="/tin-tuc/trang3.html">3</a>',
     "https://s.vn/tin-tuc/trang3.html"),
    ("https://s.vn/tin-tuc", '<a href="/tin-tuc-page0">1</a><a href="/tin-tuc-page1">2</a><a href="/tin-tuc-page2">3</a>',
     "https://s.vn/tin-tuc-page1"),  # zero-based: the link labelled 2 is -page1
    ("https://s.vn/tin?p=1", '<a href="/tin?p=1">1</a><a href="/tin?p=2">2</a>', "https://s.vn/tin?p=2"),
    ("https://s.vn/chuyen-muc/p2", '<a href="/chuyen-muc/p1">1</a><a href="/chuyen-muc/p3">3</a>',
     "https://s.vn/chuyen-muc/p3"),
])
def test_numbered_pagers_without_a_pager_class(url, pager, expected):
    items = "".join(f'<li><a href="/bai-viet-so-{i}-ve-cai-cach-hanh-chinh-{100000 + i}.htm">Bài viết số {i} về cải '
                    f"cách hành chính của tỉnh</a></li>" for i in range(5))
    html = page(f'<ul class="list-news">{items}</ul><div class="so-trang">{pager}</div>')
    assert extract_links(HtmlResponse(url=url, body=html), generic=True).next_page == expected


def test_main_list_keeps_the_lead_story_and_skips_the_side_column_and_what_follows_the_pager():
    def card(i, extra=""):
        return (f'<div class="item{extra}"><a href="/tin-{i}-cai-cach-hanh-chinh-{200000 + i}.htm">Tin số {i} về cải cách '
                f"hành chính tỉnh</a></div>")
    html = page(
        '<header><nav>' + "".join(f'<a href="/m{i}">Mục {i}</a>' for i in range(10)) + '</nav></header>'
        f'<div class="main"><div class="top">{card(0, " lead")}</div>'
        f'<div class="list">{"".join(card(i) for i in range(1, 6))}</div>'
        f'<div class="box-right">{"".join(card(i) for i in range(50, 54))}</div>'
        f'<div class="list">{"".join(card(i) for i in range(6, 10))}</div>'
        '<div class="pagination"><a href="/c/trang-2.htm">2</a><a href="/c/trang-3.htm">3</a></div>'
        f'<div class="list">{"".join(card(i) for i in range(70, 75))}</div></div>'
        '<footer>' + "".join(f'<a href="/f{i}">Chân {i}</a>' for i in range(10)) + '</footer>')
    links = extract_links(HtmlResponse(url="https://s.vn/c.htm", body=html), generic=True)
    numbers = [int(u.rsplit("-", 1)[1].split(".")[0]) - 200000 for u in links.articles]
    assert numbers == list(range(10)) and links.next_page == "https://s.vn/c/trang-2.htm"


def test_two_author_byline_kept_as_the_page_writes_it_and_publisher_never_taken():
    item = article(f'<h1>Kế hoạch cải cách hành chính năm 2026</h1><div class="author">NHẬT XUÂN và 1 tác giả khác</div>'
                   f'<div class="detail-content"><p>{PARA}</p><p>{PARA} Thêm.</p></div>'
                   '<div class="detail-author-bot">NHẬT XUÂN - NGHI VŨ</div>',
                   head='<meta name="author" content="Báo Mẫu điện tử">')
    assert item["author"] == "NHẬT XUÂN - NGHI VŨ"
    item = article(f'<h1>Kế hoạch cải cách hành chính năm 2026</h1><div class="detail-content"><p>{PARA}</p></div>',
                   head='<meta name="author" content="Báo Mẫu điện tử"><meta property="og:site_name" content="Báo Mẫu">')
    assert item["author"] is None


def test_end_of_body_credit_line_becomes_the_author():
    item = article(f'<h1>Kế hoạch cải cách hành chính năm 2026</h1><div class="detail-content"><p>{PARA}</p>'
                   f'<p>{PARA} Thêm.</p><p>Tin, ảnh: Minh Anh</p></div>')
    assert item["author"] == "Minh Anh" and "Tin, ảnh" not in item["body_text"]


def test_seo_title_gives_way_to_the_articles_own_h1():
    item = article(f'<h1 class="detail-title">Kế hoạch cải cách hành chính năm 2026</h1>'
                   f'<div class="detail-content"><p>{PARA}</p></div>',
                   head="<title>Tin nóng hôm nay: xem ngay | Báo Mẫu</title>"
                        '<meta property="og:title" content="Tin nóng hôm nay: xem ngay">')
    assert item["title"] == "Kế hoạch cải cách hành chính năm 2026"


def test_a_time_on_the_same_day_is_kept_over_a_date_only_value():
    item = {"date_candidates": [["json-ld", "2026-03-07"], ["visible-text", "Thứ bảy, 07/03/2026 - 08:07"]],
            "crawled_at": "2026-11-01T00:00:00Z"}
    assert assign_date(item) and item["published_at_local"] == "2026-03-07T08:07:00+07:00"
    item = {"date_candidates": [["json-ld", "2026-03-07"], ["visible-text", "06/03/2026 08:07"]],
            "crawled_at": "2026-11-01T00:00:00Z"}
    assert assign_date(item) and item["published_at_local"] == "2026-03-07T00:00:00+07:00"  # another day: not taken


def test_related_box_newsletter_and_caption_inside_the_content_are_not_body_text():
    item = article(f'<h1>Kế hoạch cải cách hành chính năm 2026</h1><div class="detail-content">'
                   f'<figure><img src="/a.jpg"><figcaption>Người dân làm thủ tục. Ảnh: T.H</figcaption></figure>'
                   f'<p>{PARA}</p><div type="RelatedOneNews"><a href="/bai-khac-post999999.html">Một bài viết khác '
                   f'về cải cách hành chính</a></div><p>{PARA} Hết.</p>'
                   '<div class="box-newsletter">Đăng ký nhận bản tin mỗi sáng</div>'
                   '<p>Tham khảo thêm</p><p><a href="/cu-post1.html">Bài cũ về cải cách hành chính năm trước</a></p>'
                   '</div>')
    assert item["body_text"] == f"{PARA}\n\n{PARA} Hết."
    assert item["images"] == [{"url": "https://baomau.vn/a.jpg", "caption": "Người dân làm thủ tục. Ảnh: T.H"}]


def test_words_that_start_site_names_still_start_titles_and_names():
    """"Báo cáo" (a report) starts many titles and "Trang" is a given name: neither is a publisher."""
    item = article(f'<h1>Báo cáo kết quả cải cách hành chính quý III</h1><div class="author">Trang Nguyễn</div>'
                   f'<div class="detail-content"><p>{PARA}</p></div>')
    assert item["title"] == "Báo cáo kết quả cải cách hành chính quý III" and item["author"] == "Trang Nguyễn"
    item = article(f'<h1>Cổng thông tin điện tử tỉnh Mẫu</h1><div class="detail-content"><p>{PARA}</p></div>',
                   head="<title>Tin nóng: xem ngay</title>"
                        '<meta property="og:title" content="Kế hoạch cải cách hành chính năm 2026">')
    assert item["title"] == "Kế hoạch cải cách hành chính năm 2026"  # the logo h1 is not the title
