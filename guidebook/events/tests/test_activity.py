import pytest

from guidebook.events.activity import record_activity
from guidebook.events.models import Activity

from .conftest import envelope


@pytest.mark.parametrize(
    ("event_type", "data", "summary", "actor"),
    [
        ("accounts.user.registered", {"name": "Ada"}, "Ada joined", "Ada"),
        (
            "images.image.uploaded",
            {"title": "Dunes", "owner": "Ada"},
            "Ada shared an image “Dunes”",
            "Ada",
        ),
        ("images.image.deleted", {"title": "Dunes"}, "The image “Dunes” was removed", ""),
        (
            "guides.guide.published",
            {"title": "Lisbon", "author": "Ada"},
            "Ada published “Lisbon”",
            "Ada",
        ),
        ("pages.page.updated", {"title": "About"}, "The page “About” was updated", ""),
        ("pages.page.updated", {}, "A page was updated", ""),
        (
            "weather.rain.started",
            {"where": "Lisbon"},
            "Something happened (weather.rain.started)",
            "",
        ),
    ],
)
@pytest.mark.django_db
def test_each_event_type_reads_as_a_short_sentence(event_type, data, summary, actor):
    activity = record_activity(envelope(event_type, data))
    assert (activity.summary, activity.actor, activity.type) == (summary, actor, event_type)


@pytest.mark.django_db
def test_a_vote_never_says_who_voted_or_for_what():
    activity = record_activity(
        envelope(
            "polls.vote.cast",
            {
                "question": "Tea or coffee?",
                "user": "ada",
                "name": "Ada",
                "choice": "Tea",
                "url": "/polls/1/results/",
            },
        )
    )
    assert activity.summary == "Someone voted in “Tea or coffee?”"
    assert activity.actor == ""
    assert activity.url == "/polls/1/results/"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://evil.example/", "//evil.example/"])
@pytest.mark.django_db
def test_only_links_within_the_site_are_kept(url):
    activity = record_activity(envelope("pages.page.updated", {"title": "About", "url": url}))
    assert activity.url == ""


@pytest.mark.django_db
def test_recording_the_same_event_twice_keeps_one_row():
    event = envelope("accounts.user.registered", {"name": "Ada"})
    first, second = record_activity(event), record_activity(event)
    assert first.pk == second.pk
    assert Activity.objects.count() == 1


@pytest.mark.django_db
def test_recent_activity_comes_newest_first():
    older = record_activity(envelope(time="2025-05-01T12:00:00Z"))
    newer = record_activity(envelope(time="2025-05-02T12:00:00+00:00"))
    assert list(Activity.objects.recent()) == [newer, older]


@pytest.mark.django_db
def test_the_recent_activity_snippet_lists_summaries_with_links_or_says_nothing_happened():
    from django.template.loader import render_to_string

    assert "Nothing has happened yet." in render_to_string(
        "events/_recent_activity.html", {"activities": []}
    )
    record_activity(envelope("accounts.user.registered", {"name": "Ada", "url": "/accounts/ada/"}))
    html = render_to_string(
        "events/_recent_activity.html", {"activities": Activity.objects.recent()[:8]}
    )
    assert '<a href="/accounts/ada/">Ada joined</a>' in html
    assert "<time datetime=" in html
