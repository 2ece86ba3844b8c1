"""Through moto's S3 server over HTTP. moto does not check signatures or expiry (real S3 does),
so these tests check what a presigned URL says, not that S3 enforces it."""

import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import boto3
import pytest

from guidebook.images import storage

from .factories import UserFactory, create_image, gps_exif, image_bytes

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


def signed_at(url: str) -> datetime:
    stamp = parse_qs(urlparse(url).query)["X-Amz-Date"][0]
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def wait_for_new(render: Callable[[], str], old: str, timeout: float = 5) -> str:
    deadline = time.monotonic() + timeout
    while (new := render()) == old:
        assert time.monotonic() < deadline, f"every render for {timeout} s gave the same URL"
        time.sleep(0.05)
    return new


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our moto server
        return response.read()


def test_upload_to_s3_stores_the_detected_type_and_serves_presigned_urls_only(
    s3_storage, s3_bucket, moto_s3_endpoint, settings
):
    image = create_image(data=image_bytes("PNG", exif=gps_exif()), name="photo.jpg")
    assert not storage.is_local()
    head = boto3.client("s3", endpoint_url=moto_s3_endpoint).head_object(
        Bucket=s3_bucket, Key=image.file.name
    )
    assert head["ContentType"] == "image/png"  # detected, though the upload was named .jpg

    url = storage.file_url(image.file.name, private=False)
    query = parse_qs(urlparse(url).query)
    assert query["X-Amz-Expires"] == [str(settings.AWS_QUERYSTRING_EXPIRE)]
    assert "X-Amz-Signature" in query
    body = fetch(url)
    assert body.startswith(b"\x89PNG") and b"GPS" not in body

    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(url.split("?", 1)[0])
    assert refused.value.code == 403


def test_private_image_page_carries_a_fresh_presigned_url_on_each_render(
    s3_storage, client, settings
):
    owner = UserFactory()
    image = create_image(owner=owner, data=image_bytes(color=(1, 2, 250)), visibility="private")
    client.force_login(owner)

    def src() -> str:
        html = client.get(image.get_absolute_url()).content.decode()
        return re.search(r'<img src="([^"]+)"', html).group(1).replace("&amp;", "&")

    before = datetime.now(UTC).replace(microsecond=0)
    first = src()
    assert signed_at(first) >= before  # signed for this render, not kept from an earlier one
    # SigV4 dates have one-second resolution: once the signing clock ticks, a render signs anew.
    second = wait_for_new(src, first)
    assert signed_at(second) > signed_at(first)
    for url in (first, second):
        assert parse_qs(urlparse(url).query)["X-Amz-Expires"] == [
            str(settings.AWS_QUERYSTRING_EXPIRE)
        ]
        assert fetch(url).startswith(b"\xff\xd8")


def test_renditions_and_deletion_work_on_s3(s3_storage, django_capture_on_commit_callbacks):
    from guidebook.images import services

    with django_capture_on_commit_callbacks(execute=True):
        image = create_image(data=image_bytes(size=(1800, 1200), color=(90, 1, 1)))
    names = [image.file.name, *image.renditions.values_list("file", flat=True)]
    assert len(names) == 5 and all(s3_storage.exists(name) for name in names)
    webp = image.renditions.get(spec="400w.webp")
    assert fetch(s3_storage.url(webp.file.name))[8:12] == b"WEBP"

    with django_capture_on_commit_callbacks(execute=True):
        services.image_delete(image=image)
    assert not any(s3_storage.exists(name) for name in names)


def test_reaper_walks_the_bucket(s3_storage):
    from django.core.files.base import ContentFile

    from guidebook.images import reaper

    image = create_image(data=image_bytes(color=(91, 1, 1)))
    orphan = s3_storage.save("renditions/ff/orphan/400w.jpg", ContentFile(b"z"))
    report = reaper.reap_orphaned_files(grace_hours=0)
    assert (report.scanned, report.referenced, report.deleted) == (2, 1, 1)
    assert not s3_storage.exists(orphan) and s3_storage.exists(image.file.name)
