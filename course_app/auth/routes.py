"""Register, log in and out, change and reset passwords."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..forms import show_domain_error
from ..security import safe_next
from ..services import DomainError, account_mail, accounts, staff
from .forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm

bp = Blueprint("auth", __name__)


def _start_session(user, remember=False):
    """Log `user` in on a fresh session: whatever the cookie held before (a CSRF token, a
    half-filled flow) is dropped, so a session planted before login is worth nothing after."""
    session.clear()
    login_user(user, remember=remember)


def _home_for(user):
    if user.has_role("participant"):
        return url_for("dashboard.index")
    if user.has_role("reviewer"):
        return url_for("review.queue")
    if user.has_role("caseworker"):
        return url_for("caselog.cases")
    if user.has_role("officiant"):
        return url_for("verify.scan")
    if user.has_role("admin"):
        return url_for("admin.users")
    if user.has_role("police"):
        return url_for("polres.submissions")
    return url_for("main.index")


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            accounts.register_participant(
                full_name=form.full_name.data, email=form.email.data, password=form.password.data,
                birth_date=form.birth_date.data, sex=form.sex.data, phone=form.phone.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            # The same answer whether the account was made or the address already had one (its
            # owner is emailed instead): no logging in here, or the next page would tell.
            flash(_("Pendaftaran diterima. Kami mengirim email ke alamat yang Anda isi. Silakan "
                    "masuk dengan email dan kata sandi Anda."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_home_for(current_user))
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
            db.session.commit()
        except DomainError as error:
            db.session.commit()  # keep the failure counter
            form.password.errors = [error.message]
        else:
            _start_session(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data, _home_for(user)))
    return render_template("auth/login.html", form=form)


@bp.post("/keluar")
def logout():
    if current_user.is_authenticated:
        accounts.end_sessions(current_user)  # every device, every remember cookie
        db.session.commit()
    logout_user()
    flash(_("Anda sudah keluar."), "info")
    return redirect(url_for("main.index"))


@bp.get("/akun")
@login_required
def account():
    return render_template("auth/account.html")


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.password.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            # Every other session ended with the old password; this device stays logged in.
            remembered = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
            _start_session(current_user._get_current_object(), remember=remembered)
            flash(_("Kata sandi sudah diganti. Perangkat lain yang masih masuk sudah dikeluarkan."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/lupa-kata-sandi", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        account_mail.request_password_reset(form.email.data)  # the outbox: sent after the commit
        db.session.commit()
        # The same answer whether or not the address exists, and whether or not mail works.
        flash(_("Jika email itu terdaftar, kami mengirim tautan untuk mengatur ulang kata sandi dalam beberapa menit. Periksa kotak masuk dan folder spam."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/atur-ulang-kata-sandi/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        accounts.user_for_reset_token(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Kata sandi baru sudah disimpan. Silakan masuk."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/undangan/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def accept_invitation(token):
    """A staff member invited by an admin sets their first password (services/staff.py): the
    link works once, until it expires or a newer one is sent; then, as after a reset, login."""
    try:
        invitation = staff.invitation_for_token(token)
    except DomainError as error:
        return render_template("auth/invitation_invalid.html", message=error.message), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            staff.accept_invitation(token, form.password.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Kata sandi Anda sudah dibuat. Silakan masuk dengan email dan kata sandi itu."),
                  "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/accept_invitation.html", form=form, person=invitation.user)
