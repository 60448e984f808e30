"""Builders for case-log import files, honest and hostile (issue 9, point 9). Synthetic data only.

The hostile XLSX files are written member by member with `zipfile`, streaming, so a sheet of
millions of cells never exists in this process as one string; `bench/caselog_import_hostile.py`
builds the same files to measure time and memory.
"""
import csv
import io
import zipfile

from openpyxl import Workbook

HEADER = ["no_laporan", "tanggal_kejadian", "tanggal_lapor", "jenis_kekerasan", "penyebab", "dampak",
          "tempat_kejadian", "kecamatan", "kelurahan", "kronologi", "korban_nama", "korban_jk",
          "korban_umur", "korban_alamat", "pelaku_nama", "pelaku_jk", "pelaku_umur", "hubungan", "kdrt"]


def import_row(**values):
    """One clean synthetic case row; keyword arguments override columns."""
    base = {"no_laporan": "LP/SINTETIS/1", "tanggal_kejadian": "01/08/2026", "tanggal_lapor": "03/08/2026",
            "jenis_kekerasan": "fisik", "penyebab": "ekonomi", "dampak": "trauma",
            "tempat_kejadian": "rumah tangga", "kecamatan": "Oebobo", "kelurahan": "",
            "kronologi": "[DATA SINTETIS] uraian", "korban_nama": "Korban Sintetis", "korban_jk": "P",
            "korban_umur": "30", "korban_alamat": "Jl. Contoh Sintetis 1", "pelaku_nama": "Pelaku Sintetis",
            "pelaku_jk": "L", "pelaku_umur": "", "hubungan": "suami/istri", "kdrt": "ya"}
    base.update(values)
    return base


def import_csv(rows, header=HEADER, delimiter=","):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def import_xlsx(rows, header=HEADER):
    """An ordinary workbook as Excel or openpyxl writes it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append([values.get(name, "") for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- hand-made workbooks ------------------------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    '</Relationships>')
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Kasus" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '</Relationships>')


def _inline(value):
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_row_xml(number, values):
    return f'<row r="{number}">' + "".join(_inline(v) for v in values) + "</row>"


def workbook_from_sheet_xml(chunks, prologue="", dimension=None):
    """An XLSX whose only sheet is `<sheetData>` + the given chunks of rows (bytes or str,
    any iterable: written as it is produced). `prologue` goes before the root element
    (a DTD, for instance); `dimension` is the range the sheet claims."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?>{prologue}<worksheet xmlns="{MAIN_NS}">'
                        .encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for chunk in chunks:
                sheet.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def honest_sheet_rows(rows, header=HEADER):
    yield sheet_row_xml(1, header)
    for number, values in enumerate(rows, start=2):
        yield sheet_row_xml(number, [values.get(name, "") for name in header])


def xlsx_zip_bomb(cells=5_000_000, per_row=10_000):
    """A header and a valid row, then `cells` identical cells: a few hundred KB that unpack
    to tens of MB of XML (the 206 KB file that took a worker to 2.1 GB)."""
    def chunks():
        yield from honest_sheet_rows([import_row()])
        cell = b"<c><v>1</v></c>"
        for number in range(3, 3 + cells // per_row):
            yield b'<row r="%d">' % number + cell * per_row + b"</row>"
    return workbook_from_sheet_xml(chunks())


def xlsx_one_row_of_many_cells(cells=2_000_000):
    """One row holding millions of empty cells: openpyxl builds a whole row at once."""
    return workbook_from_sheet_xml([b'<row r="1">', b"<c/>" * cells, b"</row>"])


def xlsx_claiming_a_huge_dimension(rows=(), far_cell=True):
    """An honest sheet that claims A1:XFD1048576 (and may hold one cell at the far corner):
    read by its dimension, it would be a billion empty cells."""
    def chunks():
        yield from honest_sheet_rows(list(rows) or [import_row()])
        if far_cell:
            yield ('<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c>'
                   '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    return workbook_from_sheet_xml(chunks(), dimension="A1:XFD1048576")


def xlsx_billion_laughs(levels=9):
    """Entity expansion ("billion laughs") in the sheet's DTD, used in a cell."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)]
    prologue = "<!DOCTYPE worksheet [" + "".join(entities) + "]>"
    return workbook_from_sheet_xml([sheet_row_xml(1, HEADER), f'<row r="2"><c t="inlineStr"><is>'
                                    f'<t>&lol{levels};</t></is></c></row>'], prologue=prologue)


def xlsx_with_member(name, data, base=None):
    """An honest workbook with one more member (or one replaced)."""
    source = zipfile.ZipFile(io.BytesIO(base or import_xlsx([import_row()])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != name:
                archive.writestr(info.filename, source.read(info))
        archive.writestr(name, data)
    return buffer.getvalue()


# --- hostile CSV ---------------------------------------------------------------------------------

def csv_with_one_enormous_field(size, column="kronologi"):
    """A valid CSV whose one cell makes the whole file `size` bytes."""
    rows = list(csv.reader(io.StringIO(import_csv([import_row()]).decode("utf-8"))))
    rows[1][rows[0].index(column)] = ""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    rows[1][rows[0].index(column)] = "x" * max(0, size - len(buffer.getvalue().encode()))
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_with_nuls(rows=3):
    """`rows` rows, each with a NUL byte in its report number and in its narrative."""
    return import_csv([import_row(no_laporan=f"LP/{i}\x00/2026", kronologi="awal\x00akhir")
                       for i in range(rows)])
