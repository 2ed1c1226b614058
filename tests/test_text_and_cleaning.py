"""Text normalization and article cleaning, on small pages that carry the seeds' kinds of noise."""
import unicodedata

from crawler.clean.cleaning import clean_article, sanitize_html
from crawler.prepare.stages import content_hash
from crawler.vi.text import clean_text, d_folded_terms, fix_mojibake, normalize_for_compare, normalize_tone_marks

TITLE = "Hà Tĩnh đột phá cải cách hành chính"
PARA = "Hà Tĩnh đẩy mạnh ứng dụng công nghệ thông tin trong cải cách thủ tục hành chính ở mọi cấp."


def clean(body, **fields):
    item = {"url": "https://example.gov.vn/a/b.html", "title": TITLE, "lead": None, "author": None,
            "source_attribution": None, "category": None, "body_html": body, **fields}
    report = clean_article(item)
    return item, report


def test_clean_text_decodes_entities_and_folds_spaces():
    assert clean_text("  Ng&agrave;y\u00a0 14/8\u200b \n  tại&nbsp;TP ") == "Ngày 14/8 tại TP"


def test_nfc_and_tone_placement_compare_equal():
    nfd = unicodedata.normalize("NFD", "Thủy lợi hòa bình")
    assert normalize_for_compare(nfd) == normalize_for_compare("Thuỷ lợi hoà bình")
    assert normalize_tone_marks("quý khoẻ hoàn") == "quý khỏe hoàn"


def test_mojibake_repaired():
    broken = "Hà Nội – cải cách".encode("utf-8").decode("cp1252")
    assert fix_mojibake(broken) == "Hà Nội – cải cách"


def test_d_folded_search_terms():
    assert d_folded_terms("Đắk Nông", "Lâm Đồng đường") == "dắk dồng dường"


def test_hash_ignores_unicode_form_case_and_spacing():
    a = content_hash(TITLE, PARA)
    b = content_hash(unicodedata.normalize("NFD", TITLE.upper()), "  " + PARA.replace(" ", "  \n") + " ")
    assert a == b and len(a) == 64
    assert content_hash(TITLE, PARA + " Thêm.") != a


def test_comment_form_and_toolbar_removed():
    item, report = clean(f"""<div><div class="tool"><a>Email</a><a>Print</a><a>Aa</a></div><p>{PARA}</p>
        <div><h4>Viết bình luận</h4><p>Hãy sử dụng tiếng Việt có dấu khi viết bài. Bình luận của bạn sẽ được biên tập trước khi đăng</p>
        <form><input> (*)</form><div>Tắt bộ gõ Gõ tự động Telex VNI VIQR</div><div>Số ký tự còn lại:</div>
        <div>Protected by FormShield</div><a href="#">Refresh</a><h3>Ý kiến bạn đọc</h3></div></div>""")
    assert item["body_text"] == PARA
    assert report.dropped["boilerplate"] >= 5


def test_drop_cap_element_is_glued_back():
    item, _ = clean(f'<p><span class="dropcap">C</span>ải cách hành chính là khâu đột phá. {PARA}</p>')
    assert item["body_text"].startswith("Cải cách hành chính là khâu đột phá.")


def test_lost_drop_cap_restored_from_title():
    item, report = clean(f"<p>ải cách hành chính(CCHC) là yếu tố then chốt. {PARA}</p><p>{PARA} Hai.</p>")
    assert item["body_text"].startswith("Cải cách hành chính(CCHC)")
    assert report.dropped["drop_cap_restored"] == 1


def test_repeated_lead_and_caption_kept_once():
    lead = "Bộ Thông tin và Truyền thông vừa công bố đánh giá mức độ ứng dụng CNTT năm 2016."
    caption = "Cung cấp dịch vụ công trực tuyến. Ảnh: Song An"
    item, report = clean(f'<p>{lead}</p><table><tr><td><img src="/a.jpg"></td></tr><tr><td>{caption}</td></tr></table>'
                         f"<p>{caption}</p><p>{PARA}</p>", lead=lead)
    assert item["body_text"] == PARA  # the caption stays with its image, out of the article text
    assert item["images"] == [{"url": "https://example.gov.vn/a.jpg", "caption": caption}]
    assert report.dropped["repeated_lead"] == 1 and report.dropped["repeated_caption"] == 1


def test_related_block_and_everything_after_it_dropped():
    item, _ = clean(f'<p>{PARA}</p><h3>Tin liên quan</h3><ul><li><a href="/x">Bài khác về cải cách hành chính tỉnh</a></li></ul>'
                    f'<p>Một đoạn sau khối tin liên quan.</p>')
    assert item["body_text"] == PARA


def test_signature_and_attribution_become_fields():
    item, report = clean(f'<p>{PARA}</p><p style="text-align:right">Hoàng Thanh</p>'
                         f'<p style="text-align:right">Theo &quot;Báo Đắk Nông điện tử&quot;</p>')
    assert item["body_text"] == PARA
    assert item["author"] == "Hoàng Thanh"
    assert item["source_attribution"] == 'Theo "Báo Đắk Nông điện tử"'
    item, _ = clean(f"<p>{PARA}</p><p>Nguồn: baohatinh.vn</p>")
    assert item["source_attribution"] == "Nguồn: baohatinh.vn" and item["body_text"] == PARA


def test_a_last_sentence_is_not_taken_for_a_byline():
    item, _ = clean(f"<p>{PARA}</p><p>Đây là câu kết thúc bài viết.</p>")
    assert item["author"] is None and item["body_text"].endswith("Đây là câu kết thúc bài viết.")


def test_body_html_is_sanitized():
    item, _ = clean(f'<p onclick="x()">{PARA}<script>alert(1)</script></p><img src="javascript:alert(1)" onerror="x()">'
                    f'<p><a href="javascript:evil()">link</a> và <strong>đậm</strong> trong một đoạn văn đủ dài.</p>')
    html = item["body_html"]
    assert "script" not in html and "onclick" not in html and "onerror" not in html and "javascript:" not in html
    assert "<strong>đậm</strong>" in html
    assert sanitize_html('<p style="color:red">x</p><iframe src="https://a"></iframe>') == "<p>x</p>"


def test_empty_body_gives_nulls_not_crash():
    item, _ = clean("   ")
    assert item["body_text"] is None and item["body_html"] is None and item["images"] == []
