"""Request hooks that every response passes through: headers, user loading, safe redirects."""
from urllib.parse import urlsplit

from flask import g, request

from .extensions import login_manager

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def register(app):
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    # No binding to the address or browser: a phone moving from Wi-Fi to mobile data changes
    # both, and must keep its session. Sessions end instead through their generation.
    login_manager.session_protection = None
    login_manager.id_attribute = "session_id"

    @login_manager.user_loader
    def load_user(session_id):
        from .services.accounts import user_for_session
        if g.get("database_down"):
            return None  # rendering the 503 page: show it as to a visitor
        return user_for_session(session_id)

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if getattr(g, "no_store", False) or _signed_in_page(request):
            # A page made for a signed-in person carries their data: no cache keeps it, and the
            # back button after logout shows nothing (product §8).
            headers["Cache-Control"] = "private, no-store"
            response.vary.add("Cookie")
        elif response.mimetype == "text/html":
            # A page names the static files of its release (static_files.py): a browser must
            # ask for it again, never keep one that links files a release has replaced. Only
            # the fingerprinted static files are kept for a year.
            headers.setdefault("Cache-Control", "no-cache")
        return response


#: Responses that are the same for everyone, signed in or not: caching them keeps nothing
#: personal. Lesson pictures' URLs carry their digest (learning.lesson_image).
SHARED_ENDPOINTS = {"static", "learning.lesson_image"}


def _signed_in_page(request):
    if request.endpoint in SHARED_ENDPOINTS:
        return False
    user = g.get("_login_user")  # only if this request loaded one: no user query for visitors
    return bool(user is not None and user.is_authenticated)


def is_safe_next(target):
    """Only same-site relative paths are followed after login (no open redirects)."""
    if not target or not isinstance(target, str):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") \
        and not target.startswith("//")


def safe_next(target, default):
    return target if is_safe_next(target) else default
