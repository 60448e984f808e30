"""JPEG and PNG: walked to their end marker, then decoded and re-encoded without metadata."""
import io
import zlib

from PIL import Image, ImageOps

from .refusals import PADDING, UploadRefused, refuse_active_markers

#: Refuse images larger than this many pixels before decoding them (about 50 megapixels:
#: more than any phone's default camera mode, well under Pillow's own bomb limit).
MAX_PIXELS = min(50_000_000, Image.MAX_IMAGE_PIXELS or 50_000_000)
#: Stored images are scaled down to at most this many pixels on the long side.
MAX_SIDE = 4096
JPEG_QUALITY = 85
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_end(data):
    """Offset just after the IEND chunk; every chunk's length and CRC must hold.

    Returns (end, metadata chunks) — every chunk except image data, for the marker check."""
    i, n, metadata = len(PNG_SIGNATURE), len(data), []
    first = True
    while True:
        if i + 12 > n:
            raise UploadRefused("truncated")
        length = int.from_bytes(data[i:i + 4], "big")
        kind = data[i + 4:i + 8]
        end = i + 12 + length
        if length > 0x7FFFFFFF or (first and kind != b"IHDR"):
            raise UploadRefused("truncated")
        if end > n:
            raise UploadRefused("truncated")
        body = data[i + 8:i + 8 + length]
        if zlib.crc32(kind + body) != int.from_bytes(data[end - 4:end], "big"):
            raise UploadRefused("truncated")
        if kind not in (b"IDAT", b"fdAT"):
            metadata.append(body)
        first = False
        i = end
        if kind == b"IEND":
            return i, metadata


def jpeg_end(data, start=0):
    """Offset just after the EOI marker of the JPEG starting at `start`, walking the marker
    segments and the entropy-coded data in between (an EOI inside an EXIF thumbnail does not
    end the image). Returns (end, metadata segments: APPn and COM payloads)."""
    n, metadata = len(data), []
    if data[start:start + 2] != b"\xff\xd8":
        raise UploadRefused("truncated")
    i = start + 2
    while True:
        if i >= n or data[i] != 0xFF:
            raise UploadRefused("truncated")
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            raise UploadRefused("truncated")
        marker = data[i]
        i += 1
        if marker == 0xD9:
            return i, metadata
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if i + 2 > n:
            raise UploadRefused("truncated")
        length = int.from_bytes(data[i:i + 2], "big")
        if length < 2 or i + length > n:
            raise UploadRefused("truncated")
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            metadata.append(data[i + 2:i + length])
        i += length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            while True:
                j = data.find(b"\xff", i)
                if j < 0 or j + 1 >= n:
                    raise UploadRefused("truncated")
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    i = j + 2
                elif following == 0xFF:
                    i = j + 1
                else:
                    i = j
                    break


def check_image_structure(data, kind):
    """Refuse truncated images and anything riding along with them (polyglots)."""
    if kind == "png":
        end, metadata = png_end(data)
        rest = data[end:]
    else:
        end, metadata = jpeg_end(data)
        rest = data[end:]
        # Phones append further JPEGs (Multi-Picture Format: HDR gain maps, depth maps).
        while True:
            rest = rest.lstrip(b"\x00 \t\r\n")
            if not rest.startswith(b"\xff\xd8\xff"):
                break
            extra_end, extra_metadata = jpeg_end(rest)
            metadata.extend(extra_metadata)
            rest = rest[extra_end:]
    if rest.strip(PADDING):
        raise UploadRefused("polyglot", "polyglot_image")
    refuse_active_markers(metadata, "polyglot_image")


def reencode_image(data, kind):
    """Decode and re-encode: no metadata survives, only pixels (upright, at most MAX_SIDE)."""
    check_image_structure(data, kind)
    fmt = "JPEG" if kind == "jpeg" else "PNG"
    try:
        image = Image.open(io.BytesIO(data), formats=[fmt])  # no other decoder may run
        width, height = image.size
        # Checked from the header, before a single pixel is decoded (decompression bombs).
        if width < 1 or height < 1:
            raise UploadRefused("truncated")
        if width * height > MAX_PIXELS:
            raise UploadRefused("too_many_pixels")
        if fmt == "JPEG":
            image.draft(image.mode, (MAX_SIDE, MAX_SIDE))  # huge photos decode at a reduced scale
        image.load()
        image = _upright(image)
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused("too_many_pixels") from None
    except Exception:  # noqa: BLE001 - any decoder failure means a broken file
        raise UploadRefused("truncated") from None
    image = _plain_pixels(image)
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    image.info.clear()  # no EXIF, ICC, XMP or text is carried over
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        return out.getvalue(), "image/jpeg"
    image.save(out, "PNG", compress_level=6)
    return out.getvalue(), "image/png"


def _upright(image):
    """Apply the EXIF orientation. Broken EXIF in an otherwise fine photo is not worth a
    refusal: the picture is then kept as stored and the reviewer can still turn their head."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - malformed EXIF comes in many shapes
        return image


def _plain_pixels(image):
    """RGB, or L for greyscale scans; transparency flattened onto white paper."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    if image.mode == "F":
        return image.convert("L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", image.size, "white")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    if image.mode in ("RGB", "L"):
        return image.copy() if image.info else image
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGB")  # CMYK, YCbCr, LAB...

