"""A two-way report as CSV and XLSX: the same preamble as the one-way exports, then the table
with its totals. Text cells are neutralised against spreadsheet formulas (exports.neutralise)."""
import csv
import io

from flask_babel import gettext

from ..exports import neutralise


def _lines(table):
    lines = [[gettext("Laporan kasus kekerasan terhadap perempuan dan anak — P3A Kota Kupang")],
             [gettext("Tabulasi silang"), gettext(table.title), gettext(table.by_title)],
             [gettext("Rentang tanggal lapor"), str(table.date_from or "…"), str(table.date_to or "…")],
             [gettext("Angka adalah kasus yang dilaporkan, bukan prevalensi.")],
             [gettext(table.note)]]
    if table.publication:
        lines.append([gettext("Mode publikasi: angka di bawah 5 ditulis '<5'; '*' disembunyikan agar "
                              "angka kecil tidak dapat dihitung dari total.")])
    lines.append([])
    lines.append([gettext("Kode"), f"{gettext(table.title)} × {gettext(table.by_title)}"]
                 + [gettext(label) for _code, label in table.columns] + [gettext("Total kasus")])
    lines.append(["", gettext("Kode kolom")] + [code for code, _label in table.columns] + [""])
    for (code, label), cells, total in zip(table.rows, table.cells, table.row_totals, strict=True):
        lines.append([code, gettext(label), *cells, total])
    lines.append(["", gettext("Total kasus"), *table.column_totals, table.total])
    return [[neutralise(v) for v in line] for line in lines]


def crosstab_csv(table):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_lines(table))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def crosstab_xlsx(table):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(c for c in gettext("Tabulasi silang") if c not in "[]:*?/\\")[:31]
    for line in _lines(table):
        sheet.append(line)
    sheet.column_dimensions["B"].width = 42
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
