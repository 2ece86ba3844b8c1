"""Query counts stay the same however many guides, tags and pictures there are."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guidebook.guides.models import Guide
from guidebook.images.tests.factories import create_image

from .factories import CategoryFactory, GuideFactory, TagFactory, attach

pytestmark = pytest.mark.django_db
MAX_QUERIES = 12


def make_guides(count, category, tags, images):
    for n in range(count):
        guide = GuideFactory(category=category, tags=tags, featured=n % 2 == 0)
        for position, image in enumerate(images):
            attach(guide, image, position=position, caption=f"Caption {position}")


def queries_for(client, url) -> int:
    """Queries to build the page, not to fetch it from the page cache."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.fixture
def setting():
    category, tags = CategoryFactory(slug="coast"), [TagFactory(slug="walking"), TagFactory()]
    images = [create_image(), create_image()]
    return category, tags, images


def urls():
    today = timezone.localtime(timezone.now() - timezone.timedelta(days=1))
    return [
        reverse("guides:list"),
        reverse("guides:archive_year", args=[today.year]),
        reverse("guides:archive_month", args=[today.year, today.month]),
        reverse("guides:archive_day", args=[today.year, today.month, today.day]),
        reverse("guides:category", args=["coast"]),
        reverse("guides:tag", args=["walking"]),
        reverse("guides:feed_rss"),
        reverse("guides:feed_atom"),
    ]


def test_lists_archives_and_feeds_use_a_constant_number_of_queries(
    client, setting, django_assert_max_num_queries
):
    make_guides(2, *setting)
    for url in urls():
        queries_for(client, url)  # warm: the Site row is cached after its first use
    few = {url: queries_for(client, url) for url in urls()}
    make_guides(8, *setting)
    for url in urls():
        with django_assert_max_num_queries(MAX_QUERIES):
            assert queries_for(client, url) == few[url], url


def test_detail_uses_a_constant_number_of_queries(client, setting, django_assert_max_num_queries):
    make_guides(2, *setting)
    guide = Guide.objects.published().first()
    few = queries_for(client, guide.get_absolute_url())
    make_guides(8, *setting)
    for image in [create_image(), create_image()]:
        attach(guide, image, position=9)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert queries_for(client, guide.get_absolute_url()) == few


def home_guides():
    featured = list(Guide.objects.published().featured().for_cards()[:3])
    latest = list(Guide.objects.published().for_cards()[:6])
    for guide in featured + latest:  # what guides/_home_latest.html touches
        guide.cover and list(guide.cover.renditions.all())
        list(guide.tags.all()), guide.author.username, guide.category
    return featured, latest


def test_home_page_guides_use_a_constant_number_of_queries(setting, django_assert_max_num_queries):
    make_guides(2, *setting)
    with CaptureQueriesContext(connection) as few:
        home_guides()
    make_guides(10, *setting)
    with django_assert_max_num_queries(len(few)):
        featured, latest = home_guides()
    assert len(featured) == 3 and len(latest) == 6
    assert featured[0].cover is not None
