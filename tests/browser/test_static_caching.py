"""Fast repeat visits in Chromium (issue 12 point 7, product §9: any page, repeat visit, zero
requests for static files).

The second visit is a navigation (`page.goto`), as when a participant opens the lesson again
from a link. A reload is not: the reload button asks the server again for the page, by design,
and Chromium revalidates what it reloads, so it says nothing about a repeat visit.

`page.on("request")` reports every file the page uses, also one Chromium takes from its own
cache (DevTools lists those as "(disk cache)" or "(memory cache)"): the test asks Chromium
(DevTools protocol) where each came from, and counts what reaches the server.
"""
import hashlib
from urllib.parse import urlsplit

from flask import request_started

from course_app.extensions import db

from .. import factories
from .conftest import log_in


def static_paths_reaching(app):
    """Paths under /static/ that reach the live server, as they arrive."""
    seen = []

    def record(sender, **extra):
        from flask import request
        if request.path.startswith("/static/"):
            seen.append(request.path)

    request_started.connect(record, app, weak=False)
    return seen, lambda: request_started.disconnect(record, app)


def where_from(page):
    """`source_of(url)`: where Chromium took each response for `url` from (network, disk
    cache or memory cache), recorded as the page loads."""
    log = {}
    cdp = page.context.new_cdp_session(page)
    cdp.on("Network.requestWillBeSent", lambda event: log.setdefault(
        event["request"]["url"], []).append(event["requestId"]))
    sources = {}
    cdp.on("Network.requestServedFromCache", lambda event: sources.__setitem__(event["requestId"], "memory cache"))
    cdp.on("Network.responseReceived", lambda event: sources.setdefault(
        event["requestId"], "disk cache" if event["response"].get("fromDiskCache") else "network"))
    cdp.send("Network.enable")

    def source_of(url):
        return [sources.get(request_id, "no response") for request_id in log.get(url, [])]
    return source_of


def test_a_lesson_opened_again_asks_for_no_static_file(phone, live_app, shot):
    module = factories.make_module()
    participant = factories.make_user()
    factories.make_couple(first=participant)
    db.session.commit()
    lesson = f"/materi/{module.code}/pelajaran-1"
    page = phone()
    source_of = where_from(page)
    asked = []  # what the page asked for, served from the cache or not
    page.on("request", lambda r: urlsplit(r.url).path.startswith("/static/") and asked.append(r.url))
    reaching, stop = static_paths_reaching(live_app)
    try:
        log_in(page, participant)  # the login page brings the files every page shares
        asked.clear()
        page.goto(lesson)  # the first visit of the lesson
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "Pelajaran 1"
        first_visit = sorted({urlsplit(url).path for url in asked})
        assert any(path.endswith("/css/app.css") for path in first_visit), first_visit
        assert any(path.endswith("/js/app.js") for path in first_visit), first_visit
        assert reaching, "the first visits fetched their static files from the server"
        shot(page, "01-first-visit")

        asked.clear()
        reaching.clear()
        page.goto(lesson)  # the repeat visit
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "Pelajaran 1"
        shot(page, "02-repeat-visit")
    finally:
        stop()
    assert reaching == [], f"static files fetched again from the server: {reaching}"
    assert sorted({urlsplit(url).path for url in asked}) == first_visit  # the same files, from the cache
    sources = {url: source_of(url)[-1:] for url in asked}
    assert all(source in (["disk cache"], ["memory cache"]) for source in sources.values()), sources


def test_the_offline_verifier_loads_its_vendored_modules_by_fingerprinted_url_offline(browser, live_server, live_keys):
    """@noble/ed25519 and @noble/hashes (the fallback where WebCrypto lacks Ed25519) come from
    the service worker's cache with the network off: sha2.js's relative imports (./_md.js, …)
    resolve under the same hash as sha2.js, so the cached copies are found."""
    context = browser.new_context(base_url=live_server, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/verify/scan")
    page.wait_for_selector("#scan-page[data-offline-ready=yes]")
    noble = page.get_attribute("script[data-noble]", "data-noble")
    sha2 = page.get_attribute("script[data-sha2]", "data-sha2")
    assert noble.startswith("/static/") and "/vendor/noble-ed25519-3.2.0/index.js" in noble
    page.reload()  # now controlled by the service worker, as every later visit
    page.wait_for_selector("#scan-page[data-offline-ready=yes]")

    context.set_offline(True)
    digest = page.evaluate("""async ([noble, sha2]) => {
        const [ed, hashes] = await Promise.all([import(noble), import(sha2)]);
        const bytes = hashes.sha512(new TextEncoder().encode('Pranikah Kupang'));
        return [typeof ed.verify, Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')];
    }""", [noble, sha2])
    assert digest == ["function", hashlib.sha512(b"Pranikah Kupang").hexdigest()]
    context.close()
