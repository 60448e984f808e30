"""CSV and XLSX exports, with spreadsheet formulas neutralised (product §7; OWASP CSV injection).

A text cell that a spreadsheet would run as a formula — starting with `=`, `+`, `-`, `@`, a tab
or a carriage return — gets a leading apostrophe, so it is shown as text. Numbers stay numbers.
"""
import csv
import io

from flask_babel import gettext
from sqlalchemy import func, select

from ...extensions import db
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
#: Cases read per query when exporting: each chunk is three queries (cases, their categories,
#: their perpetrator counts), so 20,000 cases are 60 queries and memory holds one chunk.
EXPORT_CHUNK = 1000
CSV_BOM = "\ufeff"  # Excel opens UTF-8 correctly only with it


class _Labels:
    """Translated labels and written dates of one export, each worked out once: an export
    repeats the same few dozen labels and a few hundred dates tens of thousands of times."""

    def __init__(self):
        from ..dates import long_date
        from .reference import STATUS_LABELS

        self._long_date = long_date
        self.dates = {}
        self.statuses = {code: gettext(label) for code, label in STATUS_LABELS.items()}
        self.yes, self.no = gettext("ya"), gettext("tidak")
        self.outside = gettext("Di luar Kota Kupang")
        self.lookups = {}

    def date(self, value):
        written = self.dates.get(value)
        if written is None:
            written = self.dates[value] = self._long_date(value)
        return written

    def label(self, lookup):
        written = self.lookups.get(lookup.id)
        if written is None:
            written = self.lookups[lookup.id] = gettext(lookup.label)
        return written


def _export_row(labels, *, number, source, external_ref, incident_date, report_date, status, kdrt,
                categories, place, kecamatan, outside_city, victims, perpetrators):
    """One case as the export's values, in CASE_COLUMNS order. `categories`: {kind: [Lookup]}
    in list order; `kecamatan`: (name, code) or None."""
    def joined(kind, text):
        return "; ".join(text(x) for x in categories.get(kind, ()))

    kecamatan_name = kecamatan[0] if kecamatan else (labels.outside if outside_city else "")
    values = {
        "number": number, "source": labels.label(source), "external_ref": external_ref or "",
        "incident_date": labels.date(incident_date), "report_date": labels.date(report_date),
        "status": labels.statuses[status],
        "types": joined("violence_type", labels.label), "kdrt": labels.yes if kdrt else labels.no,
        "causes": joined("cause", labels.label), "impacts": joined("impact", labels.label),
        "place": labels.label(place), "kecamatan": kecamatan_name,
        "victims": victims, "perpetrators": perpetrators,
        "incident_date_iso": incident_date.isoformat(), "report_date_iso": report_date.isoformat(),
        "source_code": source.code, "status_code": status,
        "type_codes": joined("violence_type", _code), "cause_codes": joined("cause", _code),
        "impact_codes": joined("impact", _code), "place_code": place.code,
        "kecamatan_code": kecamatan[1] if kecamatan else "",
    }
    return [neutralise(values[key]) for key, _label in CASE_COLUMNS]


def _code(lookup):
    return lookup.code


def _header():
    return [gettext(label) for _key, label in CASE_COLUMNS]


def case_rows(cases):
    """Export rows of loaded cases (no names, addresses or narratives), in CASE_COLUMNS order."""
    labels = _Labels()
    for c in cases:
        yield _export_row(
            labels, number=c.number, source=c.source, external_ref=c.external_ref,
            incident_date=c.incident_date, report_date=c.report_date, status=c.status, kdrt=c.kdrt,
            categories={kind: c.lookups(kind) for kind in ("violence_type", "cause", "impact")},
            place=c.place, kecamatan=(c.kecamatan.name, c.kecamatan.code) if c.kecamatan else None,
            outside_city=c.outside_city, victims=c.victim_count, perpetrators=len(c.perpetrators))


def case_ids(query, limit):
    """The ids of the cases a case-list select (`cases.search_cases`) finds, in its order, at
    most `limit`: the export's work list, 8 bytes a case."""
    from ...models.caselog import Case

    return list(db.session.scalars(query.with_only_columns(Case.id).limit(limit)))


def export_rows(ids):
    """Export rows of the cases `ids`, in that order, read EXPORT_CHUNK at a time with plain
    column queries: the lists and kecamatan once, categories and perpetrator counts per chunk in
    bulk — never one query per case, never every case in memory at once.

    What needs the request is settled here, at the call: the reader's language (kept for the
    request once asked), the lists. The rows themselves are made as they are read — a streamed
    response reads them after its view has returned and the view's database session is gone."""
    from ...models.caselog import Kecamatan, Lookup

    labels = _Labels()
    lookups = {x.id: x for x in db.session.scalars(select(Lookup))}
    for lookup in lookups.values():
        labels.label(lookup)
    kecamatan = {k.id: (k.name, k.code) for k in db.session.scalars(select(Kecamatan))}
    return _rows_in_chunks(ids, labels, lookups, kecamatan)


def _rows_in_chunks(ids, labels, lookups, kecamatan):
    from ...models.caselog import Case, CaseCategory, Perpetrator

    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start:start + EXPORT_CHUNK]
        rows = {row.id: row for row in db.session.execute(select(
            Case.id, Case.number, Case.source_id, Case.external_ref, Case.incident_date,
            Case.report_date, Case.status, Case.kdrt, Case.place_id, Case.kecamatan_id,
            Case.outside_city, Case.victim_count).where(Case.id.in_(chunk)))}
        categories = {}
        for case_id, kind, lookup_id in db.session.execute(select(
                CaseCategory.case_id, CaseCategory.kind, CaseCategory.lookup_id)
                .where(CaseCategory.case_id.in_(chunk))):
            categories.setdefault(case_id, {}).setdefault(kind, []).append(lookups[lookup_id])
        perpetrators = dict(db.session.execute(select(Perpetrator.case_id, func.count())
                                               .where(Perpetrator.case_id.in_(chunk))
                                               .group_by(Perpetrator.case_id)).all())
        for case_id in chunk:
            row = rows.get(case_id)
            if row is None:  # deleted since the ids were read
                continue
            kinds = categories.get(case_id, {})
            for found in kinds.values():
                found.sort(key=lambda x: (x.position, x.id))
            yield _export_row(
                labels, number=row.number, source=lookups[row.source_id], external_ref=row.external_ref,
                incident_date=row.incident_date, report_date=row.report_date, status=row.status,
                kdrt=row.kdrt, categories=kinds, place=lookups[row.place_id],
                kecamatan=kecamatan.get(row.kecamatan_id), outside_city=row.outside_city,
                victims=row.victim_count, perpetrators=perpetrators.get(case_id, 0))


def csv_chunks(rows, rows_per_chunk=500):
    """A CSV (UTF-8 with BOM) of the header and `rows`, as a stream of byte strings. The header
    is translated at the call (see `export_rows`)."""
    return _csv_pieces(_header(), rows, rows_per_chunk)


def _csv_pieces(header, rows, rows_per_chunk):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(CSV_BOM)
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_file(rows, file):
    """Write an XLSX of the header and `rows` into the binary `file` with openpyxl's write-only
    mode, which keeps no cell in memory: the sheet goes to disk row by row."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Kasus")
    sheet.append(_header())
    for row in rows:
        sheet.append(row)
    workbook.save(file)


def cases_csv(cases):
    """The CSV of a list of loaded cases, whole (small lists; the web export streams)."""
    return b"".join(csv_chunks(case_rows(cases)))


def cases_xlsx(cases):
    """The XLSX of a list of loaded cases, whole (small lists; the web export streams)."""
    buffer = io.BytesIO()
    xlsx_file(case_rows(cases), buffer)
    return buffer.getvalue()
