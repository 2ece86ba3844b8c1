"""Making an image's renditions: the work the images.generate_renditions task runs."""

import shutil
import tempfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError

from . import containers, processing
from .files import store_once
from .models import Image, Rendition, rendition_key


class UnrenderableImage(Exception):
    """The stored original cannot be decoded: retrying will not help."""


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
        raise UnrenderableImage(f"image {image_id} has no stored original")
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
