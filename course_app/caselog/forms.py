"""Case-log forms. Shape only: rules are in services/caselog (STYLE.md habit 5).

The case form holds several victims and perpetrators (FieldList of FormField) and one
relationship per victim–perpetrator pair. "Add another victim/perpetrator" and "remove" are
submit buttons that re-render the form on the server, so it works without JavaScript.
"""
from flask import g
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..admin.forms import MultiCheckboxField
from ..auth.forms import DATE_FORMATS
from ..forms import strip
from ..labels import SEX_LABELS
from ..services.caselog.reference import PERPETRATOR_AGE_GROUPS, STATUS_LABELS

BLANK = _l("— pilih —")
UNKNOWN = _l("— tidak diketahui —")
OUTSIDE_CITY = "luar_kota"
DATE_MESSAGE = _l("Tanggal tidak valid. Tulis seperti 12/08/2025 (tanggal/bulan/tahun).")


def _lookups(kind):
    """Lookups of a list, read once per request."""
    from ..services.caselog import lookups

    cache = g.setdefault("_caselog_lookups", {})
    if kind not in cache:
        cache[kind] = lookups.lookups(kind, active_only=False)
    return cache[kind]


def lookup_choices(kind, blank=BLANK, multiple=False):
    """Choices from a lookup list: active entries, plus an inactive one already chosen."""
    def choices(form, field):
        chosen = set(field.data or ()) if multiple else {field.data}
        items = [SelectChoice(x.code, gettext(x.label)) for x in _lookups(kind)
                 if x.active or x.code in chosen]
        return items if multiple or blank is None else [SelectChoice("", blank)] + items
    return choices


def location_choices(form, field):
    from ..services.caselog import lookups

    return ([SelectChoice("", BLANK)]
            + [SelectChoice(str(k.id), k.name) for k in lookups.kecamatan_list()]
            + [SelectChoice(OUTSIDE_CITY, gettext("Di luar Kota Kupang"))])


def kelurahan_choices(form, field):
    """Kelurahan grouped by kecamatan (<optgroup>): without JavaScript every group shows; the
    script keeps only the chosen kecamatan's group."""
    from ..services.caselog import lookups

    groups = {}
    for kel in lookups.kelurahan_list():
        groups.setdefault(kel.kecamatan.name, []).append(
            SelectChoice(str(kel.id), kel.name, render_kw={"data-kecamatan": str(kel.kecamatan_id)}))
    return [SelectChoice("", UNKNOWN)] + [SelectChoice(c.value, c.label, c.render_kw, optgroup=name)
                                          for name, items in groups.items() for c in items]


class Marked:
    """Marks a field as required (asterisk, `required` attribute) while the rule itself stays in
    the case service, which reports every missing value at once together with the other rules."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        pass


def _date_field(label, required_message=None, marked=False):
    validators = ([InputRequired(required_message)] if required_message
                  else [Optional(), Marked()] if marked else [Optional()])
    return DateField(label, format=DATE_FORMATS, validators=validators,
                     invalid_value_message=DATE_MESSAGE)


class PersonForm(Form):
    id = HiddenField()
    name = StringField(_l("Nama (boleh inisial)"), filters=[strip], validators=[Length(max=160)])
    sex = SelectField(_l("Jenis kelamin"), choices=[SelectChoice("", BLANK)]
                      + [SelectChoice(code, label) for code, label in SEX_LABELS.items()],
                      validate_choice=False)
    birth_date = _date_field(_l("Tanggal lahir"))
    age = IntegerField(_l("Umur saat kejadian (tahun)"), validators=[
        Optional(), NumberRange(min=0, max=120, message=_l("Umur 0–120 tahun."))],
        render_kw={"inputmode": "numeric"})
    education = SelectField(_l("Pendidikan"), choices=lookup_choices("education", UNKNOWN),
                            validate_choice=False)
    occupation = SelectField(_l("Pekerjaan"), choices=lookup_choices("occupation", UNKNOWN),
                             validate_choice=False)
    marital_status = SelectField(_l("Status perkawinan"), choices=lookup_choices("marital_status", UNKNOWN),
                                 validate_choice=False)
    disability = BooleanField(_l("Penyandang disabilitas"))
    disability_kind = SelectField(_l("Jenis disabilitas"), choices=lookup_choices("disability", UNKNOWN),
                                  validate_choice=False)
    address = TextAreaField(_l("Alamat"), filters=[strip], validators=[Length(max=300)],
                            render_kw={"rows": 2})

    def payload(self):
        data = {key: (self[key].data or None) for key in
                ("name", "sex", "birth_date", "education", "occupation", "marital_status",
                 "disability_kind", "address")}
        data["age"] = self.age.data
        data["disability"] = bool(self.disability.data)
        data["id"] = int(self.id.data) if (self.id.data or "").isdigit() else None
        return data


class VictimForm(PersonForm):
    name = StringField(_l("Nama (boleh inisial)"), filters=[strip], validators=[Marked(), Length(max=160)])
    sex = SelectField(_l("Jenis kelamin"), choices=[SelectChoice("", BLANK)]
                      + [SelectChoice(code, label) for code, label in SEX_LABELS.items()],
                      validators=[Marked()], validate_choice=False)


class PerpetratorForm(PersonForm):
    name = StringField(_l("Nama (kosongkan bila tidak dikenal)"), filters=[strip],
                       validators=[Length(max=160)])
    age_group = SelectField(_l("Kelompok umur (bila umur tidak diketahui)"),
                            choices=[SelectChoice("", UNKNOWN)]
                            + [SelectChoice(code, _l(label)) for code, label, *_r in PERPETRATOR_AGE_GROUPS],
                            validate_choice=False)

    def payload(self):
        data = super().payload()
        data["age_group"] = self.age_group.data or None
        return data


class RelationshipForm(Form):
    victim_key = HiddenField()
    perpetrator_key = HiddenField()
    relationship = SelectField(_l("Hubungan pelaku dengan korban"),
                               choices=lookup_choices("relationship", UNKNOWN), validate_choice=False)


class CaseForm(FlaskForm):
    report_date = _date_field(_l("Tanggal lapor"), marked=True)
    incident_date = _date_field(_l("Tanggal kejadian"), marked=True)
    source = SelectField(_l("Sumber data"), choices=lookup_choices("source"), validate_choice=False,
                         validators=[Marked()])
    external_ref = StringField(_l("Nomor rujukan (mis. nomor laporan polisi)"), filters=[strip],
                               validators=[Length(max=80)])
    types = MultiCheckboxField(_l("Jenis kekerasan"), choices=lookup_choices("violence_type", multiple=True),
                               validate_choice=False,
                               validators=[Marked()])
    kdrt = BooleanField(_l("Kekerasan dalam rumah tangga (KDRT)"))
    causes = MultiCheckboxField(_l("Faktor penyebab"), choices=lookup_choices("cause", multiple=True),
                                validate_choice=False)
    impacts = MultiCheckboxField(_l("Dampak"), choices=lookup_choices("impact", multiple=True),
                                 validate_choice=False)
    place = SelectField(_l("Tempat kejadian"), choices=lookup_choices("place"), validate_choice=False,
                        validators=[Marked()])
    location = SelectField(_l("Kecamatan"), choices=location_choices, validate_choice=False,
                           render_kw={"data-kecamatan-select": ""})
    kelurahan_id = SelectField(_l("Kelurahan"), choices=kelurahan_choices, validate_choice=False,
                               render_kw={"data-kelurahan-select": ""})
    location_detail = StringField(_l("Lokasi di luar Kota Kupang"), filters=[strip],
                                  validators=[Length(max=200)])
    narrative = TextAreaField(_l("Kronologi singkat"), filters=[strip], validators=[Length(max=5000)],
                              render_kw={"rows": 5})
    legal_stage = SelectField(_l("Proses hukum"), choices=lookup_choices("legal_stage", UNKNOWN),
                              validate_choice=False)
    consent_services = BooleanField(_l("Korban/keluarga setuju menerima layanan"))
    consent_sharing = BooleanField(_l("Setuju data dibagikan kepada lembaga rujukan"))
    consent_nonidentifiable = BooleanField(_l("Setuju data dipakai untuk laporan tanpa identitas"))
    guardian_consent = BooleanField(_l("Persetujuan orang tua/wali (untuk korban anak)"))
    guardian_name = StringField(_l("Nama orang tua/wali"), filters=[strip], validators=[Length(max=160)])
    victims = FieldList(FormField(VictimForm), min_entries=1, max_entries=20)
    perpetrators = FieldList(FormField(PerpetratorForm), min_entries=1, max_entries=20)
    relationships = FieldList(FormField(RelationshipForm), max_entries=400)

    hints = {
        "external_ref": _l("Dipakai untuk mengenali laporan ganda dari sumber yang sama."),
        "kelurahan_id": _l("Boleh dikosongkan. Laporan publikasi tidak pernah menampilkan kelurahan."),
        "narrative": _l("Disimpan terenkripsi. Tulis seperlunya; jangan menulis NIK."),
    }

    @staticmethod
    def entry_key(entry):
        return entry.name.rsplit("-", 1)[-1]

    def sync_relationships(self):
        """One relationship row per victim–perpetrator pair, keeping what was chosen."""
        chosen = {(r.victim_key.data, r.perpetrator_key.data): r.relationship.data
                  for r in self.relationships}
        pairs = [(self.entry_key(v), self.entry_key(p)) for v in self.victims for p in self.perpetrators]
        while self.relationships.entries:
            self.relationships.pop_entry()
        for v_key, p_key in pairs:
            self.relationships.append_entry({"victim_key": v_key, "perpetrator_key": p_key,
                                             "relationship": chosen.get((v_key, p_key), "")})

    def apply_button(self, form_data):
        """Add or remove a person when one of those buttons was pressed; True if one was."""
        for name, field in (("victim", self.victims), ("perpetrator", self.perpetrators)):
            if f"add_{name}" in form_data and len(field.entries) < field.max_entries:
                field.append_entry()
                return True
            remove = form_data.get(f"remove_{name}")
            if remove is not None:
                entry = next((e for e in field.entries if self.entry_key(e) == remove), None)
                if entry is not None and len(field.entries) > 1:
                    field.entries.remove(entry)
                return True
        return False

    def payload(self):
        victims = list(self.victims)
        perpetrators = list(self.perpetrators)
        v_pos = {self.entry_key(v): i for i, v in enumerate(victims)}
        p_pos = {self.entry_key(p): i for i, p in enumerate(perpetrators)}
        location = self.location.data or ""
        kelurahan_id = int(self.kelurahan_id.data) if (self.kelurahan_id.data or "").isdigit() else None
        kecamatan_id = int(location) if location.isdigit() else None
        if kecamatan_id is None and kelurahan_id and location != OUTSIDE_CITY:
            from ..extensions import db
            from ..models.caselog import Kelurahan
            kelurahan = db.session.get(Kelurahan, kelurahan_id)
            kecamatan_id = kelurahan.kecamatan_id if kelurahan else None
        return {
            "incident_date": self.incident_date.data, "report_date": self.report_date.data,
            "source": self.source.data or None, "external_ref": self.external_ref.data or None,
            "types": list(self.types.data or []), "kdrt": bool(self.kdrt.data),
            "causes": list(self.causes.data or []), "impacts": list(self.impacts.data or []),
            "place": self.place.data or None, "outside_city": location == OUTSIDE_CITY,
            "kecamatan_id": kecamatan_id, "kelurahan_id": kelurahan_id,
            "location_detail": self.location_detail.data or None,
            "narrative": self.narrative.data or None, "legal_stage": self.legal_stage.data or None,
            "consent_services": bool(self.consent_services.data),
            "consent_sharing": bool(self.consent_sharing.data),
            "consent_nonidentifiable": bool(self.consent_nonidentifiable.data),
            "guardian_consent": bool(self.guardian_consent.data),
            "guardian_name": self.guardian_name.data or None,
            "victims": [v.form.payload() for v in victims],
            "perpetrators": [p.form.payload() for p in perpetrators],
            "relationships": {(v_pos[r.victim_key.data], p_pos[r.perpetrator_key.data]): r.relationship.data or None
                              for r in self.relationships
                              if r.victim_key.data in v_pos and r.perpetrator_key.data in p_pos},
        }

    def field_for(self, path):
        """The field a service problem names: 'report_date', 'victims-1-birth_date', ..."""
        parts = path.split("-")
        if parts[0] in ("victims", "perpetrators") and len(parts) == 3:
            entries = getattr(self, parts[0]).entries
            index = int(parts[1])
            if index < len(entries):
                return entries[index].form[parts[2]] if parts[2] in entries[index].form else None
        if parts[0] == "relationships" and len(parts) == 3:
            keys = [(self.entry_key(v), self.entry_key(p))
                    for v in self.victims for p in self.perpetrators]
            wanted = None
            victims, perpetrators = list(self.victims), list(self.perpetrators)
            if int(parts[1]) < len(victims) and int(parts[2]) < len(perpetrators):
                wanted = (self.entry_key(victims[int(parts[1])]), self.entry_key(perpetrators[int(parts[2])]))
            for r in self.relationships:
                if (r.victim_key.data, r.perpetrator_key.data) == wanted and wanted in keys:
                    return r.relationship
            return None
        name = {"kecamatan_id": "location"}.get(parts[0], parts[0])
        if name in ("victims", "perpetrators", "relationships"):
            return None  # about the list as a whole: shown at the top of the page
        return getattr(self, name, None)


def formdata_from_payload(payload):
    """`data=` for CaseForm from a case payload (the edit form)."""
    data = {k: payload.get(k) for k in (
        "incident_date", "report_date", "source", "external_ref", "types", "kdrt", "causes", "impacts",
        "place", "location_detail", "narrative", "legal_stage", "consent_services", "consent_sharing",
        "consent_nonidentifiable", "guardian_consent", "guardian_name")}
    data["location"] = OUTSIDE_CITY if payload.get("outside_city") else str(payload.get("kecamatan_id") or "")
    data["kelurahan_id"] = str(payload.get("kelurahan_id") or "")

    def person(p):
        result = {k: p.get(k) for k in ("name", "sex", "birth_date", "age", "education", "occupation",
                                         "marital_status", "disability", "disability_kind", "address",
                                         "age_group")}
        result["id"] = str(p.get("id") or "")
        return {k: ("" if v is None and k not in ("birth_date", "age") else v) for k, v in result.items()}

    data["victims"] = [person(v) for v in payload["victims"]]
    data["perpetrators"] = [person(p) for p in payload["perpetrators"]]
    data["relationships"] = [{"victim_key": str(vi), "perpetrator_key": str(pi), "relationship": code or ""}
                             for (vi, pi), code in payload.get("relationships", {}).items()]
    return data


class StatusForm(FlaskForm):
    status = SelectField(_l("Status baru"), choices=[SelectChoice(code, _l(label)) for code, label in STATUS_LABELS.items()],
                         invalid_choice_message=_l("Status tidak dikenal."))
    note = StringField(_l("Catatan (tidak wajib)"), filters=[strip], validators=[Length(max=300)])


class ServiceForm(FlaskForm):
    victim_id = SelectField(_l("Korban"), coerce=int, validate_choice=False)
    service = SelectField(_l("Layanan"), choices=lookup_choices("service"), validate_choice=False)
    service_date = _date_field(_l("Tanggal layanan"), _l("Isi tanggal layanan."))
    institution = SelectField(_l("Lembaga"), choices=lookup_choices("institution", _l("— P3A/UPTD PPA sendiri —")),
                              validate_choice=False)
    status = SelectField(_l("Status layanan"), choices=lookup_choices("service_status"), validate_choice=False)
    follow_up_date = _date_field(_l("Tanggal tindak lanjut"))
    notes = TextAreaField(_l("Catatan"), filters=[strip], validators=[Length(max=2000)], render_kw={"rows": 3})

    hints = {"notes": _l("Disimpan terenkripsi.")}


class ImportForm(FlaskForm):
    source = SelectField(_l("Sumber data (bila berkas tidak punya kolom 'sumber')"),
                         choices=lookup_choices("source"), validate_choice=False)
    file = FileField(_l("Berkas CSV atau XLSX"), render_kw={"accept": ".csv,.xlsx"})

    hints = {"file": _l("Format kolom: lihat panduan impor. Paling banyak 20.000 baris.")}


class LookupForm(FlaskForm):
    label = StringField(_l("Label"), filters=[strip], validators=[
        InputRequired(_l("Tulis label.")), Length(max=160)])
    position = IntegerField(_l("Urutan"), validators=[Optional()])
    active = BooleanField(_l("Aktif (muncul di formulir)"))


class NewLookupForm(LookupForm):
    code = StringField(_l("Kode (tetap, huruf kecil dan garis bawah)"), filters=[strip],
                       validators=[InputRequired(_l("Tulis kode.")), Length(max=40)])
