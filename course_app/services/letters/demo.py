"""Demo letters for `flask demo`: synthetic files, run through the same checks as uploads."""
from datetime import timedelta

from ..clock import local_today
from . import approve_letter, letters_of, reject_letter, submit_letter


def _demo_photo(title, name):
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (900, 1200), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    lines = ["KEPOLISIAN NEGARA REPUBLIK INDONESIA", "SURAT KETERANGAN CATATAN KEPOLISIAN",
             "CONTOH — DATA DEMO, BUKAN SURAT ASLI", "", f"Nama: {name}", title]
    for index, line in enumerate(lines):
        draw.text((60, 80 + index * 60), line, fill=(30, 30, 30), font_size=30)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _demo_pdf(name):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    for line in ("SURAT KETERANGAN CATATAN KEPOLISIAN", "CONTOH - DATA DEMO, BUKAN SURAT ASLI",
                 f"Nama: {name}"):
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def add_demo_letters(first, second, reviewer, today=None):
    """Demo letters in different states: `first` approved; `second` rejected (illegible), then
    a pending re-upload. Does nothing if either already has a letter (idempotent)."""
    today = today or local_today()
    if letters_of(first) or letters_of(second):
        return []
    made = []
    approved = submit_letter(first, data=_demo_photo("Foto demo", first.full_name),
                             filename="skck-demo.jpg", number="SKCK/YANMAS/0001/DEMO/2026",
                             police_office="polres_kupang_kota", issued_on=today - timedelta(days=20),
                             today=today)
    made.append(approve_letter(approved, reviewer, today=today))
    blurry = submit_letter(second, data=_demo_photo("Foto demo (buram)", second.full_name),
                           filename="IMG_0042.jpg", number="SKCK/YANMAS/0002/DEMO/2026",
                           police_office="polsek", police_office_name="Contoh Demo",
                           issued_on=today - timedelta(days=30), today=today)
    made.append(reject_letter(blurry, reviewer, "tidak_terbaca",
                              "Foto terlalu gelap; nomor surat tidak terbaca. Foto ulang di tempat terang."))
    made.append(submit_letter(second, data=_demo_pdf(second.full_name), filename="skck-pindaian.pdf",
                              number="SKCK/YANMAS/0002/DEMO/2026", police_office="polsek",
                              police_office_name="Contoh Demo", issued_on=today - timedelta(days=30),
                              today=today))
    return made


def add_approved_demo_letter(user, reviewer, today=None):
    """An approved demo letter for `user`, unless they already have a letter (idempotent)."""
    today = today or local_today()
    if letters_of(user):
        return None
    letter = submit_letter(user, data=_demo_photo("Foto demo", user.full_name),
                           filename="skck-demo.jpg", number=f"SKCK/YANMAS/{user.id:04d}/DEMO",
                           police_office="polres_kupang_kota", issued_on=today - timedelta(days=15),
                           today=today)
    return approve_letter(letter, reviewer, today=today)
