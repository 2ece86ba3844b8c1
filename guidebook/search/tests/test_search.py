"""Indexes, ranking, facets, highlighting and bad input, on the database index."""

import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from haystack import connections
from haystack.query import SearchQuerySet

from guidebook.images.tests.factories import create_image
from guidebook.polls.tests.factories import QuestionFactory
from guidebook.search.services import facet_filter, index_object, search_documents

from .conftest import found

pytestmark = pytest.mark.django_db


def index(obj):
    return index_object(model_label=obj._meta.label_lower, pk=obj.pk)


def test_a_title_match_ranks_above_a_body_only_match():
    body_only = QuestionFactory(text="Which city has the best trams?", choices=["Lisbon", "Porto"])
    in_title = QuestionFactory(text="Lisbon or Porto for a weekend?", choices=["Yes", "No"])
    for question in (body_only, in_title):
        assert index(question) == "indexed"
    ranked = [result.pk for result in SearchQuerySet().auto_query("lisbon")]
    assert ranked == [str(in_title.pk), str(body_only.pk)]


def test_facets_count_each_kind_and_narrowing_keeps_the_query():
    for description in ("Lisbon tiles", "Lisbon tram 28"):
        index(create_image(description=description))
    index(QuestionFactory(text="Lisbon or Porto?", choices=["Lisbon", "Porto"]))
    index(create_image(description="Porto bridge"))

    outcome = search_documents(query="lisbon")
    assert outcome.total == 3
    assert dict(outcome.facets["kind"]) == {"image": 2, "poll": 1}
    assert search_documents(query="lisbon", kind="image").total == 2
    assert search_documents(query="lisbon", kind="poll").total == 1


def test_unpublished_private_and_deleted_objects_leave_the_index():
    image = create_image(description="Azulejo workshop")
    poll = QuestionFactory(text="Azulejo or fado?", choices=["Azulejo", "Fado"])
    index(image), index(poll)
    assert len(found("azulejo")) == 2

    image.visibility = "private"
    image.save()
    assert index(image) == "removed"
    poll.pub_date = timezone.now() + timedelta(days=2)
    poll.save()
    assert index(poll) == "removed"
    assert found("azulejo") == set()


def test_private_images_and_scheduled_polls_are_never_indexed():
    private = create_image(description="Secret garden", visibility="private")
    scheduled = QuestionFactory(
        text="Secret garden party?", choices=["Yes"], pub_date=timezone.now() + timedelta(days=1)
    )
    no_choices = QuestionFactory(text="Secret garden without choices?")
    assert [index(private), index(scheduled), index(no_choices)] == ["removed"] * 3
    assert found("secret garden") == set()


def test_snippets_escape_the_document_and_mark_the_matches(client):
    index(create_image(description='<script>alert("x")</script> Lisbon <b>tiles</b> & more'))
    response = client.get(reverse("search:index"), {"q": "lisbon tiles"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html and "<b>tiles</b>" not in html
    assert "&lt;script&gt;alert" in html
    assert "<mark>Lisbon</mark>" in html and "<mark>tiles</mark>" in html
    assert "&amp; more" in html


def test_the_backends_own_highlighting_escapes_too():
    index(create_image(description="<em>Lisbon</em> & the <script>sea</script>"))
    result = SearchQuerySet().auto_query("lisbon").highlight()[0]
    snippet = result.highlighted["text"][0]
    assert "<mark>Lisbon</mark>" in snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


BAD_QUERIES = [
    "",
    "   ",
    "a" * 2000,
    "lisbon " * 400,
    '"',
    '"lisbon',
    "*",
    "**",
    "(",
    ")",
    "((lisbon",
    "AND",
    "OR NOT",
    "lisbon AND",
    "<script>alert(1)</script>",
    "i++",
    "span",
    "c#",
    "title:",
    "django_ct:images.image",
    "[1 TO",
    "{x",
    "lisbon~",
    "lisbon^99",
    "\\",
    "'",
    "%00",
    "\x00",
    "🙂",
    "名古屋",
    # FTS5 and tsquery syntax: every one is text to us.
    "lisbon NEAR tiles",
    "NEAR(lisbon tiles, 2)",
    "title:lisbon",
    "{title body}: lisbon",
    "body : tiles",
    "lisbon*",
    "lis*",
    "* lisbon",
    "^lisbon",
    "-lisbon",
    "lisbon -tiles",
    "--lisbon",
    '"lisbon tiles',
    'lisbon "tiles',
    '"lisbon" "',
    '""',
    '"*"',
    "lisbon AND NOT tiles",
    "lisbon & tiles | !x",
    "lisbon <-> tiles",
    "lisbon:*",
    "lisbon:A",
    "'lisbon' & 'tiles'",
    "'; DROP TABLE search_document; --",
    "%",
    "_",
    "lisbon\x00tiles",
    "lisbon\x00",
    "x" * 10_000,
    "(" * 500 + "lisbon" + ")" * 500,
    "(" * 500,
    " ".join(["lisbon"] * 300 + ["tiles"] * 300),
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_any_query_gives_a_normal_escaped_page(client, query):
    index(create_image(description="Lisbon <span> tiles"))
    response = client.get(
        reverse("search:index"),
        {"q": query, "kind": query, "category": query, "tag": query, "page": query},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert not re.search(r"<span>(?! tiles)", html.split("<main", 1)[1])


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_any_query_through_haystacks_api_answers_quickly_without_a_database_error(query):
    """The same corpus straight to the backend, without the page's 200-character cut."""
    index(create_image(description="Lisbon tiles"))
    started = time.monotonic()
    sqs = SearchQuerySet().auto_query(query).highlight().facet("kind")
    results = list(sqs[:20])
    sqs.count(), sqs.facet_counts(), sqs.spelling_suggestion()
    SearchQuerySet().filter(content=query).count()
    SearchQuerySet().filter(title=query).exclude(content=query).count()
    SearchQuerySet().narrow(facet_filter("kind", query)).count()
    assert time.monotonic() - started < 2.0
    assert len(results) <= 1


def test_fts_syntax_in_a_query_is_searched_for_as_words():
    index(create_image(description="Lisbon tiles"))
    index(create_image(description="Porto tiles"))
    assert len(found("tiles")) == 2
    assert len(found("title:lisbon")) == 0  # the words title and lisbon: no image says "title"
    assert len(found("lisbon*")) == 1
    assert len(found("lis*")) == 0  # not a prefix query
    assert len(found("tiles -lisbon")) == 1
    assert len(found("NEAR(lisbon tiles)")) == 0  # "near" is a word here
    assert len(found('"lisbon tiles"')) == 1
    assert len(found('"lisbon porto"')) == 0


def test_a_failing_backend_gives_a_message_not_an_error_nor_a_cached_page(client, monkeypatch):
    backend = connections["default"].get_backend()

    def broken(*args, **kwargs):
        raise OSError("index unreadable")

    monkeypatch.setattr(backend, "search", broken)
    response = client.get(reverse("search:index"), {"q": "lisbon"})
    assert response.status_code == 503  # Service Unavailable, and so never cached
    assert "Search could not answer that query" in response.content.decode()
    monkeypatch.undo()
    assert client.get(reverse("search:index"), {"q": "lisbon"}).status_code == 200


def test_pages_facets_and_suggestion_on_the_page(client):
    for number in range(25):
        index(create_image(description=f"Lisbon viewpoint number {number}"))
    response = client.get(reverse("search:index"), {"q": "lisbon", "page": "2"})
    html = response.content.decode()
    assert "25 results" in html and "Page 2 of 2" in html
    assert "?q=lisbon&amp;kind=image" in html  # the facet link keeps the query
    assert html.count('class="search-hit ') == 5
    response = client.get(reverse("search:index"), {"q": "lisbn"})
    assert "Did you mean" in response.content.decode()
    assert search_documents(query="lisbn").suggestion == "lisbon"


def test_the_shell_query_from_the_readme_loads_objects():
    image = create_image(description="Lisbon at dusk")
    index(image)
    results = SearchQuerySet().auto_query("lisbon").load_all()
    assert [result.object for result in results] == [image]
