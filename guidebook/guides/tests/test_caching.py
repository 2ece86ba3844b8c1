import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guidebook.images.tests.factories import create_image

from .factories import CategoryFactory, DraftFactory, GuideFactory, StaffFactory, TagFactory, attach

pytestmark = pytest.mark.django_db


def fetch(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def test_a_second_anonymous_request_is_served_from_the_cache(client):
    guide = GuideFactory()
    for url in [reverse("guides:list"), guide.get_absolute_url(), reverse("guides:feed_rss")]:
        first, _ = fetch(client, url)
        second, queries = fetch(client, url)
        assert second.status_code == 200 and second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]
        assert queries == 1, url  # the cache generation only


@pytest.mark.parametrize(
    "change", ["title", "image", "caption", "tag", "category", "delete", "publish"]
)
def test_an_edit_shows_on_the_next_request(client, change):
    category, tag = CategoryFactory(name="Coast"), TagFactory(name="walking")
    guide = GuideFactory(title="Before", category=category, tags=[tag])
    item = attach(guide, create_image(), caption="Old caption")
    draft = DraftFactory(title="Soon public")
    url = guide.get_absolute_url() if change in ("image", "caption") else reverse("guides:list")
    before = client.get(url).content.decode()
    if change == "title":
        guide.title = "After"
        guide.save()
    elif change == "image":
        attach(guide, create_image(), position=5, caption="Second picture")
    elif change == "caption":
        item.caption = "New caption"
        item.save()
    elif change == "tag":
        guide.tags.add(TagFactory(name="sunsets"))
    elif change == "category":
        category.name = "Seaside"
        category.save()
    elif change == "delete":
        guide.delete()
    elif change == "publish":
        from guidebook.guides.services import guide_publish

        guide_publish(guide=draft)
    after = client.get(url).content.decode()
    assert after != before
    expected = {
        "title": "After",
        "image": "Second picture",
        "caption": "New caption",
        "tag": "#sunsets",
        "category": "Seaside",
        "publish": "Soon public",
    }
    if change == "delete":
        assert "Before" not in after
    else:
        assert expected[change] in after


def test_logged_in_readers_are_never_served_from_the_cache(client):
    guide = GuideFactory()
    client.get(guide.get_absolute_url())  # cached for anonymous readers
    draft = DraftFactory(author=StaffFactory())
    client.force_login(draft.author)
    assert client.get(draft.get_absolute_url()).status_code == 200
    _, queries = fetch(client, guide.get_absolute_url())
    assert queries > 1


def test_not_found_pages_are_not_cached(client):
    draft = DraftFactory()
    assert client.get(draft.get_absolute_url()).status_code == 404
    from guidebook.guides.services import guide_publish

    guide_publish(guide=draft)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_linking_a_poll_shows_on_the_next_request_to_the_cached_guide_page(client):
    from guidebook.polls.tests.factories import QuestionFactory

    guide = GuideFactory()
    assert b"Have your say" not in client.get(guide.get_absolute_url()).content
    poll = QuestionFactory(text="Tram or walk?", choices=["Tram", "Walk"])
    poll.guide = guide
    poll.save()
    page = client.get(guide.get_absolute_url()).content.decode()
    assert "Have your say" in page and "Tram or walk?" in page


def test_the_home_page_is_cached_and_shows_new_activity_on_the_next_request(client):
    from guidebook.events.models import Activity

    GuideFactory(title="Lisbon by tram")
    first, _ = fetch(client, reverse("home"))
    assert "Lisbon by tram" in first.content.decode()
    again, queries = fetch(client, reverse("home"))
    assert queries == 1 and again.content == first.content
    Activity.objects.create(
        event_id="5d0f0d9e-2c61-4a5e-9a43-4f0c2a3e1b77",
        type="accounts.user.registered",
        summary="Ada joined",
        occurred="2026-11-24T12:00:00Z",
    )
    assert "Ada joined" in client.get(reverse("home")).content.decode()
