"""Renditions: pure functions from an image file to encoded bytes.

Speed comes from decoding less: a JPEG is decoded by libjpeg at the smallest DCT scale that is still
at least as large as the biggest rendition (draft mode), and resizing first reduces by whole factors
(`reducing_gap`) before the Lanczos filter. See bench/renditions.py.
"""

import io
from dataclasses import dataclass
from typing import Any, BinaryIO

from PIL import Image as PILImage
from PIL import ImageOps

WIDTHS = (400, 1600)
ORIENTATION = 0x0112
# EXIF orientations that turn the picture a quarter: width and height swap on display.
QUARTER_TURNS = {5, 6, 7, 8}
REDUCING_GAP = 2.0
# WebP method 2 instead of the default 4: about 2.5x faster to encode for files about 4% larger
# (measured on bench/renditions.py's photo), which keeps upload -> renditions well under a second.
ENCODERS: dict[str, dict[str, Any]] = {
    "webp": {"format": "WEBP", "quality": 80, "method": 2},
    "jpeg": {"format": "JPEG", "quality": 85},
    "png": {"format": "PNG", "compress_level": 6},
}
EXTENSIONS = {"webp": "webp", "jpeg": "jpg", "png": "png"}
# libwebp's limit on either side; JPEG's (65,535) and PNG's are larger, so WebP decides.
MAX_RENDITION_SIDE = 16383


class CannotRender(ValueError):
    """This image's renditions cannot be made; the message says why, in words for people."""


def display_size(width: int, height: int, orientation: int | None) -> tuple[int, int]:
    """The size the picture is shown at, once its EXIF orientation is applied."""
    return (height, width) if orientation in QUARTER_TURNS else (width, height)


def unrenderable_reason(width: int, height: int, widths: tuple[int, ...] = WIDTHS) -> str | None:
    """Why renditions of a picture shown at width x height cannot be made, or None if they can.

    Each rendition is resize_to_width()'s: `min(width, target)` wide, its height in proportion.
    """
    for target in widths:
        rendition_width = min(width, target)
        rendition_height = round(height * rendition_width / width)
        size = f"The image is {width:,} x {height:,} pixels"
        if rendition_height < 1:
            return (
                f"{size}: so wide for its height that a {rendition_width:,}-pixel-wide version "
                "would be less than 1 pixel tall. Crop it to a less extreme shape and upload "
                "that."
            )
        if rendition_height > MAX_RENDITION_SIDE:
            return (
                f"{size}: its {rendition_width:,}-pixel-wide version would be "
                f"{rendition_height:,} pixels tall, and versions can be at most "
                f"{MAX_RENDITION_SIDE:,} pixels on a side. Crop it to a less extreme shape and "
                "upload that."
            )
    return None


@dataclass(frozen=True)
class RenditionSpec:
    width: int
    format: str  # webp, jpeg or png

    @property
    def name(self) -> str:
        return f"{self.width}w.{EXTENSIONS[self.format]}"


@dataclass(frozen=True)
class Rendered:
    spec: RenditionSpec
    data: bytes
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return f"image/{self.spec.format}"


def has_alpha(image: PILImage.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def specs_for(alpha: bool, widths: tuple[int, ...] = WIDTHS) -> list[RenditionSpec]:
    """WebP for browsers that take it, and JPEG (PNG when there is transparency) for the rest."""
    fallback = "png" if alpha else "jpeg"
    return [RenditionSpec(width, fmt) for width in widths for fmt in ("webp", fallback)]


def decode(src: BinaryIO, max_width: int) -> PILImage.Image:
    """The first frame, upright, in RGB or RGBA, no larger than needed for `max_width`."""
    image = PILImage.open(src)
    turned = image.getexif().get(ORIENTATION) in QUARTER_TURNS
    display_width, display_height = (image.height, image.width) if turned else image.size
    if image.format == "JPEG" and display_width > max_width:
        target_height = max(1, round(display_height * max_width / display_width))
        size = (target_height, max_width) if turned else (max_width, target_height)
        image.draft("RGB", size)
    alpha = has_alpha(image)
    ImageOps.exif_transpose(image, in_place=True)
    mode = "RGBA" if alpha else "RGB"
    return image if image.mode == mode else image.convert(mode)


def resize_to_width(image: PILImage.Image, width: int) -> PILImage.Image:
    """Scale down to `width`; never up (a small original keeps its size)."""
    if image.width <= width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), PILImage.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)


def encode(image: PILImage.Image, image_format: str, icc_profile: bytes | None) -> bytes:
    """Encode with no metadata except the colour profile (which carries no personal data)."""
    out = io.BytesIO()
    options = dict(ENCODERS[image_format])
    if icc_profile:
        options["icc_profile"] = icc_profile
    image.save(out, **options)
    return out.getvalue()


def make_renditions(src: BinaryIO, widths: tuple[int, ...] = WIDTHS) -> list[Rendered]:
    """Every rendition of one image, decoding it once. Raises CannotRender."""
    source = decode(src, max(widths))
    if reason := unrenderable_reason(source.width, source.height, widths):
        raise CannotRender(reason)
    icc_profile = source.info.get("icc_profile")
    results = []
    resized_by_width: dict[int, PILImage.Image] = {}
    for spec in specs_for(source.mode == "RGBA", widths):
        if spec.width not in resized_by_width:
            resized = resize_to_width(source, spec.width)
            resized = source.copy() if resized is source else resized
            resized.info = {}  # no metadata of the original rides along
            resized_by_width[spec.width] = resized
        resized = resized_by_width[spec.width]
        results.append(
            Rendered(spec, encode(resized, spec.format, icc_profile), resized.width, resized.height)
        )
    return results


def make_one_rendition(src: BinaryIO, width: int, image_format: str) -> Rendered:
    """One rendition: what the benchmark measures against plain Pillow."""
    source = decode(src, width)
    icc_profile = source.info.get("icc_profile")
    resized = resize_to_width(source, width)
    resized.info = {}  # source's own info is no longer needed either
    spec = RenditionSpec(width, image_format)
    return Rendered(spec, encode(resized, image_format, icc_profile), resized.width, resized.height)
