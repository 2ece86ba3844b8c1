"""Every refusal, through the upload page and the admin, says what a person can act on: no server
error, no Python repr, module path or Pillow constant in the page."""

import html
import re
import struct
import zlib

import pytest
from django.urls import reverse

from guidebook.images.containers import png_chunk
from guidebook.images.models import Image

from .factories import StaffFactory, UserFactory, image_bytes, png_with_header, upload

pytestmark = pytest.mark.django_db


def png_with_chunk_before_idat(chunk: bytes) -> bytes:
    png = image_bytes("PNG", size=(32, 32))
    ihdr_end = 8 + 8 + 13 + 4
    return png[:ihdr_end] + chunk + png[ihdr_end:]


def jpeg_with_damaged_exif() -> bytes:
    jpeg = image_bytes(size=(64, 64))
    exif = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\xff\xff\x00"  # claims 65,535 entries
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + jpeg[2:]


HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
HUGE_TEXT = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * (3 * 1024 * 1024)))

# name -> (bytes, file name, a phrase the refusal contains)
CORPUS = {
    "zero-byte": (b"", "nothing.jpg", "empty"),
    "non-image named .jpg": (HTML, "holiday.jpg", "HTML document"),
    "wrong type (PDF)": (b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF", "scan.png", "PDF"),
    "truncated JPEG": (image_bytes(size=(800, 600), noise=True)[:-400], "cut.jpg", "truncated"),
    "PNG signature, then garbage": (b"\x89PNG\r\n\x1a\n" + b"\x07" * 200, "broken.png", "PNG"),
    "JPEG start, then garbage": (b"\xff\xd8\xff" + b"\x07" * 200, "broken.jpg", "JPEG"),
    "decompression bomb": (png_with_header(30000, 30000), "bomb.png", "megapixels"),
    "huge text chunk PNG": (png_with_chunk_before_idat(HUGE_TEXT), "text.png", "text"),
    "polyglot PNG + HTML": (image_bytes("PNG") + HTML, "poly.png", "extra data"),
    "polyglot GIF + zip": (image_bytes("GIF") + b"PK\x03\x04" + b"\x00" * 40, "a.gif", "extra"),
}

INTERNALS = re.compile(
    r"UploadedFile|PngImagePlugin|MAX_TEXT|PIL\b|Pillow|Traceback|Error\b|Exception|"
    r"object at 0x|\bb'|\\x[0-9a-f]{2}|0x[0-9a-f]+|<[A-Za-z_]+[: ]|\w+\.\w+\(|"
    r"struct\.|unpack|requires a buffer|cannot identify"
)


def error_texts(page: str) -> list[str]:
    return [
        html.unescape(re.sub(r"<[^>]+>", " ", item))
        for item in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    ]


def assert_clear_refusal(response, name: str, phrase: str | None) -> None:
    assert response.status_code in (200, 400)
    page = response.content.decode()
    errors = " ".join(error_texts(page))
    assert errors.strip(), "the page names no error"
    assert not INTERNALS.search(errors), errors
    assert "UploadedFile" not in page and "MAX_TEXT" not in page and "PIL." not in page
    if phrase:
        assert phrase.lower() in errors.lower(), errors
    assert not Image.objects.exists()


@pytest.mark.parametrize("case", CORPUS, ids=list(CORPUS))
def test_upload_page_refuses_each_bad_file_clearly_and_keeps_what_was_typed(client, case):
    data, name, phrase = CORPUS[case]
    client.force_login(UserFactory())
    response = client.post(
        reverse("images:upload"),
        {"image": [upload(data, name)], "description": "Ridge <at> dawn", "visibility": "private"},
    )
    assert_clear_refusal(response, name, phrase)
    page = response.content.decode()
    assert 'value="Ridge &lt;at&gt; dawn"' in page
    assert re.search(r'<option value="private"[^>]*selected', page)


@pytest.mark.parametrize("case", CORPUS, ids=list(CORPUS))
def test_admin_add_refuses_each_bad_file_clearly(client, case):
    data, name, phrase = CORPUS[case]
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:images_image_add"),
        {
            "upload": upload(data, name),
            "owner": StaffFactory(username="owner").pk,
            "description": "From the admin",
            "visibility": "public",
        },
    )
    assert_clear_refusal(response, name, phrase)
    assert 'value="From the admin"' in response.content.decode()


def test_damaged_exif_is_dropped_and_the_image_kept(client):
    client.force_login(UserFactory())
    data = jpeg_with_damaged_exif()
    response = client.post(
        reverse("images:upload"), {"image": [upload(data, "exif.jpg")], "visibility": "public"}
    )
    assert response.status_code == 302
    image = Image.objects.get()
    with image.file.open("rb") as stored:
        assert b"Exif" not in stored.read()


def test_the_refused_file_is_named_escaped(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("images:upload"),
        {"image": [upload(HTML, "<img src=x onerror=alert(1)>.jpg")], "visibility": "public"},
    )
    page = response.content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.jpg: This file is an HTML document." in page
