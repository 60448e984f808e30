"""The certificate as an A4 PDF, built from the frozen snapshot only (product §6).

Same snapshot, same bytes: the creation date is the issue time, the fonts are the vendored
DejaVu Sans, cut to the Latin scripts (every Latin name's letters, Vietnamese included; no
dependence on the host's fonts), and nothing else varies. The bytes are stored at issue with their SHA-256 and served as stored, so a later
change of this template never touches a certificate already issued: `TEMPLATE_VERSION` tells
the layouts apart.

The certificate's text is Indonesian whatever the interface language: it is an official
document of the Kupang office, and part of its versioned template, not of the interface.
"""
import hashlib
import logging
from datetime import date, datetime
from pathlib import Path

from babel.dates import format_date as babel_format_date
from fpdf import FPDF

from . import qr

# fontTools logs each subset's glyph list, fpdf2 the characters a font lacks: the letters of
# people's names, which stay out of the logs (product §8).
logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("fpdf").setLevel(logging.ERROR)

TEMPLATE_VERSION = 1
FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "dejavu-fonts-ttf-2.37.3" / "ttf"
FONT = "DejaVu"
QR_WIDTH_MM = 50  # product §6: at least 35 mm; a version-12 code gets 0.6 mm modules
INK, MUTED, BRAND = (27, 31, 35), (77, 86, 97), (11, 110, 79)


def indonesian_date(value, short=False):
    """'27 November 2026' (or '27 Nov 2026') from a date, a datetime or an ISO text."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    # The paper is Indonesian whatever the reader's UI language: Babel's "id" month names.
    return babel_format_date(value, "d MMM y" if short else "d MMMM y", locale="id")


def group_id(certificate_id):
    """'ABCD EFGH JKMN PQRS': four groups of four, easy to read aloud."""
    return " ".join(certificate_id[i:i + 4] for i in range(0, len(certificate_id), 4))


def render(snapshot):
    """The PDF bytes for `snapshot` (see services.certificates.build_snapshot)."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(datetime.fromisoformat(snapshot["issued_at"].replace("Z", "+00:00")))
    pdf.set_title(f"Sertifikat Persiapan Pranikah {snapshot['certificate_id']}")
    pdf.set_author(snapshot["office"]["name"])
    pdf.set_creator("Pranikah Kupang")
    pdf.set_lang("id")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans-Latin.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold-Latin.ttf"))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.epw

    # Frame
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(0.8)
    pdf.rect(10, 10, 190, 277)
    pdf.set_line_width(0.2)
    pdf.rect(12, 12, 186, 273)

    _line(pdf, "PEMERINTAH KOTA KUPANG", 11, "B", MUTED)
    _line(pdf, snapshot["office"]["name"], 10, "", MUTED, wrap=True)
    pdf.ln(6)
    _line(pdf, "SERTIFIKAT", 26, "B", BRAND, height=12)
    _line(pdf, "PERSIAPAN PRANIKAH", 16, "B", BRAND, height=8)
    pdf.ln(2)
    _line(pdf, f"Nomor {group_id(snapshot['certificate_id'])}", 11, "", INK)
    pdf.ln(7)
    _line(pdf, "diberikan kepada pasangan calon pengantin", 11, "", INK)
    pdf.ln(3)
    first, second = snapshot["people"]
    _name(pdf, first["name"], width)
    _line(pdf, "dan", 11, "", MUTED, height=7)
    _name(pdf, second["name"], width)
    pdf.ln(5)
    pdf.set_font(FONT, "", 10.5)
    pdf.set_text_color(*INK)
    pdf.multi_cell(width, 5.5, "yang masing-masing telah menyelesaikan seluruh materi persiapan "
                   "pranikah dan lulus kuisnya, serta memiliki surat keterangan catatan kepolisian "
                   "(SKCK) yang disetujui:", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _modules_table(pdf, snapshot, width)
    pdf.ln(5)

    wedding = snapshot["wedding"]
    _pair(pdf, "Rencana pernikahan", f"{indonesian_date(wedding['planned_date'])}, "
          f"{wedding['institution_name']} ({wedding['institution_label']})", width)
    for person in snapshot["people"]:
        if person.get("dispensation"):
            _pair(pdf, "Dispensasi pengadilan",
                  f"{person['name']}: nomor {person['dispensation']}", width)
    _pair(pdf, "Diterbitkan", indonesian_date(snapshot["issued_on"]), width)
    _pair(pdf, "Berlaku sampai", indonesian_date(snapshot["expires_on"]), width)

    # The QR code and how to check it, at the foot of the page.
    top = 297 - 18 - QR_WIDTH_MM - 8
    _qr(pdf, snapshot["verify_url"], pdf.l_margin, top, QR_WIDTH_MM)
    text_x = pdf.l_margin + QR_WIDTH_MM + 8
    pdf.set_xy(text_x, top + 2)
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*INK)
    pdf.multi_cell(width - QR_WIDTH_MM - 8, 6, "Periksa keaslian sertifikat ini", new_x="LMARGIN",
                   new_y="NEXT")
    pdf.set_x(text_x)
    pdf.set_font(FONT, "", 9.5)
    pdf.multi_cell(width - QR_WIDTH_MM - 8, 5,
                   "Pindai kode QR dengan kamera ponsel, atau buka alamat di bawah ini, lalu "
                   "cocokkan nama dengan KTP. Keaslian sertifikat dijamin oleh tanda tangan "
                   "digital di dalam kode QR, bukan oleh tanda tangan basah.",
                   align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(text_x)
    pdf.set_font(FONT, "B", 9.5)
    pdf.multi_cell(width - QR_WIDTH_MM - 8, 5, snapshot["page_url"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(text_x, top + QR_WIDTH_MM - 5)
    pdf.set_font(FONT, "", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(width - QR_WIDTH_MM - 8, 4, f"Templat {snapshot['template_version']} · "
             f"format {snapshot['format_version']} · kunci {snapshot['kid']} · "
             f"{snapshot['office']['code']}")
    return bytes(pdf.output())


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def _line(pdf, text, size, style, colour, height=None, wrap=False):
    pdf.set_font(FONT, style, size)
    pdf.set_text_color(*colour)
    line_height = height or size * 0.5
    if wrap:
        pdf.multi_cell(pdf.epw, line_height, text, align="C", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.cell(pdf.epw, line_height, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _name(pdf, name, width):
    """A name on one line, as large as fits (long names get a smaller size, never cut)."""
    size = 20.0
    pdf.set_font(FONT, "B", size)
    while size > 9 and pdf.get_string_width(name) > width:
        size -= 0.5
        pdf.set_font(FONT, "B", size)
    pdf.set_text_color(*INK)
    pdf.cell(width, 10, name, align="C", new_x="LMARGIN", new_y="NEXT")


def _modules_table(pdf, snapshot, width):
    people = snapshot["people"]
    first_col = width * 0.28
    other_col = (width - first_col) / 2
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.2)
    pdf.set_font(FONT, "B", 9)
    pdf.set_text_color(*INK)
    pdf.cell(first_col, 7, "Materi", border=1, align="L")
    for person in people:
        label = person["name"] if pdf.get_string_width(person["name"]) < other_col - 3 else \
            person["name"].split()[0]
        pdf.cell(other_col, 7, label, border=1, align="C")
    pdf.ln()
    pdf.set_font(FONT, "", 9)
    # The modules the certificate required (snapshots before `required` existed list only those).
    rows = [[m for m in person["modules"] if m.get("required", True)] for person in people]
    for index, module in enumerate(rows[0]):
        pdf.cell(first_col, 7, module["title"], border=1, align="L")
        for person_rows in rows:
            entry = person_rows[index]
            pdf.cell(other_col, 7, f"nilai {entry['best_score']} · lulus "
                     f"{indonesian_date(entry['passed_on'], short=True)}", border=1, align="C")
        pdf.ln()


def _pair(pdf, label, value, width):
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*MUTED)
    pdf.cell(48, 6, label)
    pdf.set_font(FONT, "B", 10)
    pdf.set_text_color(*INK)
    pdf.multi_cell(width - 48, 6, value, align="L", new_x="LMARGIN", new_y="NEXT")


def _qr(pdf, content, x, y, size_mm):
    """The QR code as vector rectangles (sharp at any print size), one filled path: a run of
    dark modules in a row is one rectangle. Written as raw PDF operators because drawing
    ~1,500 rectangles one by one through fpdf2 costs more than the rest of the page."""
    rows = qr.matrix(content)
    module = size_mm / len(rows)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size_mm, size_mm, style="F")
    k, page_h = pdf.k, pdf.h
    rects = " ".join(
        f"{(x + start * module) * k:.2f} {(page_h - y - row_index * module) * k:.2f} "
        f"{length * module * k:.2f} {-module * k:.2f} re"
        for row_index, row in enumerate(rows) for start, length in qr.runs(row))
    pdf._out(f"q 0 g {rects} f Q")
