import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import serializers
from django.db import IntegrityError, transaction
from django.utils import timezone

from guidebook.guides.models import Guide
from guidebook.images.tests.factories import create_image

from .factories import DraftFactory, GuideFactory, TagFactory, UserFactory, attach, future

pytestmark = pytest.mark.django_db


def test_published_means_published_and_due():
    public = GuideFactory()
    DraftFactory()
    GuideFactory(pub_date=future())
    assert list(Guide.objects.published()) == [public]


def test_visible_to_adds_own_drafts_for_authors_and_everything_for_staff():
    author = UserFactory()
    public, own_draft = GuideFactory(), DraftFactory(author=author)
    other_draft = DraftFactory()
    staff = UserFactory(username="editor", is_staff=True)
    assert set(Guide.objects.visible_to(author)) == {public, own_draft}
    assert set(Guide.objects.visible_to(staff)) == {public, own_draft, other_draft}


def test_permalink_uses_the_publication_date_and_slug():
    guide = GuideFactory(slug="lisbon", pub_date=datetime(2024, 5, 17, 10, tzinfo=UTC))
    assert guide.get_absolute_url() == "/guides/2024/5/17/lisbon/"


def test_the_database_refuses_a_duplicate_slug_on_the_same_day():
    day = timezone.now().replace(hour=10) - timedelta(days=2)
    GuideFactory(slug="same", pub_date=day)
    with pytest.raises(IntegrityError), transaction.atomic():
        GuideFactory(slug="same", pub_date=day + timedelta(hours=3))


def test_the_same_slug_on_another_day_is_fine():
    day = timezone.now() - timedelta(days=5)
    GuideFactory(slug="same", pub_date=day)
    GuideFactory(slug="same", pub_date=day + timedelta(days=1))
    assert Guide.objects.filter(slug="same").count() == 2


def test_body_is_cleaned_by_save():
    guide = GuideFactory(body='<p onclick="x()">Hi<script>alert(1)</script></p>')
    guide.refresh_from_db()
    assert guide.body == "<p>Hi</p>"


def test_body_is_cleaned_on_a_raw_fixture_load():
    author = UserFactory()
    fixture = json.dumps(
        [
            {
                "model": "guides.guide",
                "pk": 900,
                "fields": {
                    "title": "From a fixture",
                    "slug": "from-a-fixture",
                    "author": author.pk,
                    "body": "<img src=x onerror=alert(1)>Hi<script>alert(2)</script>",
                    "status": "draft",
                    "pub_date": "2024-01-01T10:00:00Z",
                    "created": "2024-01-01T10:00:00Z",
                    "updated": "2024-01-01T10:00:00Z",
                    "tags": [],
                },
            }
        ]
    )
    for obj in serializers.deserialize("json", fixture):
        obj.save()  # the loaddata path: save_base(raw=True), Guide.save() is skipped
    assert Guide.objects.get(pk=900).body == "<img>Hi"


def test_related_guides_share_tags_are_published_and_exclude_the_guide():
    walking, food = TagFactory(), TagFactory()
    guide = GuideFactory(tags=[walking, food])
    both = GuideFactory(tags=[walking, food])
    one = GuideFactory(tags=[food])
    DraftFactory(tags=[walking])
    GuideFactory()
    assert list(Guide.objects.related_to(guide)) == [both, one]


@pytest.mark.parametrize(
    ("words", "minutes"), [(0, 1), (1, 1), (200, 1), (201, 2), (1200, 6), (1201, 7)]
)
def test_reading_time_is_the_words_at_200_a_minute_rounded_up_and_at_least_one(words, minutes):
    # Split across blocks and inline tags, as a real body is: "<h2>a</h2><p>b" is two words.
    half = words // 2
    body = f"<h2>{'word ' * half}</h2><p><em>{'word ' * (words - half)}</em></p>"
    assert Guide(body=body).reading_minutes == minutes


@pytest.mark.parametrize(
    ("excerpt", "body", "repeats"),
    [
        ("Steam and brass.", "<p>Steam and brass.</p><p>More.</p>", True),
        ("Steam and brass.", "<h2>Why go</h2><p>Steam   and <em>brass.</em> And more.</p>", True),
        ("Steam and brass.", "<p>A route for the curious.</p><p>Steam and brass.</p>", False),
        ("Steam and brass.", "<h2>Steam and brass.</h2><p>Other words.</p>", False),
        ("", "<p>Steam and brass.</p>", False),
        ("Steam and brass.", "", False),
    ],
)
def test_body_repeats_excerpt_when_its_first_paragraph_starts_with_it(excerpt, body, repeats):
    assert Guide(excerpt=excerpt, body=body).body_repeats_excerpt is repeats


def test_cover_is_the_first_public_picture_and_the_gallery_the_rest_in_order():
    guide = GuideFactory()
    third, first, second = create_image(), create_image(), create_image()
    private = create_image(visibility="private")
    for position, image in [(3, third), (1, first), (0, private), (2, second)]:
        attach(guide, image, position=position)
    guide = Guide.objects.for_cards().get(pk=guide.pk)
    assert guide.cover == first and guide.cover_item.image == first
    assert [item.image for item in guide.gallery_items] == [second, third]
