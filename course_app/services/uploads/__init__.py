"""Checking an uploaded file by its content and making it safe to store (product §5, §8).

The type is decided from the bytes alone — never the file name or the declared type — and only
three kinds pass:

* **JPEG and PNG** are walked segment by segment to their end marker, then decoded and
  re-encoded with Pillow: EXIF (GPS included), ICC, XMP and text chunks are dropped, the EXIF
  orientation is applied first so the letter stays upright, and what is stored is a fresh RGB
  (or greyscale) JPEG or PNG, at most `MAX_SIDE` px on the long side. Images are refused
  before decoding when their header announces too many pixels (decompression bombs): a JPEG
  over `JPEG_MAX_PIXELS` (110 MP; large photos are decoded at 1/2–1/8 scale, so 48 MP and
  108 MP phone photos pass in bounded memory), a PNG over `PNG_MAX_PIXELS` (24 MP: a PNG can
  only be decoded whole), with a message asking for a smaller photo or a PDF. See images.py.
* **PDF** must start with `%PDF-` at byte 0, end with `%%EOF` (only whitespace after it), parse
  with pypdf, have at least one page, and carry no active content or embedded files anywhere in
  its object tree (see `pdf.FORBIDDEN_PDF_NAMES`). A PDF locked with an open password is refused
  (reviewers could not read it, and neither can our checks); one with only an owner password
  (printing/copy restrictions, opens without a password) is accepted. The checked original
  bytes are stored unchanged — rewriting a scanned PDF could alter what the police signed.

**Polyglots** — one file that is also another kind of file — are refused:
bytes after an image's end (except further complete JPEG images, which phones append for HDR
gain maps and depth maps under the CIPA Multi-Picture Format, and padding), bytes after a PDF's
final `%%EOF`, a `%PDF-` header anywhere but at byte 0, and HTML/script/PDF markers inside
image metadata. Everything else (SVG, HTML, executables, archives, other image formats, empty
or truncated files) is refused with a message that says what to do instead.

Layout: this module decides the type and hands over to `images.py` or `pdf.py`; `refusals.py`
holds the messages.
"""
import hashlib
from dataclasses import dataclass

from flask import current_app

from .images import PNG_SIGNATURE, reencode_image
from .pdf import check_pdf
from .refusals import MESSAGES, UploadRefused, refuse_active_markers  # noqa: F401 (the package's API)

#: Request-body overhead allowed on top of the file itself (form fields), see config.py.
FORM_OVERHEAD = 64 * 1024


@dataclass
class CheckedFile:
    """What gets stored: safe bytes, their type and hash, plus the hash of the upload itself."""

    data: bytes
    content_type: str
    sha256: str
    original_sha256: str

    @property
    def size(self):
        return len(self.data)

    @property
    def extension(self):
        return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[self.content_type]


def max_upload_bytes():
    """The largest file accepted: MAX_UPLOAD_MB, i.e. MAX_CONTENT_LENGTH less the form's share."""
    return current_app.config["MAX_CONTENT_LENGTH"] - FORM_OVERHEAD


def max_upload_mb():
    return max_upload_bytes() // (1024 * 1024)


def check_upload(data, max_bytes=None):
    """Decide the file's type from its bytes and return it made safe, or raise UploadRefused."""
    max_bytes = max_upload_bytes() if max_bytes is None else max_bytes
    if not data:
        raise UploadRefused("empty")
    if len(data) > max_bytes:
        raise UploadRefused("too_large", mb=max(1, max_bytes // (1024 * 1024)))
    kind = sniff(data)
    original_sha256 = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        check_pdf(data)
        safe, content_type = data, "application/pdf"
    else:
        safe, content_type = reencode_image(data, kind)
    return CheckedFile(data=safe, content_type=content_type, sha256=hashlib.sha256(safe).hexdigest(),
                       original_sha256=original_sha256)



# --- what is it? -------------------------------------------------------------------------------

def sniff(data):
    """"pdf", "jpeg" or "png" from the leading bytes; anything else is refused, saying what it is."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(PNG_SIGNATURE):
        return "png"
    head = data[:1024]
    if head.startswith((b"MZ", b"\x7fELF", b"#!", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
                        b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\x00asm")):
        raise UploadRefused("executable")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0", b"Rar!", b"7z\xbc\xaf")):
        raise UploadRefused("archive")
    if head.startswith((b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")) or \
            (head[:4] == b"RIFF" and head[8:12] == b"WEBP") or head[4:8] == b"ftyp":
        raise UploadRefused("other_image")
    text = _leading_text(head)
    if text.startswith("<svg") or (text.startswith("<?xml") and "<svg" in text):
        raise UploadRefused("svg")
    if text.startswith(("<!doctype", "<html", "<head", "<body", "<script", "<!--", "<iframe",
                        "<meta", "<div", "<?xml", "<a ", "<p>", "<title")):
        raise UploadRefused("html")
    if b"%PDF-" in head:  # PDF readers look for the header in the first kilobyte
        raise UploadRefused("polyglot")
    raise UploadRefused("unknown")


def _leading_text(head):
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return head.decode(encoding).lstrip("\ufeff \t\r\n\x00").lower()
        except UnicodeDecodeError:
            continue
    return head.decode("latin-1").lstrip(" \t\r\n\x00").lower()

