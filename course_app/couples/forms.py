from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..auth.forms import DATE_FORMATS
from ..forms import strip
from ..labels import INSTITUTION_LABELS
from ..services.couples import residence_kecamatan_choices


def institution_fields(type_label, blank):
    """Where a marriage takes place: the institution type and its name (called in a form's
    class body, so the fields keep their place). Shared by the couple's plan and the
    officiant's marriage record."""
    choices = [SelectChoice(code, label) for code, label in INSTITUTION_LABELS.items()]
    if blank:
        choices.insert(0, SelectChoice("", _l("— pilih —")))
    institution_type = SelectField(
        type_label, choices=choices, validators=[DataRequired(_l("Pilih jenis lembaga."))],
        invalid_choice_message=_l("Pilih jenis lembaga dari daftar."))
    institution_name = StringField(
        _l("Nama lembaga"), filters=[strip],
        validators=[DataRequired(_l("Tulis nama lembaga, misalnya nama gereja atau KUA.")),
                    Length(min=3, max=160, message=_l("Nama lembaga 3–160 karakter."))])
    return institution_type, institution_name


class CoupleForm(FlaskForm):
    # WTForms has no Indonesian catalogue: its own parse/choice messages would show in English.
    planned_wedding_date = DateField(
        _l("Rencana tanggal pernikahan"), format=DATE_FORMATS,
        validators=[InputRequired(_l("Isi rencana tanggal pernikahan."))],
        invalid_value_message=_l("Tanggal pernikahan tidak valid. Tulis seperti 20/06/2027 (tanggal/bulan/tahun)."))
    institution_type, institution_name = institution_fields(_l("Tempat pernikahan"), blank=True)
    # Optional; the programme's statistics count couples by it (issue 12 point 5). The choices
    # are the official kecamatan list; "" stores nothing.
    residence_kecamatan = SelectField(
        _l("Kecamatan tempat tinggal setelah menikah"),
        choices=lambda: [SelectChoice("", _l("Di luar Kota Kupang / tidak diisi"))]
        + [SelectChoice(code, name) for code, name in residence_kecamatan_choices()],
        default="", invalid_choice_message=_l("Pilih kecamatan dari daftar."))

    hints = {
        "institution_name": _l("Contoh: Jemaat GMIT ..., KUA Kecamatan ..., Dinas Dukcapil Kota Kupang"),
        "planned_wedding_date": _l("Boleh perkiraan; dapat diubah sebelum sertifikat terbit."),
        "residence_kecamatan": _l("Tidak wajib. Dipakai Dinas P3A hanya untuk menghitung jumlah pasangan per kecamatan."),
    }


class JoinForm(FlaskForm):
    code = StringField(_l("Kode undangan dari pasangan"), filters=[strip],
                       validators=[DataRequired(_l("Tulis kode undangan."))],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false"})
    hints = {"code": _l("8 huruf/angka, misalnya ABCD-2345.")}
