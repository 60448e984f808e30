import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, ValidationError

from ..forms import strip

#: ISO first (what <input type=date> sends), then day-first forms typed by hand.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
PHONE_RE = re.compile(r"^(\+62|62|0)8\d{7,12}$")


def new_password_fields(label, confirm_label, required_message, confirm_message):
    """A new password and its repetition (called inside a form's class body, so the fields
    keep their place in the form's order)."""
    password = PasswordField(label, validators=[DataRequired(required_message)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(confirm_label,
                            validators=[DataRequired(confirm_message),
                                        EqualTo("password", _l("Kedua kata sandi tidak sama."))],
                            render_kw={"autocomplete": "new-password"})
    return password, confirm


def _phone_digits(value):
    return re.sub(r"[\s\-().]", "", value or "")


class RegisterForm(FlaskForm):
    full_name = StringField(_l("Nama lengkap (sesuai KTP)"), filters=[strip],
                            validators=[DataRequired(_l("Isi nama lengkap Anda.")),
                                        Length(min=3, max=120, message=_l("Nama 3–120 karakter."))])
    email = EmailField(_l("Email"), filters=[strip],
                       validators=[DataRequired(_l("Isi alamat email Anda.")),
                                   Email(_l("Alamat email tidak valid."), check_deliverability=False),
                                   Length(max=254)])
    phone = StringField(_l("Nomor HP (tidak wajib)"), filters=[strip], validators=[Optional()],
                        render_kw={"inputmode": "tel", "autocomplete": "tel"})
    # WTForms has no Indonesian catalogue: its own parse/choice messages would show in English.
    # Phones without a date picker show a text box: accept the way people write dates here too.
    birth_date = DateField(_l("Tanggal lahir"), format=DATE_FORMATS,
                           validators=[InputRequired(_l("Isi tanggal lahir Anda (hari, bulan, tahun)."))],
                           invalid_value_message=_l("Tanggal lahir tidak valid. Tulis seperti 17/05/1998 (tanggal/bulan/tahun)."))
    sex = RadioField(_l("Jenis kelamin"), choices=[SelectChoice("L", _l("Laki-laki")), SelectChoice("P", _l("Perempuan"))],
                     validators=[InputRequired(_l("Pilih jenis kelamin."))],
                     invalid_choice_message=_l("Pilih jenis kelamin."))
    password, password_confirm = new_password_fields(
        _l("Kata sandi"), _l("Ulangi kata sandi"), _l("Isi kata sandi."), _l("Ulangi kata sandi."))
    consent = BooleanField(
        _l("Saya setuju data pribadi saya diproses oleh Dinas P3A Kota Kupang untuk layanan persiapan pranikah (UU 27/2022 tentang Pelindungan Data Pribadi)."),
        validators=[DataRequired(_l("Persetujuan ini diperlukan untuk mendaftar."))])

    hints = {
        "full_name": _l("Tulis persis seperti di KTP. Nama ini akan tercetak di sertifikat."),
        "phone": _l("Contoh: 0812 3456 7890"),
        "password": _l("Minimal 10 karakter. Mudah diingat, sulit ditebak: misalnya gabungan tiga kata."),
    }

    def validate_phone(self, field):
        if field.data:
            digits = _phone_digits(field.data)
            if not PHONE_RE.match(digits):
                raise ValidationError(_l("Nomor HP tidak valid. Contoh: 0812 3456 7890."))
            field.data = digits


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip], validators=[DataRequired(_l("Isi alamat email Anda."))],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(_l("Isi kata sandi."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Tetap masuk di perangkat ini"))
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Kata sandi saat ini"),
                                     validators=[DataRequired(_l("Isi kata sandi saat ini."))],
                                     render_kw={"autocomplete": "current-password"})
    password, password_confirm = new_password_fields(
        _l("Kata sandi baru"), _l("Ulangi kata sandi baru"), _l("Isi kata sandi baru."),
        _l("Ulangi kata sandi baru."))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip],
                       validators=[DataRequired(_l("Isi alamat email Anda.")),
                                   Email(_l("Alamat email tidak valid."), check_deliverability=False)])


class ResetPasswordForm(FlaskForm):
    password, password_confirm = new_password_fields(
        _l("Kata sandi baru"), _l("Ulangi kata sandi baru"), _l("Isi kata sandi baru."),
        _l("Ulangi kata sandi baru."))
