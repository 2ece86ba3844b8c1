"""Copy an uploaded image file container by container, without location metadata.

The original we store is the user's file with its image data untouched: we walk the format's
container (JPEG segments, PNG chunks, WebP RIFF chunks, GIF blocks) and copy it to a new file,

- removing the GPS directory from EXIF and dropping XMP, IPTC/Photoshop and comment blocks (any of
  them can carry a location, and we do not parse XML to find out);
- refusing data after the image's end (how polyglots such as "PNG followed by HTML" or GIFAR hide a
  second file) and files that stop before their end (truncated);
- computing the SHA-256 and size of the bytes written, which are the bytes we store, so the hash
  names the stored file and identical stored files share one key.

Everything streams in small blocks: a file is never read whole into memory.
"""

import hashlib
import re
import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from django.core.exceptions import ValidationError
from PIL import Image as PILImage

BLOCK = 1024 * 1024
GPS_IFD = 0x8825


@dataclass(frozen=True)
class CopyResult:
    sha256: str
    size: int


def refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def truncated() -> ValidationError:
    return refuse("The file is truncated: it ends before the image does.", "truncated")


def trailing_data() -> ValidationError:
    return refuse(
        "The file has extra data after the end of the image. That is how files that are both an "
        "image and something else (HTML, scripts, archives) are built, so it is refused.",
        "trailing_data",
    )


class Source:
    """A reader with a small buffer, so that parsers can peek and push back."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.buffer = b""

    def read(self, size: int) -> bytes:
        if len(self.buffer) < size:
            self.buffer += self.file.read(max(size - len(self.buffer), BLOCK))
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def read_exact(self, size: int) -> bytes:
        data = self.read(size)
        if len(data) < size:
            raise truncated()
        return data

    def unread(self, data: bytes) -> None:
        self.buffer = data + self.buffer

    def read_block(self) -> bytes:
        """Whatever is buffered, or the next block of the file."""
        if self.buffer:
            data, self.buffer = self.buffer, b""
            return data
        return self.file.read(BLOCK)

    def copy(self, size: int, sink: "Sink | None") -> None:
        """Copy exactly `size` bytes to `sink` (or skip them when sink is None)."""
        while size:
            data = self.read(min(size, BLOCK))
            if not data:
                raise truncated()
            if sink is not None:
                sink.write(data)
            size -= len(data)


class Sink:
    """Writes to the destination file while hashing and counting what was written."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.hash.update(data)
        self.size += len(data)


def exif_without_gps(data: bytes) -> bytes | None:
    """EXIF bytes (with or without the "Exif\\0\\0" prefix) minus the GPS directory.

    Returns None when there is no GPS directory, so callers keep the original bytes untouched.
    """
    exif = PILImage.Exif()
    try:
        exif.load(data)
    except Exception as exc:  # a damaged EXIF block is dropped below, not trusted
        raise refuse(f"The image's EXIF metadata is damaged ({exc}).", "bad_exif") from exc
    if GPS_IFD not in exif:
        return None
    # Delete without calling get_ifd() first: a loaded sub-directory would be written back.
    del exif[GPS_IFD]
    cleaned = exif.tobytes()
    return cleaned if data.startswith(b"Exif\x00\x00") else cleaned[6:]


def ensure_end(source: Source) -> None:
    if source.read(1):
        raise trailing_data()


# ------------------------------------------------------------------------------ JPEG
# A marker inside entropy-coded data: 0xFF followed by anything except stuffing (0x00), a restart
# marker (0xD0-0xD7) or a fill byte (0xFF).
ENTROPY_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
XMP_PREFIXES = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")
APP1, APP2, APP13, COM, SOS, EOI = 0xE1, 0xE2, 0xED, 0xFE, 0xDA, 0xD9


def jpeg_segment_to_keep(marker: int, payload: bytes) -> bytes | None:
    """The payload to write for one header segment, or None to drop it."""
    if marker == APP1 and payload.startswith(b"Exif\x00\x00"):
        cleaned = exif_without_gps(payload)
        return payload if cleaned is None else cleaned
    if marker == APP1 and payload.startswith(XMP_PREFIXES):
        return None
    if marker == APP2 and payload.startswith(b"MPF\x00"):
        return None  # points at the secondary images after EOI, which we drop
    if marker in (APP13, COM):
        return None
    return payload


def copy_entropy_coded(source: Source, sink: Sink) -> None:
    """Copy scan data up to (not including) the next real marker."""
    carry = b""
    while True:
        block = source.read_block()
        if not block:
            raise truncated()
        data = carry + block
        found = ENTROPY_MARKER.search(data)
        if found:
            sink.write(data[: found.start()])
            source.unread(data[found.start() :])
            return
        # Keep a trailing 0xFF back: its marker byte is in the next block.
        keep = 1 if data.endswith(b"\xff") else 0
        sink.write(data[: len(data) - keep])
        carry = data[len(data) - keep :]


def check_jpeg_trailer(source: Source) -> None:
    """After EOI, accept only secondary JPEGs (MPF, Ultra HDR gain maps) or zero padding.

    Neither is copied: the stored original is the primary image alone.
    """
    head = source.read(2)
    if not head or head == b"\xff\xd8":
        return
    source.unread(head)
    while block := source.read_block():
        if block.strip(b"\x00"):
            raise trailing_data()


def copy_jpeg(source: Source, sink: Sink) -> None:
    if source.read_exact(2) != b"\xff\xd8":
        raise refuse("The file does not start like a JPEG image.", "bad_jpeg")
    sink.write(b"\xff\xd8")
    while True:
        if source.read_exact(1) != b"\xff":
            raise refuse("The JPEG structure is damaged.", "bad_jpeg")
        marker = source.read_exact(1)[0]
        while marker == 0xFF:  # fill bytes before a marker
            marker = source.read_exact(1)[0]
        if marker == EOI:
            sink.write(b"\xff\xd9")
            check_jpeg_trailer(source)
            return
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            sink.write(bytes((0xFF, marker)))
            continue
        (length,) = struct.unpack(">H", source.read_exact(2))
        if length < 2:
            raise refuse("The JPEG structure is damaged.", "bad_jpeg")
        payload = source.read_exact(length - 2)
        kept = jpeg_segment_to_keep(marker, payload)
        if kept is not None:
            sink.write(bytes((0xFF, marker)) + struct.pack(">H", len(kept) + 2) + kept)
        if marker == SOS:
            copy_entropy_coded(source, sink)


# ------------------------------------------------------------------------------ PNG
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_TEXT_CHUNKS = {b"tEXt", b"zTXt", b"iTXt"}  # XMP, "Raw profile type exif", comments


def copy_png(source: Source, sink: Sink) -> None:
    if source.read_exact(8) != PNG_SIGNATURE:
        raise refuse("The file does not start like a PNG image.", "bad_png")
    sink.write(PNG_SIGNATURE)
    while True:
        header = source.read_exact(8)
        length, kind = struct.unpack(">I4s", header)
        if length > 2**31 - 1:
            raise refuse("The PNG structure is damaged.", "bad_png")
        if kind in PNG_TEXT_CHUNKS:
            source.copy(length + 4, None)
        elif kind == b"eXIf":
            payload = source.read_exact(length)
            crc = source.read_exact(4)
            cleaned = exif_without_gps(payload)
            if cleaned is None:
                sink.write(header + payload + crc)
            else:
                chunk = b"eXIf" + cleaned
                sink.write(
                    struct.pack(">I", len(cleaned)) + chunk + struct.pack(">I", zlib.crc32(chunk))
                )
        else:
            sink.write(header)
            source.copy(length + 4, sink)
        if kind == b"IEND":
            ensure_end(source)
            return


# ------------------------------------------------------------------------------ WebP
def padded(size: int) -> int:
    return size + (size & 1)


def webp_chunk_to_keep(fourcc: bytes, payload: bytes) -> bytes | None:
    """The new payload of a metadata or VP8X chunk, or None to drop it."""
    if fourcc == b"XMP ":
        return None
    if fourcc == b"EXIF":
        cleaned = exif_without_gps(payload)
        return payload if cleaned is None else cleaned
    if len(payload) < 10:
        raise refuse("The WebP structure is damaged.", "bad_webp")
    return bytes((payload[0] & ~0x04,)) + payload[1:]  # VP8X: clear the XMP flag


def copy_webp(source: Source, sink: Sink) -> None:
    riff, riff_size, webp = struct.unpack("<4sI4s", source.read_exact(12))
    if riff != b"RIFF" or webp != b"WEBP":
        raise refuse("The file does not start like a WebP image.", "bad_webp")
    # First pass: the RIFF header states the total size, so learn what we keep before writing.
    # Each entry is (fourcc, size, replacement): replacement None copies the chunk as it is,
    # b"" drops it.
    chunks: list[tuple[bytes, int, bytes | None]] = []
    remaining = riff_size - 4
    while remaining > 0:
        fourcc, size = struct.unpack("<4sI", source.read_exact(8))
        if padded(size) + 8 > remaining:
            raise truncated()
        if fourcc in (b"EXIF", b"XMP ", b"VP8X"):
            kept = webp_chunk_to_keep(fourcc, source.read_exact(padded(size))[:size])
            chunks.append((fourcc, size, b"" if kept is None else kept))
        else:
            source.copy(padded(size), None)
            chunks.append((fourcc, size, None))
        remaining -= padded(size) + 8
    ensure_end(source)

    new_size = 4 + sum(
        8 + padded(size if new is None else len(new)) for _, size, new in chunks if new != b""
    )
    sink.write(struct.pack("<4sI4s", b"RIFF", new_size, b"WEBP"))
    source.file.seek(12)
    source.buffer = b""
    for fourcc, size, new in chunks:
        source.read_exact(8)
        if new is None:
            sink.write(struct.pack("<4sI", fourcc, size))
            source.copy(padded(size), sink)
            continue
        source.copy(padded(size), None)
        if new:
            sink.write(struct.pack("<4sI", fourcc, len(new)) + new + b"\x00" * (len(new) & 1))


# ------------------------------------------------------------------------------ GIF
def copy_sub_blocks(source: Source, sink: Sink | None) -> None:
    while True:
        size = source.read_exact(1)
        if sink is not None:
            sink.write(size)
        if size == b"\x00":
            return
        source.copy(size[0], sink)


def copy_gif(source: Source, sink: Sink) -> None:
    header = source.read_exact(13)
    if header[:6] not in (b"GIF87a", b"GIF89a"):
        raise refuse("The file does not start like a GIF image.", "bad_gif")
    sink.write(header)
    if header[10] & 0x80:
        source.copy(3 * 2 ** ((header[10] & 0x07) + 1), sink)
    while True:
        introducer = source.read_exact(1)
        if introducer == b"\x3b":
            sink.write(introducer)
            ensure_end(source)
            return
        if introducer == b"\x21":
            label = source.read_exact(1)
            if label == b"\xff":
                application = source.read_exact(12)  # block size 11 + identifier
                if application[1:12] == b"XMP DataXMP":
                    copy_sub_blocks(source, None)
                    continue
                sink.write(introducer + label + application)
            else:
                sink.write(introducer + label)
            copy_sub_blocks(source, sink)
        elif introducer == b"\x2c":
            descriptor = source.read_exact(9)
            sink.write(introducer + descriptor)
            if descriptor[8] & 0x80:
                source.copy(3 * 2 ** ((descriptor[8] & 0x07) + 1), sink)
            source.copy(1, sink)  # LZW minimum code size
            copy_sub_blocks(source, sink)
        else:
            raise refuse("The GIF structure is damaged.", "bad_gif")


COPIERS = {"JPEG": copy_jpeg, "PNG": copy_png, "WEBP": copy_webp, "GIF": copy_gif}


def copy_without_location(src: BinaryIO, dst: BinaryIO, image_format: str) -> CopyResult:
    """Copy `src` (an image of `image_format`, as Pillow names it) to `dst` without location
    metadata; refuse trailing data and truncation with a ValidationError that says which."""
    src.seek(0)
    sink = Sink(dst)
    COPIERS[image_format](Source(src), sink)
    return CopyResult(sha256=sink.hash.hexdigest(), size=sink.size)
