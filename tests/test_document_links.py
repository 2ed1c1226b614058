"""Issue 32 items 1 and 4: the documents an article page attaches (crawler/extract/documents.py, a pure function of
the page), and what they change on the article's path (crawler/prepare): its content hash, its topics, its
validity. The pages are the synthetic stc.daknong.gov.vn notices of tests/fixtures/documents (MANIFEST.tsv),
modelled on the real portal, and small pages written here for each rule; the expected links are written by hand."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.extract import extract_article, response_from_file
from crawler.extract.content import in_boilerplate
from crawler.extract.documents import attachment_links, is_readable_document_url
from crawler.prepare import body_from_documents, prepare, read_article, validation_errors, with_documents
from crawler.prepare.stages import NoStats, Counts
from crawler.registry import site_for_url
from crawler.stats import Stat

FOLDER = Path(__file__).resolve().parent / "fixtures" / "documents"
STC = "http://stc.daknong.gov.vn"
PLAN = f"{STC}/img/3125%20KH%20tuyen%20truyen%20cong%20tac%20CCHC%202018.pdf"


def page(slug: str):
    row = next(r for r in csv.DictReader(open(FOLDER / "MANIFEST.tsv", encoding="utf-8"), delimiter="\t")
               if r["url"].endswith("/" + slug))
    return response_from_file(str(FOLDER / row["file"]), row["url"])


def links(response, site="auto"):
    site = site_for_url(response.url) if site == "auto" else site
    return [(a["url"], a["name"]) for a in extract_article(response, site, generic=True)["attachments"]]


# ---- the notices of the portal, each with its way of attaching -----------------------------------------------------

def test_xem_chi_tiet_tai_day():
    # The real page's markup (2019): "Xem chi tiết <a href="/img/3125 KH ... 2018.pdf">tại đây</a>": the link text
    # says nothing, so the name is the file's; the URL as Scrapy requests it (spaces as %20).
    assert links(page("ban-hanh-ke-hoach-tuyen-truyen-cong-tac-cchc-nam-2019-cua-so-tai-chinh")) == [
        (PLAN, "3125 KH tuyen truyen cong tac CCHC 2018.pdf")]


def test_tai_ve_link_in_the_body():
    assert links(page("bao-cao-tinh-hinh-cai-cach-hanh-chinh-6-thang-dau-nam-2019")) == [
        (f"{STC}/img/99BC%20CCHC%206%20thang%20dau%20nam%202019.pdf", "99BC CCHC 6 thang dau nam 2019.pdf")]


def test_file_dinh_kem_block_outside_the_body():
    assert links(page("ban-hanh-noi-quy-tiep-cong-dan-cua-so-tai-chinh")) == [
        (f"{STC}/img/120QD%20Noi%20quy%20tiep%20cong%20dan%20STC.pdf", "120QD Noi quy tiep cong dan STC.pdf")]


def test_a_viewer_frame_and_its_download_link_are_one_document():
    assert links(page("nghi-quyet-so-13-nq-tw-ve-xay-dung-ket-cau-ha-tang")) == [
        (f"{STC}/img/Nghi%20quyet%20so%2013-NQ-CP.pdf", "Nghi quyet so 13-NQ-CP.pdf")]


def test_another_host_of_the_province_is_the_sites_own():
    response = page("thanh-tra-tinh-bao-cao-ket-qua-giai-quyet-khieu-nai-to-cao-thang-02-2019")
    expected = [("http://thanhtra.daknong.gov.vn/img/BC-so-248_15-02-2019.pdf", "BC-so-248_15-02-2019.pdf")]
    assert links(response) == expected  # daknong_gov's domain holds thanhtra.daknong.gov.vn
    assert links(response, site=None) == []  # with no registry site, only the page's own host counts


def test_a_news_article_linking_a_document_in_its_text():
    assert links(page("hoi-nghi-trien-khai-cong-tac-cai-cach-hanh-chinh-nam-2019")) == [(PLAN, "Kế hoạch số 3125/KH-STC")]


def test_the_listing_and_the_sidebars_documents_are_no_attachment():
    # Every page's zoneRight lists "Văn bản mới" PDFs (furniture): none is any article's attachment.
    for slug in ("ban-hanh-ke-hoach-tuyen-truyen-cong-tac-cchc-nam-2019-cua-so-tai-chinh", "cai-cach-hanh-chinh"):
        assert not any("172TB" in url or "283TB" in url for url, _ in links(page(slug)))
    assert links(page("cai-cach-hanh-chinh")) == []


# ---- the rules, one small page each --------------------------------------------------------------------------------

def _links(body: str, url: str = "https://snv.example.gov.vn/tin/thong-bao-12.html", domains=("example.gov.vn",)):
    response = HtmlResponse(url=url, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8")
    root = response.selector.root
    found = root.xpath("//div[@id='content']")
    return [(a["url"], a["name"]) for a in attachment_links(root, url, domains, found[0] if found else None,
                                                             skip=in_boilerplate)]


def test_formats_read_and_formats_not():
    body = ("<div id='content'><p>Văn bản</p><a href='/f/a.pdf'>A</a> <a href='/f/b.DOCX'>B</a> <a href='/f/c.xls'>C</a>"
            " <a href='/f/d.odt'>D</a> <a href='/f/e.zip'>E</a> <a href='/f/f.jpg'>F</a> <a href='/tin/g.html'>G</a></div>")
    assert [name for _, name in _links(body)] == ["A", "B", "C", "D"]


def test_documents_on_other_sites_are_not_fetched():
    body = ("<div id='content'><a href='https://vanban.chinhphu.vn/files/nd-30.pdf'>Nghị định 30</a>"
            "<a href='https://stp.example.gov.vn/files/kh.pdf'>Kế hoạch</a></div>")
    assert _links(body) == [("https://stp.example.gov.vn/files/kh.pdf", "Kế hoạch")]


def test_a_download_handler_that_says_it_downloads():
    # No extension: the link's words say it is a file; the answer's Content-Type decides (crawler/fetch/documents.py)
    body = ("<div id='content'><p>Nội dung thông báo.</p><a href='/Download.aspx?id=77'>Tải về</a>"
            "<a href='/tin/bai-khac.html'>Tải về</a><a href='/Download.aspx?id=78'>Xem thêm</a>"
            "<a href='/LinkClick.aspx?fileticket=AbC%3d&tabid=60'>File đính kèm</a></div>")
    assert [u for u, _ in _links(body)] == ["https://snv.example.gov.vn/Download.aspx?id=77",
                                            "https://snv.example.gov.vn/LinkClick.aspx?fileticket=AbC%3d&tabid=60"]


def test_liferay_documents_and_file_parameters():
    assert is_readable_document_url("https://sotttt.hanoi.gov.vn/documents/20182/37485/KH+12.pdf/0c1f-4a")
    assert is_readable_document_url("https://x.gov.vn/download.aspx?file=KH-12.docx")
    assert not is_readable_document_url("https://x.gov.vn/tin/pdf-la-gi.html")
    body = "<div id='content'><a href='/documents/20182/37485/KH+12.pdf/0c1f-4a'>Kế hoạch 12</a></div>"
    assert _links(body) == [("https://snv.example.gov.vn/documents/20182/37485/KH+12.pdf/0c1f-4a", "Kế hoạch 12")]


def test_outside_the_body_only_an_attachment_block_counts():
    body = ("<div id='content'><p>Thông báo về việc tổ chức hội nghị.</p></div>"
            "<div class='box'><b>Văn bản đính kèm:</b> <a href='/f/tb-12.pdf'>TB 12</a></div>"
            "<div class='box'><a href='/f/kh-99.pdf'>Kế hoạch 99 của một bài khác</a></div>"
            "<div class='menu'><b>Tải về</b> <a href='/f/mau-don.pdf'>Mẫu đơn</a></div>")
    assert _links(body) == [("https://snv.example.gov.vn/f/tb-12.pdf", "TB 12")]


def test_one_document_linked_twice_is_one_attachment():
    body = ("<div id='content'><a href='/f/kh.pdf'>tại đây</a> <a href='/f/kh.pdf#page=2'>Kế hoạch số 5</a>"
            "<a href='/f/kh.pdf?utm_source=zalo'>Kế hoạch</a></div>")
    # one entry, named by the first link text that says more than "tại đây"
    assert _links(body) == [("https://snv.example.gov.vn/f/kh.pdf", "Kế hoạch số 5")]


# ---- what documents change on the article's path -------------------------------------------------------------------

def _notice(title: str, body: str, pdf: str) -> dict:
    html = f"<html><body><h1>{title}</h1><div class='content'><p>{body}</p><p><a href='/f/{pdf}'>tại đây</a></p></div>"
    response = HtmlResponse(url=f"https://stc.example.gov.vn/tin/{pdf}.html", body=(html + "</body></html>").encode(),
                            encoding="utf-8")
    return dict(read_article(response, None, generic=True))


def test_notices_with_the_same_words_differ_by_their_documents():
    first = _notice("Thông báo", "Sở Tài chính thông báo. Xem chi tiết", "tb-12.pdf")
    second = _notice("Thông báo", "Sở Tài chính thông báo. Xem chi tiết", "tb-13.pdf")
    assert first["content_hash"] != second["content_hash"]
    again = _notice("Thông báo", "Sở Tài chính thông báo. Xem chi tiết", "tb-12.pdf")
    assert again["content_hash"] == first["content_hash"]
    # A long article is its text: a copy with or without the PDF link is the same article (republished stories).
    text = "Sở Tài chính tổ chức hội nghị triển khai nhiệm vụ cải cách hành chính năm 2019 tới toàn thể công chức. " * 8
    assert _notice("Hội nghị", text, "a.pdf")["content_hash"] == _notice("Hội nghị", text, "b.pdf")["content_hash"]


COUNTS = Counts()


def _with_text(item: dict, text: str) -> dict:
    """``item`` once its one document is read with ``text`` (what pipelines/documents.py does), counted in COUNTS."""
    COUNTS.counts.clear()
    entry = dict(item["attachments"][0], sha256="0" * 64, text=text, pages=1, text_source="text-layer")
    with_documents(item, [entry], COUNTS)
    return item


PLAN_TEXT = ("KẾ HOẠCH Tuyên truyền công tác cải cách hành chính năm 2019. Thực hiện cơ chế một cửa, một cửa liên "
             "thông trong giải quyết thủ tục hành chính; đẩy mạnh dịch vụ công trực tuyến mức độ 3, 4. ") * 3


def test_a_notice_whose_content_is_its_document_is_valid_and_tagged():
    item = _notice("Ban hành kế hoạch", "", "kh-3125.pdf")
    assert validation_errors(item) and not body_from_documents(item)  # alone, its body is missing: invalid
    assert item["topics"] == []
    item = _with_text(item, PLAN_TEXT)
    assert body_from_documents(item) and validation_errors(item) == []
    assert {"cai_cach_hanh_chinh", "mot_cua"} <= set(item["topics"]) and item["relevance"] >= 0.5
    counts = COUNTS.counts
    assert counts[Stat.DOCUMENTS_MADE_RELEVANT] == 1 and counts[Stat.TOPICS_RELEVANT] == 1
    assert counts[Stat.TOPICS_NONE] == -1  # the topics stage counted it as none where the page was read


def test_a_document_without_text_keeps_no_empty_notice():
    item = _with_text(_notice("Ban hành kế hoạch", "", "kh-3125.pdf"), "  ")
    assert validation_errors(item)
    item = _with_text(_notice("Ban hành kế hoạch", "", "kh-3125.pdf"), "Trang 1")  # a stamp, a page number
    assert validation_errors(item)


def test_preparing_twice_changes_nothing():
    item = _with_text(_notice("Ban hành kế hoạch", "", "kh-3125.pdf"), PLAN_TEXT)
    before = dict(item)
    assert prepare(dict(item), NoStats()) == before


@pytest.mark.parametrize("slug", ["ban-hanh-ke-hoach-tuyen-truyen-cong-tac-cchc-nam-2019-cua-so-tai-chinh",
                                  "thanh-tra-tinh-bao-cao-ket-qua-giai-quyet-khieu-nai-to-cao-thang-02-2019"])
def test_the_attached_files_name_is_no_publication_date(slug):
    # "BC-so-248_15-02-2019.pdf" in a "Văn bản đính kèm" table next to the headline dates the document, not the page.
    item = read_article(page(slug), site_for_url(f"{STC}/x"), generic=True)
    assert item["published_at"] is None and item["date_source"] is None
