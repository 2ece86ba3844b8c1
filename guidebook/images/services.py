"""Writes on images: create, delete, renditions and orphan reaping."""

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from guidebook.events.services import publish

from . import containers, processing
from .models import Image, Rendition, original_key, rendition_key
from .validation import clean_original_name, validate_image_file

logger = logging.getLogger(__name__)

STORED_PREFIXES = ("originals", "renditions")


class UnrenderableImage(Exception):
    """The stored original cannot be decoded: retrying will not help."""


def queue_renditions(image_id: int) -> None:
    from .tasks import generate_renditions as task  # tasks import services: import late

    task.delay(image_id)


def save_with_content_type(name: str, content: File, content_type: str) -> str:
    # django-storages' S3Storage sends `content.content_type` as the object's ContentType.
    content.content_type = content_type
    return default_storage.save(name, content)


def store_once(key: str, content: File, content_type: str, *, replace: bool = False) -> str:
    """Store content under its content-addressed key, once.

    A key some row uses already holds these very bytes: reuse it. A key no row uses is an orphan
    (say, from a rolled-back upload) that may be incomplete: replace it. Either way the key stays
    exact, where storages would otherwise pick a new name beside it. `replace` rewrites a key in
    use (regenerating renditions after the pipeline changed).
    """
    if default_storage.exists(key):
        if file_is_referenced(key) and not replace:
            return key
        default_storage.delete(key)
    return save_with_content_type(key, content, content_type)


@transaction.atomic
def image_create(
    *, owner, file, description: str = "", visibility: str = Image.Visibility.PUBLIC
) -> Image:
    """Validate an uploaded file, store it without location metadata (once per distinct content)
    and queue its renditions after the transaction commits. Raises ValidationError."""
    checked = validate_image_file(file)
    with tempfile.TemporaryFile() as clean:
        copied = containers.copy_without_location(file, clean, checked.format)
        image = Image(
            owner=owner,
            description=description,
            visibility=visibility,
            original_name=clean_original_name(getattr(file, "name", "")),
            content_type=checked.content_type,
            size=copied.size,
            width=checked.width,
            height=checked.height,
            sha256=copied.sha256,
        )
        image.full_clean(exclude=["file"])
        shared = Image.objects.filter(sha256=copied.sha256).values_list("file", flat=True).first()
        if shared:
            image.file.name = shared
        else:
            clean.seek(0)
            image.file.name = store_once(
                original_key(copied.sha256, checked.content_type), File(clean), checked.content_type
            )
        image.save()
    if not image.is_private:  # the activity feed is public
        publish(
            "images.image.uploaded",
            {
                "image_id": image.pk,
                "title": image.description or image.original_name,
                "owner": owner.display_name,
                "url": image.get_absolute_url(),
            },
        )
    # robust: a broker that is down must not turn a saved upload into an error page.
    transaction.on_commit(lambda: queue_renditions(image.pk), robust=True)
    return image


@transaction.atomic
def image_update(*, image: Image, description: str, visibility: str) -> Image:
    image.description = description
    image.visibility = visibility
    image.full_clean(exclude=["file"])
    image.save(update_fields=["description", "visibility"])
    return image


def image_delete(*, image: Image) -> None:
    """Delete the row; its files go after commit (see signal_handlers), unless shared."""
    with transaction.atomic():
        if not image.is_private:
            publish(
                "images.image.deleted",
                {"image_id": image.pk, "title": image.description or image.original_name},
            )
        image.delete()


def file_is_referenced(name: str) -> bool:
    return Image.objects.filter(file=name).exists() or Rendition.objects.filter(file=name).exists()


def delete_files_if_unreferenced(names: list[str]) -> None:
    for name in names:
        if name and not file_is_referenced(name):
            default_storage.delete(name)


def rendition_files_present(image: Image) -> bool:
    renditions = list(image.renditions.all())
    expected = len(processing.WIDTHS) * 2
    return len(renditions) == expected and all(
        default_storage.exists(rendition.file.name) for rendition in renditions
    )


def generate_renditions(*, image_id: int, force: bool = False) -> dict:
    """Make the image's renditions. Idempotent: complete renditions are left alone (unless
    `force`, which remakes them in place), and a second run neither duplicates rows nor files."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return {"image": image_id, "status": "gone"}
    if not force and rendition_files_present(image):
        return {"image": image_id, "status": "unchanged"}
    with tempfile.TemporaryFile() as local:
        # Storage errors here are worth a retry (the task retries them) ...
        with default_storage.open(image.file.name, "rb") as original:
            shutil.copyfileobj(original, local, containers.BLOCK)
        local.seek(0)
        try:
            rendered = processing.make_renditions(local)
        except Exception as exc:
            # ... decoding errors are not: the same bytes fail the same way every time.
            raise UnrenderableImage(f"image {image_id} cannot be decoded: {exc}") from exc
    for item in rendered:
        key = rendition_key(image.sha256, item.spec.name)
        # Identical originals share renditions: reuse a file another image already made.
        name = store_once(key, ContentFile(item.data), item.content_type, replace=force)
        try:
            Rendition.objects.update_or_create(
                image=image,
                spec=item.spec.name,
                defaults={
                    "file": name,
                    "width": item.width,
                    "height": item.height,
                    "format": item.spec.format,
                },
            )
        except IntegrityError:
            return {"image": image_id, "status": "gone"}  # deleted while we worked
    return {"image": image_id, "status": "made", "renditions": len(rendered)}


# ------------------------------------------------------------------------------ orphans
@dataclass
class ReapReport:
    scanned: int = 0
    referenced: int = 0
    fresh: int = 0
    deleted: int = 0
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
    dry_run: bool = False,
    progress: Callable[[ReapReport, str], None] | None = None,
) -> ReapReport:
    """Delete stored files that no row references and that are older than the grace period
    (a younger file may belong to an upload whose transaction has not committed yet)."""
    report = ReapReport(dry_run=dry_run)
    cutoff = timezone.now() - timedelta(hours=grace_hours)
    # Read the references before listing: a file saved after this point is fresh anyway.
    referenced = referenced_names()
    for prefix in STORED_PREFIXES:
        for name in stored_names(prefix):
            report.scanned += 1
            if name in referenced:
                report.referenced += 1
            elif default_storage.get_modified_time(name) > cutoff:
                report.fresh += 1
            elif file_is_referenced(name):  # referenced since we read the list
                report.referenced += 1
            else:
                if not dry_run:
                    default_storage.delete(name)
                report.deleted += 1
            if progress:
                progress(report, name)
    return report


def validation_messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def renditions_regenerate(*, user, image_ids: list[int]):
    """Remake the renditions of these images as one job (a Celery group) the jobs page follows."""
    from guidebook.jobs.services import job_start

    count = len(image_ids)
    return job_start(
        user=user,
        name=f"Regenerate renditions of {count} image{'s' if count != 1 else ''}",
        task_name="images.generate_renditions",
        arguments=[[image_id, True] for image_id in image_ids],
    )
