"""Why an upload was refused, in words the participant can act on."""
from flask_babel import lazy_gettext as _l

from .. import DomainError

#: Padding that may follow a file's end: NUL, 0xFF fill and whitespace.
PADDING = b"\x00\xff \t\r\n"
#: Markers of active content that have no business inside image metadata or after its end.
ACTIVE_MARKERS = (b"<script", b"<html", b"<!doctype", b"<iframe", b"<object", b"<embed",
                  b"<?php", b"javascript:")

MESSAGES = {
    "empty": _l("Berkas kosong (0 byte). Pilih lagi foto atau PDF surat Anda."),
    "too_large": _l("Berkas lebih besar dari %(mb)d MB. Foto ulang dengan resolusi lebih rendah atau pindai ulang, lalu kirim lagi."),
    "html": _l("Berkas ini halaman web (HTML), bukan foto atau PDF surat — walaupun namanya berakhiran .pdf atau .jpg. Kirim foto SKCK (JPG/PNG) atau hasil pindaiannya (PDF)."),
    "svg": _l("Gambar SVG tidak diterima. Kirim foto SKCK (JPG/PNG) atau hasil pindaiannya (PDF)."),
    "executable": _l("Berkas ini program komputer, bukan surat, sehingga ditolak. Kirim foto SKCK (JPG/PNG) atau PDF."),
    "archive": _l("Berkas ZIP atau dokumen Word/Excel tidak diterima. Simpan surat sebagai PDF, atau kirim fotonya (JPG/PNG)."),
    "other_image": _l("Format gambar ini tidak diterima. Foto ulang surat dengan tombol kamera di formulir ini, atau simpan sebagai JPG/PNG."),
    "unknown": _l("Jenis berkas tidak dikenali. Yang diterima hanya PDF, JPG, dan PNG."),
    "truncated": _l("Berkas tidak lengkap atau rusak (mungkin terpotong saat disimpan atau dikirim). Buka berkas itu di ponsel Anda untuk memeriksanya, lalu kirim lagi."),
    "polyglot": _l("Berkas ini berisi data tambahan yang tidak semestinya ada di dalam foto atau PDF, sehingga ditolak. Simpan ulang surat sebagai PDF, atau kirim fotonya."),
    "polyglot_image": _l("Foto ini berisi data tambahan yang tidak semestinya ada di dalam gambar, sehingga ditolak. Jika ini \"foto bergerak\" (motion photo), matikan fitur itu atau foto ulang dengan tombol kamera di formulir ini."),
    "too_many_pixels": _l("Resolusi gambar terlalu besar. Foto ulang dengan pengaturan kamera biasa, lalu kirim lagi."),
    "png_too_many_pixels": _l("Gambar PNG ini terlalu besar (%(megapixels)s megapiksel; paling banyak %(limit)s megapiksel). Kirim foto yang lebih kecil (JPG) atau PDF hasil pindaian surat."),
    "pdf_unreadable": _l("PDF ini tidak dapat dibaca. Buka dan simpan ulang sebagai PDF (misalnya \"Cetak → Simpan sebagai PDF\"), atau kirim foto surat."),
    "pdf_encrypted": _l("PDF ini dikunci dengan kata sandi. Kirim PDF tanpa kata sandi, atau kirim foto surat."),
    "pdf_no_pages": _l("PDF ini tidak memiliki halaman. Kirim PDF hasil pindaian SKCK atau fotonya."),
    "pdf_active": _l("PDF ini berisi skrip atau tindakan otomatis yang tidak diizinkan. Simpan ulang sebagai PDF (\"Cetak → Simpan sebagai PDF\") atau kirim foto surat."),
    "pdf_embedded": _l("PDF ini berisi berkas lain di dalamnya (lampiran), yang tidak diizinkan. Kirim PDF surat saja, atau fotonya."),
}



class UploadRefused(DomainError):
    """A file that may not be stored. `code` says why (a key of MESSAGES), for tests and logs."""

    def __init__(self, code, message_key=None, **params):
        message = MESSAGES[message_key or code]
        super().__init__(message % params if params else message, field="file")
        self.code = code



def refuse_active_markers(chunks, message_key=None):
    for chunk in chunks:
        lowered = bytes(chunk).lower()
        if any(marker in lowered for marker in ACTIVE_MARKERS) or b"%PDF-" in chunk:
            raise UploadRefused("polyglot", message_key)

