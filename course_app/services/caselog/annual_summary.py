"""The printable annual summary of the case-log for the city government (issue 13 point 4):
an A4 PDF of one report year, publication-mode figures only.

Rules it keeps (product §7 and caselog-categories.md "Counting rules"): every count as published
(below 5 shown "<5", complementary suppression "*"); nothing below kecamatan; no names and no
exact dates (months at most); figures are reported cases, not prevalence; cases and victims
counted separately; "child" is under 18.

Same year and same data, same bytes: the creation date is the end of the year, the fonts are
the vendored DejaVu Sans the certificate uses (services/certificate_pdf), and the text is
Indonesian whatever the interface language — it is a document of the office.
"""
from datetime import UTC, datetime

from fpdf import FPDF

from ..certificate_pdf import BRAND, FONT, FONT_DIR, INK, MUTED
from . import reports
from .reports import trend

#: The sections, in order: (dimension, heading). Victim sex and age group count victims too.
SECTIONS = [
    ("type", "Jenis kekerasan"), ("cause", "Faktor penyebab"), ("impact", "Dampak"),
    ("victim_sex", "Jenis kelamin korban"), ("child_adult", "Korban anak (di bawah 18 tahun) dan dewasa"),
    ("age_group", "Kelompok umur korban"), ("kecamatan", "Kecamatan tempat kejadian"),
]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember"]


def summary_figures(year):
    """Everything the summary prints, as published: {totals, sections, months}."""
    start, end = datetime(year, 1, 1).date(), datetime(year, 12, 31).date()
    sections = []
    total_cases = total_victims = 0
    for dimension, heading in SECTIONS:
        report = reports.build_report(dimension, start, end, publication=True)
        total_cases, total_victims = report.total_cases, report.total_victims
        sections.append((heading, report.note, [(row.label, row.cases, row.victims) for row in report.rows]))
    months = trend.month_trend(start, end, publication=True)
    return {"year": year, "cases": total_cases, "victims": total_victims, "sections": sections,
            "months": [(MONTHS[int(row.code[5:]) - 1], row.cases) for row in months]}


class _Summary(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"Ringkasan tahunan kasus {self.year} — P3A Kota Kupang — halaman {self.page_no()}",
                  align="C")


def _heading(pdf, text):
    if pdf.get_y() > 250:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, "B", 11.5)
    pdf.set_text_color(*BRAND)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def _table(pdf, header, rows, widths):
    pdf.set_font(FONT, "", 9.5)
    with pdf.table(col_widths=widths, text_align=("LEFT",) + ("RIGHT",) * (len(header) - 1),
                   line_height=5.6, first_row_as_headings=True) as table:
        table.row(header)
        for row in rows:
            table.row([str(v) for v in row])


def render(year):
    """The summary of report year `year` as PDF bytes."""
    figures = summary_figures(year)
    pdf = _Summary(orientation="portrait", unit="mm", format="A4")
    pdf.year = year
    pdf.set_creation_date(datetime(year, 12, 31, 23, 59, tzinfo=UTC))
    pdf.set_title(f"Ringkasan tahunan kasus kekerasan terhadap perempuan dan anak {year}")
    pdf.set_author("Dinas P3A Kota Kupang")
    pdf.set_creator("Pranikah Kupang")
    pdf.set_lang("id")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans-Latin.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold-Latin.ttf"))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()

    pdf.set_font(FONT, "B", 10)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, "PEMERINTAH KOTA KUPANG — DINAS P3A", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*BRAND)
    pdf.multi_cell(0, 8, f"Ringkasan tahunan kasus kekerasan terhadap perempuan dan anak {year}",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "", 9.5)
    pdf.multi_cell(0, 5, (
        f"Kasus yang dilaporkan kepada P3A Kota Kupang dengan tanggal lapor 1 Januari–31 Desember {year}. "
        "Angka adalah kasus yang dilaporkan, bukan prevalensi. Untuk publikasi: angka 1–4 ditulis "
        "\"<5\", dan angka yang ditandai \"*\" disembunyikan agar angka kecil tidak dapat dihitung "
        "dari total; tidak ada nama, tanggal, atau wilayah di bawah kecamatan. Kasus dihitung sekali; "
        "korban dihitung per orang. Anak berarti berusia di bawah 18 tahun saat kejadian."),
        new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, "Jumlah")
    _table(pdf, ("", "Kasus", "Korban"), [("Seluruh kasus yang dilaporkan", figures["cases"], figures["victims"])],
           (110, 32, 32))
    for heading, note, rows in figures["sections"]:
        _heading(pdf, heading)
        if rows:
            _table(pdf, (heading, "Kasus", "Korban"), rows, (110, 32, 32))
        else:
            pdf.cell(0, 6, "Tidak ada kasus.", new_x="LMARGIN", new_y="NEXT")
        if note:
            pdf.set_font(FONT, "", 8.5)
            pdf.set_text_color(*MUTED)
            pdf.multi_cell(0, 4.5, note, new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(*INK)
    _heading(pdf, "Kasus per bulan lapor")
    _table(pdf, ("Bulan", "Kasus"), figures["months"], (110, 32))
    return bytes(pdf.output())
