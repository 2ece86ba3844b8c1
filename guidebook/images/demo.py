"""Demo images for the embedded profile: landscapes drawn with Pillow for the demo readers."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageDraw

from guidebook.accounts.models import User

from .models import Image
from .services import image_create

# (owner, description, sky colour, ground colour, visibility)
DEMO_IMAGES = [
    ("ada", "Dawn over the engine house", (244, 176, 120), (60, 80, 60), "public"),
    ("ada", "Harbour at noon", (120, 180, 235), (40, 90, 140), "public"),
    ("grace", "Night shift at the lab", (20, 30, 70), (50, 50, 60), "public"),
    ("grace", "Sketch of a moth, kept private", (230, 230, 210), (150, 140, 120), "private"),
    ("linus", "Orange grove in the valley", (250, 210, 140), (90, 130, 50), "public"),
    ("linus", "Crystal lattice by the window", (200, 220, 240), (120, 120, 160), "public"),
]


def landscape(sky, ground, seed: int) -> bytes:
    """A small scene: a vertical sky gradient, hills, a sun. JPEG bytes."""
    width, height = 1600, 1067
    image = PILImage.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    for y in range(height // 2):
        fade = y / (height / 2)
        draw.line([(0, y), (width, y)], fill=tuple(int(c * (1 - 0.35 * fade)) for c in sky))
    draw.ellipse(
        [width * 0.65, height * 0.12, width * 0.65 + 140, height * 0.12 + 140], fill=(255, 240, 200)
    )
    for hill in range(3):
        top = height * (0.45 + 0.1 * hill) + (seed * 17 % 40)
        shade = tuple(max(0, c - 25 * hill) for c in ground)
        draw.polygon(
            [
                (0, height),
                (0, top + 60),
                (width * (0.3 + 0.2 * hill), top),
                (width, top + 90),
                (width, height),
            ],
            fill=shade,
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def seed(*, stdout) -> None:
    made = 0
    for number, (username, description, sky, ground, visibility) in enumerate(DEMO_IMAGES):
        owner = User.objects.filter(username=username).first()
        if owner is None or Image.objects.filter(owner=owner, description=description).exists():
            continue
        data = landscape(sky, ground, number)
        image_create(
            owner=owner,
            file=SimpleUploadedFile(f"demo-{number}.jpg", data),
            description=description,
            visibility=visibility,
        )
        made += 1
    stdout.write(f"  images: {made} new, {Image.objects.count()} in all")
