import json
import threading
import time
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from guidebook.events.consumers import InvalidEnvelope, parse_envelope
from guidebook.events.models import Activity
from guidebook.events.relay import relay_outbox
from guidebook.events.services import publish

from .conftest import envelope

FAILURES = []


def always_fails(envelope):
    """A handler that never succeeds, for the bounded-retry test (named by dotted path)."""
    FAILURES.append(envelope["id"])
    raise RuntimeError("this handler always fails")


def consume(queue: str, *bind: str, **options) -> str:
    out = StringIO()
    flags = [f"--{key.replace('_', '-')}={value}" for key, value in options.items()]
    call_command(
        "consume_events",
        "--queue",
        queue,
        "--bind",
        *(bind or ("#",)),
        "--retry-delay",
        "0",
        "--timeout",
        "15",
        *flags,
        stdout=out,
    )
    return out.getvalue()


def declare(queue: str, *bind: str, handler: str | None = None) -> None:
    """Declare the consumer's queue before anything is published to it (one quick pass)."""
    call_command(
        "consume_events",
        "--queue",
        queue,
        "--bind",
        *(bind or ("#",)),
        "--timeout",
        "0.1",
        *(["--handler", handler] if handler else []),
        stdout=StringIO(),
    )


@pytest.mark.django_db(transaction=True)
def test_the_activity_consumer_records_relayed_events_and_acknowledges_them(events_broker):
    queue, dead = events_broker.consumer_queues("activity")
    declare("activity")
    with transaction.atomic():
        event = publish("accounts.user.registered", {"name": "Ada", "url": "/accounts/ada/"})
    relay_outbox(connection=events_broker.connection)

    output = consume("activity", max_messages=1)

    assert "Handled 1 messages (1 acked)" in output
    assert Activity.objects.get().event_id == event.id
    assert events_broker.count(queue) == 0
    assert events_broker.count(dead) == 0


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_delivery_changes_nothing(events_broker):
    queue, dead = events_broker.consumer_queues("activity")
    declare("activity")
    event = envelope("polls.vote.cast", {"question": "Tea or coffee?"})
    events_broker.publish(event, "polls.vote.cast")
    events_broker.publish(event, "polls.vote.cast")

    output = consume("activity", max_messages=2)

    assert "2 acked" in output
    assert Activity.objects.count() == 1
    assert Activity.objects.get().summary == "Someone voted in “Tea or coffee?”"
    assert events_broker.count(queue) == 0 and events_broker.count(dead) == 0


@pytest.mark.parametrize(
    "body",
    [
        b"this is not JSON",
        json.dumps({"type": "polls.vote.cast", "data": {}}).encode(),  # no id, time, version
        json.dumps(envelope(id="not-a-uuid")).encode(),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_a_poison_message_goes_straight_to_the_dead_letter_queue(events_broker, body):
    queue, dead = events_broker.consumer_queues("activity")
    declare("activity")
    events_broker.publish(body, "polls.vote.cast")

    output = consume("activity", max_messages=1)

    assert "1 dead-lettered" in output
    assert not Activity.objects.exists()
    assert events_broker.count(queue) == 0
    [message] = events_broker.drain(dead)
    assert message.body == body.decode()  # the broker keeps the bytes; kombu decodes UTF-8


@pytest.mark.django_db(transaction=True)
def test_a_handler_that_keeps_failing_ends_in_the_dead_letter_queue_after_three_deliveries(
    events_broker,
):
    queue, dead = events_broker.consumer_queues("failing")
    handler = f"{__name__}.always_fails"
    FAILURES.clear()
    declare("failing", handler=handler)
    event = envelope("pages.page.updated", {"title": "About"})
    events_broker.publish(event, "pages.page.updated")

    output = consume("failing", handler=handler, max_messages=4, timeout=3)

    assert "Handled 3 messages (3 requeued)" in output
    assert [event["id"]] * 3 == FAILURES
    assert events_broker.count(queue) == 0
    [message] = events_broker.drain(dead)
    assert json.loads(message.body)["id"] == event["id"]


@pytest.mark.django_db(transaction=True)
def test_tail_events_prints_live_events_matching_its_pattern(events_broker):
    out = StringIO()
    tail = threading.Thread(
        target=call_command,
        args=("tail_events", "polls.#"),
        kwargs={"max_messages": 1, "timeout": 10, "stdout": out, "stderr": StringIO()},
    )
    tail.start()
    event = envelope("polls.vote.cast", {"question": "Tea or coffee?"})
    # The tail's queue exists only once it runs: publish until it has printed something.
    while tail.is_alive():
        events_broker.publish(envelope("images.image.uploaded"), "images.image.uploaded")
        events_broker.publish(event, "polls.vote.cast")
        time.sleep(0.1)
    tail.join()

    line = out.getvalue().strip()
    assert line.startswith("2025-05-01T12:00:00Z  polls.vote.cast  ")
    assert "Tea or coffee?" in line
    assert "images.image" not in line


def test_parse_envelope_accepts_a_well_formed_event_and_names_what_is_wrong_otherwise():
    event = envelope()
    assert parse_envelope(json.dumps(event).encode()) == event
    with pytest.raises(InvalidEnvelope, match="lacks time, version"):
        parse_envelope(json.dumps({"id": event["id"], "type": "x", "data": {}}))
    with pytest.raises(InvalidEnvelope, match="not a JSON object"):
        parse_envelope(b"[1, 2]")
    with pytest.raises(InvalidEnvelope, match="data"):
        parse_envelope(json.dumps({**event, "data": "text"}))


@pytest.mark.django_db(transaction=True)
def test_replayed_dead_letters_are_consumed_once_the_handler_works(events_broker):
    _, dead = events_broker.consumer_queues("replayed")
    handler = f"{__name__}.always_fails"
    FAILURES.clear()
    declare("replayed", handler=handler)
    event = envelope("accounts.user.registered", {"name": "Ada"})
    events_broker.publish(event, "accounts.user.registered")
    consume("replayed", handler=handler, max_messages=3, timeout=3)
    assert events_broker.count(dead) == 1 and not Activity.objects.exists()

    out = StringIO()
    call_command("replay_dead_letters", "--queue", "replayed", stdout=out)
    assert "Moved 1 message(s)" in out.getvalue()
    assert events_broker.count(dead) == 0
    consume(
        "replayed", handler="guidebook.events.activity.record_activity", max_messages=1, timeout=3
    )  # a working handler this time
    assert Activity.objects.get().event_id == uuid.UUID(event["id"])
