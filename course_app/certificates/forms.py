from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import strip
from ..services.certificates import REVOCATION_LABELS


class RevokeForm(FlaskForm):
    reason = SelectField(
        _l("Alasan pencabutan"),
        choices=[SelectChoice("", _l("— pilih —"))]
        + [SelectChoice(code, label) for code, label in REVOCATION_LABELS.items()],
        validators=[DataRequired(_l("Pilih alasan pencabutan."))],
        invalid_choice_message=_l("Pilih alasan pencabutan dari daftar."))
    note = TextAreaField(_l("Catatan (tidak dikirim ke pasangan)"), filters=[strip],
                         validators=[Optional(), Length(max=500, message=_l("Paling banyak 500 karakter."))])


class DispensationForm(FlaskForm):
    user_id = SelectField(_l("Untuk"), coerce=int, validate_choice=False)
    court_number = StringField(
        _l("Nomor penetapan dispensasi pengadilan"), filters=[strip],
        validators=[DataRequired(_l("Tulis nomor penetapan dispensasi dari pengadilan.")),
                    Length(min=3, max=80, message=_l("Nomor penetapan 3–80 karakter."))],
        render_kw={"autocomplete": "off", "spellcheck": "false"})
    hints = {"court_number": _l("Seperti tertulis pada penetapan, misalnya 12/Pdt.P/2026/PA.Kpg")}
