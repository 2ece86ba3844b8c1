"""Thin Celery wrappers: take ids, call the service, safe to run twice (acks are late)."""

from celery import shared_task
from django.conf import settings

from . import incoming, reaper, renditions

RETRY = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "dont_autoretry_for": (renditions.UnrenderableImage,),
    "retry_backoff": 2,  # 2 s, 4 s, 8 s ... with jitter, capped below
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(name="images.generate_renditions", **RETRY)
def generate_renditions(image_id: int, force: bool = False) -> dict:
    return renditions.generate_renditions(image_id=image_id, force=force)


# A refused file is refused again on every try; storage errors are worth retrying.
@shared_task(
    name="images.store_direct_upload",
    **{**RETRY, "dont_autoretry_for": (incoming.UploadRefused,)},
)
def store_direct_upload(upload_id: int) -> dict:
    return incoming.store_direct_upload(upload_id=upload_id)


@shared_task(name="images.reap_orphans", **RETRY)
def reap_orphans(grace_hours: int | None = None) -> dict:
    hours = settings.IMAGE_ORPHAN_GRACE_HOURS if grace_hours is None else grace_hours
    report = reaper.reap_orphaned_files(grace_hours=hours)
    return {
        "scanned": report.scanned,
        "deleted": report.deleted,
        "fresh": report.fresh,
        "referenced": report.referenced,
        "expired_uploads": report.expired_uploads,
    }
