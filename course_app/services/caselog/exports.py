"""CSV and XLSX exports, with spreadsheet formulas neutralised (DESIGN §7; OWASP CSV injection).

A text cell that a spreadsheet would run as a formula — starting with `=`, `+`, `-`, `@`, a tab
or a carriage return — gets a leading apostrophe, so it is shown as text. Numbers stay numbers.
"""
import csv
import io

from flask_babel import gettext

from .reference import _

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _table_rows(report):
    """Header and rows of one report, labels in the user's language."""
    header = [gettext("Kode"), gettext(report.title), gettext("Jumlah kasus"), gettext("Jumlah korban")]
    with_services = report.dimension == "service"
    if with_services:
        header.append(gettext("Jumlah layanan"))
    rows = []
    for row in report.rows:
        values = [row.code, gettext(row.label), row.cases, row.victims]
        if with_services:
            values.append(row.services)
        rows.append(values)
    rows.append(["", gettext("Total kasus / korban dalam rentang"), report.total_cases,
                 report.total_victims] + ([""] if with_services else []))
    return header, rows


def _preamble(reports):
    first = reports[0]
    lines = [[gettext("Laporan kasus kekerasan terhadap perempuan dan anak — P3A Kota Kupang")],
             [gettext("Rentang tanggal lapor"), str(first.date_from or "…"), str(first.date_to or "…")],
             [gettext("Angka adalah kasus yang dilaporkan, bukan prevalensi.")],
             [gettext("Kasus dihitung sekali; korban dihitung per orang (satu kasus dengan dua korban = 1 kasus, 2 korban).")]]
    if first.publication:
        lines.append([gettext("Mode publikasi: angka di bawah 5 ditulis '<5'; '*' disembunyikan agar angka kecil tidak dapat dihitung dari total.")])
    return lines


def reports_csv(reports):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in _preamble(reports):
        writer.writerow([neutralise(v) for v in line])
    for report in reports:
        writer.writerow([])
        header, rows = _table_rows(report)
        writer.writerow([neutralise(v) for v in header])
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def _sheet_title(text, used):
    title = "".join(c for c in text if c not in "[]:*?/\\")[:28] or "Laporan"
    base, n = title, 2
    while title in used:
        title, n = f"{base[:25]} {n}", n + 1
    used.add(title)
    return title


def reports_xlsx(reports):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    used = set()
    for report in reports:
        sheet = workbook.create_sheet(_sheet_title(gettext(report.title), used))
        for line in _preamble(reports):
            sheet.append([neutralise(v) for v in line])
        sheet.append([])
        header, rows = _table_rows(report)
        sheet.append([neutralise(v) for v in header])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([neutralise(v) for v in row])
        sheet.column_dimensions["B"].width = 42
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


#: The case list as people read it — labels, dates written out — with the stable codes and ISO
#: dates in their own columns for machines (issue 12: exports show labels, codes apart).
CASE_COLUMNS = [
    ("number", _("Nomor kasus")), ("source", _("Sumber data")), ("external_ref", _("Nomor rujukan")),
    ("incident_date", _("Tanggal kejadian")), ("report_date", _("Tanggal lapor")),
    ("status", _("Status")), ("types", _("Jenis kekerasan")), ("kdrt", _("KDRT")),
    ("causes", _("Faktor penyebab")), ("impacts", _("Dampak")), ("place", _("Tempat kejadian")),
    ("kecamatan", _("Kecamatan")), ("victims", _("Jumlah korban")),
    ("perpetrators", _("Jumlah pelaku")),
    ("incident_date_iso", _("Tanggal kejadian (ISO)")), ("report_date_iso", _("Tanggal lapor (ISO)")),
    ("source_code", _("Kode sumber data")), ("status_code", _("Kode status")),
    ("type_codes", _("Kode jenis kekerasan")), ("cause_codes", _("Kode faktor penyebab")),
    ("impact_codes", _("Kode dampak")), ("place_code", _("Kode tempat kejadian")),
    ("kecamatan_code", _("Kode kecamatan")),
]


def _labels(case, kind):
    return "; ".join(gettext(lookup.label) for lookup in case.lookups(kind))


def _codes(case, kind):
    return "; ".join(lookup.code for lookup in case.lookups(kind))


def case_rows(cases):
    """Non-identifying columns of a case list (no names, addresses or narratives)."""
    from ..dates import long_date
    from .reference import STATUS_LABELS

    for c in cases:
        yield {
            "number": c.number, "source": gettext(c.source.label), "external_ref": c.external_ref or "",
            "incident_date": long_date(c.incident_date), "report_date": long_date(c.report_date),
            "status": gettext(STATUS_LABELS[c.status]),
            "types": _labels(c, "violence_type"), "kdrt": gettext("ya") if c.kdrt else gettext("tidak"),
            "causes": _labels(c, "cause"), "impacts": _labels(c, "impact"), "place": gettext(c.place.label),
            "kecamatan": (c.kecamatan.name if c.kecamatan else (gettext("Di luar Kota Kupang") if c.outside_city else "")),
            "victims": c.victim_count, "perpetrators": len(c.perpetrators),
            "incident_date_iso": c.incident_date.isoformat(), "report_date_iso": c.report_date.isoformat(),
            "source_code": c.source.code, "status_code": c.status,
            "type_codes": _codes(c, "violence_type"), "cause_codes": _codes(c, "cause"),
            "impact_codes": _codes(c, "impact"), "place_code": c.place.code,
            "kecamatan_code": c.kecamatan.code if c.kecamatan else "",
        }


def cases_csv(cases):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([gettext(label) for _key, label in CASE_COLUMNS])
    for row in case_rows(cases):
        writer.writerow([neutralise(row[key]) for key, _label in CASE_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def cases_xlsx(cases):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kasus"
    sheet.append([gettext(label) for _key, label in CASE_COLUMNS])
    for row in case_rows(cases):
        sheet.append([neutralise(row[key]) for key, _label in CASE_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
