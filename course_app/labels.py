"""Translated labels for stable codes (roles, institution types, sex). Codes never change."""
from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "participant": _l("Calon pengantin"),
    "officiant": _l("Petugas pemberkatan/nikah"),
    "reviewer": _l("Peninjau P3A"),
    "caseworker": _l("Petugas kasus P3A"),
    "police": _l("Penghubung Polres (Unit PPA)"),
    "admin": _l("Admin"),
}

INSTITUTION_LABELS = {
    "gereja": _l("Gereja"),
    "masjid_kua": _l("Masjid / KUA"),
    "pura": _l("Pura"),
    "vihara": _l("Vihara"),
    "klenteng": _l("Klenteng"),
    "catatan_sipil": _l("Catatan Sipil (Dukcapil)"),
}

SEX_LABELS = {"L": _l("Laki-laki"), "P": _l("Perempuan")}

#: Account events of the audit log (services/caselog/audit.py), as the admin user page shows them.
ACCOUNT_EVENT_LABELS = {
    "user_create": _l("Akun staf dibuat"),
    "role_grant": _l("Peran diberikan"),
    "role_revoke": _l("Peran dicabut"),
    "user_activate": _l("Akun diaktifkan kembali"),
    "user_deactivate": _l("Akun dinonaktifkan oleh admin"),
    "user_import": _l("Akun petugas dibuat dari impor CSV"),
    "invitation_send": _l("Undangan dikirim"),
    "invitation_resend": _l("Undangan dikirim ulang (tautan lama tidak berlaku)"),
    "invitation_accept": _l("Undangan diterima: kata sandi dibuat"),
    "reset_link_send": _l("Tautan atur ulang kata sandi dikirim oleh admin"),
    "institution_set": _l("Lembaga diubah"),
    "data_export": _l("Data pribadi diunduh oleh pemiliknya"),
    "account_delete": _l("Akun dihapus atas permintaan pemiliknya"),
    "supervisor_grant": _l("Dijadikan supervisor kasus"),
    "supervisor_revoke": _l("Status supervisor kasus dicabut"),
}


def role_label(code):
    return ROLE_LABELS.get(code, code)


def institution_label(code):
    return INSTITUTION_LABELS.get(code, code)


def sex_label(code):
    return SEX_LABELS.get(code, code or "")


def account_event_text(action, detail):
    """"Peran diberikan: Peninjau P3A" from an audit entry's action and its `role=`/`roles=`
    detail (role codes only are stored)."""
    label = str(ACCOUNT_EVENT_LABELS.get(action, action))
    key, _sep, value = (detail or "").partition("=")
    if key in ("role", "roles") and value:
        return f"{label}: " + ", ".join(str(role_label(code)) for code in value.split(","))
    return label


def register(app):
    from flask_babel import get_locale

    from .services import dates, numbers

    app.jinja_env.globals.update(role_label=role_label, institution_label=institution_label,
                                 sex_label=sex_label, account_event_text=account_event_text,
                                 current_locale=lambda: str(get_locale() or "id"))
    dates.register(app)  # the one way to write a date: `format_date`, `format_datetime`
    numbers.register(app)  # and a count: `format_count`
