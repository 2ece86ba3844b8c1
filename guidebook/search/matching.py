"""Answering the search page's queries with set operations instead of Whoosh's matcher tree.

The queries haystack's auto_query sends through the MultifieldParser are words combined with
And, Or and Not: `family day trip` becomes And(Or(text:famili, title:famili^4), Or(text:dai,
title:dai^4), Or(text:trip, title:trip^4)). Whoosh answers them by walking a tree of matchers
one document at a time in Python, and the backend walked it twice (once for every matching
document, for the count and the facets; once more to score them for the top 20).

Here each term's posting list is read whole, a block at a time (each block is one zlib'd
pickle), the matching documents come from Python set operations, and only those are scored,
with Whoosh's own scorer for the term (BM25F), summed as Whoosh's And and Or matchers sum them.
The ranking is Whoosh's (tested against it in test_matching.py); queries of any other shape
(phrases, prefixes, wildcards, fuzzy terms, weightings other than BM25F...) get None, and the
backend lets Whoosh answer them.
"""

import heapq
from dataclasses import dataclass

from whoosh import query
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import WeightLengthScorer


class Unsupported(Exception):
    """The query has a part this module does not evaluate."""


@dataclass
class Evaluation:
    """The documents a query matches, and how to score them."""

    docs: set[int]
    # One entry per term of the query that is not under a Not: (boost, per-segment scoring,
    # (field, term bytes)); None when Whoosh found the documents and must rank them.
    _terms: list | None

    @classmethod
    def unranked(cls, docs: set[int]) -> "Evaluation":
        """Documents Whoosh found for a query evaluate() does not take; Whoosh ranks them."""
        return cls(docs=docs, _terms=None)

    @property
    def scorable(self) -> bool:
        return self._terms is not None

    def scores(self, docs) -> dict[int, float]:
        """Whoosh's score for each of `docs` (all of which match): the sum over the query's
        terms that the document contains."""
        scores = dict.fromkeys(docs, 0.0)
        for boost, segments, _ in self._terms:
            for weights, score, offset in segments:
                if len(weights) < len(scores):  # walk the shorter of the two
                    pairs = (
                        (docnum + offset, docnum, weight)
                        for docnum, weight in weights.items()
                        if docnum + offset in scores
                    )
                else:
                    pairs = (
                        (number, number - offset, weights[number - offset])
                        for number in scores
                        if number - offset in weights
                    )
                for number, docnum, weight in pairs:
                    scores[number] += boost * score(weight, docnum)
        return scores

    def top(self, docs, limit: int) -> list[tuple[float, int]]:
        """(score, document number) of the best `limit` of `docs`, best first; equal scores
        in document order, as Whoosh's collector ranks them."""
        scores = self.scores(docs)
        best = heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))
        return [(score, docnum) for docnum, score in best]

    def matched_terms(self, docs) -> tuple[dict, dict]:
        """Which of the query's terms each of `docs` contains, in the two shapes Whoosh's
        Results keeps them (docterms, termdocs): its highlighter then marks words from the
        character positions stored in the postings instead of analysing the text again."""
        docterms, termdocs = {docnum: [] for docnum in docs}, {}
        for _, segments, key in self._terms:
            for weights, _, offset in segments:
                for docnum in docs:
                    if docnum - offset in weights:
                        docterms[docnum].append(key)
                        termdocs.setdefault(key, []).append(docnum)
        return docterms, termdocs


def evaluate(searcher, parsed) -> Evaluation | None:
    """The query's matching documents and scorer, or None for a query Whoosh should answer."""
    terms = []
    try:
        docs = _docs(searcher, parsed, terms, scored=True)
    except Unsupported:
        return None
    return Evaluation(docs=docs, _terms=terms)


def _docs(searcher, node, terms, *, scored) -> set[int]:
    if node.boost != 1.0 and not isinstance(node, query.Term):
        raise Unsupported(node)
    if isinstance(node, query.Term):
        return _term_docs(searcher, node, terms if scored else None)
    if isinstance(node, query.And):
        positive = [sub for sub in node.subqueries if not isinstance(sub, query.Not)]
        negative = [sub.query for sub in node.subqueries if isinstance(sub, query.Not)]
        if not positive:
            raise Unsupported(node)
        sets = sorted((_docs(searcher, sub, terms, scored=scored) for sub in positive), key=len)
        docs = set.intersection(*sets)
        for sub in negative:
            if docs:
                docs -= _docs(searcher, sub, terms, scored=False)
        return docs
    if isinstance(node, query.Or) and type(node) is query.Or:
        if node.minmatch or node.scale:
            raise Unsupported(node)
        docs = set()
        for sub in node.subqueries:
            if isinstance(sub, query.Not):
                raise Unsupported(node)
            docs |= _docs(searcher, sub, terms, scored=scored)
        return docs
    if isinstance(node, query.AndNot):
        docs = _docs(searcher, node.a, terms, scored=scored)
        return docs - _docs(searcher, node.b, terms, scored=False) if docs else docs
    raise Unsupported(node)


def _term_docs(searcher, term, terms) -> set[int]:
    """The documents containing the term; when it counts towards the score, its postings'
    weights and Whoosh's scorer for it go into `terms`."""
    fieldname, text = term.fieldname, term.text
    if fieldname not in searcher.schema:
        return set()
    if not isinstance(text, bytes):
        text = searcher.schema[fieldname].to_bytes(text)
    docs = set()
    segments = []
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        if (fieldname, text) not in reader:
            continue
        weights = _postings(reader.postings(fieldname, text))
        docs.update(docnum + offset for docnum in weights)
        if terms is not None:
            scorer = searcher.weighting.scorer(subsearcher, fieldname, text)
            if not isinstance(scorer, WeightLengthScorer):
                raise Unsupported(term)
            segments.append((weights, _score_function(scorer), offset))
    if terms is not None and segments:
        terms.append((term.boost, segments, (fieldname, text)))
    return docs


def _score_function(scorer):
    score, length = scorer._score, scorer.dfl  # the two halves of WeightLengthScorer.score()
    return lambda weight, docnum: score(weight, length(docnum))


def _postings(matcher) -> dict[int, float]:
    """{document number: weight} of every posting, read a block at a time where we can."""
    excluded = frozenset()
    if type(matcher) is FilterMatcher and matcher._exclude:  # the segment's deletions
        excluded, matcher = matcher._ids, matcher.child
    if type(matcher) is W3LeafMatcher:
        weights = {}
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            weights.update(zip(matcher._ids, matcher._weights, strict=True))
            matcher._next_block()
    else:  # e.g. a ListMatcher: a rare term's postings, kept in the term dictionary
        weights = {}
        while matcher.is_active():
            weights[matcher.id()] = matcher.weight()
            matcher.next()
    for docnum in excluded & weights.keys():
        del weights[docnum]
    return weights
