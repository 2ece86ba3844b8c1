from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guidebook.events.models import Outbox
from guidebook.guides.models import Guide
from guidebook.images.tests.factories import create_image

from .factories import DraftFactory, GuideFactory, StaffFactory, attach
from .test_sanitize import PAYLOAD_IDS, PAYLOADS

pytestmark = pytest.mark.django_db
ADD = reverse("admin:guides_guide_add")


@pytest.fixture
def staff(client):
    user = StaffFactory()
    client.force_login(user)
    return user


def form_data(author, **overrides):
    now = timezone.localtime(timezone.now() - timedelta(hours=1))
    data = {
        "title": "Lisbon in a day",
        "slug": "lisbon-in-a-day",
        "author": author.pk,
        "excerpt": "Trams and tarts.",
        "body": "<p>Start early.</p>",
        "status": "draft",
        "pub_date_0": now.strftime("%Y-%m-%d"),
        "pub_date_1": now.strftime("%H:%M:%S"),
        "guide_images-TOTAL_FORMS": "0",
        "guide_images-INITIAL_FORMS": "0",
        "guide_images-MIN_NUM_FORMS": "0",
        "guide_images-MAX_NUM_FORMS": "1000",
    }
    return {**data, **overrides}


def test_add_form_uses_tinymce_served_locally(client, staff):
    body = client.get(ADD).content.decode()
    assert 'class="vLargeTextField tinymce"' in body or "tinymce" in body
    assert "/static/tinymce/tinymce.min.js" in body
    assert "cdn" not in body.lower()


@pytest.mark.parametrize(("payload", "forbidden"), PAYLOADS, ids=PAYLOAD_IDS)
def test_admin_post_stores_payloads_harmless(client, staff, payload, forbidden):
    response = client.post(ADD, form_data(staff, body=f"<p>ok</p>{payload}"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Guide.objects.get().body
    assert forbidden.lower() not in stored.lower()
    assert stored.startswith("<p>ok</p>")


def test_over_long_title_is_a_form_error(client, staff):
    response = client.post(ADD, form_data(staff, title="x" * 201))
    assert response.status_code == 200
    assert "title" in response.context["adminform"].form.errors
    assert not Guide.objects.exists()


def test_duplicate_slug_on_the_same_day_is_a_form_error(client, staff):
    GuideFactory(slug="lisbon-in-a-day", pub_date=timezone.now() - timedelta(hours=1))
    response = client.post(ADD, form_data(staff))
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert Guide.objects.count() == 1


def test_saving_as_published_records_the_event_with_the_guide(client, staff):
    response = client.post(ADD, form_data(staff, status="published"))
    assert response.status_code == 302
    guide = Guide.objects.get()
    event = Outbox.objects.get(type="guides.guide.published")
    assert event.data["guide_id"] == guide.pk and event.data["url"] == guide.get_absolute_url()
    # Saving again without changing the status publishes nothing new.
    change = reverse("admin:guides_guide_change", args=[guide.pk])
    client.post(change, form_data(staff, status="published", title="Lisbon, again"))
    assert Outbox.objects.filter(type="guides.guide.published").count() == 1


def test_saving_a_draft_records_no_event(client, staff):
    client.post(ADD, form_data(staff))
    assert not Outbox.objects.exists()


def test_publish_and_unpublish_actions(client, staff):
    drafts = [DraftFactory(), DraftFactory()]
    changelist = reverse("admin:guides_guide_changelist")
    client.post(
        changelist, {"action": "publish_guides", "_selected_action": [g.pk for g in drafts]}
    )
    assert Guide.objects.published().count() == 2
    assert Outbox.objects.filter(type="guides.guide.published").count() == 2
    client.post(changelist, {"action": "unpublish_guides", "_selected_action": [drafts[0].pk]})
    assert Guide.objects.published().count() == 1


def test_changelist_filters_and_search_work(client, staff):
    GuideFactory(title="Harbour walk")
    changelist = reverse("admin:guides_guide_changelist")
    assert client.get(changelist, {"q": "harbour"}).status_code == 200
    assert client.get(changelist, {"status__exact": "draft"}).status_code == 200


def test_change_form_shows_image_thumbnails(client, staff):
    guide = GuideFactory()
    attach(guide, create_image(), caption="Harbour")
    response = client.get(reverse("admin:guides_guide_change", args=[guide.pk]))
    assert response.status_code == 200
    assert b'<img src="/images/media/' in response.content
