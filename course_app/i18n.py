"""Language choice: the user's saved preference, else the `lang` cookie, else Indonesian;
and lazily translated messages kept as text."""
from flask import current_app, g, has_request_context, request
from flask_babel import get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context
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


def _translations():
    """This request's translations, resolved once per locale rather than on every `_()`.

    Flask-Babel's `get_translations()` walks `g`, the domain and the locale (and formats the
    locale's name) on each call — a page's ~27 messages paid for that ~27 times. The result is
    kept next to Flask-Babel's own per-request state and is valid while its locale and domain
    are those it was resolved for: `flask_babel.refresh()` drops the locale, so a language
    changed mid-request is picked up."""
    try:
        state = g._flask_babel
        locale, domain, translations = state.template_translations
        if locale is state.babel_locale and domain is getattr(state, "babel_domain", None):
            return translations
    except (AttributeError, RuntimeError):  # first call of the request, or no app context
        pass
    translations = get_translations()
    state = getattr(g, "_flask_babel", None) if g else None
    if state is not None and hasattr(state, "babel_locale"):
        state.template_translations = (state.babel_locale, getattr(state, "babel_domain", None), translations)
    return translations


@pass_context
def _template_gettext(context, string, **variables):
    text = _translations().ugettext(string)
    if context.eval_ctx.autoescape:
        text = escape(text)
    if not variables and "%" not in text:
        return text  # formatting would return it unchanged; Markup's % is not free (~60 a page)
    return text % variables


@pass_context
def _template_ngettext(context, singular, plural, num, **variables):
    variables.setdefault("num", num)
    text = _translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = escape(text)
    return text % variables


def keep_template_messages_text(app):
    """`_()` in templates translates text; it never vouches for it as markup.

    Jinja's i18n `gettext` wraps the translated message in `Markup`, which is right for a
    literal written in a template but not for the data labels templates translate too —
    `_(x.label)` of a case-log list entry an admin edits. Our messages contain no markup,
    so the message is escaped like any other text, and the values put into it still are
    (issue 9). Plain-text templates (emails) are left unescaped, as before.
    """
    # `_` straight to the same function: Jinja's alias would resolve `gettext` again through
    # the template context on every call (a page has ~27)
    app.jinja_env.globals.update(gettext=_template_gettext, ngettext=_template_ngettext, _=_template_gettext)
