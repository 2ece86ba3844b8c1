from django.conf import settings
from django.core.management.base import BaseCommand

from guidebook.images.reaper import reap_orphaned_files


class Command(BaseCommand):
    help = (
        "Delete stored image files that no Image or Rendition row references and that are older "
        "than the grace period, and what direct uploads left behind (files under incoming/, keys "
        "never confirmed) older than theirs. Safe to run again: a second run finds nothing to do."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be deleted; delete nothing."
        )
        parser.add_argument(
            "--grace-hours",
            type=int,
            default=settings.IMAGE_ORPHAN_GRACE_HOURS,
            help="Keep unreferenced files younger than this (default: IMAGE_ORPHAN_GRACE_HOURS, "
            "%(default)s); they may belong to an upload still in progress.",
        )
        parser.add_argument(
            "--incoming-grace-hours",
            type=int,
            default=settings.IMAGE_INCOMING_GRACE_HOURS,
            help="Keep files under incoming/, and unconfirmed keys, younger than this (default: "
            "IMAGE_INCOMING_GRACE_HOURS, %(default)s).",
        )

    def handle(self, *args, dry_run, grace_hours, incoming_grace_hours, verbosity, **options):
        if min(grace_hours, incoming_grace_hours) < 0:
            self.stderr.write("Grace periods cannot be negative.")
            return

        def progress(report, name):
            if verbosity >= 2:
                self.stdout.write(f"  {name}")
            elif report.scanned % 500 == 0:
                self.stdout.write(f"  … {report.scanned} files scanned")

        verb = "Would delete" if dry_run else "Deleting"
        self.stdout.write(f"{verb} files unreferenced for over {grace_hours} hour(s).")
        report = reap_orphaned_files(
            grace_hours=grace_hours,
            incoming_grace_hours=incoming_grace_hours,
            dry_run=dry_run,
            progress=progress,
        )
        action = "would be deleted (dry run)" if dry_run else "deleted"
        self.stdout.write(
            self.style.SUCCESS(
                f"Scanned {report.scanned} file(s): {report.referenced} in use, "
                f"{report.fresh} unreferenced but within the grace period (kept), "
                f"{report.deleted} orphan(s) {action}. "
                f"{report.expired_uploads} upload key(s) never confirmed {action}."
            )
        )
