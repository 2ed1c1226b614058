"""Is a cleaned body plausible? The measures the cleaning step uses to judge its own result and to choose among
the fallbacks (crawler/clean/cleaning.py: ``choose_cleaned_body``).

A body is implausible when it is empty, when cleaning removed most of the prose of the element chosen as the
body, or when it is shorter than a short notice. Then every fallback is cleaned too — the same element with light
cleaning (the pre-cleaning body), and the other methods' containers that extraction kept when it doubted its
choice (crawler/extract/body.py) — and the one with the most prose wins, if it has clearly more: a sidebar, a
menu or a list of teasers has little prose (short lines without sentence punctuation), an article has it all.
"""
from __future__ import annotations

import re

# Under this many characters a body is checked against the fallbacks (the shortest real notices are one
# paragraph of ~150 characters: those are kept unless a fallback has clearly more prose).
SHORT_BODY = 200
# Cleaning that kept less than this share of the chosen element's prose (and the element had at least
# MOST_REMOVED_FLOOR characters of it) removed most of the article, or the element was wrong.
KEPT_SHARE, MOST_REMOVED_FLOOR = 0.3, 600
# A fallback replaces the body when its prose is this many times the body's and at least GAIN characters more.
BETTER_FACTOR, GAIN = 1.5, 200
_SENTENCE_END = re.compile(r"[.!?;:…\"”’)\]]$")


def prose(text: str | None) -> int:
    """Characters of prose in a cleaned body: paragraphs of 80+ characters, or of 40+ ending like a sentence.
    Headings, menu lines and teaser titles (short, unpunctuated) do not count."""
    total = 0
    for paragraph in (text or "").split("\n\n"):
        paragraph = paragraph.strip()
        if len(paragraph) >= 80 or len(paragraph) >= 40 and _SENTENCE_END.search(paragraph):
            total += len(paragraph)
    return total


def implausible(text: str | None, raw_prose: int) -> str | None:
    """Why the cleaned body cannot be trusted as it is, or None."""
    chars = len(text or "")
    if not chars:
        return "cleaned to nothing" + (f" of {raw_prose:,} characters" if raw_prose else "")
    if raw_prose >= MOST_REMOVED_FLOOR and chars < KEPT_SHARE * raw_prose:
        return f"cleaning kept {chars:,} of {raw_prose:,} characters"
    if chars < SHORT_BODY:
        return f"only {chars} characters"
    return None


def clearly_better(candidate: int, current: int) -> bool:
    """Prose ``candidate`` beats ``current`` by enough to replace it."""
    if current == 0:
        return candidate > 0
    return candidate >= BETTER_FACTOR * current and candidate >= current + GAIN
