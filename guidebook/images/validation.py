"""Decide whether an uploaded file is an image we accept, by its content, never by its name.

Each refusal is a ValidationError whose message says why, so that the uploader can act on it.
The container walk in containers.py adds the checks that need the whole file (trailing data,
truncation) while it copies the file.
"""

import logging
import os
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image as PILImage

from . import containers, processing
from .models import FORMATS

logger = logging.getLogger(__name__)

ACCEPTED = "JPEG, PNG, GIF and WebP"
ACCEPTED_TYPES = frozenset(content_type for content_type, _ in FORMATS.values())


@dataclass(frozen=True)
class CheckedImage:
    format: str  # Pillow's name: JPEG, PNG, GIF, WEBP
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][0]


def max_upload_bytes() -> int:
    return settings.IMAGE_MAX_UPLOAD_BYTES


def max_pixels() -> int:
    return settings.IMAGE_MAX_PIXELS


def sniff_format(head: bytes) -> str | None:
    """The image format named by the file's first bytes (its "magic number")."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def describe_unaccepted(head: bytes) -> str:
    """A refusal that names what the file looks like, when we can tell."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in text or (text.startswith(b"<?xml") and b"svg" in text):
        what = "an SVG drawing, which can carry scripts"
    elif text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")) or (
        b"<html" in text or b"<script" in text
    ):
        what = "an HTML document"
    elif head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif", b"ftyphevc"):
        what = "a HEIC/AVIF photo, which we cannot read yet (export it as JPEG)"
    elif head.startswith(b"%PDF"):
        what = "a PDF document"
    else:
        what = "not an image we can read"
    return f"This file is {what}. Only {ACCEPTED} images are accepted."


def validate_size(file) -> None:
    check_size(file.size, exceeded=getattr(file, "exceeded_limit", False))


def check_size(size: int, *, exceeded: bool = False) -> None:
    if not size:
        raise ValidationError("The file is empty.", code="empty")
    limit = max_upload_bytes()
    if size > limit or exceeded:
        raise ValidationError(
            f"The file is {filesizeformat(size)}; the limit is {filesizeformat(limit)}.",
            code="too_large",
        )


def check_declared_type(content_type: str) -> None:
    """The type a browser declares for a file it is about to send straight to the bucket, whose
    policy requires one of ours; the content is checked all the same once it has arrived."""
    if content_type not in ACCEPTED_TYPES:
        said = f"its type is {content_type}" if content_type else "its type is unknown"
        raise ValidationError(
            f"This file is not an image we accept ({said}). Only {ACCEPTED} images are accepted.",
            code="unsupported_type",
        )


def too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        f"The image is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels); "
        f"the limit is {max_pixels() / 1e6:.0f} megapixels.",
        code="too_many_pixels",
    )


def unreadable(exc: Exception, image_format: str) -> ValidationError:
    """A refusal for a file Pillow cannot read, in words the uploader can act on."""
    said = str(exc)
    if "MAX_TEXT" in said:  # PngImagePlugin's limits on text chunks (comments, XMP, EXIF text)
        return ValidationError(
            "The PNG image carries more text metadata than we accept. Save or export it again "
            "without metadata, then upload that.",
            code="too_much_metadata",
        )
    if isinstance(exc, OSError) and "truncated" in said:
        return ValidationError(
            "The file is truncated: it ends before the image does.", code="truncated"
        )
    if isinstance(exc, PILImage.UnidentifiedImageError):
        return ValidationError(
            f"The file starts like a {image_format} image but is not one we can read. "
            "It may be damaged or incomplete: open it in an image editor, save it again and "
            "upload that.",
            code="unreadable",
        )
    return ValidationError(
        f"The {image_format} image is damaged or truncated and cannot be read. Open it in an "
        "image editor, save it again and upload that.",
        code="unreadable",
    )


def open_checked(stream: BinaryIO, image_format: str) -> PILImage.Image:
    """Open with Pillow's decompression-bomb check as an error, not a warning."""
    stream.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        return PILImage.open(stream, formats=[image_format])


def check_decodes(stream: BinaryIO, image_format: str) -> None:
    """Prove the pixel data is readable, cheaply: JPEGs decode at 1/8 scale (draft mode),
    PNG chunks are checked against their CRCs, GIFs and WebPs decode their first frame (WebP has
    no cheaper check, and an image accepted must be one whose renditions can be made)."""
    image = open_checked(stream, image_format)
    if image_format == "JPEG":
        image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()
    elif image_format == "PNG":
        image.verify()
    elif image_format in ("GIF", "WEBP"):
        image.load()


def validate_image_file(file) -> CheckedImage:
    """Check an uploaded file: size, real type by content, pixel limit and readability."""
    validate_size(file)
    file.seek(0)
    head = file.read(64)
    image_format = sniff_format(head)
    if image_format is None:
        raise ValidationError(describe_unaccepted(head + file.read(960)), code="unsupported_type")
    try:
        image = open_checked(file, image_format)
        width, height = image.size
        if width * height > max_pixels():
            raise too_many_pixels(width, height)
        shown = processing.display_size(width, height, image.getexif().get(processing.ORIENTATION))
        if reason := processing.unrenderable_reason(*shown):
            raise ValidationError(reason, code="unrenderable")
        check_decodes(file, image_format)
    except ValidationError:
        raise
    except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError) as exc:
        raise ValidationError(
            f"The image has too many pixels; the limit is {max_pixels() / 1e6:.0f} megapixels.",
            code="too_many_pixels",
        ) from exc
    except Exception as exc:
        # Any failure to parse untrusted bytes is a refusal. Pillow's own words (reprs of the
        # upload, its module constants) are for the log; the uploader gets a reason to act on.
        logger.info("image refused: %r", exc)
        raise unreadable(exc, image_format) from exc
    finally:
        file.seek(0)
    return CheckedImage(format=image_format, width=width, height=height)


def validate_upload(file) -> CheckedImage:
    """validate_image_file() plus the checks the container walk makes (trailing data,
    truncation), storing nothing: for forms that must refuse before they save (the admin's)."""
    checked = validate_image_file(file)
    with open(os.devnull, "wb") as discard:
        containers.copy_image_only(file, discard, checked.format)
    file.seek(0)
    return checked


def clean_original_name(name: str, max_length: int = 100) -> str:
    """The uploader's file name for display: no directories, no control characters, short."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = " ".join(base.split()).strip(". ")
    if len(base) > max_length:
        stem, dot, extension = base.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            base = stem[: max_length - len(extension) - 1] + "." + extension
        else:
            base = base[:max_length]
    return base or "image"
