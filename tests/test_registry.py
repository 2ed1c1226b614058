"""The site registry: typed data, validated at load, one spider per site."""
from datetime import date

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawler.registry import RegistryError, load_registry, registry, site_for_url

ENTRY = """
[[site]]
key = "{key}"
name = "x"
province = "Hà Tĩnh"
kind = "portal"
domains = ["{domain}"]
start_urls = ["https://{domain}/"]
"""


def write(tmp_path, *entries):
    path = tmp_path / "sites.toml"
    path.write_text("\n".join(ENTRY.format(key=k, domain=d) for k, d in entries), encoding="utf-8")
    return path


def test_registry_loads_with_seed_sites():
    sites = registry()
    assert {"sotttt_hanoi", "daknong_gov", "baocaobang", "baolamdong", "hatinh_gov", "baohatinh"} <= set(sites)
    assert sites["daknong_gov"].province == "Lâm Đồng" and sites["daknong_gov"].province_before_2025 == "Đắk Nông"


def test_duplicate_keys_and_domains_rejected(tmp_path):
    with pytest.raises(RegistryError, match="duplicate site key"):
        load_registry(write(tmp_path, ("a_site", "a.gov.vn"), ("a_site", "b.gov.vn")))
    with pytest.raises(RegistryError, match="claimed by"):
        load_registry(write(tmp_path, ("a_site", "a.gov.vn"), ("b_site", "a.gov.vn")))
    with pytest.raises(RegistryError, match="lowercase identifier"):
        load_registry(write(tmp_path, ("Bad-Key", "a.gov.vn")))


def test_site_for_url_matches_www_and_subdomains_longest_first():
    assert site_for_url("https://www.sotttt.hanoi.gov.vn/x").key == "sotttt_hanoi"
    assert site_for_url("http://demo.hatinh.gov.vn/").key == "hatinh_gov"
    assert site_for_url("https://example.com/") is None


def test_parser_versions_follow_fetch_date():
    site = registry()["baohatinh"]
    assert site.selectors(date(2012, 8, 15))["body"] == "#main-detail"
    assert site.selectors(date(2026, 1, 1))["body"] == ".article__body"


def test_every_registry_site_has_a_spider():
    names = set(SpiderLoader.from_settings(get_project_settings()).list())
    assert names == set(registry()) | {"generic"}


PROVINCES_2025 = {
    "Hà Nội", "Huế", "Cao Bằng", "Điện Biên", "Hà Tĩnh", "Lai Châu", "Lạng Sơn", "Nghệ An", "Quảng Ninh", "Thanh Hóa",
    "Sơn La", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình",
    "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "TP Hồ Chí Minh", "Đồng Nai",
    "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
}


def test_all_34_provinces_have_a_portal_and_a_newspaper():
    assert len(PROVINCES_2025) == 34
    sites = registry().values()
    for province in PROVINCES_2025:
        kinds = {s.kind for s in sites if s.province == province}
        assert {"portal", "newspaper"} <= kinds, province
    assert {s.province for s in sites if s.province} == PROVINCES_2025


def test_merged_provinces_keep_their_old_name_and_domains():
    sites = registry()
    assert sites["baodaknong"].province_before_2025 == "Đắk Nông" and sites["baodaknong"].province == "Lâm Đồng"
    assert "binhthuan.gov.vn" in sites["lamdong_gov"].former_domains
    assert site_for_url("https://www.binhthuan.gov.vn/tin-tuc/1").key == "lamdong_gov"


def test_platform_defaults_apply_to_sites_of_the_family():
    sites = registry()
    assert sites["danang_gov"].cms == "liferay"
    assert sites["danang_gov"].selectors()["body"].endswith(".journal-content-article")
    assert sites["baogialai"].selectors()["body"] == ".article__body"  # post-id family, no own selectors
    assert sites["sotttt_hanoi"].selectors()["title"] == ".asset-full-content-title"  # own selector wins


def test_every_site_is_named_in_words_not_by_its_domain():
    """Issue 34: sources read "Báo Lào Cai", not "Báo baolaocai.vn" (names show in the browser and exports)."""
    import re

    by_domain = [f"{s.key}: {s.name}" for s in registry().values()
                 if re.search(r"\b[a-z0-9-]+\.(vn|com|org|net)\b", s.name) or any(d in s.name for d in s.domains)]
    assert by_domain == []
    names = [s.name for s in registry().values()]
    assert len(names) == len(set(names))  # two sites never read the same
