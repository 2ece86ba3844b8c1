"""The public activity feed shows only what an anonymous visitor may see at that moment."""

from datetime import timedelta

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone

from guidebook.accounts.tests.factories import UserFactory
from guidebook.events.activity import record_activity
from guidebook.events.selectors import activity_grouped, activity_public
from guidebook.guides.tests.factories import GuideFactory
from guidebook.images.tests.factories import create_image
from guidebook.polls.tests.factories import QuestionFactory

from .conftest import envelope

pytestmark = pytest.mark.django_db


def line(event_type: str, **data):
    return record_activity(envelope(event_type, data))


def summaries() -> list[str]:
    return [activity.summary for activity in activity_public(limit=20)]


def test_a_scheduled_guide_shows_once_it_is_due_and_not_before():
    guide = GuideFactory(title="Embargoed", pub_date=timezone.now() + timedelta(days=30))
    line("guides.guide.published", guide_id=guide.pk, title=guide.title, author="ada")
    assert summaries() == []
    guide.pub_date = timezone.now() - timedelta(minutes=1)
    guide.save()
    assert summaries() == ["ada published “Embargoed”"]


def test_an_image_made_private_after_its_upload_leaves_the_feed():
    image = create_image(description="Dunes")
    line("images.image.uploaded", image_id=image.pk, title="Dunes", owner="ada")
    assert summaries() == ["ada shared an image “Dunes”"]
    image.visibility = "private"
    image.save()
    assert summaries() == []


def test_edits_to_members_only_pages_are_not_shown():
    page = FlatPage.objects.create(url="/club/", title="Club", registration_required=True)
    page.sites.add(Site.objects.get_current())
    line("pages.page.updated", page_id=page.pk, title="Club")
    assert summaries() == []
    page.registration_required = False
    page.save()
    assert summaries() == ["The page “Club” was updated"]


def test_votes_in_published_polls_and_new_members_are_shown_but_not_unknown_subjects():
    poll = QuestionFactory(text="Tea?", choices=["Yes"])
    future = QuestionFactory(text="Later?", choices=["Yes"], pub_date=timezone.now() + timedelta(1))
    member = UserFactory(username="grace")
    line("polls.vote.cast", question_id=poll.pk, question="Tea?")
    line("polls.vote.cast", question_id=future.pk, question="Later?")
    line("accounts.user.registered", user_id=member.pk, name="grace")
    line("guides.guide.published", guide_id=987654, title="Gone", author="ada")
    line("images.image.published", image_id="not-a-number")
    line("images.image.deleted", title="Old tiles")
    assert sorted(summaries()) == sorted(
        [
            "Someone voted in “Tea?”",
            "grace joined",
            "Something happened (images.image.published)",
            "The image “Old tiles” was removed",
        ]
    )


def test_the_home_page_shows_the_public_feed(client):
    guide = GuideFactory(title="Embargoed", pub_date=timezone.now() + timedelta(days=30))
    line("guides.guide.published", guide_id=guide.pk, title=guide.title, author="ada")
    visible = GuideFactory(title="Out now")
    line("guides.guide.published", guide_id=visible.pk, title=visible.title, author="ada")
    page = client.get(reverse("home")).content.decode()
    assert "ada published “Out now”" in page
    assert "Embargoed" not in page


def at(moment) -> str:
    return moment.isoformat()


def test_votes_in_one_poll_on_one_day_read_as_one_line_and_the_rest_stay_apart(client):
    tea = QuestionFactory(text="Tea?", choices=["Yes"])
    walks = QuestionFactory(text="Best season for walks?", choices=["Spring"])
    now = timezone.localtime().replace(hour=12, minute=0)  # minutes before it: still today
    url = reverse("polls:results", args=[tea.pk])
    for minutes in (1, 2, 3):
        record_activity(
            envelope(
                "polls.vote.cast",
                {"question_id": tea.pk, "question": "Tea?", "url": url},
                time=at(now - timedelta(minutes=minutes)),
            )
        )
    record_activity(
        envelope(
            "polls.vote.cast",
            {"question_id": walks.pk, "question": walks.text},
            time=at(now - timedelta(minutes=4)),
        )
    )
    record_activity(
        envelope(
            "polls.vote.cast",
            {"question_id": tea.pk, "question": "Tea?"},
            time=at(now - timedelta(days=2)),
        )
    )
    member = UserFactory(username="grace")
    for minutes in (5, 6):  # two lines that are not grouped, whatever their subject
        record_activity(
            envelope(
                "accounts.user.registered",
                {"user_id": member.pk, "name": "grace"},
                time=at(now - timedelta(minutes=minutes)),
            )
        )
    groups = activity_grouped(limit=8)
    assert [(group.summary, group.count) for group in groups] == [
        ("3 votes in “Tea?”", 3),
        ("Someone voted in “Best season for walks?”", 1),
        ("grace joined", 1),
        ("grace joined", 1),
        ("Someone voted in “Tea?”", 1),  # two days ago: a day of its own
    ]
    assert groups[0].url == url and groups[0].day == timezone.localdate(now)
    assert [group.summary for group in activity_grouped(limit=2)] == [
        "3 votes in “Tea?”",
        "Someone voted in “Best season for walks?”",
    ]
    page = client.get(reverse("home")).content.decode()
    assert "3 votes in “Tea?”" in page and "today" in page
