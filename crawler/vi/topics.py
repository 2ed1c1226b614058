"""CCHC relevance: topics from a lexicon kept as data (``topics.toml``), matched on diacritic-free text.

``tag_topics`` returns the matched topics, the terms that matched each (so tagging is auditable) and a
relevance score in [0, 1]. Articles found in a site's CCHC section are relevant by definition (score 1).
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from crawler.vi.text import strip_diacritics

LEXICON_FILE = Path(__file__).with_name("topics.toml")


@dataclass(frozen=True)
class Topic:
    key: str
    label_vi: str
    label_en: str
    weight: float
    terms: tuple[str, ...]
    pattern: re.Pattern


def fold(text: str | None) -> str:
    """Diacritic-free, case-folded, punctuation-as-space form used for matching."""
    text = strip_diacritics(text or "").casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@lru_cache(maxsize=1)
def lexicon() -> tuple[Topic, ...]:
    with open(LEXICON_FILE, "rb") as fh:
        data = tomllib.load(fh)
    topics = []
    for entry in data["topic"]:
        folded = sorted({fold(t) for t in entry["terms"]}, key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in folded) + r")(?!\w)")
        topics.append(Topic(entry["key"], entry["label_vi"], entry["label_en"], float(entry.get("weight", 1.0)),
                            tuple(entry["terms"]), pattern))
    return tuple(topics)


def tag_topics(title: str | None, lead: str | None, body: str | None, from_cchc_section: bool = False):
    """(topic keys, {topic: [matched folded terms]}, relevance)."""
    head, text = fold(f"{title or ''} {lead or ''}"), fold(body)
    topics: list[str] = []
    matched: dict[str, list[str]] = {}
    points = 0.0
    for topic in lexicon():
        in_head = topic.pattern.findall(head)
        in_body = topic.pattern.findall(text)
        if not in_head and not in_body:
            continue
        topics.append(topic.key)
        matched[topic.key] = sorted(set(in_head) | set(in_body))
        points += topic.weight * (3 * min(len(in_head), 2) + min(len(in_body), 5))
    relevance = 1.0 if from_cchc_section else round(1 - math.exp(-points / 6), 3)
    return topics, matched, relevance
