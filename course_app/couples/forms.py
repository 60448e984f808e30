from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ..labels import INSTITUTION_LABELS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CoupleForm(FlaskForm):
    planned_wedding_date = DateField(
        _l("Rencana tanggal pernikahan"),
        validators=[InputRequired(_l("Isi rencana tanggal pernikahan."))])
    institution_type = SelectField(
        _l("Tempat pernikahan"),
        choices=[("", _l("— pilih —"))] + list(INSTITUTION_LABELS.items()),
        validators=[DataRequired(_l("Pilih jenis lembaga."))])
    institution_name = StringField(
        _l("Nama lembaga"), filters=[_strip],
        validators=[DataRequired(_l("Tulis nama lembaga, misalnya nama gereja atau KUA.")),
                    Length(min=3, max=160, message=_l("Nama lembaga 3–160 karakter."))])

    hints = {
        "institution_name": _l("Contoh: Jemaat GMIT ..., KUA Kecamatan ..., Dinas Dukcapil Kota Kupang"),
        "planned_wedding_date": _l("Boleh perkiraan; dapat diubah sebelum sertifikat terbit."),
    }


class JoinForm(FlaskForm):
    code = StringField(_l("Kode undangan dari pasangan"), filters=[_strip],
                       validators=[DataRequired(_l("Tulis kode undangan."))],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false"})
    hints = {"code": _l("8 huruf/angka, misalnya ABCD-2345.")}
