"""`{% picture image %}`: a <picture> with WebP and JPEG/PNG srcsets, URLs signed per render."""

from django import template

from .. import processing, storage
from ..models import Image

register = template.Library()

DEFAULT_SIZES = "(max-width: 640px) 100vw, 400px"


def srcset(renditions, private: bool) -> str:
    return ", ".join(
        f"{storage.file_url(r.file.name, private=private)} {r.width}w" for r in renditions
    )


@register.inclusion_tag("images/_picture.html")
def picture(image: Image, sizes: str = DEFAULT_SIZES, eager: bool = False):
    # .all() uses the prefetched renditions from Image.objects.for_display().
    renditions = sorted(image.renditions.all(), key=lambda r: r.width)
    webp = [r for r in renditions if r.format == "webp"]
    fallback = [r for r in renditions if r.format != "webp"]
    private = image.is_private
    if fallback:
        smallest = fallback[0]
        src, width, height = (
            storage.file_url(smallest.file.name, private=private),
            smallest.width,
            smallest.height,
        )
    else:  # renditions not made yet: the original, which is free of location data too
        src, width, height = (
            storage.file_url(image.file.name, private=private),
            image.width,
            image.height,
        )
    return {
        "image": image,
        "webp_srcset": srcset(webp, private),
        "fallback_srcset": srcset(fallback, private),
        "src": src,
        "width": width,
        "height": height,
        "sizes": sizes,
        "loading": "eager" if eager else "lazy",
    }


def thumbnail_url(image: Image) -> str:
    """The smallest JPEG or PNG rendition's URL (a <picture>'s <img>), for an image whose
    renditions are ready."""
    smallest = min((r for r in image.renditions.all() if r.format != "webp"), key=lambda r: r.width)
    return storage.file_url(smallest.file.name, private=image.is_private)


@register.simple_tag
def original_url(image: Image) -> str:
    return storage.file_url(image.file.name, private=image.is_private)


@register.filter
def renditions_ready(image: Image) -> bool:
    """Whether all the image's renditions exist. Counts rows (prefetched by for_display()):
    the task stores each file before it saves the row, so a row means its file is there."""
    return len(image.renditions.all()) >= len(processing.WIDTHS) * 2


@register.filter
def renditions_pending(image: Image) -> bool:
    """Renditions still to come: not all there, and not failed for good."""
    return not image.renditions_error and not renditions_ready(image)
