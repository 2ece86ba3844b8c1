"""Images made with Pillow in memory (never binary fixture files), and the Image factory."""

import io
import random
import struct
import zlib

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from guidebook.accounts.tests.factories import StaffFactory, UserFactory  # noqa: F401 (re-exported)
from guidebook.images import services
from guidebook.images.containers import png_chunk

GPS = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}


def image_bytes(
    fmt: str = "JPEG",
    size=(640, 480),
    color=(40, 120, 200),
    *,
    mode: str = "RGB",
    exif: PILImage.Exif | None = None,
    noise: bool = False,
    **options,
) -> bytes:
    image = PILImage.new(mode, size, color)
    if noise:  # photo-like content, so that sizes and hashes differ between images
        rng = random.Random(size[0] * 31 + size[1])
        pixels = image.load()
        for _ in range(200):
            pixels[rng.randrange(size[0]), rng.randrange(size[1])] = (255, 255, 255)[: len(mode)]
    out = io.BytesIO()
    if exif is not None:
        options["exif"] = exif
    image.save(out, fmt, **options)
    return out.getvalue()


def gps_exif(orientation: int | None = None) -> PILImage.Exif:
    exif = PILImage.Exif()
    exif[0x010F] = "Guidebook test camera"
    exif[0x8825] = dict(GPS)
    if orientation:
        exif[0x0112] = orientation
    return exif


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def create_image(owner=None, data: bytes | None = None, name: str = "photo.jpg", **fields):
    """An Image made the way the site makes them: through the upload service."""
    return services.image_create(
        owner=owner or UserFactory(),
        file=upload(data or image_bytes(), name),
        description=fields.pop("description", "A test image"),
        **fields,
    )


class ImageFactory(factory.Factory):
    """`ImageFactory()` uploads a generated JPEG through image_create()."""

    class Meta:
        model = dict  # built by create_image below

    owner = factory.SubFactory(UserFactory)
    description = factory.Sequence(lambda n: f"Test image {n}")
    visibility = "public"
    color = factory.Sequence(lambda n: ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256))

    @classmethod
    def _create(cls, model_class, *, color, **kwargs):
        return create_image(data=image_bytes(color=color), **kwargs)

    _build = _create


def png_with_header(width: int, height: int) -> bytes:
    """A PNG whose header declares width x height; the pixel data is a tiny stub."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + png_chunk(b"IEND", b"")
    )
