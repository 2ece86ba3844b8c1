"""Sending dead-lettered events back to their consumer once the cause is fixed."""

from collections.abc import Callable

from kombu import Producer

from .topology import dead_letter_queue, queue_name


def replay_dead_letters(
    *,
    connection,
    name: str,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Move messages from `<queue>.dead` back into the consumer queue `name`, oldest first.

    Each goes straight to that one queue (the default exchange routes by queue name), so other
    consumers of the event do not see it twice. A message leaves the dead-letter queue only after
    the broker confirmed its republishing (the connection publishes with confirms): a crash in
    between can duplicate it, which the idempotent consumers absorb, but never loses it.
    """
    channel = connection.channel()
    try:
        dead = dead_letter_queue(name)(channel)
        dead.declare()
        producer = Producer(channel)
        moved = 0
        while limit is None or moved < limit:
            message = dead.get(no_ack=False)
            if message is None:
                break
            # x-death and friends describe the old failures; the replay starts a fresh count.
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
            producer.publish(
                message.body,
                exchange="",
                routing_key=queue_name(name),
                headers=headers,
                content_type=message.content_type,
                content_encoding=message.content_encoding,
                delivery_mode=2,
            )
            message.ack()
            moved += 1
            if progress:
                progress(moved)
        return moved
    finally:
        channel.close()
