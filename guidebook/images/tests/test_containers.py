"""No location metadata in any file we serve: originals (rewritten losslessly) and renditions."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from guidebook.images import containers
from guidebook.images.services import image_create

from .factories import UserFactory, gps_exif, image_bytes, upload

pytestmark = pytest.mark.django_db


def assert_no_location(data: bytes) -> None:
    image = PILImage.open(io.BytesIO(data))
    assert not image.getexif().get_ifd(0x8825)
    assert "xmp" not in image.info and "XML:com.adobe.xmp" not in image.info
    assert b"GPS" not in data


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_gps_is_removed_from_the_stored_original_and_other_exif_kept(fmt):
    data = image_bytes(fmt, exif=gps_exif(), xmp=b"<x:xmpmeta>exif:GPSLatitude</x:xmpmeta>")
    assert PILImage.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the test file has GPS
    image = image_create(owner=UserFactory(), file=upload(data, "holiday.jpg"))
    with default_storage.open(image.file.name) as stored:
        stored_bytes = stored.read()
    assert_no_location(stored_bytes)
    assert PILImage.open(io.BytesIO(stored_bytes)).getexif()[0x010F] == "Guidebook test camera"


def test_gps_tagged_jpeg_has_no_gps_in_any_rendition_and_orientation_is_applied(
    django_capture_on_commit_callbacks,
):
    # Orientation 6: the camera was turned a quarter; 640x480 stored means 480x640 on display.
    data = image_bytes(size=(640, 480), exif=gps_exif(orientation=6))
    with django_capture_on_commit_callbacks(execute=True):
        image = image_create(owner=UserFactory(), file=upload(data))
    renditions = list(image.renditions.all())
    assert len(renditions) == 4
    for rendition in renditions:
        with default_storage.open(rendition.file.name) as stored:
            rendered = stored.read()
        assert_no_location(rendered)
        opened = PILImage.open(io.BytesIO(rendered))
        assert not opened.getexif()  # no EXIF at all, orientation included
        assert opened.height > opened.width  # upright


def test_image_data_is_copied_unchanged_when_there_is_no_metadata():
    data = image_bytes(size=(300, 200), noise=True)
    out = io.BytesIO()
    result = containers.copy_without_location(io.BytesIO(data), out, "JPEG")
    assert out.getvalue() == data
    assert result.size == len(data)


def test_secondary_images_after_a_jpeg_are_dropped_not_refused():
    # Cameras store extra pictures (MPF, gain maps) after the first image's end.
    data = image_bytes() + image_bytes(size=(64, 48))
    out = io.BytesIO()
    containers.copy_without_location(io.BytesIO(data), out, "JPEG")
    assert out.getvalue() == image_bytes()


def test_progressive_jpeg_is_walked_to_its_end():
    data = image_bytes(size=(500, 400), noise=True, progressive=True)
    out = io.BytesIO()
    containers.copy_without_location(io.BytesIO(data), out, "JPEG")
    assert out.getvalue() == data


def test_xmp_is_dropped_from_a_gif():
    gif = image_bytes("GIF")
    magic_trailer = bytes(range(255, -1, -1)) + b"\x00"  # makes raw XMP parse as sub-blocks
    xmp = b"!\xff\x0bXMP DataXMP" + b"<x:xmpmeta>GPS</x:xmpmeta>" + magic_trailer
    with_xmp = gif[:-1] + xmp + b";"
    out = io.BytesIO()
    containers.copy_without_location(io.BytesIO(with_xmp), out, "GIF")
    assert out.getvalue() == gif
