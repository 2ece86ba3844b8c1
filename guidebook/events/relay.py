"""Moving outbox rows to their consumers: to RabbitMQ, or in-process when there is no broker."""

import logging
import threading

from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone
from kombu import Connection, Producer

from .consumers import CONSUMERS
from .models import Outbox
from .topology import NOTIFY_CHANNEL, events_exchange, topic_matches

logger = logging.getLogger(__name__)

CONFIRM_TIMEOUT = 10  # seconds to wait for the broker's confirm of one message


def relay_outbox(*, connection: Connection, batch_size: int = 500) -> int:
    """Publish up to `batch_size` pending events, oldest first; returns how many went out.

    Each message is persistent and waits for the broker's confirm; the confirmed rows are then
    marked published with one UPDATE. Rows are locked with SKIP LOCKED (PostgreSQL), so several
    relays can run side by side without publishing a row twice. If the broker fails, the rows
    it did not confirm stay pending with `attempts` and `last_error` updated, and the error is
    raised once that bookkeeping has committed. Delivery is at least once: a crash between the
    confirm and the commit publishes those rows again, which consumers ignore by event id.
    """
    error = None
    with transaction.atomic():
        events = list(Outbox.objects.pending().select_for_update(skip_locked=True)[:batch_size])
        if not events:
            return 0
        sent = 0
        try:
            producer = Producer(
                connection.default_channel, exchange=events_exchange(), serializer="json"
            )
            for event in events:
                producer.publish(
                    event.envelope(),
                    routing_key=event.type,
                    delivery_mode=2,
                    message_id=str(event.id),
                    type=event.type,
                    app_id="guidebook",
                    retry=False,
                    confirm_timeout=CONFIRM_TIMEOUT,
                )
                sent += 1
        except Exception as exc:  # whatever failed, the unconfirmed rows must stay pending
            error = exc
        if sent:
            Outbox.objects.filter(pk__in=[e.pk for e in events[:sent]]).update(
                published_at=timezone.now()
            )
        if error is not None:
            Outbox.objects.filter(pk__in=[e.pk for e in events[sent:]]).update(
                attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
            )
    if error is not None:
        raise error
    return sent


def deliver_outbox_locally(*, ids=None, batch_size: int = 500) -> int:
    """Hand pending events to the in-process consumers (the embedded profile has no broker).

    Each event gets its own savepoint: one failing handler leaves that row pending, with the
    error recorded, and does not hold back the others.
    """
    delivered = 0
    with transaction.atomic():
        pending = Outbox.objects.pending().select_for_update(skip_locked=True)
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        for event in pending[:batch_size]:
            try:
                with transaction.atomic():
                    envelope = event.envelope()
                    for spec in CONSUMERS.values():
                        if any(topic_matches(pattern, event.type) for pattern in spec.patterns):
                            spec.handler(envelope)
                    Outbox.objects.filter(pk=event.pk).update(published_at=timezone.now())
                delivered += 1
            except Exception as exc:
                logger.exception("delivering event %s (%s) in-process failed", event.pk, event.type)
                Outbox.objects.filter(pk=event.pk).update(
                    attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
                )
    return delivered


class OutboxWakeups:
    """Sleep until publish() commits an event or `interval` seconds pass.

    On PostgreSQL this LISTENs on its own connection (publish() NOTIFYs, and the database delivers
    that only at commit), so the relay publishes within `linger` seconds instead of at the next
    poll. The linger gathers the events that follow into one batch: under a stream of votes,
    one wake-up, query and UPDATE for several events rather than for each (docs/deploy.md).
    Elsewhere, and if listening fails, it simply waits: polling is the fallback, never a loss.
    """

    def __init__(self, stop: threading.Event, *, linger: float = 0.0):
        self.stop = stop
        self.linger = linger
        self._listener = None

    def wait(self, interval: float) -> None:
        listener = self._listen()
        if listener is None:
            self.stop.wait(interval)
            return
        try:
            woken = any(True for _ in listener.notifies(timeout=interval, stop_after=1))
            if woken and self.linger:
                self.stop.wait(self.linger)
            for _ in listener.notifies(timeout=0):  # coalesce the ones that came meanwhile
                pass
        except Exception as exc:
            logger.warning("listening for outbox notifications failed, polling instead: %s", exc)
            self.close()
            self.stop.wait(interval)

    def _listen(self):
        db = connections["default"]
        if db.vendor != "postgresql":
            return None
        if self._listener is None:
            try:
                self._listener = db.get_new_connection(db.get_connection_params())
                self._listener.autocommit = True
                self._listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
            except Exception as exc:
                logger.warning("cannot LISTEN for outbox notifications: %s", exc)
                self.close()
        return self._listener

    def close(self) -> None:
        if self._listener is not None:
            try:
                self._listener.close()
            finally:
                self._listener = None
