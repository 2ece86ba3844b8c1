from django.core.management.base import BaseCommand, CommandError

from guidebook.events.replay import replay_dead_letters
from guidebook.events.topology import broker_connection, queue_name


class Command(BaseCommand):
    help = (
        "Move dead-lettered events (<queue>.dead) back into their consumer's queue, after the "
        "cause of the failures has been fixed. Consumers are idempotent, so a replay is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue", required=True, help="The consumer's queue name, as given to consume_events."
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help="Move at most this many messages (default: all).",
        )

    def handle(self, *args, queue, limit, **options):
        def progress(moved):
            if moved % 100 == 0:
                self.stdout.write(f"  … {moved} moved")

        try:
            with broker_connection() as connection:
                moved = replay_dead_letters(
                    connection=connection, name=queue, limit=limit, progress=progress
                )
        except OSError as exc:
            raise CommandError(f"Cannot reach the broker: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Moved {moved} message(s) from {queue_name(queue)}.dead "
                f"back to {queue_name(queue)}."
            )
        )
