"""Stored image files: content-addressed keys written once, and deleted only with their last
reference (identical uploads share one original and its renditions)."""

from django.core.files import File
from django.core.files.storage import default_storage

from .models import Image, Rendition


def save_with_content_type(name: str, content: File, content_type: str) -> str:
    # django-storages' S3Storage sends `content.content_type` as the object's ContentType.
    content.content_type = content_type  # type: ignore[attr-defined]
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


def file_is_referenced(name: str) -> bool:
    return Image.objects.filter(file=name).exists() or Rendition.objects.filter(file=name).exists()


def delete_files_if_unreferenced(names: list[str]) -> None:
    for name in names:
        if name and not file_is_referenced(name):
            default_storage.delete(name)
