"""The participant journey end to end, in a phone-sized Chromium window (issue 2, point 14)."""
import re
from datetime import timedelta
from pathlib import Path

import pytest

from course_app.extensions import db
from course_app.models import Lesson, Option
from course_app.services import clock, content

from .. import factories

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def loaded_content(app):
    content.load_content(str(CONTENT_DIR))
    # The real lessons ask for 75–120 s of reading; the live app's 1 s applies instead.
    for lesson in db.session.scalars(db.select(Lesson)):
        lesson.min_read_seconds = None
    db.session.commit()


def register(page, name, email, birth_date, sex):
    page.goto("/daftar")
    page.fill("#full_name", name)
    page.fill("#email", email)
    page.fill("#birth_date", birth_date)
    page.check(f"input[name=sex][value={sex}]")
    page.fill("#password", factories.PASSWORD)
    page.fill("#password_confirm", factories.PASSWORD)
    page.check("#consent")
    page.click("main form button[type=submit]")
    # The same answer for a new and a taken address (no enumeration): then one logs in.
    page.wait_for_url("**/masuk")
    assert "Pendaftaran diterima" in page.locator(".flash-success").inner_text()
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/beranda")


def read_every_lesson(page, module_code):
    page.goto(f"/materi/{module_code}")
    lesson_links = page.locator(f"main a[href^='/materi/{module_code}/']:not([href$='/kuis'])")
    hrefs = sorted(set(lesson_links.evaluate_all("links => links.map(a => a.getAttribute('href'))")))
    assert len(hrefs) >= 4
    for href in hrefs:
        page.goto(href)
        button = page.locator("#read-button")
        # With JavaScript the button waits for the minimum reading time, then enables itself.
        page.wait_for_function("() => !document.querySelector('#read-button').disabled")
        with page.expect_navigation():
            button.click()
        assert page.locator(".flash-success").count() == 1, href
    page.goto(f"/materi/{module_code}")
    assert page.locator("main .badge.ok").count() == len(hrefs)
    return hrefs


def answer(page, correctly, only_first=None):
    """Tick answers in every question fieldset; the option ids tell us which are right."""
    fieldsets = page.locator("fieldset.question")
    count = fieldsets.count()
    for index in range(count if only_first is None else only_first):
        inputs = fieldsets.nth(index).locator("input")
        options = [(inputs.nth(i), db.session.get(Option, int(inputs.nth(i).get_attribute("value"))))
                   for i in range(inputs.count())]
        if correctly:
            for element, option in options:
                if option.is_correct:
                    element.check()
        else:
            next(element for element, option in options if not option.is_correct).check()
    db.session.rollback()
    return count


def test_register_couple_read_fail_cooldown_pass_and_dashboard(phone, shot, loaded_content):
    first = phone()
    register(first, "Peserta Uji Satu", "uji.satu@example.com", "1996-04-11", "L")
    shot(first, "01-dashboard-new")

    first.click("text=Bentuk atau gabung pasangan")
    first.fill("#planned_wedding_date", (clock.today() + timedelta(days=120)).isoformat())
    first.select_option("#institution_type", "gereja")
    first.fill("#institution_name", "Jemaat Contoh Kupang")
    first.click("form[action$='/pasangan/buat'] button[type=submit]")
    code = first.locator(".code-box").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    # The couple is formed: one primary button leads on, to the first module (issue 12 point 4).
    step = first.locator("a.next-step")
    assert step.count() == 1 and step.inner_text().startswith("Mulai belajar: ")
    assert step.get_attribute("data-next-step") == "module"
    shot(first, "02-invite-code")

    second = phone()
    register(second, "Peserta Uji Dua", "uji.dua@example.com", "1998-09-30", "P")
    second.goto("/pasangan/")
    second.fill("#code", code.lower().replace("-", " "))
    second.click("form[action$='/pasangan/gabung'] button[type=submit]")
    second.wait_for_url("**/beranda")
    assert "Peserta Uji Satu" in second.locator("main").inner_text()
    shot(second, "03-dashboard-couple")

    # Reading: the quiz stays closed until every lesson of the module is read.
    first.goto("/materi/gizi/kuis")
    assert first.locator("form[action$='/kuis/mulai']").count() == 0
    # A lesson says how long it takes to read and counts its minimum down on the button.
    lesson = db.session.scalar(db.select(Lesson).where(Lesson.slug == "isi-piringku"))
    lesson.min_read_seconds = 6
    db.session.commit()
    first.goto("/materi/gizi/isi-piringku")
    assert re.search(r"± \d+ menit baca", first.locator("main").inner_text())
    button = first.locator("#read-button")
    assert button.is_disabled() and re.search(r"tunggu \d+ detik", button.inner_text())
    shot(first, "03b-lesson-countdown")
    first.wait_for_function("() => !document.querySelector('#read-button').disabled", timeout=10_000)
    assert "tunggu" not in button.inner_text()
    assert "Tombol sudah bisa ditekan." in first.locator("[data-cooldown-ready]").inner_text()
    read_every_lesson(first, "gizi")

    # A failed attempt, then the cool-down.
    first.goto("/materi/gizi/kuis")
    first.click("form[action$='/kuis/mulai'] button")
    first.wait_for_url(re.compile(r".*/materi/kuis/\d+$"))
    shot(first, "04-quiz")
    answer(first, correctly=False)
    first.click("#quiz-form button[type=submit]")
    first.wait_for_url(re.compile(r".*/hasil$"))
    assert "belum lulus" in first.locator("main").inner_text().lower()
    shot(first, "05-result-failed")
    first.goto("/materi/gizi/kuis")
    assert first.locator("form[action$='/kuis/mulai']").count() == 0  # cooling down
    first.wait_for_timeout(3500)
    first.reload()

    # A passing attempt, with a reload halfway that must keep the answers.
    first.click("form[action$='/kuis/mulai'] button")
    first.wait_for_url(re.compile(r".*/materi/kuis/\d+$"))
    answer(first, correctly=True, only_first=3)
    first.reload()
    checked_after_reload = first.locator("fieldset.question input:checked").count()
    assert checked_after_reload >= 3
    answer(first, correctly=True)
    first.click("#quiz-form button[type=submit]")
    first.wait_for_url(re.compile(r".*/hasil$"))
    assert "anda lulus" in first.locator("main").inner_text().lower()
    # Passed: the primary button leads to the next required module, not back to a list.
    step = first.locator("a.next-step")
    assert step.get_attribute("data-next-step") in ("module", "quiz")
    assert step.get_attribute("href").startswith("/materi/") and "/materi/gizi" not in step.get_attribute("href")
    shot(first, "06-result-passed")

    first.goto("/beranda")
    mine = first.locator("section.card", has_text="Peserta Uji Satu (Anda)")
    assert "Selesai" in mine.inner_text()
    assert "100%" in mine.inner_text()
    shot(first, "07-dashboard-module-done")

    # The partner sees it too.
    second.goto("/beranda")
    theirs = second.locator("section.card", has_text="Peserta Uji Satu").first
    assert "Selesai" in theirs.inner_text()


def test_language_switch_is_remembered(phone, shot):
    page = phone()
    page.goto("/masuk")
    assert page.locator("html").get_attribute("lang") == "id"
    page.select_option("#lang-select", "en")  # JavaScript submits the form on change
    page.wait_for_load_state()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert "Log in" in page.locator("h1").inner_text()
    page.goto("/daftar")
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "register-in-english")
    page.select_option("#lang-select", "id")
    page.wait_for_function("() => document.documentElement.lang === 'id'")
    assert "Daftar" in page.locator("h1").inner_text()


def test_pages_work_without_javascript(browser, live_server, loaded_content):
    """Register and mark a lesson read with JavaScript off: the server alone does the job."""
    from .conftest import PHONE

    context = browser.new_context(viewport=PHONE, base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    register(page, "Peserta Tanpa Skrip", "tanpa.skrip@example.com", "1995-01-02", "P")
    page.goto("/materi/gizi/isi-piringku")
    page.wait_for_timeout(1100)  # minimum reading time in the live app's config
    page.click("#read-button")
    assert page.locator(".flash-success").count() == 1
    context.close()
