import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from guidebook.events.consumers import CONSUMERS, consume
from guidebook.events.lifecycle import Backoff, stop_on_signals
from guidebook.events.topology import DEFAULT_MAX_DELIVERIES, broker_connection, queue_name

logger = logging.getLogger("guidebook.events.consumer")


class Command(BaseCommand):
    help = (
        "Consume events from a durable queue bound to the events exchange: prefetch 1, ack "
        "after commit, dead-lettering after --max-deliveries failed deliveries."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            required=True,
            help=f"Consumer name; the queue is <exchange>.<name>. Known: {', '.join(CONSUMERS)}.",
        )
        parser.add_argument(
            "--bind",
            nargs="+",
            metavar="PATTERN",
            help="Topic patterns to bind ('#' is everything); defaults to the consumer's own.",
        )
        parser.add_argument(
            "--handler",
            help="Dotted path of a handler(envelope) function, "
            "for a queue that is not in the registry.",
        )
        parser.add_argument("--max-deliveries", type=int, default=DEFAULT_MAX_DELIVERIES)
        parser.add_argument(
            "--retry-delay",
            type=float,
            default=1.0,
            help="Seconds before a failed message is returned, doubling.",
        )
        parser.add_argument("--max-messages", type=int, help="Exit after this many deliveries.")
        parser.add_argument("--timeout", type=float, help="Exit after this many seconds.")

    def handle(
        self,
        *args,
        queue,
        bind,
        handler,
        max_deliveries,
        retry_delay,
        max_messages,
        timeout,
        **options,
    ):
        if not settings.EVENTS_BROKER_URL:
            raise CommandError(
                "No broker: set EVENTS_BROKER_URL (or CELERY_BROKER_URL). Without "
                "one, publish() delivers events in-process and needs no consumer."
            )
        spec = CONSUMERS.get(queue)
        if handler:
            handler = import_string(handler)
        elif spec:
            handler = spec.handler
        else:
            raise CommandError(f"No handler for the queue {queue!r}: pass --handler.")
        patterns = bind or (list(spec.patterns) if spec else None)
        if not patterns:
            raise CommandError("Pass --bind PATTERN.")

        deadline = None if timeout is None else time.monotonic() + timeout
        counts: dict[str, int] = {}
        handled = 0
        backoff = Backoff()
        logger.info("consuming %s bound to %s", queue_name(queue), " ".join(patterns))
        with stop_on_signals() as stop:
            while not stop.is_set():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                if max_messages is not None and handled >= max_messages:
                    break
                try:
                    with broker_connection() as connection:
                        handled += consume(
                            connection=connection,
                            name=queue,
                            patterns=patterns,
                            handler=handler,
                            stop=stop,
                            timeout=remaining,
                            max_messages=None if max_messages is None else max_messages - handled,
                            retry_delay=retry_delay,
                            max_deliveries=max_deliveries,
                            on_outcome=lambda outcome: self.count(counts, outcome),
                        )
                    break
                except Exception as exc:
                    # Only broker trouble gets here: handler errors are caught per message.
                    delay = backoff.next()
                    logger.warning(
                        "consumer connection failed (%s: %s); reconnecting in %.0f s",
                        type(exc).__name__,
                        exc,
                        delay,
                    )
                    stop.wait(delay)
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "none"
        logger.info("consumer %s stopped: %s", queue, summary)
        self.stdout.write(f"Handled {handled} messages ({summary}).")

    @staticmethod
    def count(counts: dict[str, int], outcome: str) -> None:
        counts[outcome] = counts.get(outcome, 0) + 1
        if sum(counts.values()) % 1000 == 0:
            logger.info("consumer progress: %s", counts)
