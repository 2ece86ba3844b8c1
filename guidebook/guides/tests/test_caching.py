from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guidebook.guides.models import Category, Guide, GuideImage
from guidebook.guides.services import guide_publish
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
        assert queries == 0, url  # the page and its topics' versions come from the cache


@dataclass
class Scene:
    """A published guide with a category, a tag and a captioned image, and a draft."""

    guide: Guide
    item: GuideImage
    category: Category
    draft: Guide


def retitle(scene):
    scene.guide.title = "After"
    scene.guide.save()


def add_image(scene):
    attach(scene.guide, create_image(), position=5, caption="Second picture")


def recaption(scene):
    scene.item.caption = "New caption"
    scene.item.save()


def tag(scene):
    scene.guide.tags.add(TagFactory(name="sunsets"))


def rename_category(scene):
    scene.category.name = "Seaside"
    scene.category.save()


def rename_author(scene):
    profile = scene.guide.author.profile
    profile.display_name = "Ada Lovelace"
    profile.save()


def delete(scene):
    scene.guide.delete()


def publish_draft(scene):
    guide_publish(guide=scene.draft)


LIST, DETAIL, RSS = "list", "detail", "rss"


@pytest.mark.parametrize(
    ("edit", "pages", "shown", "gone"),
    [
        pytest.param(retitle, [LIST, DETAIL, RSS], "After", "Before", id="title"),
        pytest.param(add_image, [DETAIL], "Second picture", None, id="image"),
        pytest.param(recaption, [DETAIL], "New caption", "Old caption", id="caption"),
        pytest.param(tag, [LIST, DETAIL], "#sunsets", None, id="tag"),
        pytest.param(rename_category, [LIST, DETAIL], "Seaside", None, id="category"),
        pytest.param(rename_author, [LIST, DETAIL], "Ada Lovelace", None, id="author"),
        pytest.param(delete, [LIST, RSS], None, "Before", id="delete"),
        pytest.param(publish_draft, [LIST, RSS], "Soon public", None, id="publish"),
    ],
)
def test_an_edit_shows_on_the_next_request(client, committed, edit, pages, shown, gone):
    category = CategoryFactory(name="Coast")
    guide = GuideFactory(title="Before", category=category, tags=[TagFactory(name="walking")])
    scene = Scene(
        guide=guide,
        item=attach(guide, create_image(), caption="Old caption"),
        category=category,
        draft=DraftFactory(title="Soon public"),
    )
    urls = {
        LIST: reverse("guides:list"),
        DETAIL: guide.get_absolute_url(),
        RSS: reverse("guides:feed_rss"),
    }
    before = {page: client.get(urls[page]).content.decode() for page in pages}
    committed(edit, scene)
    for page in pages:
        after = client.get(urls[page]).content.decode()
        assert after != before[page], page
        if shown:
            assert shown in after, page
        if gone:
            assert gone not in after, page


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
    guide_publish(guide=draft)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_linking_a_poll_shows_on_the_next_request_to_the_cached_guide_page(client, committed):
    from guidebook.polls.tests.factories import QuestionFactory

    guide = GuideFactory()
    assert b"Have your say" not in client.get(guide.get_absolute_url()).content
    poll = QuestionFactory(text="Tram or walk?", choices=["Tram", "Walk"])
    poll.guide = guide
    committed(poll.save)
    page = client.get(guide.get_absolute_url()).content.decode()
    assert "Have your say" in page and "Tram or walk?" in page


def test_the_home_page_is_cached_and_shows_new_activity_within_its_lag(client, committed, later):
    from guidebook.events.fragments import ACTIVITY_LAG_SECONDS
    from guidebook.events.models import Activity

    GuideFactory(title="Lisbon by tram")
    first, _ = fetch(client, reverse("home"))
    assert "Lisbon by tram" in first.content.decode()
    again, queries = fetch(client, reverse("home"))
    assert queries == 0 and again.content == first.content
    committed(
        Activity.objects.create,
        event_id="5d0f0d9e-2c61-4a5e-9a43-4f0c2a3e1b77",
        type="accounts.user.registered",
        summary="Ada joined",
        occurred="2026-11-24T12:00:00Z",
    )
    later(ACTIVITY_LAG_SECONDS)
    assert "Ada joined" in client.get(reverse("home")).content.decode()
