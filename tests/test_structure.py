"""The layout's rules, checked on every run (what a reviewer of issue 17 would check by hand):

- the product (crawler/, pipelines/, spiders/) never imports the test harness (tests/harness) nor reads tests/:
  the offline demo and savefixture find the saved pages through CCHC_FIXTURES_DIR, whose default (the checkout's
  tests/fixtures) is declared once, in crawler/settings.py;
- no SQL outside crawler/store/ (Datasette's canned queries live in crawler/web/datasette.yaml);
- no module over about 300 lines;
- no stat key written as a string outside crawler/stats.py;
- every CCHC_* setting the code reads is declared in crawler/settings.py.
"""
import ast
import re

import pytest

from conftest import ROOT

PRODUCT = sorted(p for folder in ("crawler", "pipelines", "spiders") for p in (ROOT / folder).rglob("*.py"))
FIXTURES_DEFAULT = ("crawler/settings.py", "tests/fixtures")  # CCHC_FIXTURES_DIR's default, the one mention
MAX_LINES = 310  # "about 300": a module past this is split by concern
SQL = re.compile(r"^\s*(select\s.+\sfrom\s|insert\s+(or\s+\w+\s+)?into\s|update\s+\w+\s+set\s|delete\s+from\s|"
                 r"create\s+(table|index|view|trigger)\s|drop\s+(table|index|trigger)\s)", re.I | re.S)


def rel(path) -> str:
    return str(path.relative_to(ROOT))


def strings(tree):
    """Every string constant, and the literal start of every f-string, with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            yield node.lineno, node.values[0].value


@pytest.fixture(scope="module")
def trees():
    return {rel(p): ast.parse(p.read_text(encoding="utf-8")) for p in PRODUCT}


def test_the_product_does_not_use_the_test_harness(trees):
    found = []
    for name, tree in trees.items():
        for node in ast.walk(tree):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [a.name for a in node.names] if isinstance(node, (ast.Import, ast.ImportFrom)) else []
            if (module or "").startswith(("harness", "tests")) or any(n.startswith(("harness", "tests")) for n in names):
                found.append(f"{name}:{node.lineno} imports {module or names}")
        found += [f"{name}:{line} reads {text!r}" for line, text in strings(tree)
                  if re.search(r"(^|/)tests(/|$)", text) and "\n" not in text and (name, text) != FIXTURES_DEFAULT]
    assert not found, "\n".join(found)


def test_no_sql_outside_the_store(trees):
    found = []
    for name, tree in trees.items():
        if name.startswith("crawler/store/"):
            continue
        found += [f"{name}:{line}: {text[:60]!r}" for line, text in strings(tree) if SQL.match(text)]
        found += [f"{name}:{node.lineno}: sqlite3.connect" for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and node.attr == "connect"
                  and isinstance(node.value, ast.Name) and node.value.id == "sqlite3"]
    assert not found, "\n".join(found)


def test_no_module_is_too_long():
    long = {rel(p): n for p in PRODUCT + sorted((ROOT / "crawler" / "testing").glob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


def test_stat_keys_are_named_once(trees):
    found = [f"{name}:{line}: {text!r}" for name, tree in trees.items() if name != "crawler/stats.py"
             for line, text in strings(tree) if text.startswith("cchc/")]
    assert not found, "\n".join(found)


def test_every_setting_read_is_declared():
    declared = set(re.findall(r"^(CCHC_[A-Z0-9_]+)\s*=", (ROOT / "crawler/settings.py").read_text(encoding="utf-8"), re.M))
    declared |= set(re.findall(r"environ\.get\(\s*\"(CCHC_[A-Z0-9_]+)\"", (ROOT / "crawler/settings.py").read_text(encoding="utf-8")))
    read = {}
    for path in PRODUCT:
        for key in re.findall(r"[\"'](CCHC_[A-Z0-9_]+)[\"']", path.read_text(encoding="utf-8")):
            read.setdefault(key, rel(path))
    assert not {k: v for k, v in read.items() if k not in declared}
