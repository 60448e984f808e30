"""JPEG and PNG: walked to their end marker, then decoded and re-encoded without metadata.

Memory is bounded by what is stored, not by what was uploaded (issue 9 point 10):

* a JPEG is decoded with libjpeg's DCT scaling (`Image.draft`) at 1/2, 1/4 or 1/8 of its size
  whenever that still leaves at least `DRAFT_MIN_SIDE` pixels on the long side, then resized to
  at most `MAX_SIDE` — a 48-megapixel photo (8000×6000) decodes as 4000×3000, 36 MB instead
  of 144 MB;
* a progressive JPEG also needs a buffer of every coefficient at full size, so one whose
  buffer would pass `PROGRESSIVE_MAX_BUFFER_BYTES` is refused from its header;
* a PNG cannot be decoded at a reduced scale, so one over `PNG_MAX_PIXELS` is refused from its
  IHDR header before a pixel is decoded;
* the EXIF orientation is read first and applied last, on the small image.
"""
import io
import math
import warnings
import zlib

from PIL import Image

from .refusals import PADDING, UploadRefused, refuse_active_markers

#: Stored images are scaled down to at most this many pixels on the long side.
MAX_SIDE = 4096
#: Refuse JPEGs larger than this before decoding them. Draft mode decodes them at a reduced
#: scale, so memory follows MAX_SIDE, not this: it is high enough for the 108-megapixel modes of
#: phone cameras (12000×9000) and low enough to stay under Pillow's own bomb error.
JPEG_MAX_PIXELS = 110_000_000
#: Refuse PNGs larger than this before decoding them: a PNG decodes at full size (an RGBA one
#: of 24 megapixels is 96 MB), and a photo this big should come as JPEG or the letter as PDF.
PNG_MAX_PIXELS = 24_000_000
#: A progressive JPEG is decoded through a buffer of all its DCT coefficients (2 bytes each, 64 per
#: 8×8 block, at full size whatever the draft scale): refused when that buffer alone would pass
#: this. A 48-megapixel 4:2:0 photo needs 137 MiB; a few hundred kilobytes of flat 4:4:4 at
#: 108 megapixels would need 620 MiB.
PROGRESSIVE_MAX_BUFFER_BYTES = 160 * 1024 * 1024
#: Draft mode may reduce a JPEG only while its long side stays at least this long (with the
#: default MAX_SIDE, 3072 px: about 260 dpi over an A4 page, plenty to read a letter).
DRAFT_MIN_SIDE_SHARE = 0.75
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


def png_size(data):
    """Width and height from the IHDR chunk (the first one; check_image_structure made sure)."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def refuse_large_png(data):
    """PNG over PNG_MAX_PIXELS: refused from its header, before Pillow even opens it."""
    width, height = png_size(data)
    if width * height > PNG_MAX_PIXELS:
        raise UploadRefused("too_many_pixels", "png_too_many_pixels",
                            megapixels=_megapixels(width * height), limit=_megapixels(PNG_MAX_PIXELS))


def _megapixels(pixels):
    return f"{pixels / 1_000_000:.0f}"


def reencode_image(data, kind):
    """Decode and re-encode: no metadata survives, only pixels (upright, at most MAX_SIDE)."""
    check_image_structure(data, kind)
    if kind == "png":
        refuse_large_png(data)
    fmt = "JPEG" if kind == "jpeg" else "PNG"
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 megapixels; JPEG_MAX_PIXELS below is the limit that holds.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[fmt])  # no other decoder may run
        width, height = image.size
        # Checked from the header, before a single pixel is decoded (decompression bombs).
        if width < 1 or height < 1:
            raise UploadRefused("truncated")
        if width * height > (JPEG_MAX_PIXELS if fmt == "JPEG" else PNG_MAX_PIXELS):
            raise UploadRefused("too_many_pixels")
        if fmt == "JPEG" and progressive_buffer_bytes(image) > PROGRESSIVE_MAX_BUFFER_BYTES:
            raise UploadRefused("too_many_pixels")
        if fmt == "JPEG":
            draft_jpeg(image)
        image.load()
        orientation = _orientation(image)
    except UploadRefused:
        raise
    except Image.DecompressionBombError:
        raise UploadRefused("too_many_pixels") from None
    except Exception:  # noqa: BLE001 - any decoder failure means a broken file
        raise UploadRefused("truncated") from None
    # One name for the picture, reassigned at each step, so the previous step's pixels are
    # freed before the next step allocates (a decoded 24 MP RGBA PNG alone is 96 MB).
    if image.mode in _HIGH_DEPTH:  # shrink the 2- and 4-byte pixels before converting them
        image = _fit(image)
        image = _plain_pixels(image)
    else:  # palettes and alpha are converted first (resizing would not blend them well)
        image = _plain_pixels(image)
        image = _fit(image)
    image = _upright(image, orientation)
    image.info.clear()  # no EXIF, ICC, XMP or text is carried over
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        return out.getvalue(), "image/jpeg"
    image.save(out, "PNG", compress_level=6)
    return out.getvalue(), "image/png"


def progressive_buffer_bytes(image):
    """Bytes libjpeg holds for a progressive JPEG's coefficients (0 for a baseline JPEG), from
    the frame header's size and each component's sampling factors."""
    if not (image.info.get("progressive") or image.info.get("progression")):
        return 0
    width, height = image.size
    max_h = max(h for _id, h, _v, _table in image.layer)
    max_v = max(v for _id, _h, v, _table in image.layer)
    blocks = sum(math.ceil(width * h / max_h / 8) * math.ceil(height * v / max_v / 8)
                 for _id, h, v, _table in image.layer)
    return blocks * 64 * 2


def draft_scale(width, height):
    """The DCT scale (1, 2, 4 or 8) to decode a JPEG at: the largest that leaves the long side
    at least DRAFT_MIN_SIDE_SHARE × MAX_SIDE (never below what is stored by more than that)."""
    longest, min_side = max(width, height), MAX_SIDE * DRAFT_MIN_SIDE_SHARE
    for scale in (8, 4, 2):
        if longest / scale >= min_side:
            return scale
    return 1


def draft_jpeg(image):
    """Ask libjpeg to decode at 1/scale (before load). Pillow picks its scale from the smaller
    of width // requested width and height // requested height, so the request is the image's
    own size divided by the scale — a square (MAX_SIDE, MAX_SIDE) box would never reduce a
    4:3 photo under 8192 px wide."""
    scale = draft_scale(*image.size)
    if scale > 1:
        width, height = image.size
        image.draft(image.mode, (max(1, width // scale), max(1, height // scale)))


def _fit(image):
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


#: EXIF orientation → the transposition that makes the picture upright (as ImageOps.exif_transpose).
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_HIGH_DEPTH = ("I;16", "I;16B", "I;16L", "I", "F")


def _orientation(image):
    """The EXIF orientation tag, or None. Broken EXIF in an otherwise fine photo is not worth a
    refusal: the picture is then kept as stored and the reviewer can still turn their head."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Corrupt EXIF data"
            return image.getexif().get(0x0112)
    except Exception:  # noqa: BLE001 - malformed EXIF comes in many shapes
        return None


def _upright(image, orientation):
    """Apply the EXIF orientation — after scaling down, so the turn costs the small image only
    (scaling to fit a MAX_SIDE square and turning commute)."""
    method = _TRANSPOSE.get(orientation) if isinstance(orientation, int) else None
    return image.transpose(method) if method is not None else image


def _plain_pixels(image):
    """RGB, or L for greyscale scans; transparency flattened onto white paper."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    if image.mode == "F":
        return image.convert("L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        paper = Image.new("RGB", image.size, "white")
        paper.paste(rgba, mask=rgba)  # RGBA straight onto RGB, its alpha as the mask: no copies
        return paper
    if image.mode in ("RGB", "L"):
        return image
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGB")  # CMYK, YCbCr, LAB...
