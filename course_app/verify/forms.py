from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired

from ..auth.forms import DATE_FORMATS
from ..couples.forms import institution_fields
from ..services import clock


class MarriageForm(FlaskForm):
    marriage_date = DateField(
        _l("Tanggal pernikahan"), format=DATE_FORMATS, default=clock.today,
        validators=[InputRequired(_l("Isi tanggal pernikahan."))],
        invalid_value_message=_l("Tanggal tidak valid. Tulis seperti 20/06/2027 (tanggal/bulan/tahun)."))
    institution_type, institution_name = institution_fields(_l("Jenis lembaga"), blank=False)
