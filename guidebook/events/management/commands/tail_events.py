import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from kombu import Consumer, Queue, binding

from guidebook.events.lifecycle import drain, stop_on_signals
from guidebook.events.topology import broker_connection, events_exchange


class Command(BaseCommand):
    help = (
        "Print events as they are published, through a private queue that disappears when "
        "this command stops (events published before it started are not shown)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "patterns",
            nargs="*",
            default=["#"],
            metavar="PATTERN",
            help="Topic patterns, e.g. 'polls.#' or '*.image.*' (default '#').",
        )
        parser.add_argument("--max-messages", type=int)
        parser.add_argument("--timeout", type=float)

    def handle(self, *args, patterns, max_messages, timeout, **options):
        if not settings.EVENTS_BROKER_URL:
            raise CommandError("No broker: set EVENTS_BROKER_URL (or CELERY_BROKER_URL).")
        deadline = None if timeout is None else time.monotonic() + timeout
        printed = 0

        def on_message(message):
            nonlocal printed
            self.print_event(message.body)
            printed += 1

        exchange = events_exchange()
        # Server-named, exclusive and auto-deleted: the pub/sub receiver of the RabbitMQ tutorials.
        queue = Queue(
            "",
            bindings=[binding(exchange, routing_key=p) for p in patterns],
            exclusive=True,
            auto_delete=True,
            durable=False,
        )
        with stop_on_signals() as stop, broker_connection() as connection:
            channel = connection.channel()
            exchange(channel).declare()
            with Consumer(channel, queues=[queue], on_message=on_message, no_ack=True):
                self.stderr.write(f"Listening on {exchange.name} for {' '.join(patterns)}")
                drain(
                    connection,
                    stop,
                    handled=lambda: printed,
                    max_messages=max_messages,
                    deadline=deadline,
                )

    def print_event(self, body: bytes) -> None:
        try:
            event = json.loads(body)
            line = (
                f"{event['time']}  {event['type']}  {event['id']}  "
                f"{json.dumps(event['data'], ensure_ascii=False)}"
            )
        except (ValueError, KeyError, TypeError):
            line = f"(not an event) {body[:500]!r}"
        self.stdout.write(line)
        self.stdout.flush()
