"""Consuming events from RabbitMQ: one durable queue per consumer, at-least-once, idempotent.

Each message is handled in its own database transaction and acknowledged only after that
transaction committed, so a crash between the two redelivers the message and the handler sees it
twice: handlers must be idempotent by event id (the activity handler is, through the unique
`Activity.event_id`). Prefetch is 1, so a slow handler holds one message, not the queue.
"""

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import close_old_connections, transaction
from kombu import Connection, Consumer

from .activity import record_activity
from .lifecycle import drain
from .topology import DEFAULT_MAX_DELIVERIES, declare_consumer_queue

logger = logging.getLogger(__name__)

Handler = Callable[[dict], object]
ENVELOPE_FIELDS = ("id", "type", "time", "version", "data")


@dataclass(frozen=True)
class ConsumerSpec:
    handler: Handler
    patterns: tuple[str, ...]


# Queue name (without the exchange prefix) -> what consumes it. The embedded profile, which has
# no broker, delivers each committed event to every consumer here whose patterns match it.
CONSUMERS: dict[str, ConsumerSpec] = {
    "activity": ConsumerSpec(handler=record_activity, patterns=("#",)),
}


class InvalidEnvelope(ValueError):
    """A message no retry can fix: it goes straight to the dead-letter queue."""


def parse_envelope(body: bytes | str) -> dict:
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidEnvelope(f"the body is not JSON: {exc}") from None
    if not isinstance(envelope, dict):
        raise InvalidEnvelope("the body is not a JSON object")
    missing = [field for field in ENVELOPE_FIELDS if field not in envelope]
    if missing:
        raise InvalidEnvelope(f"the envelope lacks {', '.join(missing)}")
    try:
        uuid.UUID(str(envelope["id"]))
        datetime.fromisoformat(envelope["time"])
    except (ValueError, TypeError) as exc:
        raise InvalidEnvelope(f"bad id or time: {exc}") from None
    if not isinstance(envelope["type"], str) or not envelope["type"]:
        raise InvalidEnvelope("the type is not a non-empty string")
    if not isinstance(envelope["version"], int) or not isinstance(envelope["data"], dict):
        raise InvalidEnvelope("the version is not an integer or the data not an object")
    return envelope


def handle_message(message, handler: Handler, *, retry_delay: float = 1.0) -> str:
    """Handle one delivery; returns "acked", "requeued" or "dead-lettered"."""
    try:
        envelope = parse_envelope(message.body)
    except InvalidEnvelope as exc:
        logger.error("dead-lettering an unreadable message: %s", exc)
        message.reject(requeue=False)
        return "dead-lettered"
    deliveries = int(message.headers.get("x-delivery-count", 0) or 0) + 1
    try:
        close_old_connections()  # as Celery does: a long-lived process must not keep a dead one
        with transaction.atomic():
            handler(envelope)
    except Exception:
        logger.exception(
            "handling event %s (%s) failed on delivery %d",
            envelope["id"],
            envelope["type"],
            deliveries,
        )
        # A short backoff before returning the message; the quorum queue counts the returns and
        # dead-letters the message once its delivery limit is reached.
        time.sleep(min(retry_delay * 2 ** (deliveries - 1), 10.0))
        message.requeue()
        return "requeued"
    message.ack()  # after the commit: a crash before this line means a harmless redelivery
    return "acked"


def consume(
    *,
    connection: Connection,
    name: str,
    patterns: list[str],
    handler: Handler,
    max_messages: int | None = None,
    timeout: float | None = None,
    stop: threading.Event | None = None,
    retry_delay: float = 1.0,
    max_deliveries: int = DEFAULT_MAX_DELIVERIES,
    on_outcome: Callable[[str], None] | None = None,
) -> int:
    """Consume the queue `name` until `max_messages` deliveries, `timeout` seconds or `stop`.

    Broker errors propagate: the caller reconnects. Returns the number of deliveries handled.
    """
    stop = stop or threading.Event()
    deadline = None if timeout is None else time.monotonic() + timeout
    handled = 0

    def on_message(message):
        nonlocal handled
        outcome = handle_message(message, handler, retry_delay=retry_delay)
        handled += 1
        if on_outcome:
            on_outcome(outcome)

    channel = connection.channel()
    try:
        channel.basic_qos(prefetch_size=0, prefetch_count=1, a_global=False)
        queue = declare_consumer_queue(channel, name, patterns, max_deliveries=max_deliveries)
        with Consumer(
            channel, queues=[queue], on_message=on_message, no_ack=False, auto_declare=False
        ):
            drain(
                connection,
                stop,
                handled=lambda: handled,
                max_messages=max_messages,
                deadline=deadline,
            )
    finally:
        try:
            channel.close()
        except connection.connection_errors + connection.channel_errors + (OSError,):
            pass  # the connection is already gone; the broker returns unacked messages
    return handled
