"""Publishing domain events through the outbox."""

from typing import Any

from django.conf import settings
from django.db import connection, transaction

from .models import Outbox
from .relay import deliver_outbox_locally
from .topology import NOTIFY_CHANNEL


def publish(event_type: str, data: dict[str, Any], *, version: int = 1) -> Outbox:
    """Record the event `event_type` (e.g. "polls.vote.cast") for delivery after commit.

    Call it inside the same `transaction.atomic()` block as the change it describes: the Outbox
    row then commits or rolls back with that change, so an event is published if and only if
    the change happened. Nothing touches the broker here. With a broker, the relay process
    (`manage.py relay_events`) publishes the row; on PostgreSQL a NOTIFY, which the database
    delivers only at commit, wakes it at once. Without a broker (the embedded profile), the event
    goes to the in-process consumers on commit.
    """
    event = Outbox.objects.create(type=event_type, data=data, version=version)
    if settings.EVENTS_BROKER_URL:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, '')", [NOTIFY_CHANNEL])
    else:
        deliver_after_commit(event.pk)
    return event


def deliver_after_commit(event_id) -> None:
    """Without a broker: hand the event to the in-process consumers once its row commits."""
    # robust: the change is committed whatever happens here, so a failing consumer must not
    # turn the response into an error. The row stays pending and `relay_events` retries it.
    transaction.on_commit(lambda: deliver_outbox_locally(ids=[event_id]), robust=True)
