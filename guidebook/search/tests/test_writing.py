"""GuidebookWriter writes the index Whoosh's own writer would write, only faster; bulk() writes
a whole indexing run at once."""

import random

import pytest
from haystack import connections
from haystack.query import SearchQuerySet
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from guidebook.images.models import Image
from guidebook.images.tests.factories import create_image
from guidebook.search.codec import GuidebookCodec, SpelledCharacters
from guidebook.search.writing import GuidebookWriter

WORDS = [
    "Lisbon",
    "walking",
    "walked",
    "walks",
    "tram",
    "trams",
    "the",
    "and",
    "of",
    "a",
    "to",
    "Café",
    "café",
    "naïve",
    "Ölberg",
    "ferry",
    "ferries",
    "harbour",
    "harbours",
    "x",
    "y",
    "42",
    "3.14",
    "under_score",
    "it's",
    "Fado",
    "fado",
]


def documents(count: int, seed: int = 7):
    rng = random.Random(seed)
    for number in range(count):
        yield {
            "id": f"guides.guide.{number}",
            "django_ct": "guides.guide",
            "django_id": str(number),
            "title": " ".join(rng.choices(WORDS, k=4)),
            "text": " ".join(rng.choices(WORDS, k=rng.randint(1, 60))),
            "kind": "guide",
            "kind_exact": "guide",
            "tags": "free,kids",
            "tags_exact": "free,kids",
        }


def project_schema():
    backend = connections["default"].get_backend()
    backend.setup()
    return backend.schema


def snapshot(ix):
    """Every posting as {(field, term): {stored id: (weight, value bytes)}}, the stored fields
    and field lengths by stored id, and the spelling words: what a search can read, independent
    of document numbers."""
    postings, spelling = {}, set()
    with ix.reader() as reader:
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        spelling_fields = {
            field.spelling_fieldname(name)
            for name, field in ix.schema.items()
            if field.separate_spelling()
        }
        for fieldname, term in reader.all_terms():
            if fieldname in spelling_fields:
                spelling.add((fieldname, term))
                continue
            matcher = reader.postings(fieldname, term)
            entries, docnums = {}, []
            while matcher.is_active():
                docnums.append(matcher.id())
                entries[ids[matcher.id()]] = (matcher.weight(), matcher.value())
                matcher.next()
            assert docnums == sorted(set(docnums)), (fieldname, term)  # as skipping needs
            postings[fieldname, term] = entries
        stored = {ids[docnum]: fields for docnum, fields in reader.iter_docs()}
        lengths = {
            (ids[docnum], name): reader.doc_field_length(docnum, name)
            for docnum in ids
            for name in ("text", "title")
        }
    return postings, stored, lengths, spelling


def write(ix, writer_class, docs, **options):
    writer = writer_class(ix, **options)
    for document in docs:
        writer.add_document(**document)
    return writer


@pytest.fixture
def two_indexes(tmp_path):
    schema = project_schema()
    assert isinstance(schema["text"].format, SpelledCharacters)
    folders = [tmp_path / "whoosh", tmp_path / "ours"]
    for folder in folders:
        folder.mkdir()
    return tuple(whoosh_index.create_in(folder, schema) for folder in folders)


def test_the_index_written_equals_whooshs_own(two_indexes):
    theirs, ours = two_indexes
    write(theirs, SegmentWriter, documents(300), codec=GuidebookCodec()).commit()
    write(ours, GuidebookWriter, documents(300)).commit()
    their_postings, their_stored, their_lengths, their_spelling = snapshot(theirs)
    our_postings, our_stored, our_lengths, our_spelling = snapshot(ours)
    assert our_postings == their_postings
    assert our_stored == their_stored
    assert our_lengths == their_lengths
    assert our_spelling == their_spelling
    assert ("spell_text", b"walking") in our_spelling  # unstemmed words, lower case
    assert ("spell_text", b"the") not in our_spelling  # stop words are not suggestions


def test_postings_spilled_to_disk_past_the_memory_limit_come_back_in_order(two_indexes):
    theirs, ours = two_indexes
    write(theirs, SegmentWriter, documents(300), codec=GuidebookCodec()).commit()
    writer = write(ours, GuidebookWriter, documents(300), limitmb=0.01)
    assert len(writer.pool.runs) > 2
    writer.commit()
    assert snapshot(ours)[:3] == snapshot(theirs)[:3]


def test_merged_segments_keep_every_posting(two_indexes):
    theirs, ours = two_indexes
    docs = list(documents(300))
    write(theirs, SegmentWriter, docs, codec=GuidebookCodec()).commit()
    for start in range(0, 300, 100):
        write(ours, GuidebookWriter, docs[start : start + 100]).commit(merge=False)
    writer = GuidebookWriter(ours)
    writer.delete_by_term("id", "guides.guide.5")
    writer.commit(optimize=True)
    assert len(ours._segments()) == 1
    their_postings = snapshot(theirs)[0]
    for entries in their_postings.values():
        entries.pop("guides.guide.5", None)
    assert snapshot(ours)[0] == {key: entries for key, entries in their_postings.items() if entries}


# ------------------------------------------------------------------------------ bulk()


@pytest.mark.django_db
def test_a_replacing_bulk_block_keeps_the_old_index_answering_until_it_commits(clean_index):
    backend = clean_index
    search_index = connections["default"].get_unified_index().get_index(Image)
    old = create_image(description="Lisbon tram")
    backend.update(search_index, [old])
    new = create_image(description="Lisbon ferry")
    with backend.bulk(replace=True):
        backend.update(search_index, [new])
        assert {r.pk for r in SearchQuerySet().auto_query("lisbon")} == {str(old.pk)}
    assert {r.pk for r in SearchQuerySet().auto_query("lisbon")} == {str(new.pk)}
    assert len(backend.index._segments()) == 1


@pytest.mark.django_db
def test_an_error_inside_a_bulk_block_writes_nothing(clean_index):
    backend = clean_index
    search_index = connections["default"].get_unified_index().get_index(Image)
    kept = create_image(description="Porto bridge")
    backend.update(search_index, [kept])
    with pytest.raises(RuntimeError), backend.bulk():
        backend.update(search_index, [create_image(description="Porto tiles")])
        backend.remove(kept)
        raise RuntimeError("the database went away")
    assert {r.pk for r in SearchQuerySet().auto_query("porto")} == {str(kept.pk)}
    # The lock is free again: an ordinary write goes through.
    backend.update(search_index, [create_image(description="Porto wine")])
    assert SearchQuerySet().auto_query("porto").count() == 2


@pytest.mark.django_db
def test_rebuilding_replaces_the_index_and_refuses_to_replace_part_of_it(clean_index, capsys):
    from django.core.management import CommandError, call_command

    backend = clean_index
    search_index = connections["default"].get_unified_index().get_index(Image)
    gone = create_image(description="Sintra palace")
    backend.update(search_index, [gone])
    Image.objects.filter(pk=gone.pk).delete()  # a row deleted behind the index's back
    kept = create_image(description="Sintra gardens")
    call_command("rebuild_search_index", interactive=False)
    assert "indexed 1 - 1 of 1" in capsys.readouterr().out
    assert {r.pk for r in SearchQuerySet().auto_query("sintra")} == {str(kept.pk)}
    with pytest.raises(CommandError, match="leave out app label"):
        call_command("update_search_index", "images", replace=True)
