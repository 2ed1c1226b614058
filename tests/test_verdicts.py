"""Issue 16: one verdict per site, true both ways, the same in the summary, `scrapy crawl` and `health`."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT, rows, run_scrapy
from faults import FaultServer, ok, reset, send
from crawler.monitor.verdicts import verdict

PARAGRAPH = ("Ủy ban nhân dân tỉnh yêu cầu các sở, ngành đẩy mạnh cải cách thủ tục hành chính, công khai hồ sơ trên "
             "Cổng dịch vụ công và trả kết quả đúng hẹn cho người dân, doanh nghiệp.")
SITES = {"tot": "tot.example.gov.vn", "loi": "loi500.example.gov.vn", "mat": "mat.example.gov.vn"}


def registry_text() -> str:
    return "\n".join(f'''[[site]]
key = "{key}"
name = "Cổng {key}"
kind = "portal"
province = "Hà Nội"
domains = ["{host}"]
start_urls = ["https://{host}/tin-tuc"]
''' for key, host in SITES.items())


def article(n: int) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>Bài số {n} về cải cách hành chính</title></head><body>"
            f"<h1 class='title'>Bài số {n} về cải cách hành chính</h1><div class='date'>05/03/2024 08:00</div>"
            f"<div class='content'><p>Bài {n}. {PARAGRAPH}</p><p>{PARAGRAPH}</p></div></body></html>").encode()


def routes() -> dict:
    good = SITES["tot"]
    items = "".join(f"<li class='item'><a href='/tin/bai-{n}-1000{n}.html'>Bài viết số {n} về thủ tục hành chính của tỉnh</a>"
                    f"</li>" for n in range(3))
    table = {f"/{good}/tin-tuc": ok(f"<html><body><ul class='news'>{items}</ul></body></html>".encode())}
    table.update({f"/{good}/tin/bai-{n}-1000{n}.html": ok(article(n)) for n in range(3)})
    table[f"/{SITES['loi']}/tin-tuc"] = lambda h, n: send(h, 500, b"loi may chu")
    for path in ("/robots.txt", "/tin-tuc"):
        table[f"/{SITES['mat']}{path}"] = reset(b"", times=10_000)
    return table


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("verdicts")
    sites_file = tmp / "sites.toml"
    sites_file.write_text(registry_text(), encoding="utf-8")
    db = tmp / "cchc.db"
    with FaultServer(routes()) as server:
        env = {"CCHC_SITES_FILE": str(sites_file), "CCHC_MIRROR": server.base_url + "/{host}"}
        crawlall = run_scrapy(["crawlall", "-s", "RETRY_TIMES=1", "-s", "DOWNLOAD_TIMEOUT=3",
                               "-s", "CCHC_BROWSER_FALLBACK=0"], db, timeout=300, env=env)
        single = {key: run_scrapy(["crawl", key, "-s", "RETRY_TIMES=1", "-s", "DOWNLOAD_TIMEOUT=3",
                                   "-s", "CCHC_BROWSER_FALLBACK=0"], tmp / f"{key}.db", timeout=300, env=env)
                  for key in SITES}
        health = subprocess.run([sys.executable, "-m", "crawler", "health", str(db)], cwd=ROOT, capture_output=True,
                                text=True, timeout=60, env={**__import__("os").environ, **env})
    return {"crawlall": crawlall, "single": single, "health": health, "db": db}


EXPECTED = {"tot": "ok", "loi": "failed", "mat": "unreachable"}


def test_crawlall_gives_each_site_its_own_verdict(night):
    result = night["crawlall"]
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.split() and line.split()[0] in SITES}
    for key, word in EXPECTED.items():
        assert f" {word}: " in lines[key], lines[key]
    recorded = {r["site"]: r["verdict"] for r in rows(night["db"], "select site, verdict from crawl_runs")}
    assert recorded == EXPECTED


def test_scrapy_crawl_agrees_and_exits_non_zero(night):
    for key, word in EXPECTED.items():
        result = night["single"][key]
        assert (result.returncode == 0) == (word == "ok"), (key, result.stderr[-2000:])
        assert f"{key}: {word}: " in result.stderr


def test_health_agrees_with_the_summary_word_for_word(night):
    summary = {line.split()[0]: line.split("  ")[-1].strip() for line in night["crawlall"].stdout.splitlines()
               if line.split() and line.split()[0] in SITES}
    health = night["health"]
    assert health.returncode == 1
    for key in SITES:
        line = next(line for line in health.stdout.splitlines() if line.startswith(key + " "))
        assert line.endswith(summary[key]), (line, summary[key])


@pytest.mark.parametrize("stats, failures, word", [
    ({"finish_reason": "finished", "response_received_count": 4, "cchc/listing/pages": 1,
      "cchc/listing/with_links": 1, "cchc/new": 3}, [], "ok"),
    ({"finish_reason": "finished", "response_received_count": 4, "cchc/listing/pages": 1,
      "cchc/listing/with_links": 1}, ["Site still publishes as often as it used to: no new article for 40 days"], "quiet"),
    ({"finish_reason": "finished", "downloader/exception_type_count/twisted.internet.error.ConnectionRefusedError": 4},
     [], "unreachable"),
    ({"finish_reason": "finished", "response_received_count": 2, "robotstxt/response_count": 1,
      "downloader/response_status_count/500": 3}, [], "failed"),
    ({"finish_reason": "finished", "response_received_count": 2, "cchc/listing/pages": 1, "cchc/blocked": 1}, [], "blocked"),
    ({"finish_reason": "finished", "response_received_count": 2, "cchc/listing/pages": 1, "cchc/listing/no_links": 1},
     [], "broken"),
    ({"finish_reason": "database_error", "response_received_count": 9, "cchc/listing/pages": 1}, [], "failed"),
    ({"finish_reason": "finished", "response_received_count": 9, "cchc/listing/pages": 1, "cchc/listing/with_links": 1},
     ["Error Count Monitor/test_stat_monitor: Expecting 'log_count/ERROR' to be '<=' to '0'. Current value: '5'"],
     "failed"),
    ({"finish_reason": "finished", "cchc/start_error": "ValueError: -a max_pages='x'"}, [], "failed"),
])
def test_verdict_words(stats, failures, word):
    assert verdict(stats, failures)[0] == word


def _cron_line(tmp_path, db, *extra) -> str:
    tab = tmp_path / "crontab"
    subprocess.run([sys.executable, "-m", "crawler", "cron", "install", "--at", "02:30", "--db", str(db), "--tabfile",
                    str(tab), *extra], cwd=ROOT, capture_output=True, text=True, check=True)
    line = next(l for l in tab.read_text().splitlines() if "crawler run" in l)
    return line.split(" ", 5)[5]  # the command, without the schedule


def test_installed_cron_line_mails_a_failing_night_and_logs_to_its_file(tmp_path):
    """The installed line, run as cron would (sh -c), on a night with a failing site: the summary goes to its
    output (what cron mails), the full log to the rotated file beside the database; a good night prints nothing."""
    import os

    sites_file = tmp_path / "sites.toml"
    sites_file.write_text(registry_text(), encoding="utf-8")
    with FaultServer(routes()) as server:
        env = dict(os.environ, CCHC_SITES_FILE=str(sites_file), CCHC_MIRROR=server.base_url + "/{host}")
        env.pop("CCHC_LOG_LEVEL", None)
        env["PATH"] = "/usr/bin:/bin"  # cron's
        bad = subprocess.run(["sh", "-c", _cron_line(tmp_path, tmp_path / "bad" / "cchc.db")], env=env,
                             capture_output=True, text=True, timeout=300)
        only_good = dict(env, CCHC_SITES_FILE=str(tmp_path / "good.toml"))
        (tmp_path / "good.toml").write_text(registry_text().split("[[site]]")[1].join(["[[site]]", ""]), encoding="utf-8")
        good = subprocess.run(["sh", "-c", _cron_line(tmp_path, tmp_path / "good" / "cchc.db")], env=only_good,
                              capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1
    assert "failed: no listing page could be read (HTTP 500 x" in bad.stdout, bad.stdout
    assert "unreachable: " in bad.stdout and "Traceback" not in bad.stdout + bad.stderr
    log = (tmp_path / "bad" / "logs" / "crawl.log").read_text(encoding="utf-8")
    assert "Traceback" in log or "ERROR" in log  # the detail is in the file
    assert good.returncode == 0 and good.stdout == "" and good.stderr == "", good.stdout + good.stderr


def test_cron_install_rejects_a_bad_time(tmp_path):
    result = subprocess.run([sys.executable, "-m", "crawler", "cron", "install", "--at", "25:99", "--tabfile",
                             str(tmp_path / "tab")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0 and "use HH:MM between 00:00 and 23:59" in result.stderr
    assert "Traceback" not in result.stderr


def test_crawlall_honours_settings_like_scrapy_crawl(tmp_path):
    """`-s DOWNLOAD_MAXSIZE=600` under crawlall stores what `scrapy crawl` stores (nothing: every article is over
    600 bytes, the listing is not), where crawlall used to pass on only six settings."""
    sites_file = tmp_path / "sites.toml"
    sites_file.write_text(registry_text().split("[[site]]")[1].join(["[[site]]", ""]), encoding="utf-8")
    with FaultServer(routes()) as server:
        env = {"CCHC_SITES_FILE": str(sites_file), "CCHC_MIRROR": server.base_url + "/{host}"}
        for command in (["crawlall"], ["crawl", "tot"]):
            run_scrapy(command + ["-s", "DOWNLOAD_MAXSIZE=600", "-s", "CCHC_BROWSER_FALLBACK=0"],
                       tmp_path / f"{command[0]}.db", timeout=120, env=env)
    counts = [rows(tmp_path / f"{name}.db", "select count(*) as n from articles")[0]["n"] for name in ("crawlall", "crawl")]
    assert counts == [0, 0]


def test_plain_dict_items_are_validated_not_fatal(tmp_path):
    """Issue 17: a spider of plain dicts (scrapy runspider in this folder) used to stop the crawl with
    "NOT NULL constraint failed: articles.site" (database_error). Article-like dicts are now validated and dropped
    with a counted reason, or stored when valid; other dicts pass through untouched."""
    spider = tmp_path / "plain.py"
    spider.write_text('''
import scrapy

class Plain(scrapy.Spider):
    name = "plain"

    async def start(self):
        yield scrapy.Request("data:text/html,<html></html>", callback=self.parse)

    def parse(self, response):
        text = "Cải cách thủ tục hành chính được đẩy mạnh ở các sở, ngành của tỉnh trong năm nay. " * 4
        yield {"url": "https://x.example.gov.vn/a-1.html", "title": "Bài không có site", "body_html": f"<p>{text}</p>"}
        yield {"url": "https://x.example.gov.vn/a-2.html", "title": "Bài có site", "site": "x", "body_html": f"<p>{text}</p>"}
        yield {"url": "https://x.example.gov.vn/a-3.html", "title": "Bài có trường lạ", "likes": 3}
        yield {"page_views": 12}
''', encoding="utf-8")
    out = tmp_path / "items.jsonl"
    result = run_scrapy(["runspider", str(spider), "-o", str(out)], tmp_path / "cchc.db", timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "database_error" not in result.stderr and "NOT NULL" not in result.stderr
    stats = {line.split(":")[0].strip(" '{"): line for line in result.stderr.splitlines() if "cchc/" in line}
    assert "cchc/dropped/invalid/unknown_fields" in stats and "cchc/dropped/invalid/site" in stats, result.stderr[-3000:]
    assert [r["title"] for r in rows(tmp_path / "cchc.db", "select title from articles")] == ["Bài có site"]
    assert '"page_views": 12' in out.read_text(encoding="utf-8")
