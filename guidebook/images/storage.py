"""URLs for stored image files, fresh on every render.

- S3 (django-storages): the bucket is private, so every URL is presigned by `storage.url()` (SigV4,
  expiring after AWS_QUERYSTRING_EXPIRE). Public images get presigned URLs too; a CDN or a
  public-read prefix would be the upgrade if caching across renders matters.
- Local disk: private files get a signed, expiring token URL (`images:file`) served by a view;
  public files get a plain, stable URL (`images:media`) served by a view that checks the file
  belongs to a public image. Both views send the detected content type and `nosniff`; whitenoise
  does not serve media, and no route serves MEDIA_ROOT itself (MEDIA_URL is images:media).
"""

import mimetypes

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.urls import reverse

SIGNING_SALT = "guidebook.images.file"
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}


def is_local(storage=None) -> bool:
    """Whether files live on this machine's disk (the only case where we serve them)."""
    storage = storage or default_storage
    try:
        storage.path("probe")
    except NotImplementedError:
        return False
    return True


def sign_name(name: str) -> str:
    return signing.dumps(name, salt=SIGNING_SALT, compress=False)


def unsign_name(token: str, max_age: int | None = None) -> str:
    """The file name in a token; raises signing.BadSignature (or SignatureExpired)."""
    expire = settings.IMAGE_SIGNED_URL_EXPIRE if max_age is None else max_age
    return signing.loads(token, salt=SIGNING_SALT, max_age=expire)


def file_url(name: str, *, private: bool) -> str:
    if not is_local():
        return default_storage.url(name)
    if private:
        return reverse("images:file", args=[sign_name(name)])
    return reverse("images:media", args=[name])


def content_type_for(name: str) -> str:
    extension = name.rpartition(".")[2].lower()
    return (
        CONTENT_TYPES.get(extension) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    )
