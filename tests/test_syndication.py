"""Near-duplicate stories: republished copies with small changes share a story id; lookups stay sub-linear."""
import random

import numpy as np

from crawler.store import syndication
from crawler.store.articles import ArticleStore
from crawler.store.syndication import signatures_of as read_all
from test_storage import article, query

PARAGRAPHS = [
    "Năm 2024, tỉnh tiếp nhận hơn 120.000 hồ sơ thủ tục hành chính, tỷ lệ giải quyết đúng hạn đạt 98,7%.",
    "Trung tâm Phục vụ hành chính công tỉnh đã số hóa kết quả giải quyết thủ tục hành chính của 19 sở, ngành.",
    "Tỷ lệ hồ sơ nộp trực tuyến toàn trình tăng mạnh nhờ việc hướng dẫn người dân sử dụng tài khoản định danh.",
    "Các xã, phường được yêu cầu niêm yết công khai thủ tục và đường dây nóng tiếp nhận phản ánh, kiến nghị.",
    "Thời gian tới, tỉnh tiếp tục cắt giảm thành phần hồ sơ và thời gian giải quyết đối với nhiều thủ tục.",
]
TITLE = "Tỉnh đẩy mạnh cải cách thủ tục hành chính, nâng cao chất lượng phục vụ"


def stored(tmp_path, *items):
    store = ArticleStore(tmp_path / "s.db", batch_size=1)
    for item in items:
        store.add(item)
    store.close()
    return {r[0]: r[1:] for r in query(tmp_path / "s.db", "select url, story_id, is_first_source, story_similarity from articles")}


def test_republished_copy_with_small_changes_joins_the_story(tmp_path):
    original = article("https://bao.vn/a", title=TITLE, body="\n\n".join(PARAGRAPHS),
                       published_at="2024-03-01T01:00:00Z", lead="Lời dẫn của báo.")
    copy = article("https://portal.gov.vn/b", title=TITLE, body="\n\n".join(PARAGRAPHS[:4] + ["Theo Báo tỉnh"]),
                   published_at="2024-03-01T08:00:00Z", lead="Một lời dẫn khác của cổng thông tin.")
    other = article("https://bao.vn/c", title="Giải bóng đá thiếu niên toàn tỉnh khai mạc",
                    body="Giải đấu quy tụ 24 đội bóng đến từ các xã, phường, diễn ra trong hai tuần tại sân vận động tỉnh.")
    rows = stored(tmp_path, copy, original, other)
    assert rows["https://portal.gov.vn/b"][0] == rows["https://bao.vn/a"][0] != rows["https://bao.vn/c"][0]
    assert rows["https://bao.vn/a"][1] == 1 and rows["https://portal.gov.vn/b"][1] == 0  # earliest is the first source
    assert rows["https://bao.vn/a"][2] > 0.5
    assert rows["https://bao.vn/c"][1] == 1  # alone in its story


def test_undated_copy_is_never_first_source(tmp_path):
    dated = article("https://bao.vn/a", title=TITLE, body="\n\n".join(PARAGRAPHS), published_at="2024-03-01T01:00:00Z")
    undated = article("https://portal.gov.vn/b", title=TITLE, body="\n\n".join(PARAGRAPHS[1:]), published_at=None)
    rows = stored(tmp_path, undated, dated)
    assert rows["https://bao.vn/a"][1] == 1 and rows["https://portal.gov.vn/b"][1] == 0


def test_lookup_compares_with_candidates_only(tmp_path, monkeypatch):
    """Adding an article must not compare it with every stored article (LSH bands in SQLite)."""
    rng = random.Random(7)
    vocabulary = [f"từ{n}" for n in range(3000)]
    store = ArticleStore(tmp_path / "s.db", batch_size=50)
    for n in range(400):
        body = " ".join(rng.choice(vocabulary) for _ in range(120))
        store.add(article(f"https://a.gov.vn/{n}", title=f"Bài số {n} về cải cách", body=body))
    store.flush()
    compared = []  # the signatures each story decision reads and compares (StoryIndex.closest)
    monkeypatch.setattr(syndication, "signatures_of", lambda blobs: compared.append(len(blobs)) or read_all(blobs))
    store.add(article("https://a.gov.vn/new", title=TITLE, body="\n\n".join(PARAGRAPHS)))
    store.flush()
    store.add(article("https://b.gov.vn/copy", title=TITLE, body="\n\n".join(PARAGRAPHS) + "\n\nTheo Báo tỉnh"))
    store.close()
    # of 401 stored, the copy compares with the articles sharing a band: its original (and a chance collision)
    assert sum(compared) <= 5 and compared[-1] >= 1
    assert query(tmp_path / "s.db", "select story_id from articles where url = 'https://b.gov.vn/copy'")[0][0] == 401


def test_stored_signatures_read_at_once_as_one_by_one():
    """``signatures_of`` (all candidates in one conversion) gives what ``read_signature`` gives blob by blob, for
    signatures stored in 32 bits and in the 64 bits of databases before schema 4."""
    from crawler.minhash import signature
    from crawler.store.syndication import read_signature, stored_signature

    values = [signature(TITLE, p) for p in PARAGRAPHS[:3]]
    blobs = [stored_signature(v) for v in values]
    assert (read_all(blobs) == np.stack(values)).all()
    older = [v.astype("<u8").tobytes() for v in values]  # 1,024 bytes each
    assert (read_all(blobs[:1] + older[1:]) == np.stack([read_signature(b) for b in blobs[:1] + older[1:]])).all()


def test_lsh_bands_are_datasketchs_optimum():
    from datasketch.lsh import _optimal_param

    from crawler.minhash import BANDS, NUM_PERM, ROWS, THRESHOLD

    assert (BANDS, ROWS) == _optimal_param(THRESHOLD, NUM_PERM, 0.5, 0.5)


def test_signature_is_datasketchs_affine32_minhash_bit_for_bit():
    """crawler.store.syndication computes the MinHash itself (importing datasketch costs SciPy's import); stored
    signatures must stay what datasketch 2.0 computes, or old and new articles would never match."""
    from datasketch import MinHash

    from crawler.minhash import NUM_PERM, SCHEME, shingles, signature

    rng = random.Random(5)
    texts = [(TITLE, "\n".join(rng.sample(PARAGRAPHS, rng.randint(1, 5)))) for _ in range(20)] + [("Một", "hai ba")]
    for title, body in texts:
        expected = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
        expected.update_batch(list(shingles(title, body)))
        assert (signature(title, body) == expected.hashvalues.astype("uint64")).all()
    assert signature(None, "") is None


def test_band_keys_merged_from_the_recent_table_still_find_the_story(tmp_path):
    """New band keys go to story_band_keys_recent and move to story_band_keys in one pass (merge_recent, at a
    writer's close): a copy stored after the move finds its original in the big table, one before it in the small."""
    from crawler.store.syndication import merge_recent

    body = "\n\n".join(PARAGRAPHS)
    original = article("https://bao.vn/a", title=TITLE, body=body, published_at="2024-03-01T01:00:00Z")
    before = article("https://portal.gov.vn/b", title=TITLE, body=body + "\n\nTheo Báo tỉnh",
                     published_at="2024-03-01T08:00:00Z")
    after = article("https://so.gov.vn/c", title=TITLE, body=body + "\n\nNguồn: Báo tỉnh",
                    published_at="2024-03-02T08:00:00Z")
    store = ArticleStore(tmp_path / "s.db", batch_size=1)
    store.add(original)
    store.add(before)  # its original's keys are still in the recent table
    with store.db.conn:
        assert merge_recent(store.db.conn, at=1) == 50  # 25 keys of each article
    assert query(tmp_path / "s.db", "select count(*) from story_band_keys_recent") == [(0,)]
    store.add(after)  # the original's keys are now in story_band_keys
    store.close()
    stories = {r[0] for r in query(tmp_path / "s.db", "select story_id from articles")}
    assert len(stories) == 1
