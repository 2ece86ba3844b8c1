"""Reaping orphaned files: stored files that no row references, after a grace period; and what
direct uploads leave behind (files under incoming/, keys issued but never confirmed)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from .files import file_is_referenced
from .models import DirectUpload, Image, Rendition

STORED_PREFIXES = ("originals", "renditions")
# No row ever references a file here: each waits for the worker, which deletes it once checked.
INCOMING_PREFIX = "incoming"


@dataclass
class ReapReport:
    scanned: int = 0
    referenced: int = 0
    fresh: int = 0
    deleted: int = 0
    expired_uploads: int = 0
    dry_run: bool = False


def stored_names(prefix: str) -> Iterator[str]:
    """Every file under `prefix` in default storage, recursively (works on S3 and disk)."""
    try:
        directories, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for file_name in files:
        yield f"{prefix}/{file_name}"
    for directory in directories:
        yield from stored_names(f"{prefix}/{directory}")


def referenced_names() -> set[str]:
    names = set(Image.objects.values_list("file", flat=True))
    names.update(Rendition.objects.values_list("file", flat=True))
    return names


def reap_orphaned_files(
    *,
    grace_hours: int,
    incoming_grace_hours: int | None = None,
    dry_run: bool = False,
    progress: Callable[[ReapReport, str], None] | None = None,
) -> ReapReport:
    """Delete stored files that no row references and that are older than the grace period
    (a younger file may belong to an upload whose transaction has not committed yet), files
    under incoming/ older than theirs (IMAGE_INCOMING_GRACE_HOURS: sent, never confirmed, or
    left by a worker that gave up), and the keys issued before it but never confirmed."""
    report = ReapReport(dry_run=dry_run)
    now = timezone.now()
    cutoff = now - timedelta(hours=grace_hours)
    incoming_cutoff = now - timedelta(
        hours=settings.IMAGE_INCOMING_GRACE_HOURS
        if incoming_grace_hours is None
        else incoming_grace_hours
    )
    # Read the references before listing: a file saved after this point is fresh anyway.
    referenced = referenced_names()
    cutoffs = {prefix: cutoff for prefix in STORED_PREFIXES} | {INCOMING_PREFIX: incoming_cutoff}
    for prefix, prefix_cutoff in cutoffs.items():
        for name in stored_names(prefix):
            report.scanned += 1
            if name in referenced:
                report.referenced += 1
            elif default_storage.get_modified_time(name) > prefix_cutoff:
                report.fresh += 1
            elif file_is_referenced(name):  # referenced since we read the list
                report.referenced += 1
            else:
                if not dry_run:
                    default_storage.delete(name)
                report.deleted += 1
            if progress:
                progress(report, name)
    expired = DirectUpload.objects.unconfirmed().filter(issued_at__lt=incoming_cutoff)
    report.expired_uploads = expired.count() if dry_run else expired.delete()[0]
    return report
