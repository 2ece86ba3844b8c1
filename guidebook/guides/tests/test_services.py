import pytest

from guidebook.events.models import Outbox
from guidebook.guides.models import Guide
from guidebook.guides.services import guide_publish, guide_unpublish

from .factories import DraftFactory

pytestmark = pytest.mark.django_db


def test_publishing_a_draft_records_the_event_once():
    guide = DraftFactory(title="Lisbon")
    guide_publish(guide=guide)
    guide_publish(guide=guide)  # already published: no second event
    guide.refresh_from_db()
    assert guide.status == Guide.Status.PUBLISHED
    event = Outbox.objects.get(type="guides.guide.published")
    assert event.data == {
        "guide_id": guide.pk,
        "title": "Lisbon",
        "author": guide.author.username,
        "url": guide.get_absolute_url(),
    }


def test_republishing_after_unpublish_records_a_new_event():
    guide = DraftFactory()
    guide_publish(guide=guide)
    guide_unpublish(guide=guide)
    assert Guide.objects.get(pk=guide.pk).status == Guide.Status.DRAFT
    guide_publish(guide=guide)
    assert Outbox.objects.filter(type="guides.guide.published").count() == 2
