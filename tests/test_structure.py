"""The layout's rules, checked on every run (what a reviewer of issue 17 would check by hand):

- the product (crawler/, pipelines/, spiders/) never imports the test harness (tests/harness) nor reads tests/:
  the offline demo and savefixture find the saved pages through CCHC_FIXTURES_DIR, whose default (the checkout's
  tests/fixtures) is declared once, in crawler/settings.py;
- no SQL outside crawler/store/ (Datasette's canned queries live in crawler/web/datasette.yaml);
- no module over about 300 lines;
- no stat key written as a string outside crawler/stats.py;
- every CCHC_* setting the code reads is declared in crawler/settings.py, and its default only there (a
  ``settings.getint("CCHC_X", 5)`` elsewhere would be a second default that drifts);
- the packages stand in layers (``LAYERS``): a package imports only from its own layer or the ones below, so
  the house has no cycles and the ground floor (text rules, items, the registry) needs nothing above it;
- the database is entered by its front door: outside crawler/store only ``crawler.store`` is imported, never
  one of its modules.
"""
import ast
import re

import pytest

from conftest import ROOT

PRODUCT = sorted(p for folder in ("crawler", "pipelines", "spiders") for p in (ROOT / folder).rglob("*.py"))
FIXTURES_DEFAULT = ("crawler/settings.py", "tests/fixtures")  # CCHC_FIXTURES_DIR's default, the one mention
# Lowest first. A package may import its own layer and any layer below it (crawler/__main__ is the top).
LAYERS = (
    {"crawler.vi", "crawler.items", "crawler.stats", "crawler.registry", "crawler.signals", "crawler.settings",
     "crawler.lifeline", "crawler.urls", "crawler.formats", "crawler.minhash", "crawler.__init__"},  # ground floor
    {"crawler.extract", "crawler.documents"},  # a page (or a document's bytes) to fields: pure functions
    {"crawler.clean"},  # the fields' text repaired and checked
    {"crawler.prepare"},  # the article's path: extract, then prepare (crawler/prepare/stages.py)
    {"crawler.store"},  # the database, behind crawler.store's front door
    {"crawler.fetch", "crawler.discover", "crawler.distributed", "crawler.archive"},  # the crawl's machinery around Scrapy
    {"crawler.monitor"},  # verdicts, health, monitors of a run
    {"crawler.ops"},  # nights, exports, imports, savefixture: what a user runs
    {"crawler.web", "pipelines", "spiders"},  # Scrapy's components and Datasette's plugins
    {"crawler.cli", "crawler.commands", "crawler.__main__"},  # the commands
)
STORE_MODULES = {p.stem for p in (ROOT / "crawler" / "store").glob("*.py")} - {"__init__"}
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
    long = {rel(p): n for p in PRODUCT + sorted((ROOT / "tests" / "harness").glob("*.py"))
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


def _reads_of_settings(tree):
    """(line, setting, has a default) for every ``<settings>.get*("CCHC_...", ...)`` call (not os.environ)."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr.startswith("get")
                and node.args and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith("CCHC_")
                and not ast.unparse(node.func.value).startswith("os.environ")):
            yield node.lineno, node.args[0].value, len(node.args) > 1 or any(k.arg == "default" for k in node.keywords)


def test_settings_defaults_are_declared_once(trees):
    found = [f"{name}:{line}: {key} read with a default of its own; declare it in crawler/settings.py only"
             for name, tree in trees.items() if name != "crawler/settings.py"
             for line, key, with_default in _reads_of_settings(tree) if with_default]
    assert not found, "\n".join(found)


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[0] if parts[0] in ("pipelines", "spiders") else ".".join(parts[:2])


def _imports(name: str, tree):
    """(line, imported module) of every import, also those inside functions; relative imports resolved."""
    here = name[:-3].replace("/", ".").removesuffix(".__init__")
    package = here if name.endswith("__init__.py") else here.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            yield from ((node.lineno, f"{base}.{a.name}") for a in node.names)


def _layer(package: str) -> int | None:
    return next((n for n, layer in enumerate(LAYERS) if package in layer), None)


def test_every_package_has_a_layer(trees):
    packages = {_package(name[:-3].replace("/", ".")) for name in trees}
    assert not {p for p in packages if _layer(p) is None}, "add the new package to LAYERS"


def test_packages_import_only_their_layer_and_below(trees):
    found = []
    for name, tree in trees.items():
        source = _package(name[:-3].replace("/", "."))
        for line, module in _imports(name, tree):
            if not module.startswith(("crawler.", "pipelines", "spiders")):
                continue
            target = _package(module)
            if target != source and _layer(target) is not None and _layer(target) > _layer(source):
                found.append(f"{name}:{line} ({source}, layer {_layer(source)}) imports {module} (layer {_layer(target)})")
    assert not found, "\n".join(found)


def test_the_store_is_entered_by_its_front_door(trees):
    found = [f"{name}:{line} imports {module}; import it from crawler.store (crawler/store/__init__.py)"
             for name, tree in trees.items() if not name.startswith("crawler/store/")
             for line, module in _imports(name, tree)
             if module.startswith("crawler.store.") and module.split(".")[2] in STORE_MODULES]
    assert not found, "\n".join(found)
