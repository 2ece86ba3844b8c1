"""What each hit of the search page shows: a snippet of the object's own words (never the tags,
captions or file name indexed to find it), its kind as a badge, an image's thumbnail; in a
fixed number of queries."""

import re

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guidebook.guides.tests.factories import CategoryFactory, GuideFactory, TagFactory, attach
from guidebook.images.models import Image
from guidebook.images.tests.factories import UserFactory, create_image
from guidebook.polls.tests.factories import QuestionFactory
from guidebook.search.services import index_object, search_documents

pytestmark = pytest.mark.django_db


def index(obj):
    assert index_object(model_label=obj._meta.label_lower, pk=obj.pk) == "indexed"
    return obj


def results_of(client, query: str, **params) -> str:
    response = client.get(reverse("search:index"), {"q": query, **params})
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<ol class="search-hits"') : html.index("</ol>")]


def hits_of(html: str) -> list[str]:
    return re.findall(r'<li class="search-hit .*?</li>', html, re.DOTALL)


def snippet_of(hit: str) -> str:
    found = re.search(r'<p class="search-hit-snippet">(.*?)</p>', hit, re.DOTALL)
    return found.group(1) if found else ""


def page(url: str, title: str, content: str) -> FlatPage:
    flatpage = FlatPage.objects.create(url=url, title=title, content=content)
    flatpage.sites.add(Site.objects.get_current())
    return flatpage


def test_a_guide_found_by_its_tags_and_captions_quotes_its_lede_not_the_tags(client):
    guide = GuideFactory(
        title="A weekend by the sea",
        excerpt="Rock pools, a lighthouse and a café that opens early.",
        body="<h2>Why go</h2><p>This route follows the cliffs.</p>",
        category=CategoryFactory(name="Coast"),
        tags=[TagFactory(name="family"), TagFactory(name="walking")],
    )
    attach(guide, create_image(description="Dawn over the engine house"), caption="Engine house")
    index(guide)
    html = results_of(client, "walking engine")
    [hit] = hits_of(html)
    assert snippet_of(hit) == "Rock pools, a lighthouse and a café that opens early."
    assert "walking" not in hit and "engine" not in hit.lower() and "<mark>" not in hit


def test_a_guide_without_a_lede_quotes_the_start_of_its_body_as_text():
    guide = GuideFactory(
        title="Harbour walk", excerpt="", body="<h2>Why go</h2><p>Boats, <em>nets</em>.</p>"
    )
    guide.tags.set([TagFactory(name="quayside")])
    index(guide)
    [hit] = search_documents(query="quayside").hits
    assert hit.snippet == "Why go Boats, nets."


def test_a_guide_quotes_its_body_around_the_match_before_its_lede(client):
    index(
        GuideFactory(
            title="Porto in a day",
            excerpt="Tram rides and a tiled station.",
            body="<p>" + "Start early. " * 30 + "Then ride the <strong>tram</strong> west.</p>",
            tags=[TagFactory(name="tram")],
        )
    )
    [hit] = hits_of(results_of(client, "tram"))
    snippet = snippet_of(hit)
    assert snippet.startswith("… ") and "ride the <mark>tram</mark> west." in snippet
    assert "tiled station" not in snippet  # the body has the word: the lede is not quoted


def test_a_page_quotes_its_content_and_a_poll_its_question_and_choices(client):
    page("/ferries/", "Ferries", "<p>The <b>ferry</b> to Cacilhas leaves every twenty minutes.</p>")
    index(FlatPage.objects.get(url="/ferries/"))
    index(QuestionFactory(text="Ferry or bridge?", choices=["By ferry", "Over the bridge"]))
    snippets = {snippet_of(hit) for hit in hits_of(results_of(client, "ferry"))}
    assert snippets == {
        "The <mark>ferry</mark> to Cacilhas leaves every twenty minutes.",
        "<mark>Ferry</mark> or bridge? By <mark>ferry</mark> · Over the bridge",
    }


def test_an_image_is_titled_and_quoted_by_its_description_never_its_file_name(client):
    owner = UserFactory(username="marisol")
    described = create_image(
        owner=owner, name="IMG_secretfilename.jpg", description="Miradouro at dusk"
    )
    undescribed = create_image(owner=owner, name="DSC_otherfilename.jpg", description="")
    index(described), index(undescribed)
    assert described.original_name and undescribed.original_name
    html = results_of(client, "marisol")  # the owner's name is in both documents
    assert len(hits_of(html)) == 2
    for name in (described.original_name, undescribed.original_name, "IMG_", "DSC_"):
        assert name not in html
    assert ">Miradouro at dusk</a>" in html and ">Untitled image</a>" in html
    response = client.get(reverse("search:index"), {"q": "miradouro"})
    assert "secretfilename" not in response.content.decode().lower()


def test_every_hit_has_its_kind_as_a_badge(client):
    index(GuideFactory(title="Sintra palaces"))
    index(page("/sintra/", "Sintra by train", "<p>Trains leave Rossio.</p>"))
    index(create_image(description="Sintra fog"))
    index(QuestionFactory(text="Sintra or Cascais?", choices=["Sintra", "Cascais"]))
    badges = {
        re.search(r'class="search-hit kind-(\w+)"', hit).group(1): re.search(
            r'<span class="search-hit-kind">(\w+)</span>', hit
        ).group(1)
        for hit in hits_of(results_of(client, "sintra"))
    }
    assert badges == {"guide": "Guide", "page": "Page", "image": "Image", "poll": "Poll"}


def test_image_hits_show_their_thumbnail_and_only_image_hits_do(client):
    image = index(create_image(description="Belem tower at noon"))
    index(GuideFactory(title="Belem pastries"))
    hits = hits_of(results_of(client, "belem"))
    [image_hit] = [hit for hit in hits if "kind-image" in hit]
    [guide_hit] = [hit for hit in hits if "kind-guide" in hit]
    thumbnail = re.search(
        r'<a class="search-hit-thumbnail" href="([^"]+)"[^>]*>(.*?)</a>', image_hit, re.DOTALL
    )
    assert thumbnail and thumbnail.group(1) == image.get_absolute_url()
    assert re.search(r'<img src="[^"]+"', thumbnail.group(2))
    assert "<img" not in guide_hit


def test_an_image_made_private_since_it_was_indexed_is_left_out(client):
    """As on Solr, whose index follows the content through the queue: the page checks."""
    index(create_image(description="Estrela garden kiosk"))
    shown = index(create_image(description="Estrela basilica"))
    Image.objects.filter(description="Estrela garden kiosk").update(visibility="private")
    html = results_of(client, "estrela")
    assert len(hits_of(html)) == 1 and shown.get_absolute_url() in html
    assert "kiosk" not in html


def test_snippets_are_escaped_before_the_matches_are_marked(client):
    index(
        GuideFactory(
            title="Safe forms",
            excerpt="",
            body="<p>Never type &lt;script&gt;alert(1)&lt;/script&gt; into an Alfama form.</p>",
        )
    )
    index(page("/raw/", "Raw", '<p>Alfama <img src=x onerror="alert(2)"> &amp; more</p>'))
    index(QuestionFactory(text="Alfama <b>or</b> Graca?", choices=["<script>alert(3)</script>"]))
    html = results_of(client, "alfama")
    assert len(hits_of(html)) == 3
    assert "<script" not in html and "<b>" not in html and "onerror" not in html
    assert (
        "Never type &lt;script&gt;alert(1)&lt;/script&gt; into an <mark>Alfama</mark> form." in html
    )
    assert (
        "<mark>Alfama</mark> &lt;b&gt;or&lt;/b&gt; Graca? &lt;script&gt;alert(3)&lt;/script&gt;"
        in html
    )
    assert "<mark>Alfama</mark> &amp; more" in html


def mixed_corpus(word: str, copies: int) -> None:
    """`copies` of each kind with `word` in the title; each guide with a picture and a tag."""
    for number in range(copies):
        guide = GuideFactory(
            title=f"{word} guide {number}", tags=[TagFactory(name=f"{word}{number}")]
        )
        attach(guide, create_image(description=f"caption image {number}"))
        index(guide)
        index(page(f"/{word}-{number}/", f"{word} page {number}", "<p>Content.</p>"))
        index(create_image(description=f"{word} image {number}"))
        index(QuestionFactory(text=f"{word} poll {number}?", choices=["Yes", "No"]))


def kinds_of(html: str) -> list[str]:
    return re.findall(r'class="search-hit kind-(\w+)"', html)


def test_a_page_of_mixed_results_takes_as_many_queries_for_sixteen_hits_as_for_four(
    client, django_assert_max_num_queries
):
    mixed_corpus("ribeira", 1)
    mixed_corpus("chiado", 4)
    with CaptureQueriesContext(connection) as queries:
        html = results_of(client, "ribeira")
    assert sorted(kinds_of(html)) == ["guide", "image", "page", "poll"]
    # The images and their renditions, once each; the rest is the backend's search.
    assert len([q for q in queries if '"images_' in q["sql"]]) == 2
    with django_assert_max_num_queries(len(queries)):
        html = results_of(client, "chiado")
    assert sorted(set(kinds_of(html))) == ["guide", "image", "page", "poll"]
    assert len(kinds_of(html)) == 16 and html.count('class="search-hit-thumbnail"') == 4
