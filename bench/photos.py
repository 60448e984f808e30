"""Photos in bounded memory (product §9, issue 9 point 10):

- re-encoding a 48-megapixel phone photo (8000×6000 JPEG, quality 90): < 1.5 s and
  < 250 MB peak memory growth;
- a PNG just under `PNG_MAX_PIXELS` (PNG cannot be decoded at a reduced scale): same targets.

Each figure is measured in a fresh subprocess — the honest measure of what one worker pays:
the parent makes the file and writes it to a temporary directory; the child reads it, notes its
peak RSS (`VmHWM`), runs `check_upload` on the bytes (sniff, structure walk, decode,
re-encode, hashes) and reports the time taken and how far the peak RSS grew.

`python -m bench.photos` prints the rows alone.
"""
import io
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECONDS_TARGET = 1.5
GROWTH_TARGET_MB = 250


def phone_photo_jpeg(size=(8000, 6000), quality=90):
    """A synthetic photo: colour gradients with sensor-like noise, so it compresses like a
    real picture (a flat colour would make the decoder's job unrealistically easy)."""
    from PIL import Image

    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 24)
    bands = (Image.blend(gradient, noise, 0.35), Image.blend(gradient.rotate(90).resize(size), noise, 0.2),
             Image.blend(noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), 0.7))
    out = io.BytesIO()
    Image.merge("RGB", bands).save(out, "JPEG", quality=quality)
    return out.getvalue()


def scan_png(pixels):
    """A synthetic RGB screenshot/scan as PNG, just under `pixels`, aspect 4:3."""
    from PIL import Image

    width = int(math.sqrt(pixels * 4 / 3))
    height = pixels // width
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (gradient, gradient.rotate(180).resize((width, height)), gradient))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue(), (width, height)


def peak_rss_kib():
    """This process's peak resident set. Not `ru_maxrss`: Linux carries the parent's peak over
    fork and exec into it, so a child of a big parent would show no growth at all."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # elsewhere: KiB, parent's peak included


def child(path):
    """Runs in the fresh subprocess: re-encode the file at `path`, print time and RSS growth."""
    import time

    from course_app.services.uploads import check_upload

    data = Path(path).read_bytes()
    before = peak_rss_kib()
    start = time.perf_counter()
    checked = check_upload(data, max_bytes=len(data))
    seconds = time.perf_counter() - start
    after = peak_rss_kib()
    print(json.dumps({"seconds": seconds, "growth_mb": (after - before) / 1024,
                      "stored_bytes": checked.size, "content_type": checked.content_type}))


def measure(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload"
        path.write_bytes(data)
        result = subprocess.run([sys.executable, "-m", "bench.photos", "--child", str(path)], cwd=ROOT,
                                capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def rows_for(label, data):
    figures = measure(data)
    seconds, growth = figures["seconds"], figures["growth_mb"]
    mb = len(data) / (1024 * 1024)
    return [
        (f"photo re-encode: {label}, {mb:.1f} MB file: time", f"{seconds:.2f} s",
         f"< {SECONDS_TARGET} s", seconds / SECONDS_TARGET, seconds < SECONDS_TARGET),
        (f"photo re-encode: {label}: peak RSS growth", f"{growth:.0f} MB",
         f"< {GROWTH_TARGET_MB} MB", growth / GROWTH_TARGET_MB, growth < GROWTH_TARGET_MB),
    ]


def table():
    from course_app.services.uploads.images import PNG_MAX_PIXELS

    png, (width, height) = scan_png(PNG_MAX_PIXELS - 1)
    return (rows_for("48 MP JPEG 8000×6000 q90", phone_photo_jpeg())
            + rows_for(f"PNG {width}×{height} just under {PNG_MAX_PIXELS / 1e6:.0f} MP", png))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        sys.path.insert(0, str(ROOT))
        for row in table():
            print(row)
