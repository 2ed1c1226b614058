"""What happens to an article between its page and the database, written once:

- ``read_article`` (article.py): extraction, then the preparation stages;
- ``STAGES`` and ``prepare(item, stats)`` (stages.py): repair, clean, date, hash, topics, signature;
- ``with_documents`` (stages.py): the article's documents read (pipelines/documents.py), its topics again with them;
- ``validation_errors`` (validation.py): the schema check whose failure the crawl drops and counts (a notice whose
  content is its documents passes: ``body_from_documents``);
- pool.py: ``read_article`` in worker processes beside the reactor;
- repeated.py: ``RepeatedTitles``, the check of titles a site gives many pages (a run's, or the archive's).
"""
from crawler.prepare.article import read_article
from crawler.prepare.repeated import RepeatedTitles
from crawler.prepare.stages import STAGES, prepare, with_documents
from crawler.prepare.validation import body_from_documents, validation_errors

__all__ = ["STAGES", "RepeatedTitles", "body_from_documents", "prepare", "read_article", "validation_errors",
           "with_documents"]
