"""What happens to an article between its page and the database, written once:

- ``read_article`` (article.py): extraction, then the preparation stages;
- ``STAGES`` and ``prepare(item, stats)`` (stages.py): repair, clean, date, hash, topics, signature;
- ``validation_errors`` (validation.py): the schema check whose failure the crawl drops and counts;
- pool.py: ``read_article`` in worker processes beside the reactor;
- repeated.py: ``RepeatedTitles``, the check of titles a site gives many pages (a run's, or the archive's).
"""
from crawler.prepare.article import read_article
from crawler.prepare.repeated import RepeatedTitles
from crawler.prepare.stages import STAGES, prepare
from crawler.prepare.validation import validation_errors

__all__ = ["STAGES", "RepeatedTitles", "prepare", "read_article", "validation_errors"]
