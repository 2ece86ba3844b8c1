"""The beat fallback for the relay: harmless next to a running `relay_events` (rows are locked
with SKIP LOCKED), and enough on its own for a deployment that runs no relay process."""

from celery import shared_task
from django.conf import settings

from .relay import deliver_outbox_locally, relay_outbox
from .topology import broker_connection

MAX_BATCHES = 20  # bounded: the task must end well inside its time limit


@shared_task(name="events.relay_outbox", ignore_result=True)
def relay_outbox_task() -> int:
    if not settings.EVENTS_BROKER_URL:
        return deliver_outbox_locally()
    sent = 0
    with broker_connection() as connection:
        for _ in range(MAX_BATCHES):
            batch = relay_outbox(connection=connection)
            sent += batch
            if batch == 0:
                break
    return sent
