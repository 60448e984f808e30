"""The QR code and the PDF (product §6, §9; issue 4 point 5)."""
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from pypdf import PdfReader
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM

from course_app.services import certificate_pdf, qr, signing
from tests.certificate_builders import keys_fixture, make_certificate, vector_key  # noqa: F401
from tests.unit.test_signing import VectorKey

BASE_URL = "https://pranikah-kupang.example.org"
LONG_NAMES = ("Peserta Contoh Pertama Bernama Sangat Panjang", "Peserta Contoh Kedua Bernama Sangat Panjang X")


#: Dates of birth whose day numbers take the most room (3 bytes each, as every date from 1900).
BIRTH_DATES = (date(1900, 1, 1), date(2008, 12, 31))


def long_token(names=None, birth_dates=BIRTH_DATES):
    names = names or (("A" * 45), ("B" * 45))
    now = datetime(2027, 1, 4, tzinfo=UTC)
    claims = signing.CertificateClaims("BIFQYDIOB4IBCEQT", now, now + timedelta(days=365), names, "P3A-KPG",
                                       birth_dates)
    return signing.b32encode(signing.certificate_token(claims, VectorKey(), vector_key()))


@pytest.mark.parametrize("birth_dates", [BIRTH_DATES, None], ids=["format 2", "format 1"])
def test_two_45_character_names_fit_in_version_12_at_m_and_15_at_q(birth_dates):
    token = long_token(birth_dates=birth_dates)
    content = qr.verify_url(BASE_URL, "BIFQYDIOB4IBCEQT", token)
    assert len(token) == (354 if birth_dates else 341)  # docs/certificate-format.md §1
    assert qr.version(content, "M") <= 12
    assert qr.version(content, "Q") <= 15


def test_the_qr_content_is_the_verify_url_with_the_token_in_the_fragment():
    token = long_token()
    content = qr.verify_url(BASE_URL + "/", "bifqydiob4ibceqt", token)
    assert content == f"HTTPS://PRANIKAH-KUPANG.EXAMPLE.ORG/V/BIFQYDIOB4IBCEQT#{token}"


def test_the_qr_uses_mixed_modes_alphanumeric_for_url_and_token_one_byte_for_the_hash():
    content = qr.verify_url(BASE_URL, "BIFQYDIOB4IBCEQT", long_token())
    modes = [(chunk.mode, len(chunk.data)) for chunk in qr.segments(content)]
    assert modes[0][0] == MODE_ALPHA_NUM
    assert (MODE_8BIT_BYTE, 1) in modes
    assert modes[-1][0] == MODE_ALPHA_NUM and modes[-1][1] > 300


def test_a_base_url_with_a_path_keeps_the_path_case():
    assert qr.verify_url("https://pemkot.example.org/pranikah", "BIFQYDIOB4IBCEQT", "AB").startswith(
        "HTTPS://PEMKOT.EXAMPLE.ORG/pranikah/V/")


def test_the_qr_svg_and_png_are_valid_images_of_the_same_code():
    content = qr.verify_url(BASE_URL, "BIFQYDIOB4IBCEQT", long_token())
    size = len(qr.matrix(content))
    svg = qr.svg(content).decode()
    assert svg.startswith("<?xml") and f'viewBox="0 0 {size} {size}"' in svg
    image = Image.open(io.BytesIO(qr.png(content, module_px=4)))
    assert image.format == "PNG" and image.size == (size * 4, size * 4)
    assert qr.png(content) == qr.png(content)  # deterministic


def snapshot(names=LONG_NAMES, dispensation=None):
    content = qr.verify_url(BASE_URL, "BIFQYDIOB4IBCEQT", long_token(names))
    modules = [{"code": "gizi", "title": "Gizi", "version": 2, "best_score": 90, "passed_on": "2026-11-20"},
               {"code": "imunisasi", "title": "Imunisasi", "version": 1, "best_score": 100, "passed_on": "2026-11-21"},
               {"code": "perilaku", "title": "Perilaku & keluarga", "version": 1, "best_score": 85, "passed_on": "2026-11-22"}]
    return {"format_version": 1, "template_version": 1, "certificate_id": "BIFQYDIOB4IBCEQT",
            "issued_at": "2027-01-04T01:30:00Z", "expires_at": "2028-01-04T01:30:00Z",
            "issued_on": "2027-01-04", "expires_on": "2028-01-04",
            "office": {"code": "P3A-KPG", "name": "Dinas Pemberdayaan Perempuan dan Perlindungan Anak Kota Kupang"},
            "people": [{"name": names[0], "modules": modules, "dispensation": None},
                       {"name": names[1], "modules": modules, "dispensation": dispensation}],
            "wedding": {"planned_date": "2027-02-14", "institution_type": "gereja", "institution_label": "Gereja",
                        "institution_name": "Jemaat Contoh Kota"},
            "kid": "21fe31df", "verify_url": content, "page_url": BASE_URL + "/v/BIFQYDIOB4IBCEQT"}


def test_the_pdf_is_a4_and_shows_names_modules_dates_grouped_id_and_office():
    pdf = certificate_pdf.render(snapshot(dispensation="12/Pdt.P/2026/PA.Kpg"))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in (*LONG_NAMES, "Gizi", "Imunisasi", "Perilaku & keluarga", "BIFQ YDIO B4IB CEQT",
                     "Dinas Pemberdayaan Perempuan dan Perlindungan Anak Kota Kupang", "4 Januari 2027",
                     "4 Januari 2028", "14 Februari 2027", "Jemaat Contoh Kota", "12/Pdt.P/2026/PA.Kpg",
                     "nilai 90", BASE_URL + "/v/BIFQYDIOB4IBCEQT"):
        assert expected in text, expected


def test_the_pdf_qr_code_is_at_least_35_mm_wide():
    pdf = certificate_pdf.render(snapshot())
    stream = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data().decode("latin-1")
    squares = [tuple(map(float, m)) for m in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) -?([\d.]+) re\b", stream)]
    module = min(h for *_rest, h in squares)
    qr_cells = [s for s in squares if abs(s[3] - module) < 0.01]
    width_pt = max(x + w for x, _y, w, _h in qr_cells) - min(x for x, *_ in qr_cells)
    # Dark modules span the code less its quiet zone of 4 modules on each side.
    assert (width_pt + 8 * module) / 72 * 25.4 >= 35
    assert certificate_pdf.QR_WIDTH_MM >= 35


def test_the_same_snapshot_always_gives_the_same_pdf_bytes():
    assert certificate_pdf.render(snapshot()) == certificate_pdf.render(snapshot())
    later = snapshot()
    later["issued_at"], later["issued_on"] = "2027-01-05T01:30:00Z", "2027-01-05"
    assert certificate_pdf.render(later) != certificate_pdf.render(snapshot())


def test_names_outside_latin_1_are_printed_not_replaced():
    names = ("Đặng Thị Hồng Nhung", "Łukasz Żółć")
    text = PdfReader(io.BytesIO(certificate_pdf.render(snapshot(names)))).pages[0].extract_text()
    assert all(name in " ".join(text.split()) for name in names)


def test_the_issued_certificates_pdf_hash_is_stored(keys):
    certificate, *_ = make_certificate()
    assert certificate.pdf_sha256 == certificate_pdf.sha256(certificate.pdf)
    assert certificate.pdf.startswith(b"%PDF-")


@pytest.mark.parametrize("value, text", [("2027-01-04", "4 Januari 2027"), ("2026-12-31T23:00:00Z", "31 Desember 2026")])
def test_dates_on_the_certificate_are_written_in_indonesian(value, text):
    assert certificate_pdf.indonesian_date(value) == text


def test_the_pdf_draws_exactly_the_qr_code_of_the_verify_url():
    """Rebuild the module grid from the PDF's rectangles and compare it with the QR matrix."""
    data = snapshot()
    stream = PdfReader(io.BytesIO(certificate_pdf.render(data))).pages[0].get_contents().get_data().decode("latin-1")
    path = re.search(r"q 0 g (.*?) f Q", stream, re.S).group(1)
    rects = [tuple(map(float, m)) for m in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (-[\d.]+) re", path)]
    expected = qr.matrix(data["verify_url"])
    module = certificate_pdf.QR_WIDTH_MM / len(expected) * 72 / 25.4
    left = min(x for x, *_ in rects) - 4 * module
    top = max(y for _x, y, *_ in rects) + 4 * module
    grid = [[False] * len(expected) for _ in expected]
    for x, y, w, _h in rects:
        row, col = round((top - y) / module), round((x - left) / module)
        for offset in range(round(w / module)):
            grid[row][col + offset] = True
    assert grid == [list(r) for r in expected]
