import time

from django.core.management.base import BaseCommand, CommandError

from guidebook.images.models import Image
from guidebook.images.services import renditions_regenerate
from guidebook.jobs.services import job_statuses

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Remake image renditions (after the rendition pipeline changed) as a background job, "
        "and follow its progress. The jobs page at /jobs/ shows the same job."
    )

    def add_arguments(self, parser):
        parser.add_argument("image_ids", nargs="*", type=int, help="Images to redo (default: all).")
        parser.add_argument(
            "--no-wait",
            action="store_true",
            help="Queue the job and return without following its progress.",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=3600,
            help="Stop following after this many seconds (the job carries on).",
        )

    def handle(self, *args, image_ids, no_wait, timeout, **options):
        ids = image_ids or list(Image.objects.order_by("pk").values_list("pk", flat=True))
        missing = set(ids) - set(Image.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing:
            raise CommandError(f"No image with id {', '.join(map(str, sorted(missing)))}.")
        if not ids:
            self.stdout.write("There are no images.")
            return
        job = renditions_regenerate(user=None, image_ids=ids)
        self.stdout.write(f"Job {job.pk}: {job.name}")
        if no_wait:
            return
        deadline = time.monotonic() + timeout
        while True:
            status = job_statuses([job])[job.pk]
            filled = BAR_WIDTH * status.done // max(status.total, 1)
            self.stdout.write(
                f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
                f"{status.done}/{status.total} {status.state.lower()}",
                ending="",
            )
            self.stdout.flush()
            if status.ready or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        self.stdout.write("")
        if status.state == "FAILURE":
            raise CommandError(f"Some renditions failed: {status.error}")
        if not status.ready:
            raise CommandError("Still running; follow it on the jobs page.")
        self.stdout.write(self.style.SUCCESS(f"Renditions of {status.total} image(s) remade."))
