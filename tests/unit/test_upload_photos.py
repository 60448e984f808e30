"""Photos in bounded memory (product §9, issue 9 point 10).

Big JPEGs are decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling), PNGs over
PNG_MAX_PIXELS and progressive JPEGs whose coefficient buffer would be too big are refused
from their headers. Time and memory are measured by `make bench` (bench/photos.py), not here:
these tests check what is stored and what is refused.
"""
import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models.letters import FileBlob, Letter
from course_app.services import letters
from course_app.services.uploads import UploadRefused, check_upload, images
from tests import factories

TODAY = date(2026, 11, 20)


def stored(data):
    image = Image.open(io.BytesIO(check_upload(data, max_bytes=len(data)).data))
    image.load()
    return image


def refused(data):
    with pytest.raises(UploadRefused) as caught:
        check_upload(data, max_bytes=len(data))
    return caught.value


# --- JPEG: decoded at a reduced scale ---------------------------------------------------------

def test_a_48_megapixel_phone_photo_is_stored_upright_without_exif_at_most_max_side():
    # Orientation 6: the phone held upright stored the 8000×6000 picture turned 90°.
    photo = factories.phone_photo_jpeg(size=(8000, 6000), orientation=6)

    image = stored(photo)

    width, height = image.size
    assert height > width and max(image.size) <= images.MAX_SIDE
    assert max(image.size) >= images.MAX_SIDE * images.DRAFT_MIN_SIDE_SHARE
    assert len(image.getexif()) == 0 and image.mode == "RGB"
    # The white stripe (left edge in storage order) is on top after turning.
    assert image.getpixel((width // 2, 5))[1] > 200 and image.getpixel((width // 2, height - 5))[1] < 120


@pytest.mark.parametrize("mode,stored_mode", [("L", "L"), ("CMYK", "RGB")], ids=["greyscale", "cmyk"])
def test_a_48_megapixel_greyscale_or_cmyk_photo_is_scaled_down_like_any_other(mode, stored_mode):
    image = stored(factories.phone_photo_jpeg(mode=mode))

    assert image.mode == stored_mode and max(image.size) <= images.MAX_SIDE


def test_draft_mode_really_decodes_a_4_3_photo_at_half_size():
    # A square (MAX_SIDE, MAX_SIDE) request would not reduce 8000×6000 at all: 6000 // 4096 == 1.
    image = Image.open(io.BytesIO(factories.phone_photo_jpeg(size=(8000, 6000))))

    images.draft_jpeg(image)
    image.load()

    assert image.size == (4000, 3000)


@pytest.mark.parametrize("size,scale", [
    ((4000, 3000), 1),      # 12 MP: decoded whole, already under MAX_SIDE
    ((6000, 4000), 1),      # 24 MP: half would be 3000 px, under 3/4 of MAX_SIDE
    ((8000, 6000), 2),      # 48 MP
    ((6000, 8000), 2),      # the same, portrait
    ((8192, 6144), 2),      # exactly MAX_SIDE after halving
    ((12000, 9000), 2),     # 108 MP: a quarter would be 3000 px
    ((16320, 12240), 4),    # 200 MP
    ((40000, 30000), 8),
])
def test_large_jpegs_decode_at_the_largest_power_of_two_reduction_keeping_three_quarters_of_max_side(size, scale):
    assert images.draft_scale(*size) == scale


def test_a_jpeg_over_the_jpeg_pixel_limit_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(images, "JPEG_MAX_PIXELS", 1000)

    assert refused(factories.jpeg_bytes(size=(40, 30))).code == "too_many_pixels"


def test_a_progressive_jpeg_whose_coefficient_buffer_would_pass_the_budget_is_refused(monkeypatch):
    # 800×600 needs 2.75 MiB of coefficients at 4:4:4 and 1.4 MiB at 4:2:0 (phones' sampling).
    monkeypatch.setattr(images, "PROGRESSIVE_MAX_BUFFER_BYTES", 2 * 1024 * 1024)

    full_colour = factories.phone_photo_jpeg(size=(800, 600), progressive=True, subsampling=0)
    assert refused(full_colour).code == "too_many_pixels"
    assert stored(factories.phone_photo_jpeg(size=(800, 600), progressive=True, subsampling=2)).size == (800, 600)


# --- PNG: refused above PNG_MAX_PIXELS, from the header ---------------------------------------

def test_a_png_over_24_megapixels_is_refused_asking_for_a_smaller_photo_or_a_pdf(monkeypatch):
    def no_decoding(*_args, **_kwargs):
        raise AssertionError("decoded")

    just_over = factories.png_of_pixels(6000, 4001)
    monkeypatch.setattr(Image.Image, "load", no_decoding)
    assert images.PNG_MAX_PIXELS == 24_000_000

    error = refused(just_over)

    assert error.code == "too_many_pixels" and error.field == "file"
    assert "PNG" in str(error) and "paling banyak 24 megapiksel" in str(error)
    assert "foto yang lebih kecil" in str(error) and "PDF" in str(error)


def test_a_png_just_under_24_megapixels_is_accepted_and_scaled_down():
    image = stored(factories.png_of_pixels(6000, 3999))

    assert image.format == "PNG" and image.mode == "L" and image.size == (images.MAX_SIDE, 2730)


def test_a_png_over_the_limit_sent_as_a_letter_stores_nothing():
    maria = factories.make_user(full_name="Mawar Contoh")

    with pytest.raises(UploadRefused) as caught:
        letters.submit_letter(maria, data=factories.png_of_pixels(6000, 4001), filename="skck.png",
                              number="SKCK/YANMAS/1234/XI/2026", police_office="polres_kupang_kota",
                              issued_on=TODAY - timedelta(days=3), today=TODAY)

    assert caught.value.code == "too_many_pixels"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0
    assert db.session.scalar(select(func.count()).select_from(FileBlob)) == 0
