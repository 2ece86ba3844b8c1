from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

# name → (task, schedule). Crontab fields are minute, hour, day_of_week; times are UTC.
CRONTABS = {
    "Reap orphaned image files (daily)": ("images.reap_orphans", ("30", "3", "*")),
    "Refresh public profiles (daily)": ("accounts.refresh_profiles", ("0", "4", "*")),
    "Delete old task results (weekly)": ("celery.backend_cleanup", ("0", "5", "0")),
    # Guides and polls scheduled for later become searchable when their time comes.
    "Index scheduled guides and polls that are now due (hourly)": (
        "search.index_newly_due",
        ("5", "*", "*"),
    ),
}
INTERVALS = {
    # The relay process publishes events at once; this catches anything it missed.
    "Relay the events outbox (fallback, every minute)": ("events.relay_outbox", 60),
}


class Command(BaseCommand):
    help = (
        "Install Guidebook's periodic jobs in django-celery-beat's database scheduler. "
        "Idempotent: run by the release phase on every deploy."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for name, (task, (minute, hour, day_of_week)) in CRONTABS.items():
            schedule, _ = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_week=day_of_week,
                day_of_month="*",
                month_of_year="*",
                timezone="UTC",
            )
            self.install(name, task, crontab=schedule, interval=None)
        for name, (task, seconds) in INTERVALS.items():
            schedule, _ = IntervalSchedule.objects.get_or_create(
                every=seconds, period=IntervalSchedule.SECONDS
            )
            self.install(name, task, interval=schedule, crontab=None)

    def install(self, name, task, **schedule):
        _, created = PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "enabled": True, **schedule}
        )
        self.stdout.write(f"{'installed' if created else 'up to date'}: {name} → {task}")
