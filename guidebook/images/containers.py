"""Copy an uploaded image file container by container, keeping the image and nothing else.

A stored original holds the image data, its colour profile (ICC) and its orientation: nothing
nested (EXIF thumbnails, which carry their own EXIF and GPS) and nothing foreign (comments, XMP,
text, private chunks, HTML in an application segment). We walk the format's container and copy
what we know to be image data to a new file, rebuilding EXIF to hold the orientation tag alone:

- JPEG: SOI, the tables and frame headers (DQT, DHT, DAC, SOFn, DRI, DNL), SOS and its
  entropy-coded data, EOI; APP2 ICC_PROFILE, APP14 Adobe (its colour transform), and an APP1 EXIF
  with the orientation only. Every other APPn (JFIF, XMP, Photoshop, MPF, ...) and COM are dropped.
- PNG: the critical chunks (IHDR, PLTE, IDAT, IEND), the ancillary chunks that change how it
  renders (tRNS, gAMA, cHRM, sRGB, iCCP, sBIT, pHYs, bKGD) and APNG's (acTL, fcTL, fdAT), and eXIf
  with the orientation only. Text (tEXt, zTXt, iTXt) and unknown or private chunks are dropped.
- WebP: VP8X (its flags rewritten to say what is left), ICCP, ANIM, ANMF (frame data only), ALPH,
  VP8, VP8L, and EXIF with the orientation only; XMP and unknown chunks are dropped.
- GIF: the header and colour tables, image data, graphic control extensions (timing,
  transparency) and the NETSCAPE2.0 loop count; comments, plain text and other application
  extensions are dropped.

While copying it refuses data after the image's end (how polyglots such as "PNG followed by
HTML" or GIFAR hide a second file) and files that stop before their end (truncated), and it
computes the SHA-256 and size of the bytes written, which are the bytes we store, so the hash
names the stored file and identical stored files share one key.

Everything streams in small blocks: a file is never read whole into memory (metadata we read to
find the orientation is read up to METADATA_READ bytes).
"""

import hashlib
import os
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.core.exceptions import ValidationError
from PIL import Image as PILImage

BLOCK = 1024 * 1024
ORIENTATION = 0x0112
# IFD0, where the orientation tag lives, starts within the first bytes of any EXIF block we
# know of; the rest of a larger block (maker notes, thumbnails) is never needed.
METADATA_READ = 64 * 1024


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


def orientation_of(data: bytes) -> int | None:
    """The EXIF orientation (2-8) in EXIF bytes, with or without the "Exif\\0\\0" prefix; None
    when it is the default, missing or the block is damaged (then nothing of it is kept)."""
    exif = PILImage.Exif()
    try:
        exif.load(data)
        value = exif.get(ORIENTATION)
    except Exception:  # untrusted bytes: damaged EXIF is dropped, not trusted
        return None
    return value if isinstance(value, int) and 2 <= value <= 8 else None


def orientation_exif(orientation: int) -> bytes:
    """A new EXIF block (TIFF bytes, no "Exif\\0\\0" prefix) holding the orientation alone."""
    exif = PILImage.Exif()
    exif[ORIENTATION] = orientation
    return exif.tobytes()[6:]


def ensure_end(source: Source) -> None:
    if source.read(1):
        raise trailing_data()


# ------------------------------------------------------------------------------ JPEG
# A marker inside entropy-coded data: 0xFF followed by anything except stuffing (0x00), a restart
# marker (0xD0-0xD7) or a fill byte (0xFF).
ENTROPY_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
APP1, APP2, APP14, SOS, EOI = 0xE1, 0xE2, 0xEE, 0xDA, 0xD9
# Frame headers (SOF0-SOF15 but for DHT, JPG and DAC, which are listed apart), tables, restart
# interval and number of lines: everything a decoder needs, nothing it does not.
JPEG_IMAGE_SEGMENTS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE}
JPEG_IMAGE_SEGMENTS |= {0xCF, 0xC4, 0xCC, 0xDB, 0xDD, 0xDC, SOS}
ADOBE_LENGTH = 12  # "Adobe", version, flags0, flags1, colour transform


def jpeg_segment_to_keep(marker: int, payload: bytes, exif_kept: bool) -> bytes | None:
    """The payload to write for one header segment, or None to drop it."""
    if marker in JPEG_IMAGE_SEGMENTS:
        return payload
    if marker == APP2 and payload.startswith(b"ICC_PROFILE\x00"):
        return payload
    if marker == APP14 and payload.startswith(b"Adobe") and len(payload) >= ADOBE_LENGTH:
        return payload[:ADOBE_LENGTH]  # nothing may ride along after the colour transform
    if marker == APP1 and payload.startswith(b"Exif\x00\x00") and not exif_kept:
        orientation = orientation_of(payload)
        return None if orientation is None else b"Exif\x00\x00" + orientation_exif(orientation)
    return None  # JFIF, XMP, MPF, Photoshop/IPTC, comments, anything unknown


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
    exif_kept = False
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
        kept = jpeg_segment_to_keep(marker, payload, exif_kept)
        if kept is not None:
            exif_kept = exif_kept or marker == APP1
            sink.write(bytes((0xFF, marker)) + struct.pack(">H", len(kept) + 2) + kept)
        if marker == SOS:
            copy_entropy_coded(source, sink)


# ------------------------------------------------------------------------------ PNG
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEPT_CHUNKS = {
    *(b"IHDR", b"PLTE", b"IDAT", b"IEND"),  # critical
    *(b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs", b"bKGD"),  # rendering
    *(b"acTL", b"fcTL", b"fdAT"),  # APNG
}


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def read_head(source: Source, size: int, limit: int = METADATA_READ) -> bytes:
    """The first `limit` bytes of the next `size`; the rest is skipped, never held."""
    head = source.read_exact(min(size, limit))
    source.copy(size - len(head), None)
    return head


def copy_png(source: Source, sink: Sink) -> None:
    if source.read_exact(8) != PNG_SIGNATURE:
        raise refuse("The file does not start like a PNG image.", "bad_png")
    sink.write(PNG_SIGNATURE)
    exif_kept = False
    while True:
        header = source.read_exact(8)
        length, kind = struct.unpack(">I4s", header)
        if length > 2**31 - 1:
            raise refuse("The PNG structure is damaged.", "bad_png")
        if kind in PNG_KEPT_CHUNKS:
            sink.write(header)
            source.copy(length + 4, sink)
        elif kind == b"eXIf" and not exif_kept:
            orientation = orientation_of(read_head(source, length))
            source.copy(4, None)  # the CRC of what we dropped
            if orientation is not None:
                sink.write(png_chunk(b"eXIf", orientation_exif(orientation)))
                exif_kept = True
        else:
            source.copy(length + 4, None)  # text, private chunks, anything unknown
        if kind == b"IEND":
            ensure_end(source)
            return


# ------------------------------------------------------------------------------ WebP
WEBP_KEPT_CHUNKS = {b"VP8 ", b"VP8L", b"ALPH", b"ANIM"}
WEBP_FRAME_CHUNKS = {b"ALPH", b"VP8 ", b"VP8L"}
VP8X_ICC, VP8X_ALPHA, VP8X_EXIF, VP8X_ANIMATION = 0x20, 0x10, 0x08, 0x02
ANMF_HEADER = 16  # position, size, duration and flags of the frame

# The output of a WebP copy, planned before it is written (RIFF states its size up front):
# bytes to write as they are, or (offset, length) of the source to copy.
Piece = bytes | tuple[int, int]


def padded(size: int) -> int:
    return size + (size & 1)


def webp_damaged() -> ValidationError:
    return refuse("The WebP structure is damaged.", "bad_webp")


def webp_chunks(file: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(fourcc, payload offset, payload size) of each chunk between start and end."""
    position = start
    while position < end:
        file.seek(position)
        header = file.read(8)
        if len(header) < 8 or position + 8 > end:
            raise webp_damaged()
        fourcc, size = struct.unpack("<4sI", header)
        if position + 8 + padded(size) > end:
            raise webp_damaged()
        yield fourcc, position + 8, size
        position += 8 + padded(size)


def webp_copied_chunk(fourcc: bytes, offset: int, size: int) -> list[Piece]:
    # A zero pad byte of ours, not the source's: not even one byte of it rides along.
    return [struct.pack("<4sI", fourcc, size), (offset, size), b"\x00" * (size & 1)]


def webp_frame(file: BinaryIO, offset: int, size: int) -> list[Piece]:
    """An ANMF chunk with its frame header and image data only."""
    if size < ANMF_HEADER:
        raise webp_damaged()
    file.seek(offset)
    frame_header = file.read(ANMF_HEADER)
    data: list[Piece] = []
    for fourcc, at, length in webp_chunks(file, offset + ANMF_HEADER, offset + size):
        if fourcc in WEBP_FRAME_CHUNKS:
            data += webp_copied_chunk(fourcc, at, length)
    new_size = ANMF_HEADER + sum(piece_size(piece) for piece in data)
    return [struct.pack("<4sI", b"ANMF", new_size) + frame_header, *data]


def piece_size(piece: Piece) -> int:
    return piece[1] if isinstance(piece, tuple) else len(piece)


def copy_webp(source: Source, sink: Sink) -> None:
    file = source.file
    file.seek(0)
    head = file.read(12)
    if len(head) < 12:
        raise truncated()
    riff, riff_size, webp = struct.unpack("<4sI4s", head)
    if riff != b"RIFF" or webp != b"WEBP":
        raise refuse("The file does not start like a WebP image.", "bad_webp")
    end = 8 + riff_size
    length = file.seek(0, os.SEEK_END)
    if length < end:
        raise truncated()
    if length > end:
        raise trailing_data()

    pieces: list[Piece] = []
    vp8x: bytes | None = None
    kept_icc = kept_exif = False
    for fourcc, offset, size in webp_chunks(file, 12, end):
        if fourcc == b"VP8X" and vp8x is None and not pieces:
            if size < 10:
                raise webp_damaged()
            file.seek(offset)
            vp8x = file.read(10)
            pieces.append(b"")  # rewritten below, once we know which chunks are left
        elif fourcc == b"ICCP" and vp8x is not None and not kept_icc:
            pieces += webp_copied_chunk(fourcc, offset, size)
            kept_icc = True
        elif fourcc == b"EXIF" and vp8x is not None and not kept_exif:
            file.seek(offset)
            orientation = orientation_of(file.read(min(size, METADATA_READ)))
            if orientation is not None:
                exif = orientation_exif(orientation)
                pieces.append(
                    struct.pack("<4sI", b"EXIF", len(exif)) + exif + b"\x00" * (len(exif) & 1)
                )
                kept_exif = True
        elif fourcc == b"ANMF" and vp8x is not None:
            pieces += webp_frame(file, offset, size)
        elif fourcc in WEBP_KEPT_CHUNKS:
            pieces += webp_copied_chunk(fourcc, offset, size)
        # anything else (XMP, unknown chunks) is dropped
    if vp8x is not None:
        flags = vp8x[0] & (VP8X_ALPHA | VP8X_ANIMATION)
        flags |= (VP8X_ICC if kept_icc else 0) | (VP8X_EXIF if kept_exif else 0)
        # Reserved bits zeroed; the canvas size kept.
        pieces[0] = b"VP8X" + struct.pack("<I", 10) + bytes((flags, 0, 0, 0)) + vp8x[4:10]

    sink.write(struct.pack("<4sI4s", b"RIFF", 4 + sum(map(piece_size, pieces)), b"WEBP"))
    for piece in pieces:
        if isinstance(piece, bytes):
            sink.write(piece)
            continue
        offset, size = piece
        file.seek(offset)
        while size:
            data = file.read(min(size, BLOCK))
            if not data:
                raise truncated()
            sink.write(data)
            size -= len(data)


# ------------------------------------------------------------------------------ GIF
GRAPHIC_CONTROL, APPLICATION = 0xF9, 0xFF


def copy_sub_blocks(source: Source, sink: Sink | None) -> None:
    while True:
        size = source.read_exact(1)
        if sink is not None:
            sink.write(size)
        if size == b"\x00":
            return
        source.copy(size[0], sink)


def read_sub_block(source: Source) -> bytes | None:
    """The next data sub-block, or None at the terminator."""
    size = source.read_exact(1)[0]
    return source.read_exact(size) if size else None


def skip_sub_blocks(source: Source) -> None:
    copy_sub_blocks(source, None)


def copy_gif_extension(source: Source, sink: Sink) -> None:
    """Graphic control (timing, disposal, transparency) and the NETSCAPE2.0 loop count, rebuilt
    to their fixed sizes; every other extension is dropped."""
    label = source.read_exact(1)[0]
    first = read_sub_block(source)
    if first is None:
        return
    if label == GRAPHIC_CONTROL and len(first) >= 4:
        skip_sub_blocks(source)
        sink.write(b"\x21\xf9\x04" + first[:4] + b"\x00")
    elif label == APPLICATION and first == b"NETSCAPE2.0":
        loop = None
        while (block := read_sub_block(source)) is not None:
            if loop is None and len(block) >= 3 and block[0] == 1:
                loop = block[1:3]
        if loop is not None:
            sink.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + loop + b"\x00")
    else:
        skip_sub_blocks(source)  # comments, plain text, other applications (XMP, ICC, ...)


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
            copy_gif_extension(source, sink)
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


def copy_image_only(src: BinaryIO, dst: BinaryIO, image_format: str) -> CopyResult:
    """Copy `src` (an image of `image_format`, as Pillow names it) to `dst` keeping its image
    data, colour profile and orientation only; refuse trailing data and truncation with a
    ValidationError that says which."""
    src.seek(0)
    sink = Sink(dst)
    COPIERS[image_format](Source(src), sink)
    return CopyResult(sha256=sink.hash.hexdigest(), size=sink.size)
