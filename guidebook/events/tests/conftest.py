"""RabbitMQ for the events tests: this run's own exchange (test.py suffixes it), real broker."""

import json
import uuid

import pytest
from kombu import Producer, Queue

from conftest import service_unavailable
from guidebook.events.topology import (
    broker_connection,
    dead_letter_exchange,
    events_exchange,
    queue_name,
)


class EventsBroker:
    """A confirmed connection plus the few moves the tests make on the broker. Every queue named
    through it is deleted afterwards, with the run's exchanges."""

    def __init__(self, connection):
        self.connection = connection
        self.channel = connection.default_channel
        self.queue_names: set[str] = set()

    def consumer_queues(self, name: str) -> tuple[str, str]:
        """The names `consume_events --queue name` uses, remembered for cleanup."""
        names = (queue_name(name), f"{queue_name(name)}.dead")
        self.queue_names.update(names)
        return names

    def probe_queue(self, *patterns: str) -> str:
        """A plain durable queue bound to the events exchange, to look at what the relay sent."""
        name = queue_name(f"probe-{uuid.uuid4().hex[:8]}")
        self.queue_names.add(name)
        exchange = events_exchange()
        exchange(self.channel).declare()
        queue = Queue(name, exchange, routing_key=patterns[0], durable=True)(self.channel)
        queue.declare()
        for pattern in patterns[1:]:
            queue.bind_to(exchange, routing_key=pattern)
        return name

    def publish(self, body, routing_key: str) -> None:
        """Publish raw bytes or a JSON-able body straight to the events exchange."""
        producer = Producer(self.channel, exchange=events_exchange())
        if isinstance(body, bytes):
            producer.publish(
                body,
                routing_key=routing_key,
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
            )
        else:
            producer.publish(
                json.dumps(body),
                routing_key=routing_key,
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
            )

    def get(self, name: str):
        """Take one message from a queue (acknowledged), or None when it is empty."""
        return Queue(name, no_declare=True)(self.channel).get(no_ack=True)

    def drain(self, name: str) -> list:
        messages = []
        while (message := self.get(name)) is not None:
            messages.append(message)
        return messages

    def count(self, name: str) -> int:
        return Queue(name)(self.channel).queue_declare(passive=True).message_count

    def cleanup(self) -> None:
        for name in self.queue_names:
            Queue(name)(self.channel).delete()
        events_exchange()(self.channel).delete()
        dead_letter_exchange()(self.channel).delete()


@pytest.fixture
def events_broker(settings):
    if not settings.EVENTS_BROKER_URL:
        service_unavailable(
            "needs RabbitMQ: set CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672//"
        )
    connection = broker_connection()
    try:
        broker = EventsBroker(connection)
    except Exception as exc:
        connection.collect()
        service_unavailable(f"RabbitMQ at EVENTS_BROKER_URL is unreachable: {exc}")
    try:
        yield broker
    finally:
        broker.cleanup()
        connection.release()


def envelope(event_type: str = "polls.vote.cast", data: dict | None = None, **fields) -> dict:
    """A well-formed event, as the relay would send it."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "time": "2025-05-01T12:00:00Z",
        "version": 1,
        "data": {"question": "Tea or coffee?"} if data is None else data,
        **fields,
    }
