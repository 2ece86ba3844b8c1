"""Writes on images: create, update, delete, and queueing their renditions."""

import tempfile

from django.core.files import File
from django.db import transaction

from guidebook.events.services import publish
from guidebook.jobs.services import job_start

from . import containers, tasks
from .files import store_once
from .models import Image, original_key
from .validation import clean_original_name, validate_image_file


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
