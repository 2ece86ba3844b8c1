"""URLs for stored image files, fresh on every render.

- S3 (django-storages): the bucket is private, so every URL is presigned by `storage.url()` (SigV4,
  expiring after AWS_QUERYSTRING_EXPIRE). Public images get presigned URLs too; a CDN or a
  public-read prefix would be the upgrade if caching across renders matters.
- Direct uploads (S3 only): the browser sends each file straight to the bucket with a presigned
  POST whose policy names the key, the content type and the size range; see incoming.py.
- Local disk: private files get a signed, expiring token URL (`images:file`) served by a view;
  public files get a plain, stable URL (`images:media`) served by a view that checks the file
  belongs to a public image. Both views send the detected content type and `nosniff`; whitenoise
  does not serve media, and no route serves MEDIA_ROOT itself (MEDIA_URL is images:media).
"""

import mimetypes
from functools import cache
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core import signing
from django.core.files.storage import Storage, default_storage, storages
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

SIGNING_SALT = "guidebook.images.file"
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}


def is_local(storage=None) -> bool:
    """Whether files live on this machine's disk (the only case where we serve them): whether
    the storage has paths, which remote storages leave to Storage.path's NotImplementedError."""
    storage = storage or storages["default"]
    return type(storage).path is not Storage.path


def direct_uploads_enabled() -> bool:
    """Whether the upload page sends files straight to the bucket (S3, and not turned off)."""
    from storages.backends.s3 import S3Storage  # boto3, imported by the sites that use S3 only

    return settings.IMAGE_DIRECT_UPLOADS and isinstance(storages["default"], S3Storage)


def presigned_post(key: str, content_type: str) -> dict:
    """{"url", "fields"} for a browser to POST one file to `key` in the bucket. S3 refuses the
    POST unless it is to this key, with this content type, of 1 byte to IMAGE_MAX_UPLOAD_BYTES,
    within IMAGE_DIRECT_UPLOAD_EXPIRE seconds (boto3 adds the bucket and key conditions)."""
    bucket = storages["default"]
    return bucket.connection.meta.client.generate_presigned_post(
        Bucket=bucket.bucket_name,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", 1, settings.IMAGE_MAX_UPLOAD_BYTES],
        ],
        ExpiresIn=settings.IMAGE_DIRECT_UPLOAD_EXPIRE,
    )


def bucket_origin() -> str:
    """Where the browser sends presigned POSTs (and fetches presigned files) as an origin, for
    the upload page's Content-Security-Policy. Signing is local: nothing is sent to S3."""
    url = urlsplit(presigned_post("incoming/origin", "image/jpeg")["url"])
    return f"{url.scheme}://{url.netloc}"


def sign_name(name: str) -> str:
    return signing.dumps(name, salt=SIGNING_SALT, compress=False)


def unsign_name(token: str, max_age: int | None = None) -> str:
    """The file name in a token; raises signing.BadSignature (or SignatureExpired)."""
    expire = settings.IMAGE_SIGNED_URL_EXPIRE if max_age is None else max_age
    return signing.loads(token, salt=SIGNING_SALT, max_age=expire)


@cache
def route_around(route: str) -> tuple[str, str]:
    """The URL of a one-argument route, split where the argument goes: reverse() costs more
    than the rest of a picture's URL, and a page of pictures has hundreds (bench/breakdown.py)."""
    marker = "ARGUMENT"
    before, _, after = reverse(route, args=[marker]).partition(marker)
    return before, after


def route_url(route: str, argument: str) -> str:
    """reverse(route, args=[argument]), quoted as reverse() quotes it."""
    before, after = route_around(route)
    return before + quote(argument, safe=RFC3986_SUBDELIMS + "/~:@") + after


def file_url(name: str, *, private: bool) -> str:
    if not is_local():
        return default_storage.url(name)
    if private:
        return route_url("images:file", sign_name(name))
    return route_url("images:media", name)


def content_type_for(name: str) -> str:
    extension = name.rpartition(".")[2].lower()
    return (
        CONTENT_TYPES.get(extension) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    )
