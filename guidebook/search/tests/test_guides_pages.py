"""Guides and flatpages in the site search."""

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.urls import reverse

from guidebook.guides.models import Guide
from guidebook.guides.tests.factories import DraftFactory, GuideFactory, TagFactory
from guidebook.search.services import index_object

from .conftest import found

pytestmark = pytest.mark.django_db


def index(obj):
    return index_object(model_label=obj._meta.label_lower, pk=obj.pk)


def test_a_published_guide_is_found_with_its_category_and_tags_as_facets(client):
    guide = GuideFactory(
        title="Lisbon by tram",
        body="<p>Take the <em>28</em> uphill.</p>",
        tags=[TagFactory(name="trams")],
    )
    assert index(guide) == "indexed"
    assert found("uphill") == {f"guides.guide.{guide.pk}"}
    page = client.get(reverse("search:index"), {"q": "lisbon"}).content.decode()
    assert "Lisbon by tram" in page and guide.get_absolute_url() in page
    assert "trams" in page and guide.category.name in page


def test_drafts_are_not_indexed_and_unpublishing_removes_a_guide():
    assert index(DraftFactory(title="Secret draft about Porto")) == "removed"
    guide = GuideFactory(title="Porto in a day")
    index(guide)
    assert found("porto") == {f"guides.guide.{guide.pk}"}
    Guide.objects.filter(pk=guide.pk).update(status=Guide.Status.DRAFT)
    assert index(guide) == "removed"
    assert found("porto") == set()


def test_public_pages_are_found_and_members_only_pages_are_not():
    site = Site.objects.get_current()
    public = FlatPage.objects.create(
        url="/about-lisbon/", title="About Lisbon", content="<p>Seven hills and one river.</p>"
    )
    private = FlatPage.objects.create(
        url="/members/",
        title="Members' Lisbon",
        content="<p>Seven secrets.</p>",
        registration_required=True,
    )
    for page in (public, private):
        page.sites.add(site)
    assert index(public) == "indexed"
    assert index(private) == "removed"
    assert found("seven") == {f"flatpages.flatpage.{public.pk}"}


def test_scheduled_guides_and_polls_are_indexed_once_they_are_due():
    from datetime import timedelta

    from django.utils import timezone

    from guidebook.polls.tests.factories import QuestionFactory
    from guidebook.search.services import index_newly_due

    guide = GuideFactory(title="Scheduled Seville", pub_date=timezone.now() + timedelta(hours=1))
    poll = QuestionFactory(
        text="Seville or Cordoba?",
        choices=["Seville", "Cordoba"],
        pub_date=timezone.now() + timedelta(hours=1),
    )
    old = GuideFactory(title="Old Seville", pub_date=timezone.now() - timedelta(days=3))
    assert index(guide) == index(poll) == "removed"
    assert index_newly_due(hours=2) == 0
    Guide.objects.filter(pk=guide.pk).update(pub_date=timezone.now() - timedelta(minutes=5))
    type(poll).objects.filter(pk=poll.pk).update(pub_date=timezone.now() - timedelta(minutes=5))
    assert index_newly_due(hours=2) == 2  # not the old guide, indexed when it was saved
    assert found("seville") == {
        f"guides.guide.{guide.pk}",
        f"polls.question.{poll.pk}",
        f"guides.guide.{old.pk}",
    }
