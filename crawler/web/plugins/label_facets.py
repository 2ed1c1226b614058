"""The topic and source facets of the reading views, counted where it is cheap (crawler/store/browsing.py).

Datasette's array facet unpacks the JSON list of every row of the view (``json_each`` over each row, then a
DISTINCT over the rows): 5 s at a million articles, and Datasette gives up on a facet after 200 ms. Its column
facet on ``source`` (the site's name, from a join) grouped 600,000 names: 5 s too. These facets (metadata
``facets: [{topic: topics}, {source: source}]``) count the narrow ``article_topics`` table, and the articles by
site key on an index, naming them afterwards: in one scan for the whole view, over the view's matching ids once
it is filtered. Choosing a value adds ``_topic=<label>`` / ``_source=<name>``, which
``cchc_browse.filters_from_request`` turns into indexed lookups.
"""
from __future__ import annotations

import re

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import path_with_added_args, path_with_removed_args

from crawler.store import SOURCE_COUNTS, SOURCE_COUNTS_FILTERED, TOPIC_COUNTS, TOPIC_COUNTS_FILTERED

_FILTERED = re.compile(r"\swhere\s", re.IGNORECASE)


class LabelFacet(Facet):
    """A facet whose counts come from ``whole[table]`` (nothing filtered) or ``filtered`` (over the view's SQL),
    and whose choice is the query-string parameter ``param``."""

    whole: dict[str, str] = {}
    filtered = ""
    param = ""

    async def suggest(self):
        return []  # only where the metadata asks for it

    def counts_sql(self) -> str:
        whole = self.whole.get(self.table)
        if whole and not _FILTERED.search(self.sql):
            return whole
        return self.filtered.format(sql=self.sql)

    async def facet_results(self):
        results, timed_out = [], []
        size = self.get_facet_size()
        chosen = self.request.args.getlist(self.param)
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            try:
                rows = await self.ds.execute(self.database, f"{self.counts_sql()} limit {size + 1}", self.params,
                                             truncate=False, custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                timed_out.append(column)
                continue
            values = []
            for row in rows.rows[:size]:
                label = str(row["value"])
                selected = label in chosen
                change = path_with_removed_args if selected else path_with_added_args
                values.append({"value": label, "label": label, "count": row["count"], "selected": selected,
                               "toggle_url": self.ds.absolute_url(self.request, change(self.request, {self.param: label}))})
            results.append({"name": column, "type": self.type, "results": values,
                            "hideable": source_and_config["source"] != "metadata",
                            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {f"_facet_{self.type}": column})),
                            "truncated": len(rows.rows) > size})
        return results, timed_out


class TopicFacet(LabelFacet):
    type, param, whole, filtered = "topic", "_topic", TOPIC_COUNTS, TOPIC_COUNTS_FILTERED


class SourceFacet(LabelFacet):
    type, param, whole, filtered = "source", "_source", SOURCE_COUNTS, SOURCE_COUNTS_FILTERED


@hookimpl
def register_facet_classes():
    return [TopicFacet, SourceFacet]
