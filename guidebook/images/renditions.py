"""Making an image's renditions: the work the images.generate_renditions task runs."""

import logging
import shutil
import tempfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError

from . import containers, processing
from .files import store_once
from .models import Image, Rendition, rendition_key

logger = logging.getLogger(__name__)


class UnrenderableImage(Exception):
    """The stored original cannot be decoded: retrying will not help."""


def record_failure(image: Image, reason: str) -> UnrenderableImage:
    """Keep the reason on the image, so that its page says it instead of waiting forever."""
    Image.objects.filter(pk=image.pk).update(renditions_error=reason)
    image.renditions_error = reason
    return UnrenderableImage(f"image {image.pk}: {reason}")


def rendition_files_present(image: Image) -> bool:
    names = [rendition.file.name for rendition in image.renditions.all()]
    expected = len(processing.WIDTHS) * 2
    return len(names) == expected and all(name and default_storage.exists(name) for name in names)


def generate_renditions(*, image_id: int, force: bool = False) -> dict:
    """Make the image's renditions. Idempotent: complete renditions are left alone (unless
    `force`, which remakes them in place), and a second run neither duplicates rows nor files."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return {"image": image_id, "status": "gone"}
    if not force and rendition_files_present(image):
        return {"image": image_id, "status": "unchanged"}
    if not image.file.name:
        raise record_failure(image, "The image has no stored original.")
    with tempfile.TemporaryFile() as local:
        # Storage errors here are worth a retry (the task retries them) ...
        with default_storage.open(image.file.name, "rb") as original:
            shutil.copyfileobj(original, local, containers.BLOCK)
        local.seek(0)
        try:
            rendered = processing.make_renditions(local)
        except processing.CannotRender as exc:
            raise record_failure(image, str(exc)) from exc
        except Exception as exc:
            # ... decoding errors are not: the same bytes fail the same way every time.
            logger.warning("image %s cannot be decoded: %r", image_id, exc)
            raise record_failure(
                image, "The stored file cannot be decoded as an image. Upload it again."
            ) from exc
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
    if image.renditions_error:
        Image.objects.filter(pk=image.pk).update(renditions_error="")
    return {"image": image_id, "status": "made", "renditions": len(rendered)}
