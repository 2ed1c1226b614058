"""The table an analyst reads on the ``per_province_month`` page: provinces down, periods across, each cell shaded
by its count and linked to the articles it counts. Built from the saved query's tidy rows (crawler/store/
periods.py: one row per province and period) by the template crawler/web/templates/query.html, through the
Jinja filter ``province_pivot`` (crawler/web/plugins/cchc_browse.py)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from crawler.vi.text import strip_diacritics

# The heatmap's colour (a blue that reads on white and under black text up to LIGHT_TEXT_FROM) and the weakest
# shade a non-zero count gets, so that one article is still visibly not zero.
COLOUR = (33, 102, 172)
MIN_SHADE = 0.12
LIGHT_TEXT_FROM = 0.55


@dataclass
class Cell:
    count: int
    href: str
    shade: float  # 0 for nothing counted; else MIN_SHADE..1, by the square root of count / the largest count

    @property
    def style(self) -> str:
        if not self.count:
            return ""
        text = "color: #fff; " if self.shade >= LIGHT_TEXT_FROM else ""
        return f"{text}background-color: rgba({COLOUR[0]}, {COLOUR[1]}, {COLOUR[2]}, {self.shade:.2f})"


@dataclass
class Row:
    province: str
    cells: list[Cell] = field(default_factory=list)
    total: Cell | None = None


@dataclass
class Table:
    per: str
    periods: list[Cell] = field(default_factory=list)  # the header: each period's total, linked
    labels: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    total: Cell | None = None
    first_month: str = ""
    last_month: str = ""
    largest: int = 0


def _link(articles: str, province: str | None, first: str, last: str) -> str:
    args = {"province": province} if province else {}
    return f"{articles}?{urlencode({**args, 'month__gte': first, 'month__lte': last})}"


def shade(count: int, largest: int) -> float:
    """Square-root scale: one article against a largest cell of 40 is still visible (0.27), not 0.04."""
    if not count or not largest:
        return 0.0
    return MIN_SHADE + (1 - MIN_SHADE) * math.sqrt(count / largest)


def province_pivot(rows, articles: str) -> Table:
    """``rows``: the query's (province, period, per, first_month, last_month, articles), sorted by province then
    period. ``articles``: the path of the list the cells link to (the reading view cchc_articles). Provinces with
    the most articles first."""
    periods: dict[str, tuple[str, str]] = {}
    counts: dict[str, dict[str, int]] = {}
    per = ""
    for row in rows:
        per = row["per"]
        periods.setdefault(row["period"], (row["first_month"], row["last_month"]))
        counts.setdefault(row["province"], {})[row["period"]] = row["articles"]
    if not periods:
        return Table(per=per)
    order = sorted(periods)  # YYYY, YYYY-MM and YYYY-Qn all sort as text
    first, last = periods[order[0]][0], periods[order[-1]][1]
    largest = max((n for by_period in counts.values() for n in by_period.values()), default=0)
    table = Table(per=per, labels=order, first_month=first, last_month=last, largest=largest)
    # most articles first; ties in the alphabet's order ("Đà Nẵng" among the D, not after "Vĩnh Long")
    for province in sorted(counts, key=lambda p: (-sum(counts[p].values()), strip_diacritics(p).casefold(), p)):
        row = Row(province)
        for period in order:
            n = counts[province].get(period, 0)
            row.cells.append(Cell(n, _link(articles, province, *periods[period]), shade(n, largest)))
        row.total = Cell(sum(counts[province].values()), _link(articles, province, first, last), 0.0)
        table.rows.append(row)
    for period in order:
        n = sum(by_period.get(period, 0) for by_period in counts.values())
        table.periods.append(Cell(n, _link(articles, None, *periods[period]), 0.0))
    table.total = Cell(sum(c.count for c in table.periods), _link(articles, None, first, last), 0.0)
    return table
