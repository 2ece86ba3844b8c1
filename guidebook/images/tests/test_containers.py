"""No location metadata in any file we serve: originals (rewritten losslessly) and renditions."""

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageCms, ImageSequence

from guidebook.images import containers
from guidebook.images.containers import png_chunk
from guidebook.images.services import image_create

from .factories import UserFactory, gps_exif, image_bytes, upload

pytestmark = pytest.mark.django_db


def assert_no_location(data: bytes) -> None:
    image = PILImage.open(io.BytesIO(data))
    assert not image.getexif().get_ifd(0x8825)
    assert "xmp" not in image.info and "XML:com.adobe.xmp" not in image.info
    assert b"GPS" not in data


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_gps_is_removed_from_the_stored_original_and_only_orientation_kept(fmt):
    data = image_bytes(
        fmt, exif=gps_exif(orientation=3), xmp=b"<x:xmpmeta>exif:GPSLatitude</x:xmpmeta>"
    )
    assert PILImage.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the test file has GPS
    image = image_create(owner=UserFactory(), file=upload(data, "holiday.jpg"))
    with default_storage.open(image.file.name) as stored:
        stored_bytes = stored.read()
    assert_no_location(stored_bytes)
    assert dict(PILImage.open(io.BytesIO(stored_bytes)).getexif()) == {0x0112: 3}


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


def without_jfif(jpeg: bytes) -> bytes:
    """Pillow's JPEG minus its APP0 JFIF segment (density only), which we do not store."""
    assert jpeg[2:4] == b"\xff\xe0"
    return jpeg[:2] + jpeg[4 + int.from_bytes(jpeg[4:6], "big") :]


def test_image_data_is_copied_unchanged_when_there_is_no_metadata():
    data = image_bytes(size=(300, 200), noise=True)
    out = io.BytesIO()
    result = containers.copy_image_only(io.BytesIO(data), out, "JPEG")
    assert out.getvalue() == without_jfif(data)
    assert result.size == len(out.getvalue())


def test_secondary_images_after_a_jpeg_are_dropped_not_refused():
    # Cameras store extra pictures (MPF, gain maps) after the first image's end.
    data = image_bytes() + image_bytes(size=(64, 48))
    out = io.BytesIO()
    containers.copy_image_only(io.BytesIO(data), out, "JPEG")
    assert out.getvalue() == without_jfif(image_bytes())


def test_progressive_jpeg_is_walked_to_its_end():
    data = image_bytes(size=(500, 400), noise=True, progressive=True)
    out = io.BytesIO()
    containers.copy_image_only(io.BytesIO(data), out, "JPEG")
    assert out.getvalue() == without_jfif(data)


def test_xmp_is_dropped_from_a_gif():
    gif = image_bytes("GIF")
    magic_trailer = bytes(range(255, -1, -1)) + b"\x00"  # makes raw XMP parse as sub-blocks
    xmp = b"!\xff\x0bXMP DataXMP" + b"<x:xmpmeta>GPS</x:xmpmeta>" + magic_trailer
    with_xmp = gif[:-1] + xmp + b";"
    out = io.BytesIO()
    containers.copy_image_only(io.BytesIO(with_xmp), out, "GIF")
    assert out.getvalue() == gif


# ---------------------------------------------------------------- nothing nested or foreign
# A stored original holds the image data, its ICC profile and its orientation; a hostile
# editor's payload in any other segment, chunk or block never reaches the disk.
SCRIPT = b"<script>alert('stored')</script>"
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def frames(data: bytes) -> list[bytes]:
    with PILImage.open(io.BytesIO(data)) as image:
        return [frame.convert("RGBA").tobytes() for frame in ImageSequence.Iterator(image)]


def stored_copy(data: bytes, name: str) -> bytes:
    image = image_create(owner=UserFactory(), file=upload(data, name))
    with default_storage.open(image.file.name) as stored:
        return stored.read()


def assert_only_the_image_is_kept(original: bytes, stored: bytes, *, orientation=6, icc=ICC):
    assert SCRIPT in original and SCRIPT not in stored
    assert b"GPS" not in stored and b"Guidebook" not in stored
    assert frames(stored) == frames(original)  # the same pixels, every frame
    with PILImage.open(io.BytesIO(stored)) as opened:
        assert opened.info.get("icc_profile") == icc
        exif = opened.getexif()
        assert dict(exif) == ({0x0112: orientation} if orientation else {})
        assert not exif.get_ifd(0x8825) and not exif.get_ifd(0x8769)
        assert "xmp" not in opened.info and "comment" not in opened.info


def segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def exif_with_gps_thumbnail(orientation: int) -> bytes:
    """EXIF whose IFD0 has no GPS, and whose IFD1 thumbnail (a JPEG) has GPS and a script."""
    thumb_exif = gps_exif()
    thumb_exif[0x010E] = SCRIPT.decode()
    thumbnail = image_bytes(size=(16, 12), exif=thumb_exif)
    make = b"Guidebook camera\x00"
    ifd0_at, ifd1_at = 8, 8 + 2 + 2 * 12 + 4
    make_at = ifd1_at + 2 + 2 * 12 + 4
    thumb_at = make_at + len(make)
    tiff = b"MM\x00\x2a" + struct.pack(">I", ifd0_at)
    tiff += struct.pack(">H", 2)
    tiff += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)
    tiff += struct.pack(">HHII", 0x010F, 2, len(make), make_at)
    tiff += struct.pack(">I", ifd1_at)
    tiff += struct.pack(">H", 2)
    tiff += struct.pack(">HHII", 0x0201, 4, 1, thumb_at)
    tiff += struct.pack(">HHII", 0x0202, 4, 1, len(thumbnail))
    tiff += struct.pack(">I", 0)
    return b"Exif\x00\x00" + tiff + make + thumbnail


def hostile_jpeg() -> bytes:
    clean = image_bytes(size=(120, 80), noise=True, icc_profile=ICC)
    foreign = (
        segment(0xE1, exif_with_gps_thumbnail(orientation=6))
        + segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + SCRIPT + b"</x:xmpmeta>")
        + segment(0xEB, b"<html><body>" + SCRIPT + b"</body></html>")  # APP11
        + segment(0xED, b"Photoshop 3.0\x00" + SCRIPT)  # APP13
        + segment(0xFE, SCRIPT)  # COM
    )
    return clean[:2] + foreign + clean[2:]


def test_jpeg_keeps_image_icc_and_orientation_only():
    original = hostile_jpeg()
    with PILImage.open(io.BytesIO(original)) as opened:  # the thumbnail really has GPS
        assert opened.getexif()[0x0112] == 6
    assert original.count(b"\xff\xd8") == 2
    stored = stored_copy(original, "hostile.jpg")
    assert_only_the_image_is_kept(original, stored)
    assert stored.count(b"\xff\xd8") == 1  # no thumbnail rides along
    assert b"JFIF" not in stored and b"Photoshop" not in stored


def test_jpeg_adobe_colour_transform_is_kept():
    cmyk = image_bytes(size=(64, 48), mode="CMYK", color=(10, 200, 30, 5))
    assert b"Adobe" in cmyk
    stored = stored_copy(cmyk[:2] + segment(0xEC, SCRIPT) + cmyk[2:], "cmyk.jpg")
    assert b"Adobe" in stored and SCRIPT not in stored
    assert frames(stored) == frames(cmyk)


def hostile_png(**options) -> bytes:
    exif = gps_exif(orientation=6)
    exif[0x010E] = SCRIPT.decode()
    clean = image_bytes("PNG", size=(40, 30), noise=True, icc_profile=ICC, exif=exif, **options)
    foreign = (
        png_chunk(b"tEXt", b"Comment\x00" + SCRIPT)
        + png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(SCRIPT))
        + png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + SCRIPT)
        + png_chunk(b"prVt", SCRIPT)
    )
    iend = clean.rindex(b"IEND") - 4
    return clean[:iend] + foreign + clean[iend:]


def test_png_keeps_image_icc_and_orientation_only():
    original = hostile_png()
    stored = stored_copy(original, "hostile.png")
    assert_only_the_image_is_kept(original, stored)
    assert b"tEXt" not in stored and b"prVt" not in stored and b"zTXt" not in stored


def test_png_keeps_transparency_and_gamma():
    clean = image_bytes("PNG", size=(20, 10), mode="RGBA", color=(1, 2, 3, 100))
    ihdr_end = 8 + 8 + 13 + 4
    original = clean[:ihdr_end] + png_chunk(b"gAMA", struct.pack(">I", 45455)) + clean[ihdr_end:]
    stored = stored_copy(original, "alpha.png")
    assert b"gAMA" in stored and frames(stored) == frames(original)


def webp_with_chunk(webp: bytes, chunk: bytes) -> bytes:
    body = webp[12:] + chunk
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def hostile_webp() -> bytes:
    exif = gps_exif(orientation=6)
    exif[0x010E] = SCRIPT.decode()
    clean = image_bytes(
        "WEBP",
        size=(40, 30),
        noise=True,
        lossless=True,
        icc_profile=ICC,
        exif=exif,
        xmp=b"<x:xmpmeta>" + SCRIPT + b"</x:xmpmeta>",
    )
    html = b"<html>" + SCRIPT + b"</html>"
    return webp_with_chunk(clean, b"HTML" + struct.pack("<I", len(html)) + html + b"\x00")


def test_webp_keeps_image_icc_and_orientation_only_and_fixes_its_flags():
    original = hostile_webp()
    stored = stored_copy(original, "hostile.webp")
    assert_only_the_image_is_kept(original, stored)
    assert b"XMP " not in stored and b"HTML" not in stored
    flags = stored[stored.index(b"VP8X") + 8]
    assert flags & 0x20 and flags & 0x08 and not flags & 0x04  # ICC and EXIF, no XMP
    assert struct.unpack("<I", stored[4:8])[0] == len(stored) - 8


def test_animated_webp_keeps_its_frames():
    red, blue = PILImage.new("RGB", (20, 20), "red"), PILImage.new("RGB", (20, 20), "blue")
    out = io.BytesIO()
    red.save(out, "WEBP", save_all=True, append_images=[blue], loop=0, duration=100, lossless=True)
    original = webp_with_chunk(out.getvalue(), b"JUNK" + struct.pack("<I", 6) + b"<html>")
    stored = stored_copy(original, "animated.webp")
    assert b"<html>" not in stored and len(frames(stored)) == 2
    assert frames(stored) == frames(original)


def hostile_gif() -> bytes:
    first, second = PILImage.new("RGB", (20, 10), "red"), PILImage.new("RGB", (20, 10), "blue")
    out = io.BytesIO()
    first.save(
        out, "GIF", save_all=True, append_images=[second], loop=0, duration=120, comment=SCRIPT
    )
    clean = out.getvalue()
    foreign = (
        b"!\xff\x0bEVILAPPL1.0"
        + bytes((len(SCRIPT),))
        + SCRIPT
        + b"\x00"  # application ext.
        + b"!\x01\x0c"
        + b"\x00" * 12
        + bytes((len(SCRIPT),))
        + SCRIPT
        + b"\x00"  # plain text
        + b"!\xfe"
        + bytes((len(SCRIPT),))
        + SCRIPT
        + b"\x00"  # another comment
    )
    return clean[:-1] + foreign + b";"


def test_gif_keeps_frames_timing_and_looping_only():
    original = hostile_gif()
    stored = stored_copy(original, "hostile.gif")
    assert SCRIPT in original and SCRIPT not in stored and b"EVILAPPL" not in stored
    assert frames(stored) == frames(original) and len(frames(stored)) == 2
    with PILImage.open(io.BytesIO(stored)) as opened:
        assert opened.info["loop"] == 0 and opened.info["duration"] == 120
        assert "comment" not in opened.info
