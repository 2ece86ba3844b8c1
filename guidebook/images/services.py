"""Writes on images: create, update, delete, queueing their renditions, and the keys for files
sent straight to the bucket."""

import tempfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from guidebook.events.services import publish
from guidebook.jobs.services import job_start

from . import containers, storage, tasks
from .files import store_once
from .models import DirectUpload, Image, original_key
from .validation import (
    check_declared_type,
    check_size,
    clean_original_name,
    validate_image_file,
)


def queue_renditions(image_id: int) -> None:
    tasks.generate_renditions.delay(image_id)


@transaction.atomic
def image_create(
    *, owner, file, description: str = "", visibility: str = Image.Visibility.PUBLIC
) -> Image:
    """Validate an uploaded file, store its image data alone (once per distinct content)
    and queue its renditions after the transaction commits. Raises ValidationError."""
    checked = validate_image_file(file)
    with tempfile.TemporaryFile() as clean:
        copied = containers.copy_image_only(file, clean, checked.format)
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


def renditions_regenerate(*, user, image_ids: list[int]):
    """Remake the renditions of these images as one job (a Celery group) the jobs page follows."""
    count = len(image_ids)
    return job_start(
        user=user,
        name=f"Regenerate renditions of {count} image{'s' if count != 1 else ''}",
        task_name="images.generate_renditions",
        arguments=[[image_id, True] for image_id in image_ids],
    )


def direct_upload_issue(
    *,
    owner,
    name: str,
    content_type: str,
    size: int,
    description: str = "",
    visibility: str = Image.Visibility.PUBLIC,
) -> tuple[DirectUpload, dict]:
    """A key of the site's choosing for one file, and the presigned POST that sends it there.
    Refuses (ValidationError) what the bucket's policy would: a declared type we do not accept,
    a declared size over the limit. What arrives is checked by content, as any upload is."""
    check_declared_type(content_type)
    check_size(size)
    upload = DirectUpload.objects.create(
        owner=owner,
        original_name=clean_original_name(name),
        content_type=content_type,
        description=description,
        visibility=visibility,
    )
    return upload, storage.presigned_post(upload.key, content_type)


@transaction.atomic
def direct_upload_confirm(*, owner, key: str) -> DirectUpload:
    """The browser says the file has arrived at `key`: queue the job that checks and stores it.

    Refuses (ValidationError, its code for the view) a key the site did not issue ("unknown"),
    issued to someone else ("not_yours"), confirmed already ("used"), or with nothing there
    yet ("missing"; the browser may send the file again and confirm again).
    """
    upload = DirectUpload.objects.select_for_update().filter(key=key).first()
    if upload is None:
        raise ValidationError("The site issued no upload with this key.", code="unknown")
    if upload.owner_id != owner.pk:
        raise ValidationError("This upload was issued to someone else.", code="not_yours")
    if upload.confirmed_at:
        raise ValidationError("This upload has been confirmed already.", code="used")
    if not default_storage.exists(upload.key):
        raise ValidationError("The file has not arrived; send it again.", code="missing")
    # The worker's check, as a job: /jobs/ follows it and says why a file was refused.
    upload.job = job_start(
        user=owner,
        name=f"Check and store {upload.original_name}",
        task_name="images.store_direct_upload",
        arguments=[[upload.pk]],
    )
    upload.confirmed_at = timezone.now()
    upload.save(update_fields=["job", "confirmed_at"])
    return upload
