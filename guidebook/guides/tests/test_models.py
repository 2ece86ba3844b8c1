import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import serializers
from django.db import IntegrityError, transaction
from django.utils import timezone

from guidebook.guides.models import Guide

from .factories import DraftFactory, GuideFactory, TagFactory, UserFactory, future

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
