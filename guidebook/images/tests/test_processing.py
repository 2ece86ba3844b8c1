import io

from PIL import Image as PILImage

from guidebook.images import processing

from .factories import image_bytes


def rendered(data: bytes) -> dict[str, processing.Rendered]:
    return {item.spec.name: item for item in processing.make_renditions(io.BytesIO(data))}


def test_a_large_jpeg_gets_400_and_1600_pixel_webp_and_jpeg():
    renditions = rendered(image_bytes(size=(3200, 2400)))
    assert {name: (r.width, r.height) for name, r in renditions.items()} == {
        "400w.webp": (400, 300),
        "400w.jpg": (400, 300),
        "1600w.webp": (1600, 1200),
        "1600w.jpg": (1600, 1200),
    }
    assert PILImage.open(io.BytesIO(renditions["400w.webp"].data)).format == "WEBP"
    assert PILImage.open(io.BytesIO(renditions["1600w.jpg"].data)).format == "JPEG"


def test_a_small_image_is_never_upscaled():
    renditions = rendered(image_bytes(size=(300, 200)))
    assert {(r.width, r.height) for r in renditions.values()} == {(300, 200)}


def test_transparency_gives_png_instead_of_jpeg():
    renditions = rendered(image_bytes("PNG", mode="RGBA", color=(10, 20, 30, 0)))
    assert sorted(renditions) == ["1600w.png", "1600w.webp", "400w.png", "400w.webp"]
    assert PILImage.open(io.BytesIO(renditions["400w.png"].data)).mode == "RGBA"


def test_an_animation_renders_its_first_frame():
    frames = [PILImage.new("RGB", (120, 80), color) for color in ("red", "blue", "green")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    renditions = rendered(out.getvalue())
    first = PILImage.open(io.BytesIO(renditions["400w.jpg"].data)).convert("RGB")
    assert getattr(first, "n_frames", 1) == 1
    red, green, blue = first.getpixel((60, 40))
    assert red > 200 and green < 60 and blue < 60


def test_colour_profile_is_kept_and_nothing_else():
    icc = PILImage.open(io.BytesIO(image_bytes())).info.get("icc_profile")
    assert icc is None  # Pillow writes none by default; give it one
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    renditions = rendered(image_bytes(icc_profile=profile))
    for item in renditions.values():
        assert PILImage.open(io.BytesIO(item.data)).info.get("icc_profile") == profile
