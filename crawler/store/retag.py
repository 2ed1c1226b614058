"""Articles tagged again when a document they attach is read further on a later night (a scan whose pages waited
for OCR: no Tesseract, or the night's budget spent). Their topics, terms and relevance were tagged from the text
they had; the catch-up at the end of a run (pipelines/documents.py) gives the document its text, and here the
articles that attach it get the topics that text gives, as a crawl that read it at once would have given them
(crawler/prepare/stages.py: ``assign_topics`` over the title, lead, body and the documents' first pages)."""
from __future__ import annotations

import json
import logging

from crawler.prepare.stages import assign_topics
from crawler.store.rows import TOPICS_INSERT, topic_rows

logger = logging.getLogger(__name__)

_ARTICLE = ("select title, lead, body_text, from_cchc_section, topics, topic_terms, relevance from articles "
            "where id = ?")
_TEXTS = ("select d.text from article_documents l join documents d on d.sha256 = l.sha256 "
          "where l.article_id = ? order by l.position")


def retag_attaching(conn, sha256s) -> int:
    """Tag again the articles attaching any of ``sha256s`` (their readings just replaced); the number changed."""
    changed = 0
    for sha in sorted(sha256s or ()):
        ids = [r[0] for r in conn.execute("select distinct article_id from article_documents where sha256 = ?", [sha])]
        changed += sum(_retag(conn, article_id) for article_id in ids)
    if changed:
        logger.info("%d article(s) tagged again with the text of documents read on this night", changed)
    return changed


def _retag(conn, article_id: int) -> bool:
    row = conn.execute(_ARTICLE, [article_id]).fetchone()
    if row is None:
        return False
    title, lead, body, section, *old = row
    item = {"title": title, "lead": lead, "body_text": body, "from_cchc_section": section,
            "attachments": [{"text": text} for (text,) in conn.execute(_TEXTS, [article_id]) if text]}
    assign_topics(item)
    new = [json.dumps(item["topics"], ensure_ascii=False), json.dumps(item["topic_terms"], ensure_ascii=False),
           item["relevance"]]
    if new == list(old):
        return False
    conn.executemany("delete from article_topics where topic = ? and article_id = ?",
                     topic_rows(article_id, {"topics": old[0]}))
    conn.execute("update articles set topics = ?, topic_terms = ?, relevance = ? where id = ?", [*new, article_id])
    conn.executemany(TOPICS_INSERT, [(t, a, a) for t, a in topic_rows(article_id, {"topics": new[0]})])
    return True
