"""The SQLite store: schema and migrations, articles, crawl state, stories."""
