import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from guidebook.events.lifecycle import Backoff, keep_alive, stop_on_signals
from guidebook.events.relay import OutboxWakeups, deliver_outbox_locally, relay_outbox
from guidebook.events.topology import broker_connection

logger = logging.getLogger("guidebook.events.relay")


class Command(BaseCommand):
    help = (
        "Publish committed outbox events to the events exchange, as they commit (LISTEN on "
        "PostgreSQL) or every --interval seconds. Without a broker, delivers them in-process."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Publish what is pending, then exit (non-zero if that failed).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between polls when no notification arrives.",
        )
        parser.add_argument(
            "--linger",
            type=float,
            default=0.2,
            help="Seconds to wait after a notification for the events that follow, to publish "
            "them in one batch.",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, once, interval, linger, batch_size, **options):
        self.batch_size = batch_size
        self.connection = None
        backoff = Backoff()
        total = 0
        logger.info(
            "relay started: exchange %s, %s",
            settings.EVENTS_EXCHANGE,
            "broker" if settings.EVENTS_BROKER_URL else "in-process delivery",
        )
        with stop_on_signals() as stop:
            wakeups = OutboxWakeups(stop, linger=linger)
            try:
                while not stop.is_set():
                    try:
                        sent = self.relay_pending(stop)
                    except Exception as exc:
                        self.disconnect(broken=True)
                        close_old_connections()
                        if once:
                            raise CommandError(
                                f"Relaying failed, the events stay pending: {exc}"
                            ) from exc
                        delay = backoff.next()
                        logger.warning(
                            "relaying failed (%s: %s); events stay pending, retrying in %.0f s",
                            type(exc).__name__,
                            exc,
                            delay,
                        )
                        stop.wait(delay)
                        continue
                    backoff.reset()
                    total += sent
                    if sent:
                        logger.info("relayed %d events (%d since start)", sent, total)
                    if once:
                        break
                    if self.connection is not None and self.connection.connected:
                        keep_alive(self.connection)
                    wakeups.wait(min(interval, 10.0))
            finally:
                wakeups.close()
                self.disconnect()
        if once:
            self.stdout.write(f"Relayed {total} events.")
        else:
            logger.info("relay stopped after %d events", total)

    def relay_pending(self, stop) -> int:
        close_old_connections()
        sent = 0
        while not stop.is_set():
            if settings.EVENTS_BROKER_URL:
                if self.connection is None:
                    self.connection = broker_connection()
                batch = relay_outbox(connection=self.connection, batch_size=self.batch_size)
            else:
                batch = deliver_outbox_locally(batch_size=self.batch_size)
            sent += batch
            if batch < self.batch_size:
                break
        return sent

    def disconnect(self, *, broken: bool = False) -> None:
        if self.connection is not None:
            # A broken connection is dropped without talking to the broker, which may hang.
            self.connection.collect() if broken else self.connection.release()
            self.connection = None
