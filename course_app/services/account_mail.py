"""The accounts feature's emails: welcome, "someone tried to register with your address", and
password reset — all through the outbox (services/mail/).

product §8, no account enumeration: the registration and reset pages answer the same whether or
not an address has an account, so the difference lives only in the email, which reaches only the
address's owner. Each public path also does the same work either way (a token is signed and a
body built for a stand-in when there is no account), so its time says no more than its answer.
"""
from types import SimpleNamespace

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from . import accounts
from .dates import date_time
from .mail import send_mail

#: Signs a token and builds a body when the address has no (active) account: same work, no mail.
_NOBODY = SimpleNamespace(id=0, full_name="", email="", locale=None,
                          password_hash="pbkdf2:sha256:1$stand-in$000000000000000000000000")


def public_url(endpoint, **values):
    """PUBLIC_BASE_URL + the endpoint's path, built without a request: emailed links never take
    the request's Host header (no poisoned links) and services need no request to build them."""
    adapter = current_app.url_map.bind("localhost", url_scheme="https")
    return current_app.config["PUBLIC_BASE_URL"] + adapter.build(endpoint, values)


def request_password_reset(email):
    """Queue one email for any address asked about: a reset link for an active account, or a
    note that no active account uses the address. Both paths sign a token, build both bodies and
    write one outbox row, so neither the answer nor its time (a commit that writes a row costs a
    disk flush) tells whether the address is registered; only the mailbox's owner learns it."""
    user = accounts.find_user_by_email(email)
    real = user is not None and user.is_active
    person = user if real else _NOBODY
    link = public_url("auth.reset_password", token=accounts.make_reset_token(person))
    subject = _("Atur ulang kata sandi Pranikah Kupang")
    reset_body = "\n\n".join([
        _("Halo %(name)s,", name=person.full_name),
        _("Kami menerima permintaan untuk mengatur ulang kata sandi akun Pranikah Kupang Anda. "
          "Buka tautan ini dalam 1 jam:"),
        link,
        _("Jika Anda tidak meminta ini, abaikan email ini; kata sandi Anda tidak berubah."),
        _("Dinas P3A Kota Kupang"),
    ])
    no_account_body = "\n\n".join([
        _("Kami menerima permintaan untuk mengatur ulang kata sandi Pranikah Kupang untuk alamat "
          "email ini, tetapi tidak ada akun aktif dengan alamat ini."),
        _("Jika Anda sudah mendaftar, mungkin Anda memakai alamat email lain. Jika akun Anda "
          "dinonaktifkan, hubungi Dinas P3A Kota Kupang. Mendaftar:"),
        public_url("auth.register"),
        _("Jika Anda tidak meminta ini, abaikan email ini."),
        _("Dinas P3A Kota Kupang"),
    ])
    send_mail(user.email if user is not None else accounts.normalise_email(email), subject,
              reset_body if real else no_account_body)


def welcome_new_participant(user):
    """The first email of a new account: how to log in and what comes next. In the language of
    the page the person registered on."""
    send_mail(user.email, _("Akun Pranikah Kupang Anda sudah dibuat"), "\n\n".join([
        _("Halo %(name)s,", name=user.full_name),
        _("Akun Pranikah Kupang Anda sudah dibuat dengan alamat email ini. Masuk dengan email "
          "dan kata sandi yang Anda pilih:"),
        public_url("auth.login"),
        _("Langkah berikutnya: bentuk pasangan atau gabung dengan kode undangan, lalu pelajari "
          "ketiga modul."),
        _("Jika Anda tidak mendaftar, hubungi Dinas P3A Kota Kupang."),
        _("Dinas P3A Kota Kupang"),
    ]))


def tell_owner_of_registration_attempt(user):
    """Someone filled in the registration form with an address that already has an account: its
    owner is told (nothing changed; here is how to log in or reset the password)."""
    with force_locale(_locale_of(user)):
        send_mail(user.email, _("Pendaftaran dengan email Anda di Pranikah Kupang"), "\n\n".join([
            _("Halo %(name)s,", name=user.full_name),
            _("Seseorang (mungkin Anda) baru saja mencoba mendaftar di Pranikah Kupang dengan "
              "alamat email ini. Alamat ini sudah punya akun, jadi tidak ada akun baru yang dibuat "
              "dan akun Anda tidak berubah."),
            _("Masuk ke akun Anda:"),
            public_url("auth.login"),
            _("Lupa kata sandi? Atur ulang di sini:"),
            public_url("auth.forgot_password"),
            _("Jika bukan Anda yang mendaftar, abaikan email ini."),
            _("Dinas P3A Kota Kupang"),
        ]))


def _locale_of(user):
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def invite_staff_member(user, token, expires_at):
    """The invitation of a staff account made by an admin: a single-use link to set the first
    password, valid until `expires_at` (INVITATION_DAYS). In the invitee's language (the
    office's default until they choose one), not the admin's."""
    with force_locale(_locale_of(user)):
        send_mail(user.email, _("Undangan akun petugas Pranikah Kupang"), "\n\n".join([
            _("Halo %(name)s,", name=user.full_name),
            _("Dinas P3A Kota Kupang membuat akun Pranikah Kupang untuk Anda dengan alamat email "
              "ini. Buat kata sandi Anda lewat tautan ini (hanya dapat dipakai sekali):"),
            public_url("auth.accept_invitation", token=token),
            _("Tautan berlaku sampai %(when)s. Jika sudah kedaluwarsa, minta admin P3A mengirim "
              "undangan baru.", when=date_time(expires_at)),
            _("Jika Anda tidak mengenal undangan ini, abaikan email ini."),
            _("Dinas P3A Kota Kupang"),
        ]))


def send_reset_link(user):
    """A reset link sent because an admin asked for it (the person called the office, say):
    the same token and page as "forgot password", told so in the email."""
    with force_locale(_locale_of(user)):
        send_mail(user.email, _("Atur ulang kata sandi Pranikah Kupang"), "\n\n".join([
            _("Halo %(name)s,", name=user.full_name),
            _("Admin Dinas P3A Kota Kupang mengirim tautan untuk mengatur ulang kata sandi akun "
              "Pranikah Kupang Anda. Buka tautan ini dalam 1 jam:"),
            public_url("auth.reset_password", token=accounts.make_reset_token(user)),
            _("Jika Anda tidak memintanya, abaikan email ini; kata sandi Anda tidak berubah."),
            _("Dinas P3A Kota Kupang"),
        ]))


def tell_certificate_issued(user, certificate):
    """One partner's "your certificate is ready" email (issue 12 point 4), in their language,
    with the dashboard's address from PUBLIC_BASE_URL (the certificate panel is first there).
    Queued by `certificate_mail` in the issue's own savepoint: no issue, no email."""
    from .certificate_pdf import group_id

    with force_locale(_locale_of(user)):
        send_mail(user.email, _("Sertifikat pranikah Anda sudah terbit"), "\n\n".join([
            _("Halo %(name)s,", name=user.full_name),
            _("Sertifikat pranikah Anda berdua sudah terbit, nomor %(id)s. Unduh sertifikat "
              "(PDF) dan kode QR-nya di beranda Pranikah Kupang:", id=group_id(certificate.id)),
            public_url("dashboard.index"),
            _("Cetak sertifikat ini dan bawa ke lembaga tempat pernikahan. Petugas memindai kode QR-nya dan mencocokkan nama dengan KTP kalian."),
            _("Dinas P3A Kota Kupang"),
        ]))
