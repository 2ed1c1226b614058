"""The archive: every response the crawl fetches, in standard WARC 1.1 files (warcio; gzip per record), so that
today's extraction can read history again (``python -m crawler reextract``), a page that changed or vanished keeps
its evidence, and a real night's page can become a test fixture (``savefixture --from-archive``).

- place.py: where (``CCHC_ARCHIVE_DIR``, by default ``archive/`` beside the database) and the files' names;
- records.py: the records of one download (request, response, the rendered DOM, the crawl's metadata);
- writer.py: the process's writer thread, rotation by size and by night, whole records only;
- components.py: the Scrapy extension and spider middleware that feed it and link articles to their responses;
- reader.py: pages back from a location, a URL or a file; retention.py: keep N days or N GB; check.py: ``health``.
"""
