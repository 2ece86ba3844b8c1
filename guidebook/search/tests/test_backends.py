"""The database backend on whichever database the run uses (SQLite by default, PostgreSQL with
DATABASE_URL): one index every connection and process shares, written with the content, and
the Solr schema."""

import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from haystack import connections
from haystack.query import SearchQuerySet

from guidebook.guides.tests.factories import DraftFactory, GuideFactory, TagFactory
from guidebook.images.models import Image
from guidebook.images.tests.factories import create_image
from guidebook.search.models import Document

from .conftest import found

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
ROOT = settings.BASE_DIR


def doc(obj) -> str:
    return f"{obj._meta.label_lower}.{obj.pk}"


@pytest.mark.django_db
def test_a_failing_index_write_keeps_the_content_and_is_logged(refusing_index, caplog):
    with transaction.atomic():
        image = create_image(description="An explosive sunset over Lisbon")
        kept = create_image(description="A quiet Lisbon sunset")
    assert Image.objects.filter(pk=image.pk).exists()  # the content committed
    assert found("sunset") == {doc(kept)}  # only the document that could be written
    assert "Search index write failed for images.image" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_save_is_searchable_as_soon_as_it_commits_without_a_worker():
    with transaction.atomic():
        image = create_image(description="Fresh Belem pastries")
        assert found("pastries") == {doc(image)}  # inside the transaction, for itself
    started = time.monotonic()
    assert found("pastries") == {doc(image)}
    assert time.monotonic() - started < 1.0


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_on_another_connection_is_seen_by_the_next_query():
    """Django gives each thread its own database connection: the writer here is a second
    connection, committing while this one has already queried."""
    assert found("funicular") == set()
    written = []

    def write():
        try:
            written.append(doc(create_image(description="The Gloria funicular")))
        finally:
            from django.db import connection as own

            own.close()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    assert found("funicular") == set(written) and written


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_save_committed_by_another_process_is_seen_by_the_next_query_of_this_one():
    """Another process (as the worker or a second web machine would be) saves an image; this
    process's next query finds it: the index is the database."""
    assert found("tramcar") == set()
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}/"
        f"{database['NAME']}"
    )
    script = (
        "import django; django.setup()\n"
        "from guidebook.images.tests.factories import create_image\n"
        "print(create_image(description='A vintage tramcar').pk)\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "CELERY_BROKER_URL": "",
        "DEBUG": "false",
    }
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    pk = completed.stdout.strip().splitlines()[-1]
    started = time.monotonic()
    assert found("tramcar") == {f"images.image.{pk}"}
    assert time.monotonic() - started < 1.0


# ------------------------------------------------------------------------------ contract
@pytest.mark.django_db
def test_facet_counts_are_exact_over_every_match_not_just_the_page():
    trams = TagFactory(name="trams")
    views = TagFactory(name="views")
    for number in range(23):
        GuideFactory(title=f"Lisbon walk {number}", tags=[trams] if number % 2 else [views])
    for number in range(4):
        create_image(description=f"Lisbon tiles {number}")
    sqs = SearchQuerySet().auto_query("lisbon").facet("kind").facet("tags")
    assert len(sqs[:20]) == 20
    counts = sqs.facet_counts()["fields"]
    assert dict(counts["kind"]) == {"guide": 23, "image": 4}
    assert dict(counts["tags"]) == {"trams": 11, "views": 12}
    assert sqs.count() == 27
    narrowed = sqs.narrow('tags_exact:"trams"')
    assert narrowed.count() == 11
    assert dict(narrowed.facet_counts()["fields"]["kind"]) == {"guide": 11}


@pytest.mark.django_db
def test_filter_exclude_and_models_narrow_through_haystacks_api():
    guide = GuideFactory(title="Porto port cellars")
    image = create_image(description="Porto from the bridge")
    porto = SearchQuerySet().auto_query("porto")
    assert {r.id for r in porto.filter(kind="guide")} == {doc(guide)}
    assert {r.id for r in porto.exclude(kind="guide")} == {doc(image)}
    assert {r.id for r in porto.models(Image)} == {doc(image)}
    assert {r.id for r in porto.filter(title="cellars")} == {doc(guide)}
    assert {r.id for r in SearchQuerySet().filter(content="bridge")} == {doc(image)}
    assert next(r.id for r in porto.order_by("-date")) == doc(image)  # made just now


@pytest.mark.django_db
def test_titles_rank_above_bodies_whatever_the_order_of_writing():
    in_body = GuideFactory(title="Harbour notes", body="<p>The Sintra train leaves hourly.</p>")
    in_title = GuideFactory(title="Sintra in a day", body="<p>Palaces and gardens.</p>")
    ranked = [result.id for result in SearchQuerySet().auto_query("sintra")]
    assert ranked == [doc(in_title), doc(in_body)]


@pytest.mark.django_db
def test_spelling_suggests_words_of_public_documents_only():
    GuideFactory(title="Azulejo museum", body="<p>Tiles of every century.</p>")
    draft = DraftFactory(title="Quokkas of Rottnest", body="<p>Quokkas everywhere.</p>")
    image = create_image(description="Marmalade cats of Alfama")
    sqs = SearchQuerySet()
    assert sqs.auto_query("azulejjo musem").spelling_suggestion() == "azulejo museum"
    assert sqs.auto_query("quokkaz").spelling_suggestion() is None  # a draft's word
    assert sqs.auto_query("marmalad").spelling_suggestion() == "marmalade"
    image.visibility = "private"
    image.save()  # leaves the index, its words with it
    assert sqs.auto_query("marmalad").spelling_suggestion() is None
    assert draft.pk and found("quokkas") == set()


@pytest.mark.django_db
def test_the_index_is_ordinary_rows_with_the_prepared_fields():
    guide = GuideFactory(title="Evora by bus", tags=[TagFactory(name="budget")])
    document = Document.objects.get(identifier=doc(guide))
    assert document.title == "Evora by bus"
    assert "Evora by bus" in document.body
    assert document.data["kind"] == "guide" and document.data["tags"] == ["budget"]
    assert set(document.facet_values.values_list("field", "value")) >= {
        ("kind_exact", "guide"),
        ("tags_exact", "budget"),
        ("category_exact", guide.category.name),
    }


@pytest.mark.django_db
def test_rebuilding_the_index_shows_progress_and_indexes_what_is_public(capsys):
    create_image(description="Lisbon azulejos")
    create_image(description="Private Lisbon", visibility="private")
    Document.objects.create(identifier="images.image.999999", django_ct="images.image")
    # haystack's update_index, called by rebuild_index, prints to the process's stdout.
    call_command("rebuild_search_index", interactive=False)
    output = capsys.readouterr().out
    assert "Indexing 1 images" in output
    assert "indexed 1 - 1 of 1" in output
    assert SearchQuerySet().auto_query("lisbon").count() == 1
    assert not Document.objects.filter(identifier="images.image.999999").exists()


@pytest.mark.django_db
def test_clear_index_and_update_index_commands(capsys):
    create_image(description="Cascais beach")
    call_command("clear_index", interactive=False, verbosity=0)
    assert found("cascais") == set()
    call_command("update_index", verbosity=0)
    assert len(found("cascais")) == 1


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


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("whoosh:///var/index", "Whoosh index on disk no longer exists"),
        ("elasticsearch://localhost:9200", "use database://"),
    ],
)
def test_an_unknown_search_url_stops_the_settings_with_a_clear_error(url, message):
    env = {**os.environ, "SEARCH_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    completed = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr and message in completed.stderr


@pytest.mark.django_db
def test_drafts_scheduled_and_members_only_never_reach_results_facets_or_snippets(client):
    from datetime import timedelta

    from django.contrib.flatpages.models import FlatPage
    from django.utils import timezone

    public = GuideFactory(title="Braga cathedral", tags=[TagFactory(name="open")])
    secret = TagFactory(name="undisclosed")
    DraftFactory(title="Braga draft", body="<p>Braga hush-hush</p>", tags=[secret])
    GuideFactory(
        title="Braga later",
        body="<p>Braga embargoed</p>",
        pub_date=timezone.now() + timedelta(days=1),
        tags=[TagFactory(name="soon")],
    )
    members = FlatPage.objects.create(
        url="/members-braga/",
        title="Braga members",
        content="<p>Braga insiders</p>",
        registration_required=True,
    )
    members.sites.add(settings.SITE_ID)
    create_image(description="Braga confidential", visibility="private")
    sqs = SearchQuerySet().auto_query("braga").highlight().facet("tags").facet("kind")
    assert [result.id for result in sqs] == [doc(public)]
    assert dict(sqs.facet_counts()["fields"]["tags"]) == {"open": 1}
    assert dict(sqs.facet_counts()["fields"]["kind"]) == {"guide": 1}
    page = client.get("/search/", {"q": "braga"}).content.decode()
    for secret in ("hush", "embargoed", "insiders", "confidential", "undisclosed", "soon"):
        assert secret not in page
