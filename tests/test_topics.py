"""CCHC relevance: lexicon topics matched without diacritics, auditable terms, section articles relevant."""
import sqlite3

from crawler.store.articles import ArticleStore
from crawler.vi.topics import fold, lexicon, tag_topics


def test_lexicon_loads_the_issue_topics():
    keys = {t.key for t in lexicon()}
    assert {"thu_tuc_hanh_chinh", "mot_cua", "dich_vu_cong_truc_tuyen", "chinh_quyen_dien_tu", "chi_so_danh_gia",
            "tinh_gon_bo_may", "cong_vu_cong_chuc"} <= keys


def test_matches_on_folded_text_and_keeps_the_terms():
    topics, terms, score = tag_topics("Hà Tĩnh đột phá CẢI CÁCH HÀNH CHÍNH", None,
                                      "Năm 2015 là năm Dịch vụ công trực tuyến; PAR Index tăng; bộ phận một cửa.")
    assert topics == ["cai_cach_hanh_chinh", "mot_cua", "dich_vu_cong_truc_tuyen", "chi_so_danh_gia"]
    assert terms["chi_so_danh_gia"] == ["par index"] and terms["mot_cua"] == ["mot cua"]
    assert 0.7 < score < 1


def test_whole_words_only_and_unrelated_text_scores_zero():
    assert tag_topics("Sống đẹp từ những điều giản dị", None, "Chị là tấm gương của người phụ nữ quân đội.") == ([], {}, 0.0)
    assert tag_topics("Capci", None, "opcian") == ([], {}, 0.0)  # "pci" inside a word is not PCI


def test_cchc_section_is_relevant_by_definition():
    assert tag_topics("Thông báo lịch tiếp dân", None, "Nội dung chi tiết xem tại văn bản đính kèm.", True)[2] == 1.0


def test_fold():
    assert fold("Đắk Nông – Một cửa!") == "dak nong mot cua"


def test_old_database_gets_new_columns_without_losing_rows(tmp_path):
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.execute("create table articles (id integer primary key, url text, site text, content_hash text, title text)")
    con.execute("insert into articles (url, site, content_hash, title) values ('https://a.gov.vn/1', 's', 'h', 'Tin cũ')")
    con.commit()
    con.close()
    ArticleStore(db).close()
    con = sqlite3.connect(db)
    columns = {r[1] for r in con.execute("pragma table_info(articles)")}
    assert {"topics", "topic_terms", "relevance", "from_cchc_section", "published_at"} <= columns
    assert con.execute("select url, title from articles").fetchall() == [("https://a.gov.vn/1", "Tin cũ")]
