"""Language choice: the user's saved preference, else the `lang` cookie, else Indonesian."""
from flask import current_app, has_request_context, request
from flask_login import current_user

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
