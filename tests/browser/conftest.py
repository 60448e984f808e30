"""Browser tests: the app served on a free loopback port, driven in Debian's Chromium.

Never `playwright install`: Playwright drives /usr/bin/chromium. Screenshots of each step go
to tests/browser/screenshots/ (ignored by git) so a person can look at the pages.
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from config import TestingConfig
from course_app import create_app
from course_app.extensions import db

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_app(app):
    """A second app on the suite's database, with CSRF on as in production."""
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        WTF_CSRF_ENABLED = True
        LESSON_MIN_READ_SECONDS = 1
        QUIZ_COOLDOWN_SECONDS = 3

    live = create_app(Config)
    yield live
    with live.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


#: What every page of every browser test printed as an error: uncaught exceptions and console
#: errors (issue 12: no JavaScript error on any page for any role). Checked after each test.
CONSOLE_ERRORS = []


def watch_console(browser):
    """Every context `browser` makes reports its pages' errors into CONSOLE_ERRORS."""
    make_context = browser.new_context

    def record(message):
        url = message.location.get("url", "")
        # A page asked for on purpose answering 404 (the error page itself) is not a script
        # error; a missing script, style or image on a page is, and so is everything else.
        own_status = (message.text.startswith("Failed to load resource: the server responded")
                      and message.page is not None and url == message.page.url)
        if message.type == "error" and not own_status:
            CONSOLE_ERRORS.append(f"{url}: {message.text}")

    def new_context(**options):
        context = make_context(**options)
        context.on("console", record)
        context.on("weberror", lambda error: CONSOLE_ERRORS.append(f"uncaught: {error.error}"))
        return context

    browser.new_context = new_context
    return browser


@pytest.fixture(autouse=True)
def no_console_errors(request):
    """Fails a browser test whose pages logged an error (a test expecting one — a page that
    answers 404 on purpose — removes it from CONSOLE_ERRORS itself)."""
    CONSOLE_ERRORS.clear()
    yield
    errors = list(CONSOLE_ERRORS)
    CONSOLE_ERRORS.clear()
    assert not errors, "errors on the pages:\n" + "\n".join(errors)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = watch_console(playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized browser context (its own cookies), pointed at the live server."""
    contexts = []

    def new_page():
        context = browser.new_context(viewport=PHONE, base_url=live_server, locale="id-ID")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


@pytest.fixture
def live_keys(app, live_app, live_server, tmp_path, monkeypatch):
    """One signing key shared by the test code and the live server; QR links point at it."""
    from course_app.services import signing

    for each in (app, live_app):
        monkeypatch.setitem(each.config, "SIGNING_KEYS_DIR", str(tmp_path / "keys"))
        monkeypatch.setitem(each.config, "PUBLIC_BASE_URL", live_server)
    key = signing.generate_key()
    db.session.commit()
    return key


def log_in(page, user, password=None):
    """Log `user` in through the login page (password from tests/factories.py)."""
    from .. import factories

    page.goto("/masuk")
    page.fill("#email", user.email)
    page.fill("#password", password or factories.PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def shot(request):
    """`shot(page, "name")` saves a screenshot for people to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    test_name = request.node.name

    def take(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{test_name}-{name}.png"), full_page=True)
    return take
