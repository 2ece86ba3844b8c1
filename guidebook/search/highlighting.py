"""Snippets for the results page: a window of an object's own text around the first match,
with every piece HTML-escaped before the matches are wrapped in <mark>. The page makes them here
for every backend, from the `passage` and `summary` each index stores (indexes.py): the
backends' highlighters can only quote the document text, which also holds the words indexed to
make an object findable (tags, captions, file names), and Solr's returns it unescaped.
"""

import html
import re

from django.utils.safestring import SafeString, mark_safe

WORD = re.compile(r"\w+")
SUFFIXES = ("ing", "ed", "es", "s")
SNIPPET_CHARS = 240
LEAD_CHARS = 60
MAX_TERMS = 16


def stem(word: str) -> str:
    """A common English ending off (walking, walked, walks: walk), enough to mark a word's other
    forms as prefix matches; Solr itself stems with Porter's algorithm."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def query_pattern(query: str) -> re.Pattern | None:
    """Words of the query as a case-insensitive pattern that also finds their other forms
    (the index stems words, so "walking" finds "walked": the page should mark both)."""
    stems = []
    for word in WORD.findall(query.lower()):
        if len(word) > 1 and word not in ("and", "or", "not", "to"):
            stems.append(re.escape(stem(word)))
    if not stems:
        return None
    alternatives = "|".join(sorted(set(stems[:MAX_TERMS]), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)


def snippet(text: str, pattern: re.Pattern | None, *, length: int = SNIPPET_CHARS) -> SafeString:
    """`length` characters of `text` from a little before the first match of `pattern` (a
    query_pattern), escaped, the matches marked."""
    text = " ".join((text or "").split())
    first = pattern.search(text) if pattern else None
    start = 0
    if first and first.start() > LEAD_CHARS:
        start = text.rfind(" ", 0, first.start() - LEAD_CHARS) + 1
    window = text[start : start + length]
    parts = ["… " if start else ""]
    position = 0
    for match in pattern.finditer(window) if pattern else ():
        parts.append(html.escape(window[position : match.start()]))
        parts.append(f"<mark>{html.escape(match.group())}</mark>")
        position = match.end()
    parts.append(html.escape(window[position:]))
    if start + length < len(text):
        parts.append(" …")
    # Every piece of the document's text above went through html.escape.
    return mark_safe("".join(parts))  # noqa: S308


def quoted_snippet(pattern: re.Pattern | None, passage: str, summary: str = "") -> SafeString:
    """The passage around the query's first word in it (`pattern`: its query_pattern); when the
    passage has none of the words (they were in the title, the tags or a caption), the summary,
    or else the passage's start."""
    if summary and not (pattern and pattern.search(passage or "")):
        return snippet(summary, pattern)
    return snippet(passage, pattern)
