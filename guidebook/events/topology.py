"""Where events go on RabbitMQ: every exchange and queue the events app declares.

One durable topic exchange (settings.EVENTS_EXCHANGE) carries every event, routed by its type.
Each consumer has a durable quorum queue named after the exchange (`guidebook.events.activity`),
bound with topic patterns. A message that fails `max_deliveries` times, or cannot be parsed, is
dead-lettered through `<exchange>.dlx` (direct, keyed by queue name) into `<queue>.dead`, where
it waits for a person. Declaring is idempotent, so every process declares what it uses.
"""

from django.conf import settings
from kombu import Connection, Exchange, Queue, binding

# The relay LISTENs on this PostgreSQL channel; publish() NOTIFYs it, and the database delivers
# the notification at commit, so the relay publishes within milliseconds of the change.
NOTIFY_CHANNEL = "guidebook_events_outbox"

# A quorum queue counts deliveries itself, so a message that crashes its consumer (not only one
# whose handler raises) also ends in the dead-letter queue instead of looping forever.
DEFAULT_MAX_DELIVERIES = 3


def broker_connection(url: str | None = None, **options) -> Connection:
    """A connection whose every publish waits for the broker's confirm.

    max_retries=0 makes a refused connection fail at once: the relay and the consumers run their
    own reconnect loops with backoff, and a web request must never wait for a broker.
    """
    return Connection(
        url if url is not None else settings.EVENTS_BROKER_URL,
        connect_timeout=options.pop("connect_timeout", 5),
        heartbeat=options.pop("heartbeat", 30),
        transport_options={"confirm_publish": True, "max_retries": 0},
        **options,
    )


def events_exchange() -> Exchange:
    return Exchange(settings.EVENTS_EXCHANGE, type="topic", durable=True)


def dead_letter_exchange() -> Exchange:
    return Exchange(f"{settings.EVENTS_EXCHANGE}.dlx", type="direct", durable=True)


def queue_name(name: str) -> str:
    """Consumer queues are named after the exchange, so a test run's suffix isolates them too."""
    return f"{settings.EVENTS_EXCHANGE}.{name}"


def consumer_queue(
    name: str, patterns: list[str], *, max_deliveries: int = DEFAULT_MAX_DELIVERIES
) -> Queue:
    full_name = queue_name(name)
    exchange = events_exchange()
    return Queue(
        full_name,
        bindings=[binding(exchange, routing_key=pattern) for pattern in patterns],
        durable=True,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": dead_letter_exchange().name,
            "x-dead-letter-routing-key": full_name,
            # Returned (failed) deliveries allowed before the message is dead-lettered.
            "x-delivery-limit": max_deliveries - 1,
        },
    )


def dead_letter_queue(name: str) -> Queue:
    full_name = queue_name(name)
    return Queue(f"{full_name}.dead", dead_letter_exchange(), routing_key=full_name, durable=True)


def declare_consumer_queue(
    channel, name: str, patterns: list[str], *, max_deliveries: int = DEFAULT_MAX_DELIVERIES
) -> Queue:
    """Declare the exchanges, the consumer's queue with its bindings and its dead-letter queue.

    Bindings add up: a pattern dropped from the command line stays bound until it is unbound on
    the broker (rabbitmqadmin delete binding ...). Changing max_deliveries for an existing queue
    fails with PRECONDITION_FAILED; delete the queue or use a RabbitMQ policy instead.
    """
    events_exchange()(channel).declare()
    dead_letter_queue(name)(channel).declare()
    queue = consumer_queue(name, patterns, max_deliveries=max_deliveries)(channel)
    queue.declare()
    return queue


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching ('*' is one word, '#' zero or more), for delivering in-process."""
    return _words_match(pattern.split("."), routing_key.split("."))


def _words_match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_words_match(rest, words[i:]) for i in range(len(words) + 1))
    return bool(words) and head in ("*", words[0]) and _words_match(rest, words[1:])
