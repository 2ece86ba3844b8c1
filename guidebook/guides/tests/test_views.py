from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guidebook.images.tests.factories import create_image

from .factories import (
    CategoryFactory,
    DraftFactory,
    GuideFactory,
    StaffFactory,
    TagFactory,
    UserFactory,
    attach,
    future,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio():
    """A published guide, a draft and a scheduled one, same category, same tag, same day."""
    category, tag = CategoryFactory(slug="coast"), TagFactory(slug="walking")
    day = timezone.now() - timedelta(days=1)
    published = GuideFactory(title="Published guide", category=category, tags=[tag], pub_date=day)
    draft = DraftFactory(title="Draft guide", category=category, tags=[tag], pub_date=day)
    scheduled = GuideFactory(
        title="Scheduled guide", category=category, tags=[tag], pub_date=future()
    )
    return published, draft, scheduled


def listing_urls(guide):
    local = timezone.localtime(guide.pub_date)
    return [
        reverse("guides:list"),
        reverse("guides:archive_year", args=[local.year]),
        reverse("guides:archive_month", args=[local.year, local.month]),
        reverse("guides:archive_day", args=[local.year, local.month, local.day]),
        reverse("guides:category", args=["coast"]),
        reverse("guides:tag", args=["walking"]),
    ]


def test_lists_and_archives_show_published_guides_only(client, trio):
    published = trio[0]
    for url in listing_urls(published):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Published guide" in body, url
        assert "Draft guide" not in body and "Scheduled guide" not in body, url


def test_lists_hide_drafts_from_their_author_and_staff_too(client, trio):
    client.force_login(StaffFactory())
    body = client.get(reverse("guides:list")).content.decode()
    assert "Draft guide" not in body and "Scheduled guide" not in body


def test_published_guide_detail_is_public(client, trio):
    response = client.get(trio[0].get_absolute_url())
    assert response.status_code == 200
    assert b"draft-banner" not in response.content


@pytest.mark.parametrize("which", [1, 2])
def test_drafts_and_scheduled_guides_are_404_for_the_public(client, trio, which):
    assert client.get(trio[which].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("which", [1, 2])
def test_drafts_and_scheduled_guides_are_404_for_other_readers(client, trio, which):
    client.force_login(UserFactory())
    assert client.get(trio[which].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("which", [1, 2])
def test_author_sees_own_draft_or_scheduled_guide_with_a_banner(client, trio, which):
    client.force_login(trio[which].author)
    response = client.get(trio[which].get_absolute_url())
    assert response.status_code == 200
    assert b'class="draft-banner"' in response.content


def test_staff_see_any_draft_with_a_banner(client, trio):
    client.force_login(StaffFactory())
    response = client.get(trio[1].get_absolute_url())
    assert response.status_code == 200
    assert b"Draft: only you and the editors" in response.content


def test_detail_shows_images_in_order_with_captions_tags_category_and_related(client):
    tag = TagFactory(name="food", slug="food")
    guide = GuideFactory(tags=[tag])
    related = GuideFactory(title="Another food guide", tags=[tag])
    DraftFactory(title="Hidden draft", tags=[tag])
    owner = UserFactory()
    second, first = create_image(owner=owner), create_image(owner=owner)
    attach(guide, second, position=2, caption="Second caption")
    attach(guide, first, position=1, caption="First caption")
    private = create_image(owner=owner, visibility="private")
    attach(guide, private, position=3, caption="Private caption")
    body = client.get(guide.get_absolute_url()).content.decode()
    assert body.index("First caption") < body.index("Second caption")
    assert "Private caption" not in body
    assert body.count("<picture>") >= 2
    assert "#food" in body and guide.category.name in body
    assert related.title in body and "Hidden draft" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/guides/2024/13/",
        "/guides/2024/0/",
        "/guides/0/",
        "/guides/9999/",
        "/guides/2024/2/30/",
        "/guides/2024/1/32/",
        "/guides/2024/1/32/some-slug/",
        "/guides/2024/13/1/some-slug/",
        "/guides/123456789012345678901234567890/",
        "/guides/2024/1/1/no-such-guide/",
        "/guides/category/nothing/",
        "/guides/tag/nothing/",
        "/guides/2024/1/1/bad%20slug/",
        "/guides/?page=abc",
        "/guides/?page=999",
        "/guides/1999/",
    ],
)
def test_malformed_or_unknown_url_parts_are_404(client, path):
    GuideFactory()
    assert client.get(path).status_code == 404


def test_list_is_paginated(client):
    for _ in range(12):
        GuideFactory()
    assert len(client.get(reverse("guides:list")).context["page_obj"]) == 10
    assert len(client.get(reverse("guides:list") + "?page=2").context["page_obj"]) == 2


def test_year_archive_links_months(client):
    guide = GuideFactory()
    local = timezone.localtime(guide.pub_date)
    body = client.get(reverse("guides:archive_year", args=[local.year])).content.decode()
    assert reverse("guides:archive_month", args=[local.year, local.month]) in body


def test_card_of_a_guide_without_excerpt_reads_its_blocks_as_separate_words(client):
    GuideFactory(excerpt="", body="<h2>Harbour</h2><p>Lighthouse at dawn.</p><p>Boots</p>")
    html = client.get(reverse("guides:list")).content.decode()
    assert "<p>Harbour Lighthouse at dawn. Boots</p>" in html
    assert "HarbourLighthouse" not in html


def test_search_index_text_of_a_guide_keeps_words_of_separate_blocks():
    from django.template.loader import render_to_string

    guide = GuideFactory(excerpt="", body="<h2>Harbour</h2><p>Lighthouse<br>pier</p>")
    text = render_to_string("search/indexes/guides/guide_text.txt", {"object": guide})
    assert "Harbour Lighthouse pier" in text.splitlines()
