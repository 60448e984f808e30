"""Uploaded files are checked by content and made safe (product §5, §8; issue 3 points 2 and 8).

Every malicious or broken kind of file has its own test, named after it. Files are built in
code by tests/factories.py — no binaries in the repository.
"""
import io

import pytest
from PIL import Image

from course_app.services import uploads
from course_app.services.uploads import UploadRefused, check_upload
from tests import factories


def refused(data):
    with pytest.raises(UploadRefused) as caught:
        check_upload(data)
    assert caught.value.field == "file"
    return caught.value


def reopened(checked):
    image = Image.open(io.BytesIO(checked.data))
    image.load()
    return image


# --- what passes, and what is stored ----------------------------------------------------------

def test_a_phone_photo_is_accepted_as_jpeg_and_its_exif_and_gps_are_stripped():
    original = factories.jpeg_bytes(size=(120, 90), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the photo has GPS

    checked = check_upload(original)

    assert checked.content_type == "image/jpeg" and checked.extension == ".jpg"
    image = reopened(checked)
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == (120, 90)
    assert len(image.getexif()) == 0
    assert b"Exif" not in checked.data and b"KameraContoh" not in checked.data
    assert checked.data != original
    assert checked.size == len(checked.data)


def test_the_exif_orientation_is_applied_before_the_metadata_is_dropped():
    # Orientation 6: the camera held upright stored the picture turned 90° (phones do this).
    checked = check_upload(factories.jpeg_bytes(size=(80, 60), orientation=6))

    image = reopened(checked)
    assert image.size == (60, 80)  # upright now, without needing the tag
    assert len(image.getexif()) == 0
    # The white stripe (left edge in storage order) is on top after turning.
    assert image.getpixel((30, 2))[0] > 200 and image.getpixel((30, 77))[1] < 120


def test_a_png_scan_is_re_encoded_without_its_text_and_exif_chunks():
    original = factories.png_bytes(text={"Comment": "dipindai di rumah", "Author": "Maria"}, gps=True)

    checked = check_upload(original)

    assert checked.content_type == "image/png"
    image = reopened(checked)
    assert image.format == "PNG" and not image.text and "exif" not in image.info
    assert b"Maria" not in checked.data and b"eXIf" not in checked.data and b"tEXt" not in checked.data


def test_a_transparent_png_is_flattened_onto_white_paper():
    checked = check_upload(factories.png_bytes(mode="RGBA", color=(0, 0, 0, 0)))

    image = reopened(checked)
    assert image.mode == "RGB" and image.getpixel((1, 1)) == (255, 255, 255)


def test_a_greyscale_scan_stays_greyscale():
    assert reopened(check_upload(factories.png_bytes(mode="L", color=128))).mode == "L"


def test_a_cmyk_jpeg_is_stored_as_rgb():
    assert reopened(check_upload(factories.jpeg_bytes(mode="CMYK", color=(0, 50, 50, 0), gps=False))).mode == "RGB"


def test_a_huge_photo_is_scaled_down_to_the_stored_maximum(monkeypatch):
    monkeypatch.setattr(uploads.images, "MAX_SIDE", 100)

    image = reopened(check_upload(factories.jpeg_bytes(size=(400, 300), gps=False)))

    assert image.size == (100, 75)


def test_a_scanned_pdf_is_accepted_and_stored_unchanged():
    original = factories.pdf_bytes()

    checked = check_upload(original)

    assert checked.content_type == "application/pdf" and checked.data == original
    assert checked.sha256 == checked.original_sha256


def test_a_pdf_with_only_an_owner_password_opens_without_one_and_is_accepted():
    assert check_upload(factories.pdf_with_owner_password_only()).content_type == "application/pdf"


def test_a_photo_with_appended_hdr_gain_map_is_accepted():
    # Android Ultra HDR and iPhone photos append further JPEGs (CIPA Multi-Picture Format).
    primary = factories.jpeg_bytes()
    checked = check_upload(primary + factories.jpeg_bytes(size=(20, 15), gps=False))

    assert checked.content_type == "image/jpeg"
    assert reopened(checked).size == (80, 60)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_a_photo_with_broken_exif_is_still_accepted_and_cleaned():
    photo = factories.jpeg_bytes(gps=False)
    broken = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\xff\xff" + b"\x01" * 40
    segment = b"\xff\xe1" + (len(broken) + 2).to_bytes(2, "big") + broken

    checked = check_upload(photo[:2] + segment + photo[2:])

    assert checked.content_type == "image/jpeg" and b"Exif" not in checked.data


def test_hashes_are_of_the_upload_and_of_the_stored_bytes():
    import hashlib

    original = factories.jpeg_bytes()
    checked = check_upload(original)

    assert checked.original_sha256 == hashlib.sha256(original).hexdigest()
    assert checked.sha256 == hashlib.sha256(checked.data).hexdigest()


# --- refused: not a letter at all -------------------------------------------------------------

def test_zero_byte_file_is_refused():
    error = refused(b"")
    assert error.code == "empty" and "kosong" in str(error)


def test_html_page_is_refused_even_when_named_pdf():
    error = refused(factories.HTML_PAGE)
    assert error.code == "html"
    assert "halaman web (HTML)" in str(error) and "walaupun namanya berakhiran .pdf" in str(error)


def test_html_with_byte_order_mark_and_leading_blank_lines_is_refused():
    assert refused(b"\xef\xbb\xbf\n\n  <html><body>hai</body></html>").code == "html"


def test_svg_image_is_refused():
    assert refused(factories.SVG_IMAGE).code == "svg"


def test_svg_without_xml_declaration_is_refused():
    assert refused(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>').code == "svg"


def test_windows_executable_disguised_as_jpg_is_refused():
    assert refused(factories.WINDOWS_EXE).code == "executable"


def test_linux_elf_executable_is_refused():
    assert refused(factories.LINUX_ELF).code == "executable"


def test_shell_script_is_refused():
    assert refused(b"#!/bin/sh\nrm -rf /\n").code == "executable"


def test_zip_or_word_document_is_refused():
    assert refused(b"PK\x03\x04" + b"\x00" * 40).code == "archive"


@pytest.mark.parametrize("data", [b"GIF89a" + b"\x00" * 20, b"RIFF\x00\x00\x00\x00WEBPVP8 ",
                                  b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20],
                         ids=["gif", "webp", "heic"])
def test_other_image_formats_are_refused_with_advice(data):
    error = refused(data)
    assert error.code == "other_image" and "JPG/PNG" in str(error)


def test_plain_text_is_refused_as_unknown():
    assert refused(b"Surat keterangan catatan kepolisian").code == "unknown"


def test_file_over_the_size_limit_is_refused(app):
    limit = uploads.max_upload_bytes()
    assert limit == app.config["MAX_CONTENT_LENGTH"] - uploads.FORM_OVERHEAD == 5 * 1024 * 1024

    with pytest.raises(UploadRefused) as caught:
        check_upload(factories.jpeg_bytes(), max_bytes=100)

    assert caught.value.code == "too_large"


# --- refused: truncated or broken -------------------------------------------------------------

def test_truncated_png_is_refused():
    assert refused(factories.png_bytes()[:-20]).code == "truncated"


def test_png_with_a_corrupted_chunk_checksum_is_refused():
    data = bytearray(factories.png_bytes())
    data[40] ^= 0xFF  # inside the image data: the chunk's CRC no longer matches
    assert refused(bytes(data)).code == "truncated"


def test_truncated_jpeg_is_refused():
    data = factories.jpeg_bytes(size=(200, 150))
    assert refused(data[: len(data) // 2]).code == "truncated"


def test_jpeg_header_only_is_refused():
    assert refused(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00").code == "truncated"


def test_truncated_pdf_is_refused():
    assert refused(factories.pdf_bytes()[:-40]).code == "truncated"


def test_pdf_header_without_a_body_is_refused():
    assert refused(b"%PDF-1.7\n%%EOF\n").code == "pdf_unreadable"


def test_pdf_without_pages_is_refused():
    data = factories.pdf_bytes().replace(b"/Kids [3 0 R] /Count 1", b"/Kids [] /Count 0")
    assert refused(data).code == "pdf_no_pages"


def test_decompression_bomb_png_is_refused_before_decoding():
    assert refused(factories.png_bomb()).code == "too_many_pixels"


# --- refused: polyglots -----------------------------------------------------------------------

def test_polyglot_png_with_html_after_the_image_end_is_refused():
    error = refused(factories.png_bytes() + b"<html><script>alert(document.cookie)</script></html>")
    assert error.code == "polyglot" and "data tambahan" in str(error) and "motion photo" in str(error)


def test_polyglot_jpeg_with_a_pdf_after_the_image_end_is_refused():
    assert refused(factories.jpeg_bytes() + factories.pdf_bytes()).code == "polyglot"


def test_polyglot_jpeg_with_a_zip_after_the_image_end_is_refused():
    assert refused(factories.jpeg_bytes() + b"PK\x03\x04" + b"\x01" * 64).code == "polyglot"


def test_polyglot_png_with_script_in_a_text_chunk_is_refused():
    assert refused(factories.png_bytes(text={"Comment": "<script>alert(1)</script>"})).code == "polyglot"


def test_polyglot_jpeg_with_a_pdf_header_in_a_comment_is_refused():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "JPEG", comment=b"%PDF-1.4 1 0 obj")
    assert refused(out.getvalue()).code == "polyglot"


def test_polyglot_pdf_that_does_not_start_at_byte_zero_is_refused():
    assert refused(b"GIF89a;JUNK\n" + factories.pdf_bytes()).code in ("polyglot", "other_image")
    assert refused(b"Surat:\n" + factories.pdf_bytes()).code == "polyglot"


def test_polyglot_pdf_with_html_after_its_end_is_refused():
    error = refused(factories.pdf_bytes(tail=b"<html><script>alert(1)</script></html>"))
    assert error.code == "polyglot" and "motion photo" not in str(error)


def test_polyglot_pdf_with_html_inside_its_body_is_refused():
    data = factories.pdf_bytes(objects=["(<html><script>alert(1)</script></html>)"])
    assert refused(data).code == "polyglot"


def test_padding_after_the_image_end_is_harmless():
    assert check_upload(factories.png_bytes() + b"\x00\x00\n").content_type == "image/png"


# --- refused: PDFs with active content or attachments -----------------------------------------

def test_pdf_with_open_action_javascript_is_refused():
    error = refused(factories.pdf_with_open_action_javascript())
    assert error.code == "pdf_active" and "skrip" in str(error)


def test_pdf_with_document_level_javascript_is_refused():
    assert refused(factories.pdf_with_named_javascript()).code == "pdf_active"


def test_pdf_with_hex_escaped_javascript_name_is_refused():
    assert refused(factories.pdf_with_hex_escaped_javascript()).code == "pdf_active"


def test_pdf_with_javascript_hidden_in_a_compressed_object_stream_is_refused():
    data = factories.pdf_with_javascript_in_object_stream()
    assert b"JavaScript" not in data  # only the parser can see it
    assert refused(data).code == "pdf_active"


def test_pdf_with_embedded_files_is_refused():
    error = refused(factories.pdf_with_embedded_file())
    assert error.code == "pdf_embedded" and "lampiran" in str(error)


def test_pdf_with_launch_action_is_refused():
    assert refused(factories.pdf_with_launch_action()).code == "pdf_active"


def test_pdf_with_xfa_form_is_refused():
    assert refused(factories.pdf_with_xfa_form()).code == "pdf_active"


def test_pdf_with_rich_media_is_refused():
    data = factories.pdf_bytes(objects=["<< /Type /Annot /Subtype /RichMedia /Rect [0 0 1 1] >>"])
    assert refused(data).code == "pdf_active"


def test_pdf_locked_with_an_open_password_is_refused():
    error = refused(factories.pdf_encrypted_with_password())
    assert error.code == "pdf_encrypted" and "kata sandi" in str(error)


def test_the_object_walk_alone_finds_javascript_the_byte_scan_might_miss():
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(factories.pdf_with_open_action_javascript()))
    with pytest.raises(UploadRefused) as caught:
        uploads.pdf._walk_pdf_objects(reader)
    assert caught.value.code == "pdf_active"


def test_a_link_to_a_web_page_in_a_pdf_is_fine():
    data = factories.pdf_bytes("/OpenAction [3 0 R /Fit]", [
        "<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://contoh.go.id/JS/cek) >> >>"])
    assert check_upload(data).content_type == "application/pdf"


def test_a_pdf_with_a_javascript_uri_is_refused():
    data = factories.pdf_bytes(objects=[
        "<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (javascript:alert\\(1\\)) >> >>"])
    assert refused(data).code == "pdf_active"
