"""Storing a file the browser sent straight to the bucket: the work the
images.store_direct_upload task runs.

The file is checked and stored exactly as an upload through the site is, by the same function
(services.image_create: type by content, pixel limit, metadata stripped, a content-addressed key
shared by identical files), from a local copy that is never larger than IMAGE_MAX_UPLOAD_BYTES.
The incoming object is deleted once the outcome is final, stored or refused; until then (a
storage error, which the task retries) it stays for the retry, and the reaper deletes whatever
is left under incoming/ after IMAGE_INCOMING_GRACE_HOURS.
"""

import shutil
import tempfile
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from . import containers
from .models import DirectUpload
from .validation import max_upload_bytes


class UploadRefused(Exception):
    """The file is not one we accept: retrying will not help. The message says why, and the
    jobs page shows it."""


def local_copy(upload: DirectUpload, local: BinaryIO) -> File:
    """The incoming object as an uploaded file: its real size, and no byte at all when that is
    over the limit (validation then refuses it by its size, reading nothing)."""
    size = default_storage.size(upload.key)
    if size <= max_upload_bytes():
        with default_storage.open(upload.key, "rb") as remote:
            shutil.copyfileobj(remote, local, containers.BLOCK)
        size = local.tell()  # what was read, should the object have changed since
    local.seek(0)
    file = File(local, name=upload.original_name)
    file.size = size
    return file


def refuse(upload: DirectUpload, reason: str) -> None:
    reason = reason[:500]
    DirectUpload.objects.filter(pk=upload.pk).update(error=reason)
    upload.error = reason


def store(upload: DirectUpload) -> None:
    """Make the upload's Image, or record why not."""
    from . import services  # which imports tasks, which import this module

    if not default_storage.exists(upload.key):
        refuse(upload, "The file never arrived, or waited too long to be checked; send it again.")
        return
    with tempfile.TemporaryFile() as local:
        file = local_copy(upload, local)
        try:
            with transaction.atomic():
                image = services.image_create(
                    owner=upload.owner,
                    file=file,
                    description=upload.description,
                    visibility=upload.visibility,
                )
                DirectUpload.objects.filter(pk=upload.pk).update(image=image)
        except ValidationError as error:
            refuse(upload, " ".join(error.messages))
            return
    upload.image = image


def store_direct_upload(*, upload_id: int) -> dict:
    """Check and store the file of a confirmed upload. Idempotent: an upload already stored or
    refused is not checked again; its incoming object is deleted (again) either way."""
    upload = DirectUpload.objects.select_related("owner").filter(pk=upload_id).first()
    if upload is None:
        return {"upload": upload_id, "status": "gone"}
    if not upload.image_id and not upload.error:
        store(upload)
    default_storage.delete(upload.key)
    if upload.error:
        raise UploadRefused(f"{upload.original_name}: {upload.error}")
    return {"upload": upload_id, "status": "stored", "image": upload.image_id}
