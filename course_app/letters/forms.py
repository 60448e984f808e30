"""Forms of the letter pages. They check shape only; the rules live in services/letters/."""
import re
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, Form, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from ..auth.forms import DATE_FORMATS
from ..services import letters, uploads

#: What the file inputs offer. The type is still decided from the bytes (services/uploads/).
ACCEPT = "application/pdf,image/jpeg,image/png"
TOKEN_PATTERN = r"^[0-9a-f]{32}$"
#: `filename="..."` in a multipart part's Content-Disposition, backslashes kept as sent.
_RAW_FILENAME = re.compile(r';\s*filename="((?:[^"\\]|\\.)*)"', re.IGNORECASE)
_POLSEK_PREFIX = re.compile(r"^polsek\b[\s.:-]*", re.IGNORECASE)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def new_upload_token():
    return secrets.token_hex(16)


class UploadForm(FlaskForm):
    # Two inputs on purpose: with `capture`, phones open the camera straight away and offer no
    # way to pick a scanned PDF, so the camera and the file picker each get their own.
    photo = FileField(_l("Foto surat dengan kamera ponsel"),
                      render_kw={"accept": "image/jpeg,image/png", "capture": "environment"})
    file = FileField(_l("Atau pilih berkas (PDF, JPG, PNG)"), render_kw={"accept": ACCEPT})
    number = StringField(_l("Nomor surat"), filters=[_strip],
                         validators=[DataRequired(_l("Tulis nomor surat seperti tertera di SKCK.")),
                                     Length(min=3, max=100, message=_l("Nomor surat 3–100 karakter."))],
                         render_kw={"autocomplete": "off", "spellcheck": "false"})
    police_office = RadioField(
        _l("Diterbitkan oleh"), default="polres_kupang_kota",
        choices=[SelectChoice(code, label) for code, label in letters.POLICE_OFFICE_LABELS.items()],
        validators=[InputRequired(_l("Pilih kantor polisi yang menerbitkan surat."))],
        invalid_choice_message=_l("Pilih kantor polisi dari daftar."))
    police_office_name = StringField(
        _l("Nama Polsek atau kantor polisi lain"), filters=[_strip],
        validators=[Optional(), Length(max=120, message=_l("Paling banyak 120 karakter."))])
    issued_on = DateField(_l("Tanggal terbit"), format=DATE_FORMATS,
                          validators=[InputRequired(_l("Isi tanggal terbit surat."))],
                          invalid_value_message=_l("Tanggal tidak valid. Tulis seperti 17/05/2026 (tanggal/bulan/tahun)."))
    valid_until = DateField(_l("Berlaku sampai (tidak wajib)"), format=DATE_FORMATS,
                            validators=[Optional()],
                            invalid_value_message=_l("Tanggal tidak valid. Tulis seperti 17/11/2026 (tanggal/bulan/tahun)."))
    #: One token per rendered form: submitting it twice stores one letter.
    upload_token = HiddenField(validators=[Regexp(TOKEN_PATTERN)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            self.upload_token.data = new_upload_token()
        self.hints = {
            "photo": _l("Letakkan surat di tempat terang dan rata; seluruh halaman harus terlihat."),
            "file": _l("PDF hasil pindaian, atau foto JPG/PNG. Paling besar %(mb)d MB.",
                       mb=uploads.max_upload_mb()),
            "police_office_name": _l("Wajib bila Anda memilih Polsek atau kantor polisi lain. Untuk Polsek, tulis namanya saja, misalnya Oebobo."),
            "valid_until": _l("Kosongkan bila sama dengan tanggal terbit ditambah %(months)d bulan.",
                              months=current_app.config["LETTER_VALIDITY_MONTHS"]),
        }

    @property
    def upload(self):
        """The chosen file (a werkzeug FileStorage), whichever input it came through."""
        return self.photo.data or self.file.data

    @property
    def upload_filename(self):
        """The chosen file's name as the device sent it, folders included (the service keeps
        the base name only).

        Werkzeug reads the part's `filename="..."` as an RFC quoted string, where a backslash
        escapes the next character, so "C:\\Users\\x\\skck.pdf" from an old Windows browser
        arrives as "C:Usersxskck.pdf". Browsers send backslashes as they are (the HTML
        standard escapes only quotes and line breaks), so the raw header is read instead."""
        chosen = self.upload
        raw = chosen.headers.get("Content-Disposition", "") if chosen.headers else ""
        match = _RAW_FILENAME.search(raw)
        return match.group(1) if match else chosen.filename

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.photo.data and self.file.data:
            self.file.errors = list(self.file.errors) + [
                _l("Pilih salah satu saja: foto dari kamera atau berkas.")]
            valid = False
        elif not self.upload:
            self.file.errors = list(self.file.errors) + [
                _l("Pilih foto atau berkas surat Anda.")]
            valid = False
        if self.police_office.data == "polsek" and self.police_office_name.data:
            # "Polsek" is already chosen above: "Polsek Oebobo" typed here must not show as
            # "Polsek Polsek Oebobo".
            self.police_office_name.data = _POLSEK_PREFIX.sub("", self.police_office_name.data)
        if self.police_office.data in ("polsek", "lainnya") and not self.police_office_name.data:
            self.police_office_name.errors = list(self.police_office_name.errors) + [
                _l("Tulis nama kantor polisi yang menerbitkan surat.")]
            valid = False
        return valid


class ApproveForm(FlaskForm):
    """Approve a letter: only the CSRF token."""


class RejectForm(FlaskForm):
    reason = RadioField(_l("Alasan penolakan"),
                        choices=[SelectChoice(code, label) for code, label in letters.REJECTION_REASONS.items()],
                        validators=[InputRequired(_l("Pilih alasan penolakan."))],
                        invalid_choice_message=_l("Pilih alasan penolakan dari daftar."))
    reason_text = TextAreaField(_l("Pesan untuk peserta"), filters=[_strip],
                                validators=[Length(max=letters.REASON_TEXT_MAX,
                                                   message=_l("Paling banyak 1000 karakter."))],
                                render_kw={"rows": 3})
    hints = {"reason_text": _l("Wajib untuk “Alasan lain”. Jelaskan apa yang perlu diperbaiki.")}

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.reason.data == "lainnya" and not self.reason_text.data:
            self.reason_text.errors = list(self.reason_text.errors) + [
                _l("Tuliskan alasannya untuk peserta.")]
            valid = False
        return valid


class QueueFilterForm(Form):
    """The queue's filters, read from the query string (no CSRF: it changes nothing)."""

    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=[SelectChoice("", _l("Semua"))] + [
                             SelectChoice(code, letters.STATUS_LABELS[code])
                             for code in ("pending", "approved", "rejected", "withdrawn")],
                         invalid_choice_message=_l("Pilih status dari daftar."))
    dari = DateField(_l("Diunggah dari tanggal"), format=DATE_FORMATS, validators=[Optional()],
                     invalid_value_message=_l("Tanggal tidak valid."))
    sampai = DateField(_l("sampai tanggal"), format=DATE_FORMATS, validators=[Optional()],
                       invalid_value_message=_l("Tanggal tidak valid."))
    q = StringField(_l("Cari nama peserta"), filters=[_strip],
                    validators=[Optional(), Length(max=100)], render_kw={"type": "search"})


class CoupleSearchForm(Form):
    q = StringField(_l("Cari nama peserta"), filters=[_strip],
                    validators=[Optional(), Length(max=100)], render_kw={"type": "search"})
