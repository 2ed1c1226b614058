"""The SQLite store, the only code that speaks SQL: schema and migrations (schema.py), opening and checking the
file (database.py), articles (articles.py), runs (runs.py), crawl state (incremental.py), stories
(syndication.py). Datasette's canned queries are SQL too, but they live with the web UI as its metadata.

The front door: code outside this package imports from ``crawler.store`` only. A crawl's components go through
``Store`` (door.py), which owns the crawl's connection; commands read and write through the names below.
"""
from crawler.store.articles import DUPLICATE, NEW, ROW_ERRORS, UNCHANGED, UPDATED  # the dedup decision's words
from crawler.store.batch import BATCH_SECONDS, BATCH_SIZE
from crawler.store.browsing import (ARCHIVED_COPY, ARTICLE_DOCUMENTS, ARTICLE_TOPIC_LABELS, SOURCE_COUNTS, SOURCE_COUNTS_FILTERED, STORY_SIZE,
                                    TOPIC_COUNTS, TOPIC_COUNTS_FILTERED, TOPIC_SEPARATOR, pivot_queries)
from crawler.store.bulk import BulkImporter
from crawler.store.database import check_file, damaged_message, migrate, now_iso, open_database
from crawler.store.door import Store
from crawler.store.exports import ExportFilter, export_rows, filter_choices
from crawler.store.incremental import KnownArticles
from crawler.store.indexes import ImportRunning
from crawler.store.search import (DOCUMENTS_TEXT, MATCHING_ARTICLES, MATCHING_DOCUMENTS, register_search_functions,
                                  typed_with_diacritics)

__all__ = ["ARCHIVED_COPY", "ARTICLE_DOCUMENTS", "ARTICLE_TOPIC_LABELS", "BATCH_SECONDS", "BATCH_SIZE", "BulkImporter", "DOCUMENTS_TEXT", "DUPLICATE",
           "ExportFilter", "MATCHING_ARTICLES", "MATCHING_DOCUMENTS",
           "ImportRunning", "KnownArticles", "NEW", "ROW_ERRORS", "SOURCE_COUNTS", "SOURCE_COUNTS_FILTERED",
           "STORY_SIZE", "Store", "TOPIC_COUNTS", "TOPIC_COUNTS_FILTERED", "TOPIC_SEPARATOR", "UNCHANGED", "UPDATED",
           "check_file", "damaged_message", "export_rows", "filter_choices", "migrate", "now_iso", "open_database",
           "pivot_queries", "register_search_functions", "typed_with_diacritics"]
