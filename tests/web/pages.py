"""Reading pages the way a user sees them: messages beside fields, flash messages, codes."""
import re
from html import unescape

_TAGS = re.compile(r"<[^>]+>")


def text(response):
    """The page as text a person reads (tags stripped, entities decoded, spaces collapsed)."""
    return " ".join(unescape(_TAGS.sub(" ", response.get_data(as_text=True))).split())


def error_beside(response, field):
    """The error shown beside `field` by the form macro, or None."""
    match = re.search(rf'<p class="error" id="{re.escape(field)}-err">(.*?)</p>',
                      response.get_data(as_text=True), re.S)
    return " ".join(unescape(_TAGS.sub(" ", match.group(1))).split()) if match else None


def flashes(response):
    """Flash messages on the page, as (category, text) pairs."""
    return [(category, " ".join(unescape(message).split())) for category, message in re.findall(
        r'<div class="flash flash-(\w+)"[^>]*>(.*?)</div>', response.get_data(as_text=True), re.S)]


def csrf_token(response):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def html_lang(response):
    match = re.search(r'<html lang="([^"]*)"', response.get_data(as_text=True))
    return match.group(1) if match else None


def set_cookies(response, name):
    """The Set-Cookie headers for cookie `name`."""
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
