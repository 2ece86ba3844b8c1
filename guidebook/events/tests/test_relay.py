import json
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from guidebook.events.lifecycle import keep_alive
from guidebook.events.models import Outbox
from guidebook.events.relay import OutboxWakeups, relay_outbox
from guidebook.events.services import publish
from guidebook.events.tasks import relay_outbox_task
from guidebook.events.topology import broker_connection

UNREACHABLE = "amqp://guest:guest@127.0.0.1:9//"


def publish_many(count: int) -> list[Outbox]:
    with transaction.atomic():
        return [
            publish("polls.vote.cast", {"question_id": i, "question": f"Q{i}"})
            for i in range(count)
        ]


@pytest.mark.django_db(transaction=True)
def test_the_relay_publishes_pending_events_in_order_as_persistent_json_and_marks_them(
    events_broker,
):
    probe = events_broker.probe_queue("polls.#")
    events = publish_many(3)

    assert relay_outbox(connection=events_broker.connection) == 3

    messages = events_broker.drain(probe)
    assert [json.loads(m.body) for m in messages] == [e.envelope() for e in events]
    assert [m.delivery_info["routing_key"] for m in messages] == ["polls.vote.cast"] * 3
    assert all(m.properties["delivery_mode"] == 2 for m in messages)
    assert all(m.content_type == "application/json" for m in messages)
    assert [m.properties["message_id"] for m in messages] == [str(e.id) for e in events]
    assert not Outbox.objects.pending().exists()
    assert relay_outbox(connection=events_broker.connection) == 0


@pytest.mark.django_db(transaction=True)
def test_the_relay_publishes_in_batches(events_broker):
    probe = events_broker.probe_queue("#")
    publish_many(5)

    assert relay_outbox(connection=events_broker.connection, batch_size=2) == 2
    assert Outbox.objects.pending().count() == 3
    assert events_broker.count(probe) == 2


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_events_stay_pending_and_all_go_out_once_it_is_back(events_broker):
    probe = events_broker.probe_queue("#")
    events = publish_many(4)

    with broker_connection(UNREACHABLE) as down, pytest.raises(Exception, match="refused"):
        relay_outbox(connection=down)

    assert Outbox.objects.pending().count() == 4
    assert all(e.attempts == 1 and "refused" in e.last_error for e in Outbox.objects.all())
    assert relay_outbox(connection=events_broker.connection) == 4
    assert not Outbox.objects.pending().exists()
    assert [json.loads(m.body)["id"] for m in events_broker.drain(probe)] == [
        str(e.id) for e in events
    ]


@pytest.mark.django_db(transaction=True)
def test_relay_events_once_reports_what_it_published(events_broker, capsys):
    probe = events_broker.probe_queue("#")
    publish_many(2)

    call_command("relay_events", "--once")

    assert "Relayed 2 events." in capsys.readouterr().out
    assert events_broker.count(probe) == 2


@pytest.mark.django_db(transaction=True)
def test_relay_events_once_fails_loudly_and_keeps_events_when_the_broker_is_unreachable(
    events_broker, settings
):
    publish_many(2)
    settings.EVENTS_BROKER_URL = UNREACHABLE

    with pytest.raises(CommandError, match="stay pending"):
        call_command("relay_events", "--once")

    assert Outbox.objects.pending().count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_periodic_task_relays_pending_events(events_broker):
    probe = events_broker.probe_queue("#")
    publish_many(3)

    assert relay_outbox_task() == 3
    assert events_broker.count(probe) == 3


def seconds_woken_after(wakeups: OutboxWakeups, *delays: float) -> float:
    """How long wakeups.wait(10) takes while another connection commits an event after each of
    `delays` seconds in turn."""

    def commit_events():
        for delay in delays:
            time.sleep(delay)
            publish_many(1)
        connection.close()

    wakeups.wait(0.01)  # starts listening
    writer = threading.Thread(target=commit_events)
    started = time.monotonic()
    writer.start()
    wakeups.wait(10)
    waited = time.monotonic() - started
    writer.join()
    return waited


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_relay_wakes_up_as_soon_as_an_event_commits_on_postgresql(events_broker):
    wakeups = OutboxWakeups(threading.Event())
    assert 0.25 < seconds_woken_after(wakeups, 0.3) < 3
    wakeups.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lingering_relay_gathers_the_events_that_follow_into_one_wake_up(events_broker):
    wakeups = OutboxWakeups(threading.Event(), linger=0.6)
    assert 0.6 <= seconds_woken_after(wakeups, 0, 0.3) < 3
    # The second event's notification was taken with the first: nothing wakes the relay now.
    started = time.monotonic()
    wakeups.wait(0.3)
    assert time.monotonic() - started >= 0.29
    wakeups.close()


def test_an_idle_relay_connection_stays_up_past_two_heartbeats(events_broker):
    """The relay only publishes; between events it must still read the broker's heartbeats, or
    it gives up on a healthy connection after two intervals without a publish."""
    with broker_connection(heartbeat=1) as idle:
        idle.ensure_connection(max_retries=1)
        deadline = time.monotonic() + 3.5
        while time.monotonic() < deadline:
            keep_alive(idle)  # the relay's idle loop does this between waits
            time.sleep(0.2)
        assert idle.connected
