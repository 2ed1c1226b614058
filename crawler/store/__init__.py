"""The SQLite store, the only code that speaks SQL: schema and migrations (schema.py), opening and checking the
file (database.py), articles (articles.py), runs (runs.py), crawl state (incremental.py), stories
(syndication.py). Datasette's canned queries are SQL too, but they live with the web UI as its metadata."""
