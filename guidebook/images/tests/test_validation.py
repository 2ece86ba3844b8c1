"""A corpus of bad files, generated here, each refused with a message that says why."""

import pytest
from django.core.exceptions import ValidationError

from guidebook.images.models import Image
from guidebook.images.services import image_create
from guidebook.images.validation import clean_original_name, validate_image_file

from .factories import UserFactory, image_bytes, png_with_header, upload

pytestmark = pytest.mark.django_db


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"

BAD_FILES = {
    "empty": (b"", "empty.jpg", "empty"),
    "html named .jpg": (HTML, "innocent.jpg", "HTML document"),
    "svg with script": (SVG, "drawing.svg", "SVG drawing"),
    "plain text": (b"hello, world", "notes.png", "not an image"),
    "decompression bomb header": (png_with_header(30000, 30000), "bomb.png", "megapixels"),
    "just over the pixel limit": (png_with_header(8000, 7000), "big.png", "megapixels"),
    "truncated jpeg": (image_bytes(size=(800, 600), noise=True)[:-400], "cut.jpg", "truncated"),
    "png followed by html": (image_bytes("PNG") + HTML, "polyglot.png", "extra data"),
    "gif followed by a zip (GIFAR)": (
        image_bytes("GIF") + b"PK\x03\x04" + b"\x00" * 40,
        "gifar.gif",
        "extra data",
    ),
    "jpeg followed by html": (image_bytes() + HTML, "polyglot.jpg", "extra data"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_file_is_refused_with_a_reason_and_nothing_is_stored(case):
    data, name, reason = BAD_FILES[case]
    with pytest.raises(ValidationError) as refused:
        image_create(owner=UserFactory(), file=upload(data, name), description="bad")
    assert reason.lower() in " ".join(refused.value.messages).lower()
    assert not Image.objects.exists()


def test_file_over_the_size_limit_is_refused(settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError, match="limit is 1000"):
        validate_image_file(upload(image_bytes(size=(400, 400), noise=True)))


@pytest.mark.parametrize(
    "fmt,content_type",
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_accepted_formats_store_the_detected_content_type_whatever_the_name(fmt, content_type):
    image = image_create(owner=UserFactory(), file=upload(image_bytes(fmt), "misnamed.txt"))
    assert image.content_type == content_type
    assert image.file.name.endswith("." + {"JPEG": "jpg"}.get(fmt, fmt.lower()))


def test_traversal_filename_never_reaches_the_storage_key():
    image = image_create(owner=UserFactory(), file=upload(image_bytes(), "../../etc/passwd.jpg"))
    assert image.original_name == "passwd.jpg"
    assert image.file.name == f"originals/{image.sha256[:2]}/{image.sha256}.jpg"
    assert ".." not in image.file.name


def test_overlong_filename_is_truncated_and_keeps_its_extension():
    image = image_create(owner=UserFactory(), file=upload(image_bytes(), "x" * 300 + ".jpeg"))
    assert len(image.original_name) == 100
    assert image.original_name.endswith(".jpeg")
    assert image.sha256 in image.file.name


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("C:\\Users\\ada\\holiday.jpg", "holiday.jpg"),
        ("evil\x00name\u202e.jpg", "evilname.jpg"),
        ("  ..  ", "image"),
        ("", "image"),
    ],
)
def test_original_names_are_cleaned_for_display(raw, clean):
    assert clean_original_name(raw) == clean
