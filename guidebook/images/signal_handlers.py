"""File cleanup: a deleted row's files go once the transaction commits, unless still shared.

On commit, not at once: a rolled-back delete must find its files still there. The check for other
rows runs after the commit too, so it sees the committed state. Slow or failed deletions leave
orphans behind, which the reaper (`manage.py reap_orphans`) removes later.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete

from guidebook.core.caching import invalidate_on_change

from .files import delete_files_if_unreferenced
from .models import Image, Rendition


def delete_file_on_commit(sender, instance, origin=None, **kwargs):
    transaction.on_commit(partial(delete_files_if_unreferenced, [instance.file.name]), robust=True)


def image_topics(image: Image) -> list[str]:
    return ["images", f"image:{image.pk}", f"user:{image.owner_id}:images"]


def rendition_topics(rendition: Rendition) -> list[str]:
    try:
        return image_topics(rendition.image)
    except Image.DoesNotExist:  # deleted with its image, which invalidated them
        return []


def connect() -> None:
    # The cached image pages (core/caching.py): the index, the image's own page and its
    # owner's "my images".
    invalidate_on_change(Image, image_topics)
    invalidate_on_change(Rendition, rendition_topics)
    post_delete.connect(
        delete_file_on_commit, sender=Image, dispatch_uid="images.delete_image_file"
    )
    post_delete.connect(
        delete_file_on_commit, sender=Rendition, dispatch_uid="images.delete_rendition_file"
    )
