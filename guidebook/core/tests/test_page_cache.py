"""The page cache by topic (core/caching.py): every cached page kind is served without a query,
shows an edit on the next request after its commit, and survives the changes it does not show.
(Guide pages have their own table of edits in guides/tests/test_caching.py.)"""

import gzip
import uuid

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guidebook.accounts.tests.factories import UserFactory
from guidebook.core import caching
from guidebook.events.fragments import ACTIVITY_LAG_SECONDS
from guidebook.events.models import Activity
from guidebook.guides.tests.factories import GuideFactory, attach
from guidebook.images.models import Rendition
from guidebook.images.tests.factories import create_image
from guidebook.polls.services import vote_cast
from guidebook.polls.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


def make_page(**fields):
    page = FlatPage.objects.create(**fields)
    page.sites.add(Site.objects.get_current())
    return page


@pytest.fixture
def site(committed):
    """One of each public thing, committed: a guide showing an image, a poll, a flatpage."""

    def build():
        guide = GuideFactory(title="Lisbon by tram")
        image = create_image(description="Tram 28 at dusk")
        attach(guide, image, caption="Tram 28")
        poll = QuestionFactory(text="Tram or walk?", choices=["Tram", "Walk"])
        page = make_page(url="/about/", title="About us", content="<p>We write guides.</p>")
        return guide, image, poll, page

    guide, image, poll, page = committed(build)
    return {
        "guide": guide,
        "image": image,
        "poll": poll,
        "page": page,
        "urls": {
            "home": reverse("home"),
            "guide": guide.get_absolute_url(),
            "polls": reverse("polls:index"),
            "poll": reverse("polls:detail", args=[poll.pk]),
            "results": reverse("polls:results", args=[poll.pk]),
            "images": reverse("images:index"),
            "image": reverse("images:detail", args=[image.pk]),
            "search": reverse("search:index") + "?q=tram",
            "flatpage": "/about/",
        },
    }


def test_every_cached_page_kind_is_served_again_without_a_query(client, site):
    for name, url in site["urls"].items():
        first, _ = queries_for(client, url)
        again, queries = queries_for(client, url)
        assert queries == 0, name
        assert again == first, name


def edit_poll(site):
    site["poll"].text = "Tram, bus or walk?"
    site["poll"].save()


def vote(site):
    choice = site["poll"].choices.get(text="Walk")
    vote_cast(user=UserFactory(), question_id=site["poll"].pk, choice_id=choice.pk)


def describe_image(site):
    site["image"].description = "Tram 28 in the rain"
    site["image"].save()


def edit_flatpage(site):
    site["page"].content = "<p>We write guides, and we walk.</p>"
    site["page"].save()


def publish_guide(site):
    GuideFactory(title="Porto by tram")


@pytest.mark.parametrize(
    ("edit", "pages", "shown"),
    [
        pytest.param(edit_poll, ["polls", "poll", "results", "home"], "bus", id="poll"),
        pytest.param(vote, ["results"], "1 vote", id="vote"),
        pytest.param(describe_image, ["images", "image"], "in the rain", id="image"),
        pytest.param(edit_flatpage, ["flatpage"], "we walk", id="flatpage"),
        pytest.param(publish_guide, ["search", "home"], "Porto by tram", id="search"),
    ],
)
def test_an_edit_shows_on_the_next_request_after_its_commit(
    client, committed, site, edit, pages, shown
):
    urls = site["urls"]
    for name in pages:
        assert shown not in queries_for(client, urls[name])[0], name
    committed(edit, site)
    for name in pages:
        assert shown in queries_for(client, urls[name])[0], name


def test_an_edit_that_did_not_commit_empties_nothing(client, site):
    queries_for(client, site["urls"]["poll"])
    edit_poll(site)  # its transaction (the test's) is still open
    assert queries_for(client, site["urls"]["poll"])[1] == 0


def test_a_vote_empties_its_results_page_and_nothing_else(client, committed, site, later):
    for url in site["urls"].values():
        queries_for(client, url)
    committed(vote, site)
    committed(activity, "Someone voted")  # what the activity consumer makes of its event
    later(ACTIVITY_LAG_SECONDS)
    for name, url in site["urls"].items():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        if name == "home":  # only its recent-activity fragment is rendered again
            tables = " ".join(query["sql"] for query in queries.captured_queries)
            assert "events_activity" in tables and "guides_guide" not in tables
        else:
            assert (len(queries) > 0) == (name == "results"), name


def activity(summary="Ada joined"):
    return Activity.objects.create(
        event_id=uuid.uuid4(),
        type="accounts.user.registered",
        summary=summary,
        occurred="2026-11-24T12:00:00Z",
    )


def test_new_activity_shows_within_its_lag_rendering_only_the_fragment(
    client, committed, site, later
):
    url = site["urls"]["home"]
    _, whole = queries_for(client, url)
    committed(activity)
    page, queries = queries_for(client, url)
    assert queries == 0 and "Ada joined" not in page  # a line a moment old may wait
    later(ACTIVITY_LAG_SECONDS)
    page, fragment_only = queries_for(client, url)
    assert "Ada joined" in page and "Lisbon by tram" in page
    assert 0 < fragment_only < whole
    committed(activity, "Grace joined")
    later(ACTIVITY_LAG_SECONDS / 2)
    assert "Grace joined" not in queries_for(client, url)[0]
    later(ACTIVITY_LAG_SECONDS / 2)
    assert "Grace joined" in queries_for(client, url)[0]


def test_a_late_fragment_is_rendered_by_one_request_while_the_others_keep_the_late_copy(
    client, committed, site, later
):
    from django.core.cache import cache

    url = site["urls"]["home"]
    queries_for(client, url)
    committed(activity)
    later(ACTIVITY_LAG_SECONDS)
    fragment = caching.FRAGMENTS["recent-activity"]
    assert cache.add(fragment.rendering_key, 1, 5)  # another request is rendering it
    page, queries = queries_for(client, url)
    assert queries == 0 and "Ada joined" not in page
    cache.delete(fragment.rendering_key)  # it stored its copy (or gave up)
    assert "Ada joined" in queries_for(client, url)[0]


def test_an_activity_line_whose_subject_is_hidden_goes_at_once(client, committed, site, later):
    """The fragment's other topics do not lag: a guide unpublished takes its line with it."""
    from guidebook.events.activity import record_activity

    guide = site["guide"]
    line = committed(
        record_activity,
        {
            "id": str(uuid.uuid4()),
            "type": "guides.guide.published",
            "time": "2026-11-24T12:00:00+00:00",
            "data": {"guide_id": guide.pk, "title": "Lisbon by tram", "author": "Ada"},
        },
    )
    later(ACTIVITY_LAG_SECONDS)
    assert line.summary in queries_for(client, site["urls"]["home"])[0]
    guide.status = guide.Status.DRAFT
    committed(guide.save)
    assert line.summary not in queries_for(client, site["urls"]["home"])[0]


def test_an_upload_leaves_guide_pages_cached_and_a_rendition_of_their_picture_does_not(
    client, committed, site
):
    url = site["urls"]["guide"]
    queries_for(client, url)
    committed(create_image, description="Someone else's picture")
    assert queries_for(client, url)[1] == 0
    committed(
        Rendition.objects.create,
        image=site["image"],
        spec="320w.webp",
        width=320,
        height=240,
        format="webp",
        file="renditions/tram-320.webp",
    )
    assert queries_for(client, url)[1] > 0


def test_signed_in_readers_get_their_own_page(client, site):
    queries_for(client, site["urls"]["poll"])
    client.force_login(UserFactory())
    page, queries = queries_for(client, site["urls"]["poll"])
    assert queries > 0 and 'name="csrfmiddlewaretoken"' in page


def test_a_page_rendered_across_an_invalidation_is_not_kept():
    """The versions are read before rendering: an invalidation that lands while a page is being
    rendered (from data read before the change) leaves the stored page already stale."""
    renders = []

    def view(request):
        renders.append(request.path)
        if len(renders) == 1:
            caching._new_versions(["t"])  # a commit elsewhere, mid-render
        return HttpResponse(f"render {len(renders)}")

    cached = caching.cache_public_page("t")(view)
    factory = RequestFactory()
    assert cached(factory.get("/t/")).content == b"render 1"
    assert cached(factory.get("/t/")).content == b"render 2"
    assert cached(factory.get("/t/")).content == b"render 2"
    assert len(renders) == 2


def test_the_page_cache_works_on_redis_as_production_has_it(client, committed, site, redis_cache):
    urls = site["urls"]
    for name in ("home", "poll", "results"):
        queries_for(client, urls[name])
        assert queries_for(client, urls[name])[1] == 0, name
    committed(vote, site)
    assert "1 vote" in queries_for(client, urls["results"])[0]
    assert queries_for(client, urls["poll"])[1] == 0
    assert redis_cache.get(caching.topic_key(f"poll:{site['poll'].pk}:votes")) is not None


def test_a_hit_sends_the_page_gzipped_from_the_cache_with_its_fragment_up_to_date(
    client, committed, site, later
):
    """The stored pieces and the fragment compressed at the hit make one valid gzip stream,
    the same page a client without gzip gets."""
    urls = site["urls"]
    for name in ("home", "guide", "results"):
        client.get(urls[name])  # stored
        plain = client.get(urls[name])
        zipped = client.get(urls[name], HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert zipped["Content-Encoding"] == "gzip", name
        assert zipped.content[:4] == caching.GZIP_HEADER[:4]  # stored, not compressed again
        assert "Accept-Encoding" in zipped["Vary"] and "Accept-Encoding" in plain["Vary"]
        assert int(zipped["Content-Length"]) == len(zipped.content) < len(plain.content) / 2
        assert gzip.decompress(zipped.content) == plain.content, name
    committed(activity, "Zoë joined")
    later(ACTIVITY_LAG_SECONDS)
    zipped = client.get(urls["home"], HTTP_ACCEPT_ENCODING="gzip")
    assert "Zoë joined" in gzip.decompress(zipped.content).decode()


def test_a_signed_in_readers_pages_are_never_gzipped(committed):
    browser = Client()
    browser.force_login(committed(UserFactory))
    for _ in range(3):
        response = browser.get(reverse("images:mine"), HTTP_ACCEPT_ENCODING="gzip")
    assert not response.has_header("Content-Encoding")
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
