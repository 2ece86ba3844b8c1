from datetime import datetime

import pytest
from django.db import transaction

from guidebook.events import consumers
from guidebook.events.consumers import ConsumerSpec
from guidebook.events.models import Activity, Outbox
from guidebook.events.relay import relay_outbox
from guidebook.events.services import publish


@pytest.mark.django_db
def test_publish_writes_an_outbox_row_whose_envelope_has_id_type_time_version_and_data():
    event = publish("polls.vote.cast", {"question_id": 7, "question": "Tea?"}, version=2)

    envelope = Outbox.objects.get().envelope()
    assert envelope == {
        "id": str(event.id),
        "type": "polls.vote.cast",
        "time": envelope["time"],
        "version": 2,
        "data": {"question_id": 7, "question": "Tea?"},
    }
    assert envelope["time"].endswith("Z")
    assert datetime.fromisoformat(envelope["time"]) == event.created
    assert event.published_at is None and event.attempts == 0


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_event_and_publishes_nothing(events_broker):
    probe = events_broker.probe_queue("#")
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("polls.vote.cast", {"question": "Tea?"})
        raise RuntimeError("the change failed")

    assert not Outbox.objects.exists()
    assert relay_outbox(connection=events_broker.connection) == 0
    assert events_broker.count(probe) == 0


@pytest.fixture
def embedded(settings):
    """The `make run` profile: no broker, events go to the in-process consumers on commit."""
    settings.EVENTS_BROKER_URL = ""


@pytest.mark.django_db
def test_without_a_broker_a_committed_event_is_recorded_as_activity_on_commit(
    embedded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = publish("accounts.user.registered", {"name": "Ada", "url": "/accounts/ada/"})
        assert not Activity.objects.exists()  # nothing before the commit

    activity = Activity.objects.get()
    assert (activity.event_id, activity.summary, activity.url) == (
        event.id,
        "Ada joined",
        "/accounts/ada/",
    )
    event.refresh_from_db()
    assert event.published_at is not None


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_rolled_back_event_records_no_activity(embedded):
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("accounts.user.registered", {"name": "Ada"})
        raise RuntimeError("the sign-up failed")

    assert not Activity.objects.exists()
    assert not Outbox.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_failing_consumer_leaves_the_event_pending_and_the_change_committed(
    embedded, monkeypatch
):
    def broken(envelope):
        raise ValueError("the activity table is on fire")

    monkeypatch.setitem(consumers.CONSUMERS, "activity", ConsumerSpec(broken, ("#",)))
    with transaction.atomic():
        event = publish("pages.page.updated", {"title": "About"})

    event.refresh_from_db()
    assert event.published_at is None
    assert event.attempts == 1
    assert "on fire" in event.last_error
