"""Language choice: the user's saved preference, else the `lang` cookie, else Indonesian;
and lazily translated messages kept as text."""
from flask import current_app, has_request_context, request
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

LANG_COOKIE = "lang"


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone():
    return current_app.config["APP_TIMEZONE"]


def _lazy_text_as_html(lazy):
    return escape(str(lazy))


def keep_lazy_messages_text():
    """A lazily translated message (`lazy_gettext`) is plain text, never markup.

    Flask-Babel's LazyString declares `__html__` returning itself unescaped, so Jinja, Markup's
    `%` and the session's flash serialiser all took it for trusted HTML — and messages carry
    what users typed (`_l("%(name)s: ...", name=user.full_name)`, a court number, a lookup
    label). Giving it an `__html__` that escapes keeps every such message inert wherever it is
    shown, without every caller remembering to call `str()` (issue 9).
    """
    LazyString.__html__ = _lazy_text_as_html
