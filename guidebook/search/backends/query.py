"""A haystack query in a parsed form that each database vendor turns into its own SQL.

Nothing a visitor types is ever handed to the database as query syntax: their text is cut into
words here (runs of letters and digits, at most MAX_TERMS of them), and each vendor module writes
the FTS5 or tsquery expression itself, from those words only.
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from haystack.constants import FILTER_SEPARATOR, VALID_FILTERS
from haystack.exceptions import SearchBackendError
from haystack.inputs import AutoQuery, BaseInput, Exact
from haystack.inputs import Not as NotInput

MAX_TERMS = 32
MAX_CHARS = 2000
WORD = re.compile(r"[^\W_]+")
PHRASE = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class Text:
    """Full-text words: all of them (a phrase: in this order), in every text column or one."""

    words: tuple[str, ...]
    phrase: bool = False
    prefix: bool = False  # the last word may be the start of a longer one
    column: str | None = None  # "title", or None for title and body


@dataclass(frozen=True)
class Field:
    """A condition on a stored field (kind, tags, date, django_ct...), not on the text."""

    name: str
    lookup: str  # exact, in, gt, gte, lt, lte, range, startswith, contains
    value: Any

    def __post_init__(self):
        if isinstance(self.value, list | set | frozenset):  # hashable, as every node is
            object.__setattr__(self, "value", tuple(self.value))


@dataclass(frozen=True)
class And:
    children: tuple = ()  # And() matches everything


@dataclass(frozen=True)
class Or:
    children: tuple = ()  # Or() matches nothing


@dataclass(frozen=True)
class Not:
    child: Any


EVERYTHING = And()
NOTHING = Or()


def words_of(text: str) -> list[str]:
    """Lower-case words without diacritics, as both databases' tokenizers see them."""
    folded = unicodedata.normalize("NFKD", str(text)[:MAX_CHARS].lower())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return WORD.findall(folded)


def text_node(words: list[str], *, phrase=False, prefix=False, column=None):
    words = words[:MAX_TERMS]
    if not words:
        return None
    if len(words) == 1 or phrase:
        return Text(tuple(words), phrase=len(words) > 1, prefix=prefix, column=column)
    # Several words, not a phrase: all of them, anywhere (haystack's default operator, AND).
    leaves = [Text((word,), column=column) for word in dict.fromkeys(words)]
    if prefix:
        leaves[-1] = Text((words[-1],), prefix=True, column=column)
    return And(tuple(leaves))


def user_query(text: str, column: str | None = None):
    """What a visitor typed, as haystack's AutoQuery reads it: "quoted phrases", -excluded
    words, and every other word required. Stray quotes and operators are plain characters."""
    text = str(text)[:MAX_CHARS]
    required, excluded = [], []
    pieces = PHRASE.split(text)  # odd positions are the insides of balanced quotes
    for position, piece in enumerate(pieces):
        tokens = [piece] if position % 2 else piece.split()
        for token in tokens:
            negated = not position % 2 and token.startswith("-") and len(token) > 1
            # A token of several words (e-mail, c++/cli, 3.5) is a phrase, as the tokenizer
            # would index it.
            node = text_node(words_of(token), phrase=True, column=column)
            if node is not None:
                (excluded if negated else required).append(node)
    required, excluded = unique(required), unique(excluded)
    budget = MAX_TERMS
    kept = []
    for node, negated in [(n, False) for n in required] + [(n, True) for n in excluded]:
        budget -= len(node.words)
        if budget < 0:
            break
        kept.append(Not(node) if negated else node)
    if not kept:
        return NOTHING
    return kept[0] if len(kept) == 1 else And(tuple(kept))


def unique(nodes):
    return list(dict.fromkeys(nodes))


# ------------------------------------------------------------------------------ from haystack
class QueryTranslator:
    """haystack's SearchNode tree (filter, exclude, SQ objects, narrow queries) to And/Or/Not
    over Text and Field. `text_columns` maps a field name to its text column: None for the
    document field (and haystack's "content"), "title" for the boosted fields; any other field
    is a stored field."""

    def __init__(self, text_columns: dict[str, str | None], facet_names: dict[str, str]):
        self.text_columns = text_columns
        self.facet_names = facet_names  # "kind" and "kind_exact" -> "kind_exact"

    def node(self, search_node):
        children = []
        for child in search_node.children:
            if hasattr(child, "children"):
                children.append(self.node(child))
            else:
                expression, value = child
                field, lookup = split_expression(expression)
                children.append(self.leaf(field, lookup, value))
        node = And(tuple(children)) if search_node.connector == "AND" else Or(tuple(children))
        if len(children) == 1:
            node = children[0]
        return Not(node) if search_node.negated else node

    def leaf(self, field: str, lookup: str, value):
        if field in self.text_columns:
            return self.text_leaf(self.text_columns[field], lookup, value)
        if isinstance(value, NotInput):
            return Not(Field(self.stored_name(field), "exact", value.query_string))
        if isinstance(value, BaseInput):
            value = value.query_string
        if lookup in ("content", "fuzzy"):
            lookup = "exact"
        return Field(self.stored_name(field), lookup, value)

    def text_leaf(self, column: str | None, lookup: str, value):
        if isinstance(value, AutoQuery):
            return user_query(value.query_string, column)
        if isinstance(value, NotInput):
            node = text_node(words_of(value.query_string), column=column)
            return Not(node) if node is not None else EVERYTHING
        if isinstance(value, BaseInput):
            phrase = isinstance(value, Exact)
            value = value.query_string
        else:
            phrase = lookup == "exact"
        if lookup == "in":
            nodes = [text_node(words_of(item), phrase=True, column=column) for item in value]
            return Or(tuple(node for node in nodes if node is not None))
        if lookup in ("gt", "gte", "lt", "lte", "range"):
            raise SearchBackendError(f"A text field cannot be compared ({lookup}).")
        node = text_node(
            words_of(value), phrase=phrase, prefix=lookup == "startswith", column=column
        )
        return NOTHING if node is None else node

    def stored_name(self, field: str) -> str:
        return self.facet_names.get(field, field)


def split_expression(expression: str) -> tuple[str, str]:
    parts = expression.split(FILTER_SEPARATOR)
    if len(parts) > 1 and parts[-1] in VALID_FILTERS:
        return FILTER_SEPARATOR.join(parts[:-1]), parts[-1]
    return expression, "content"


NARROW_CLAUSE = re.compile(r'\s*(?:(AND|OR)\s+)?(-|NOT\s+)?(\w+):(?:"((?:[^"\\]|\\.)*)"|(\S+))')


def narrow_query(text: str, translator: QueryTranslator):
    """A narrow() query in the small Lucene subset haystack's own code and ours send:
    `field:"value"` or `field:value` clauses, joined by AND (or nothing) or OR, each optionally
    negated with - or NOT."""
    position, groups, current = 0, [], []
    text = str(text).strip()
    while position < len(text):
        match = NARROW_CLAUSE.match(text, position)
        if not match:
            raise SearchBackendError(f"Narrow query not understood: {text!r}")
        joiner, negation, field, quoted, bare = match.groups()
        value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
        node = translator.leaf(field, "exact", value)
        if negation:
            node = Not(node)
        if joiner == "OR" and current:
            groups.append(current)
            current = []
        current.append(node)
        position = match.end()
    groups.append(current)
    alternatives = [group[0] if len(group) == 1 else And(tuple(group)) for group in groups]
    return alternatives[0] if len(alternatives) == 1 else Or(tuple(alternatives))


def is_text_only(node) -> bool:
    if isinstance(node, Text):
        return True
    if isinstance(node, Not):
        return is_text_only(node.child)
    if isinstance(node, And | Or):
        return bool(node.children) and all(is_text_only(child) for child in node.children)
    return False


def query_words(node) -> list[str]:
    """The words a visitor asked for (not those excluded), for "did you mean"."""
    if isinstance(node, Text):
        return list(node.words)
    if isinstance(node, And | Or):
        return [word for child in node.children for word in query_words(child)]
    return []
