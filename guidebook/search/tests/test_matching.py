"""matching.evaluate() finds and ranks documents exactly as Whoosh's own matchers do."""

import random

import pytest
from whoosh import index as whoosh_index
from whoosh import query

from guidebook.search import matching
from guidebook.search.tests.test_writing import documents, project_schema
from guidebook.search.writing import GuidebookWriter

QUERIES = [
    "lisbon",
    "walking tram",
    "ferry harbour café",
    "fado -tram",
    "tram OR ferry",
    "naïve x",
    "Ölberg ferries walks",
    "nothingmatchesthis",
    "tram nothingmatchesthis",
    "under_score",
    "42",
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    """Three segments, one with deletions, and rare terms kept inline in the term dictionary."""
    folder = tmp_path_factory.mktemp("matching")
    schema = project_schema()
    ix = whoosh_index.create_in(folder, schema)
    docs = list(documents(600, seed=11))
    for start in range(0, 600, 200):
        writer = GuidebookWriter(ix)
        for document in docs[start : start + 200]:
            writer.add_document(**document)
        writer.commit(merge=False)
    writer = GuidebookWriter(ix)
    for number in random.Random(3).sample(range(600), 40):
        writer.delete_by_term("id", f"guides.guide.{number}")
    writer.commit(merge=False)
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 3
        yield searcher


def parse(searcher, text):
    from whoosh.qparser import MultifieldParser

    return MultifieldParser(
        ["text", "title"], schema=searcher.schema, fieldboosts={"title": 4.0}
    ).parse(text)


@pytest.mark.parametrize("text", QUERIES)
def test_the_same_documents_in_the_same_order_with_the_same_scores(searcher, text):
    parsed = parse(searcher, text)
    evaluation = matching.evaluate(searcher, parsed)
    assert evaluation is not None
    assert evaluation.docs == set(parsed.docs(searcher))
    theirs = [(hit.score, hit.docnum) for hit in searcher.search(parsed, limit=None)]
    ours = evaluation.top(evaluation.docs, len(evaluation.docs))
    assert [docnum for _, docnum in ours] == [docnum for _, docnum in theirs]
    assert [score for score, _ in ours] == pytest.approx([score for score, _ in theirs])


def test_a_narrowed_page_ranks_within_the_allowed_documents(searcher):
    parsed = parse(searcher, "tram")
    evaluation = matching.evaluate(searcher, parsed)
    allowed = set(sorted(evaluation.docs)[::2])
    theirs = [hit.docnum for hit in searcher.search(parsed, limit=None, filter=allowed)]
    assert [docnum for _, docnum in evaluation.top(evaluation.docs & allowed, 10)] == theirs[:10]


def test_matched_terms_name_the_words_each_document_contains(searcher):
    parsed = parse(searcher, "fado ferry")
    evaluation = matching.evaluate(searcher, parsed)
    top = [docnum for _, docnum in evaluation.top(evaluation.docs, 5)]
    docterms, termdocs = evaluation.matched_terms(top)
    # limit=None: Whoosh's top-N shortcut (skipping blocks by their best possible score) is
    # approximate with BM25F and can return a different top 5 than its full ranking.
    theirs = searcher.search(parsed, limit=None, terms=True)
    assert [hit.docnum for hit in theirs][:5] == top
    for hit in list(theirs)[:5]:
        assert set(docterms[hit.docnum]) == set(hit.matched_terms())
    for key, docnums in termdocs.items():
        assert all(key in docterms[docnum] for docnum in docnums)


@pytest.mark.parametrize(
    "node",
    [
        query.Phrase("text", ["walk", "tram"]),
        query.Prefix("text", "fer"),
        query.Or([query.Term("text", "tram"), query.Term("text", "ferri")], minmatch=2),
    ],
)
def test_other_query_shapes_are_left_to_whoosh(searcher, node):
    assert matching.evaluate(searcher, node) is None
