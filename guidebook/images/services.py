"""Writes on images: create, update, delete, queueing their renditions, and the keys for files
sent straight to the bucket."""

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
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


@dataclass(frozen=True)
class DeclaredFile:
    """What the browser says of a file it is about to send: its name, type and size."""

    name: str
    content_type: str
    size: int


def direct_uploads_issue(
    *,
    owner,
    files: Sequence[DeclaredFile],
    description: str = "",
    visibility: str = Image.Visibility.PUBLIC,
) -> list[tuple[DirectUpload, dict] | ValidationError]:
    """For each file in turn, a key of the site's choosing and the presigned POST that sends it
    there (one INSERT for all of them), or why not: a ValidationError for what the bucket's
    policy would refuse, a declared type we do not accept or a declared size over the limit.
    What arrives is checked by content, as any upload is."""
    outcomes: list[DirectUpload | ValidationError] = []
    for file in files:
        try:
            check_declared_type(file.content_type)
            check_size(file.size)
        except ValidationError as error:
            outcomes.append(error)
            continue
        outcomes.append(
            DirectUpload(
                owner=owner,
                original_name=clean_original_name(file.name),
                content_type=file.content_type,
                description=description,
                visibility=visibility,
            )
        )
    DirectUpload.objects.bulk_create([o for o in outcomes if isinstance(o, DirectUpload)])
    return [
        o if isinstance(o, ValidationError) else (o, storage.presigned_post(o.key, o.content_type))
        for o in outcomes
    ]


@transaction.atomic
def direct_uploads_confirm(
    *, owner, keys: Sequence[str]
) -> dict[str, DirectUpload | ValidationError]:
    """The browser says these files have arrived at their keys: queue, for each, the job that
    checks and stores it. Whether a file is there is the worker's to find out (it reads the
    object anyway, and refuses one that never arrived, which the page and /jobs/ then say):
    a HEAD here was most of a confirmation's cost.

    Refuses (a ValidationError, its code for the view) a key the site did not issue
    ("unknown"), issued to someone else ("not_yours"), or confirmed already ("used").
    """
    found = DirectUpload.objects.select_for_update().filter(key__in=keys).in_bulk(field_name="key")
    outcomes: dict[str, DirectUpload | ValidationError] = {}
    for key in keys:
        upload = found.get(key)
        if upload is None:
            outcomes[key] = ValidationError("The site issued no upload with this key.", "unknown")
        elif upload.owner_id != owner.pk:
            outcomes[key] = ValidationError("This upload was issued to someone else.", "not_yours")
        elif upload.confirmed_at:  # before, or earlier in this list
            outcomes[key] = ValidationError("This upload has been confirmed already.", "used")
        else:
            # The worker's check, as a job: /jobs/ follows it and says why a file was refused.
            upload.job = job_start(
                user=owner,
                name=f"Check and store {upload.original_name}",
                task_name="images.store_direct_upload",
                arguments=[[upload.pk]],
            )
            upload.confirmed_at = timezone.now()
            # A row's UPDATE each: bulk_update's CASE costs more to build than it saves
            # for the few files a confirmation carries.
            upload.save(update_fields=["job", "confirmed_at"])
            outcomes[key] = upload
    return outcomes
