from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import strip
from ..labels import INSTITUTION_LABELS, ROLE_LABELS
from ..services.staff import STAFF_ROLES


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Peran"), choices=[SelectChoice(code, label) for code, label in ROLE_LABELS.items()],
                               invalid_choice_message=_l("Peran tidak dikenal."))


def institution_choices():
    return [SelectChoice("", _l("— pilih —"))] + [SelectChoice(code, label)
                                                 for code, label in INSTITUTION_LABELS.items()]


class NewStaffForm(FlaskForm):
    """Shape only; the rules (staff roles, an officiant's institution, a free address) are in
    services/staff.py and come back beside their field."""

    full_name = StringField(_l("Nama lengkap"), filters=[strip], validators=[
        DataRequired(_l("Isi nama lengkap.")), Length(max=120, message=_l("Paling panjang 120 karakter."))])
    email = EmailField(_l("Email"), filters=[strip], validators=[
        DataRequired(_l("Isi alamat email.")),
        Email(_l("Alamat email tidak valid."), check_deliverability=False), Length(max=254)])
    roles = MultiCheckboxField(_l("Peran"), choices=[SelectChoice(code, ROLE_LABELS[code]) for code in STAFF_ROLES],
                               invalid_choice_message=_l("Peran tidak dikenal."))
    institution_type = SelectField(_l("Jenis lembaga (wajib untuk petugas pemberkatan/nikah)"),
                                   choices=institution_choices(), validators=[Optional()],
                                   invalid_choice_message=_l("Pilih jenis lembaga dari daftar."))
    institution_name = StringField(_l("Nama lembaga"), filters=[strip],
                                   validators=[Length(max=160, message=_l("Paling panjang 160 karakter."))])

    hints = {"institution_name": _l("Misalnya: GMIT Jemaat Kota Baru, KUA Kecamatan Oebobo.")}


class InstitutionForm(FlaskForm):
    institution_type = SelectField(_l("Jenis lembaga"), choices=institution_choices(),
                                   validators=[Optional()],
                                   invalid_choice_message=_l("Pilih jenis lembaga dari daftar."))
    institution_name = StringField(_l("Nama lembaga"), filters=[strip],
                                   validators=[Length(max=160, message=_l("Paling panjang 160 karakter."))])


class StaffImportForm(FlaskForm):
    file = FileField(_l("Berkas CSV"), render_kw={"accept": ".csv,.xlsx"})

    hints = {"file": _l("Kolom: nama, email, jenis_lembaga, nama_lembaga. UTF-8, dipisah koma, "
                        "titik koma atau tab. Paling banyak 500 baris.")}
