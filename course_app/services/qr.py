"""QR codes for certificates (product §6): `{PUBLIC_BASE_URL}/V/{ID}#{token}`.

A QR code stores upper-case letters, digits and ` $%*+-./:` in alphanumeric mode at 5.5 bits
a character, against 8 bits in byte mode. So the content is written to be almost all
alphanumeric: the scheme and host are upper-cased (URLs ignore their case), the path is `/V/`
(the verify routes answer `/v/` and `/V/` and take the id in either case), the id and the
base32 token are upper case already. Only the `#` between them needs a byte segment. That is
what lets a token carrying two 45-character names fit in version 12 at error level M.
"""
from io import BytesIO
from urllib.parse import urlsplit

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.util import MODE_8BIT_BYTE, QRData, optimal_data_chunks

LEVELS = {"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q}
#: Level M: the certificate's QR. Q is measured by the bench for the record (product §9).
DEFAULT_LEVEL = "M"
QUIET_ZONE = 4


def verify_url(base_url, certificate_id, token):
    """The QR content. `token` is the base32 token; it rides in the fragment, which browsers
    never send to the server, so names never reach a server log."""
    parts = urlsplit(base_url)
    prefix = f"{parts.scheme.upper()}://{parts.netloc.upper()}{parts.path.rstrip('/')}"
    return f"{prefix}/V/{certificate_id.upper()}#{token}"


def page_url(base_url, certificate_id):
    """The verification page's address as printed for people to type (no token)."""
    return f"{base_url.rstrip('/')}/v/{certificate_id.upper()}"


def segments(content):
    """Mixed-mode segments: alphanumeric for the URL and the token, one byte for `#`."""
    prefix, sep, fragment = content.partition("#")
    chunks = list(optimal_data_chunks(prefix))
    if sep:
        chunks.append(QRData(b"#", mode=MODE_8BIT_BYTE))
        if fragment:
            chunks.extend(optimal_data_chunks(fragment, minimum=len(fragment)))
    return chunks


def make_qr(content, level=DEFAULT_LEVEL):
    """A QRCode of the smallest version that holds `content` at `level`."""
    code = qrcode.QRCode(error_correction=LEVELS[level], border=QUIET_ZONE)
    for chunk in segments(content):
        code.add_data(chunk)
    code.make(fit=True)
    return code


def matrix(content, level=DEFAULT_LEVEL):
    """Rows of booleans (True = dark), quiet zone included."""
    return make_qr(content, level).get_matrix()


def runs(row):
    """(start, length) of each run of dark modules in a row."""
    start = None
    for x, dark in enumerate(list(row) + [False]):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            yield start, x - start
            start = None


def svg(content, level=DEFAULT_LEVEL):
    """A scalable SVG: one path, one module per user unit, white background."""
    rows = matrix(content, level)
    size = len(rows)
    path = "".join(f"M{x} {y}h{length}v1h-{length}z"
                   for y, row in enumerate(rows) for x, length in runs(row))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
            f'width="{size * 4}mm" height="{size * 4}mm" shape-rendering="crispEdges">'
            f'<rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path d="{path}" fill="#000"/></svg>\n').encode("ascii")


def png(content, level=DEFAULT_LEVEL, module_px=10):
    """A black-and-white PNG, `module_px` pixels a module (sharp edges, no smoothing)."""
    rows = matrix(content, level)
    size = len(rows)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in rows for dark in row])
    image = image.resize((size * module_px, size * module_px), Image.Resampling.NEAREST)
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def version(content, level=DEFAULT_LEVEL):
    return make_qr(content, level).version
