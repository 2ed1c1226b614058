"""The debugging commands work on saved pages without network: `python -m crawler extract|links`; savefixture
adds a page to a site's fixtures (from a file, or a URL served on 127.0.0.1)."""
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

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


@pytest.fixture
def fixture_tree(tmp_path, monkeypatch):
    """savefixture writes into a copy of nothing: empty sites/ and expected/ folders in tmp_path."""
    import harness.fixtures as fixtures
    import crawler.ops.savefixture as savefixture

    sites, expected = tmp_path / "sites", tmp_path / "expected"
    sites.mkdir(), expected.mkdir()
    for module in (fixtures, savefixture):  # expected/ is found beside sites/ (crawler/ops/fixture_pages.py)
        monkeypatch.setattr(module, "SITES", sites)
    return sites, expected


def test_savefixture_adds_page_manifest_row_and_draft(fixture_tree, capsys):
    from crawler.__main__ import main
    from crawler.registry import registry
    from crawler.ops.saved_pages import read_manifest
    from harness.fixtures import contract_gaps

    sites, expected = fixture_tree
    page = ROOT / "tests/fixtures/sites/baohatinh.vn/article-post296110.html"
    url = "https://baohatinh.vn/ha-tinh-dua-100-thu-tuc-hanh-chinh-len-cong-dich-vu-cong-post296110.html"
    assert main(["savefixture", "baohatinh", str(page), "--url", url, "--synthetic", "--origin", "a test",
                 "--fetched", "2025-09-19"]) == 0
    rows = read_manifest(sites / "baohatinh.vn")
    assert rows == [{"url": url, "file": "article-post296110.html", "provenance": "synthetic", "kind": "article",
                     "source": "a test", "fetched": "2025-09-19"}]
    draft = json.loads((expected / "baohatinh.vn__article-post296110.html.draft.json").read_text(encoding="utf-8"))
    assert draft["title"] == "Hà Tĩnh đưa 100% thủ tục hành chính lên Cổng dịch vụ công"
    assert draft["published_at_local"] == "2025-09-18T16:20:00+07:00" and draft["author"] == "Minh Châu"
    assert "rename it to .json" in capsys.readouterr().out
    gaps = contract_gaps(registry()["baohatinh"])
    assert "no listing page" in gaps and any("is a draft" in g for g in gaps)
    # The same page again is refused; a page of another site's domain too; a file needs its origin.
    assert main(["savefixture", "baohatinh", str(page), "--url", url, "--synthetic", "--origin", "x"]) == 2
    assert main(["savefixture", "baohatinh", str(page), "--url", "https://plo.vn/a-post1.html", "--origin", "x"]) == 2
    assert main(["savefixture", "baohatinh", str(page), "--url", url + "?x=1"]) == 2
    assert "say where the file came from" in capsys.readouterr().err
    # a recorded page's origin must be traceable: a repository at a commit, a day, the shared manifest
    assert main(["savefixture", "baohatinh", str(page), "--url", url + "?x=2", "--origin", "from a friend"]) == 2
    assert "does not say where the page came from" in capsys.readouterr().err
    assert main(["savefixture", "baohatinh", str(page), "--url", url + "?x=3",
                 "--origin", "saved from the live site with Chrome on 2026-12-01"]) == 0
    assert read_manifest(sites / "baohatinh.vn")[-1]["provenance"] == "recorded"


def test_savefixture_fetches_a_url_politely(fixture_tree):
    from crawler.ops.saved_pages import read_manifest
    from crawler.ops.savefixture import SaveError, save_fixture

    sites, _ = fixture_tree
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append((self.path, self.headers.get("User-Agent")))
            body = (b"User-agent: *\nDisallow: /private/\n" if self.path == "/robots.txt" else
                    (ROOT / "tests/fixtures/sites/baohatinh.vn/article-post296110.html").read_bytes())
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    real = "https://baohatinh.vn/ha-tinh-dua-100-thu-tuc-hanh-chinh-len-cong-dich-vu-cong-post296110.html"
    try:
        written = save_fixture("baohatinh", f"{base}/mirror/post296110.html", url=real)
        with pytest.raises(SaveError, match="robots.txt"):
            save_fixture("baohatinh", f"{base}/private/post1.html", url="https://baohatinh.vn/b-post1.html")
    finally:
        server.shutdown()
    assert [p for p, _ in seen] == ["/robots.txt", "/mirror/post296110.html"]  # robots.txt read once per host
    assert all(agent.startswith("cchc-crawler/") for _, agent in seen)
    row = read_manifest(sites / "baohatinh.vn")[0]
    assert row["provenance"] == "recorded" and row["source"].startswith(f"fetched {base}/mirror/post296110.html on ")
    assert written[0].read_bytes().startswith(b"<!DOCTYPE html>")


def test_savefixture_from_the_archive(fixture_tree, mirror, tmp_path, capsys):
    """Issue 33: a page as the crawl fetched it becomes a fixture: an article (found through the database's link),
    and a listing (found by reading the archive). A copy fetched from a local mirror is recorded with that said, and
    only once its origin is given; the fetch day, which picks a parser version, is left out for it."""
    from conftest import run_scrapy
    from crawler.__main__ import main
    from crawler.ops.saved_pages import read_manifest
    from crawler.registry import registry

    sites, expected = fixture_tree
    db = tmp_path / "cchc.db"
    result = run_scrapy(["crawl", "baohatinh", "-a", f"base_url={mirror.base_url('baohatinh.vn')}", "-a", "max_pages=1"], db)
    assert result.returncode == 0, result.stderr[-2000:]
    con = __import__("sqlite3").connect(db)
    url, title = con.execute("select url, title from articles order by id limit 1").fetchone()
    con.close()
    assert main(["savefixture", "--from-archive", url, "--db", str(db)]) == 2
    assert "fetched from the mirror http://127.0.0.1:" in capsys.readouterr().err
    assert main(["savefixture", "--from-archive", url, "--db", str(db), "--origin", "the fixture of a test"]) == 0
    row = read_manifest(sites / "baohatinh.vn")[0]
    assert row["url"] == url and row["kind"] == "article" and row["provenance"] == "recorded" and not row.get("fetched")
    assert row["source"].startswith("the fixture of a test; archive cchc-") and "from the mirror http://127.0.0.1:" in row["source"]
    served = next(r for r in read_manifest(SITES / "baohatinh.vn") if r["url"] == url)
    assert (sites / "baohatinh.vn" / row["file"]).read_bytes() == (SITES / "baohatinh.vn" / served["file"]).read_bytes()
    draft = json.loads((expected / f"baohatinh.vn__{row['file']}.draft.json").read_text(encoding="utf-8"))
    assert draft["title"] == title
    listing = registry()["baohatinh"].start_urls[0]
    assert main(["savefixture", "--from-archive", listing, "--db", str(db), "--origin", "the fixture of a test"]) == 0
    assert read_manifest(sites / "baohatinh.vn")[1]["kind"] == "listing"
    assert main(["savefixture", "--from-archive", "https://baohatinh.vn/never-fetched.html", "--db", str(db)]) == 2
    assert "is not in the archive" in capsys.readouterr().err
