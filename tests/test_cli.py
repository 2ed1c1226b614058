"""The debugging commands work on saved pages without network: `python -m crawler extract|links`."""
import json
import subprocess
import sys

from conftest import ROOT, SITES


def cli(*args):
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_extract_prints_the_item():
    page = SITES / "hatinh.gov.vn" / "article-1.html"
    result = cli("extract", str(page), "--url", "https://hatinh.gov.vn/vi/bai-viet/ha-tinh-dot-pha")
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)
    assert item["site"] == "hatinh_gov" and item["published_at"] == "2022-11-15T01:31:00Z"
    assert item["body_text"].startswith("Cải cách hành chính") and item["_validation_errors"] == []
    assert "body_html" not in item


def test_links_prints_article_urls_and_next_page():
    page = SITES / "sotttt.hanoi.gov.vn" / "listing-cai-cach-hanh-chinh-page2.html"
    result = cli("links", str(page), "--url", "https://sotttt.hanoi.gov.vn/cai-cach-hanh-chinh?_101_cur=2")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert len(out["articles"]) == 20 and out["next_page"].endswith("_101_cur=3")


def test_extract_on_a_missing_file_fails_clearly():
    result = cli("extract", "/nonexistent.html", "--url", "https://a.gov.vn/x")
    assert result.returncode != 0 and "nonexistent.html" in result.stderr
