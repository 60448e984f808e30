"""Reading an uploaded register — CSV or XLSX, honest or hostile — into rows of cells.

A spreadsheet is an archive of XML that can unpack to a thousand times its size, claim a
billion cells, or declare entities that expand forever; a CSV can hold one field of megabytes.
So every limit is checked while reading, before anything large is built (issue 9, point 9):

* **Size:** the file itself, against the upload limit (`MAX_UPLOAD_MB`) — the web upload and
  the CLI share `check_size`.
* **XLSX archive, before openpyxl parses anything:** the members' sizes and compression ratios
  from the zip directory (`zipfile` never unpacks more than a member declares), then one
  streaming pass over every member counting rows, cells and shared strings and refusing a DTD
  (entity expansion) or XML that is not UTF-8 (the counts read the bytes as UTF-8). openpyxl
  builds a whole row at once, and scans a sheet without a `<dimension>` to its end, so rows,
  cells per row and cells are bounded here rather than while iterating.
* **XLSX sheet:** read with openpyxl in streaming mode, ignoring the dimension the sheet
  claims, `MAX_COLUMNS` wide, stopping once more than `MAX_ROWS` rows of data were read.
* **CSV:** decoded in memory (the file is small), read row by row with the same row and column
  limits; a field longer than the csv module's default limit is read whole and reported by the
  cell-length check of the import, with its row and column.

Cells are returned as they are; what a cell may contain (control characters, length) is the
import's rule, checked row by row so each problem gets its row and column.
"""
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .. import DomainError
from ..uploads import max_upload_bytes
from .parsing import cell_text

MAX_ROWS = 20000            # data rows per file (product §7)
HEADER_ROWS = 10            # the header is one of the first ten rows
MAX_COLUMNS = 100           # cells read per row; the format has 35 columns
# XLSX archive limits. An honest register within the 5 MB upload limit unpacks to at most
# about 50 MB (Excel's sheet XML deflates ~10 times, text ~3 times); 20,000 rows of 35 columns
# are 700,000 cells.
MAX_ARCHIVE_MEMBERS = 1000
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024    # all members together
MAX_COMPRESSION_RATIO = 100                  # Excel's XML deflates 5–20 times; zip bombs 1,000
RATIO_FLOOR_BYTES = 1024 * 1024              # small members may compress as they like
MAX_CELLS = 2_000_000                        # cell elements in the whole workbook
MAX_CELLS_PER_ROW = 1000                     # cell elements in one row (styled empty cells count)
MAX_ROW_ELEMENTS = 200_000                   # row elements in the whole workbook, blank ones too
MAX_SHARED_STRINGS = MAX_CELLS
SCAN_CHUNK = 1024 * 1024

TAG_ENDS = (b">", b" ", b"/", b"\t", b"\n", b"\r")   # what may follow a tag's name
PREFIXED_ROW = re.compile(rb"<[A-Za-z_][\w.\-]*:row[\s/>]")
PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.\-]*:c[\s/>]")
PREFIXED_STRING = re.compile(rb"<[A-Za-z_][\w.\-]*:si[\s/>]")
ROW_NUMBER = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row\s[^>]*?\br=[\"'](\d+)")
EXCEL_MAX_ROW = 1_048_576
#: How an XML parser recognises UTF-16 (XML 1.0, appendix F); Excel writes UTF-8. Other binary
#: members (images, printer settings in UTF-16 without a BOM) start otherwise.
UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")


UNREADABLE = _l("Berkas XLSX tidak dapat dibaca. Simpan ulang dari Excel/LibreOffice lalu coba lagi.")
UNSUPPORTED = _l("Jenis berkas tidak didukung. Unggah CSV atau XLSX.")


@dataclass
class Table:
    """The non-blank rows of a file as (spreadsheet row number, cells), in order. `more_rows`:
    reading stopped because the file holds more than MAX_ROWS rows of data. `blank_rows`: the
    blank rows skipped, as [first, last] ranges of row numbers (a sheet may skip a million)."""

    rows: list = field(default_factory=list)
    more_rows: bool = False
    blank_rows: list = field(default_factory=list)

    def skip_blank(self, number):
        if self.blank_rows and self.blank_rows[-1][1] == number - 1:
            self.blank_rows[-1][1] = number
        else:
            self.blank_rows.append([number, number])


def check_size(size):
    """The upload limit (MAX_UPLOAD_MB) for an import file, on the web and the CLI alike."""
    limit = max_upload_bytes()
    if size > limit:
        raise DomainError(_l("Berkas terlalu besar: paling besar %(mb)d MB. Bagi berkas ini.",
                             mb=max(1, limit // (1024 * 1024))), field="file")


def read_table(filename, data):
    """The rows of a CSV or XLSX file; cells keep their types (dates, numbers)."""
    check_size(len(data))
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data)
    if name.endswith(".csv") or name.endswith(".txt") or not name:
        return _read_csv(data)
    raise DomainError(UNSUPPORTED, field="file")


class _Rows:
    """Collects non-blank rows and says when to stop: more than MAX_ROWS rows after the header
    (which is among the first HEADER_ROWS rows)."""

    def __init__(self):
        self.table = Table()
        self.data_rows = 0

    def add(self, number, cells):
        """False once enough has been read."""
        if len(cells) > MAX_COLUMNS:
            cells = _trim(cells)
            if len(cells) > MAX_COLUMNS:
                raise DomainError(_l("Baris %(row)d berisi lebih dari %(n)d kolom. Simpan hanya kolom data "
                                     "kasus lalu coba lagi.", row=number, n=MAX_COLUMNS), field="file")
        if not any(cell_text(c) for c in cells):
            self.table.skip_blank(number)
            return True
        self.table.rows.append((number, cells))
        if number > HEADER_ROWS:
            self.data_rows += 1
        if self.data_rows > MAX_ROWS + HEADER_ROWS:  # the header may sit on row 1 or row 10
            self.table.more_rows = True
            return False
        return True


def _trim(cells):
    end = len(cells)
    while end and not cell_text(cells[end - 1]):
        end -= 1
    return cells[:end]


# --- CSV -------------------------------------------------------------------------------------------

def _delimiter(lines):
    """csv.Sniffer's guess among comma, semicolon and tab. Title lines above the header
    (registers exported from other systems often start with one) are left out until the
    remaining lines agree; a single column reads with a comma."""
    lines = [line for line in lines if line.strip()]
    for start in range(len(lines)):
        try:
            return csv.Sniffer().sniff("\n".join(lines[start:]), delimiters=",;\t").delimiter
        except csv.Error:
            continue
    return ","


def _read_csv(data):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # bytes that are neither UTF-8 nor cp1252 (cp1252 leaves five bytes undefined)
        text = data.decode("latin-1")
    delimiter = _delimiter(text[:64 * 1024].splitlines()[:10])
    # The csv module refuses a field longer than its (process-wide) limit of 128 KB. The file is
    # already in memory and within the upload limit, so the limit is raised to the file's
    # length — it only ever grows, up to MAX_UPLOAD_MB — and an over-long cell is reported by
    # the import with its row and column.
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(len(text) + 1)
    rows = _Rows()
    # newline="": the csv module handles \r, \n and \r\n itself, inside quotes too.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):  # noqa: B007 - number is read below
            if not rows.add(number, cells):
                break
    except csv.Error:
        raise DomainError(_l("Baris %(row)d tidak dapat dibaca sebagai CSV.", row=number + 1),
                          field="file") from None
    return rows.table


# --- XLSX ------------------------------------------------------------------------------------------

def _read_xlsx(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        check_archive(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, ValueError):
        raise DomainError(UNREADABLE, field="file") from None
    return _read_first_sheet(data)


def _refuse(reason):
    raise DomainError(_l("Berkas XLSX ini tidak wajar (%(reason)s), jadi tidak dibaca. Simpan ulang dari "
                         "Excel/LibreOffice hanya dengan data kasus, lalu coba lagi.", reason=reason),
                      field="file")


def check_archive(archive):
    """Refuse a workbook whose members are too big, too compressed or too many, or whose XML
    holds too many rows or cells, a DTD, or another encoding than UTF-8 — without unpacking
    more than the members declare (zipfile stops at the declared size and checks the CRC)."""
    members = archive.infolist()
    if len(members) > MAX_ARCHIVE_MEMBERS:
        _refuse(_l("lebih dari %(n)d bagian", n=MAX_ARCHIVE_MEMBERS))
    total = 0
    for info in members:
        if info.file_size > RATIO_FLOOR_BYTES and \
                info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            _refuse(_l("isinya dimampatkan lebih dari %(n)d kali", n=MAX_COMPRESSION_RATIO))
        total += info.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            _refuse(_l("isinya lebih dari %(mb)d MB bila dibuka", mb=MAX_UNCOMPRESSED_BYTES // (1024 * 1024)))
    counts = _Counts()
    for info in members:
        if not info.is_dir():
            _scan_member(archive, info, counts)


class _Counts:
    def __init__(self):
        self.rows = self.cells = self.strings = 0


def _scan_member(archive, info, counts):
    with archive.open(info) as stream:
        first = stream.read(SCAN_CHUNK)
        if first.startswith(UTF16_STARTS):
            _refuse(_l("bagian %(name)s bukan UTF-8", name=info.filename[:60]))
        carry, row_cells, chunk = b"", 0, first
        while chunk:
            buffer = carry + chunk
            chunk = stream.read(SCAN_CHUNK)
            # A tag may straddle two chunks: keep from the last '<' on (its name is all the
            # counts need, so at most 256 bytes of it) for the next round.
            cut = buffer.rfind(b"<") if chunk else len(buffer)
            cut = len(buffer) if cut < 0 else cut
            segment, carry = buffer[:cut], buffer[cut:cut + 256]
            row_cells = _count(segment, counts, row_cells)


def _count(segment, counts, row_cells):
    """Count rows, cells and shared strings in a piece of XML; returns the cells of the row
    still open at its end."""
    if b"<!DOCTYPE" in segment or b"<!ENTITY" in segment:
        _refuse(_l("berisi DTD atau entitas XML"))
    counts.strings += _tags(segment, b"<si", PREFIXED_STRING, 0, len(segment))
    rows = _row_starts(segment)
    counts.rows += len(rows)
    if counts.rows > MAX_ROW_ELEMENTS:
        _refuse(_l("lebih dari %(n)d baris", n=MAX_ROW_ELEMENTS))
    for start in rows:
        number = ROW_NUMBER.match(segment, start)
        if number and int(number[1]) > EXCEL_MAX_ROW:
            _refuse(_l("nomor baris lebih dari %(n)d", n=EXCEL_MAX_ROW))
    bounds = [0, *rows, len(segment)]
    for index, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        cells = _tags(segment, b"<c", PREFIXED_CELL, start, end)
        row_cells = cells if index else row_cells + cells
        counts.cells += cells
        if row_cells > MAX_CELLS_PER_ROW:
            _refuse(_l("satu baris berisi lebih dari %(n)d sel", n=MAX_CELLS_PER_ROW))
    if counts.cells > MAX_CELLS:
        _refuse(_l("lebih dari %(n)d sel", n=MAX_CELLS))
    if counts.strings > MAX_SHARED_STRINGS:
        _refuse(_l("lebih dari %(n)d teks", n=MAX_SHARED_STRINGS))
    return row_cells


def _row_starts(segment):
    """Where each row's start tag begins. str.find runs at memory speed; a regex trying a
    namespace prefix at every '<' of millions of cells would not."""
    starts, at = [], segment.find(b"<row")
    while at >= 0:
        if segment[at + 4:at + 5] in TAG_ENDS:
            starts.append(at)
        at = segment.find(b"<row", at + 4)
    if b":row" in segment:
        starts = sorted(starts + [m.start() for m in PREFIXED_ROW.finditer(segment)])
    return starts


def _tags(segment, name, prefixed, start, end):
    """How many start tags `name` (with or without a namespace prefix) lie in segment[start:end].
    bytes.count runs at memory speed; a regex that finds every cell would not (millions of
    match objects for one sheet)."""
    found = sum(segment.count(name + end_char, start, end) for end_char in TAG_ENDS)
    if segment.find(b":" + name[1:], start, end) >= 0:
        found += len(prefixed.findall(segment, start, end))
    return found


def load_workbook(data):
    from openpyxl import load_workbook as openpyxl_load_workbook

    # data_only: a formula cell gives its cached value, never the formula; keep_links=False:
    # links to other workbooks are not read at all.
    return openpyxl_load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)


def _read_first_sheet(data):
    rows = _Rows()
    try:
        workbook = load_workbook(data)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # the sheet's claimed size is not trusted: its rows are read
            empty = None
            for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                if cells is empty:  # openpyxl yields one shared tuple for every missing row
                    rows.table.skip_blank(number)
                    continue
                if not any(cells) and cells.count(None) == len(cells):
                    empty = cells
                    rows.table.skip_blank(number)
                    continue
                if not rows.add(number, cells):
                    break
        finally:
            workbook.close()
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 - any unreadable workbook gets the same answer
        raise DomainError(UNREADABLE, field="file") from None
    return rows.table
