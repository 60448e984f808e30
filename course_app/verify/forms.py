from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..auth.forms import DATE_FORMATS
from ..forms import strip
from ..labels import INSTITUTION_LABELS


class MarriageForm(FlaskForm):
    marriage_date = DateField(
        _l("Tanggal pernikahan"), format=DATE_FORMATS, default=date.today,
        validators=[InputRequired(_l("Isi tanggal pernikahan."))],
        invalid_value_message=_l("Tanggal tidak valid. Tulis seperti 20/06/2027 (tanggal/bulan/tahun)."))
    institution_type = SelectField(
        _l("Jenis lembaga"),
        choices=[SelectChoice(code, label) for code, label in INSTITUTION_LABELS.items()],
        validators=[DataRequired(_l("Pilih jenis lembaga."))],
        invalid_choice_message=_l("Pilih jenis lembaga dari daftar."))
    institution_name = StringField(
        _l("Nama lembaga"), filters=[strip],
        validators=[DataRequired(_l("Tulis nama lembaga, misalnya nama gereja atau KUA.")),
                    Length(min=3, max=160, message=_l("Nama lembaga 3–160 karakter."))])
