"""The Whoosh backend's caching and writing, and the Solr schema."""

import threading
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.core.management import call_command
from haystack import connections
from haystack.query import SearchQuerySet

from guidebook.images.models import Image
from guidebook.images.tests.factories import create_image
from guidebook.search.backends import FastWhooshSearchBackend
from guidebook.search.services import index_object

pytestmark = pytest.mark.django_db

SOLR9_REMOVED = [
    "solr.LatLonType",
    "solr.TrieIntField",
    "solr.TrieLongField",
    "solr.TrieFloatField",
    "solr.TrieDoubleField",
    "solr.TrieDateField",
    "solr.EnumField",
    "solr.CurrencyField",
]


def test_the_searcher_is_reused_until_another_writer_commits(clean_index):
    backend = clean_index
    image = create_image(description="Lisbon tram")
    index_object(model_label="images.image", pk=image.pk)
    first = backend.searcher()
    assert backend.searcher() is first
    # A commit by another backend object (as another thread or process would make) is seen.
    other = FastWhooshSearchBackend("default", **connections["default"].options)
    other.update(
        connections["default"].get_unified_index().get_index(type(image)),
        [create_image(description="Lisbon ferry")],
    )
    assert backend.searcher() is not first
    assert SearchQuerySet().auto_query("lisbon").count() == 2


def test_threads_searching_while_another_writes_see_consistent_answers(clean_index):
    search_index = connections["default"].get_unified_index().get_index(Image)
    images = [create_image(description=f"Porto bridge {n}") for n in range(6)]
    errors = []

    def search():
        try:
            for _ in range(20):
                SearchQuerySet().auto_query("porto").count()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=search) for _ in range(3)]
    for thread in threads:
        thread.start()
    for image in images:
        clean_index.update(search_index, [image])
    for thread in threads:
        thread.join()
    assert errors == []
    assert SearchQuerySet().auto_query("porto").count() == 6


def test_the_solr_schema_has_our_fields_and_no_type_solr_9_removed(settings, monkeypatch, tmp_path):
    solr = {
        "ENGINE": "guidebook.search.backends.SolrEngine",
        "URL": "http://127.0.0.1:9/solr/guidebook",
    }
    # haystack reads a connection's options from settings, its engine from the handler.
    settings.HAYSTACK_CONNECTIONS = {**settings.HAYSTACK_CONNECTIONS, "solr": solr}
    monkeypatch.setitem(connections.connections_info, "solr", solr)
    target = tmp_path / "schema.xml"
    call_command("build_solr_schema", using="solr", filename=str(target), stdout=StringIO())
    xml = target.read_text()
    for removed in SOLR9_REMOVED:
        assert removed not in xml
    schema = ET.fromstring(xml)  # noqa: S314 (our own generated file)
    fields = {field.get("name"): field.attrib for field in schema.iter("field")}
    types = {
        field_type.get("name"): field_type.get("class") for field_type in schema.iter("fieldType")
    }
    for name in (
        "id",
        "django_ct",
        "django_id",
        "text",
        "title",
        "date",
        "author",
        "kind",
        "category",
        "tags",
        "url",
        "kind_exact",
        "category_exact",
        "tags_exact",
    ):
        assert name in fields, name
        assert fields[name]["type"] in types, name
    assert fields["kind_exact"]["type"] == "string"
    assert fields["tags_exact"]["multiValued"] == "true"
    assert types[fields["date"]["type"]] == "solr.DatePointField"
    assert schema.findtext("uniqueKey") == "id"


def test_rebuilding_the_index_shows_progress_and_indexes_what_is_public(capsys):
    create_image(description="Lisbon azulejos")
    create_image(description="Private Lisbon", visibility="private")
    # haystack's update_index, called by rebuild_index, prints to the process's stdout.
    call_command("rebuild_search_index", interactive=False)
    output = capsys.readouterr().out
    assert "Indexing 1 images" in output
    assert "indexed 1 - 1 of 1" in output
    assert SearchQuerySet().auto_query("lisbon").count() == 1


def test_a_query_on_a_searcher_closed_behind_its_back_reopens_it():
    from haystack import connections

    from guidebook.images.tests.factories import create_image
    from guidebook.search.services import index_object

    image = create_image(description="Belem tower at dusk")
    index_object(model_label="images.image", pk=image.pk)
    backend = connections["default"].get_backend()
    backend.searcher().close()  # as if another thread had closed it
    assert backend.search("belem")["hits"] == 1
