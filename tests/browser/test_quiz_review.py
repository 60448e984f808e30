"""The quiz cool-down counts down in the browser (issue 11 point 5, product §4).

countdown.js ticks the time left and, at zero, shows the retry button without a reload; the
server agrees (the button starts an attempt). Screenshots: the failed result and the countdown
on a 360 px phone.
"""
import re

from course_app.extensions import db
from course_app.services import quizzes

from .. import factories
from .conftest import log_in

COOLDOWN = 6


def test_cooldown_counts_down_and_shows_the_retry_button_without_reload(phone, shot, live_app,
                                                                         monkeypatch):
    monkeypatch.setitem(live_app.config, "QUIZ_COOLDOWN_SECONDS", COOLDOWN)
    user = factories.make_user()
    module = factories.make_module(lessons=2, questions=4, questions_per_attempt=3)
    factories.read_all_lessons(user, module)
    attempt = quizzes.start_attempt(user, module)
    quizzes.submit_attempt(user, attempt, factories.answers_for(attempt, right=1))
    db.session.commit()
    right = [o.text for aq in attempt.questions for o in aq.question.options if o.is_correct]

    page = phone()
    log_in(page, user)
    page.goto(f"/materi/kuis/{attempt.id}/hasil")
    main = page.locator("main")
    assert "Pelajaran yang perlu dibaca lagi" in main.inner_text()
    assert not any(text in page.content() for text in right)
    shot(page, "failed-result")

    page.goto(f"/materi/{module.code}/kuis")
    start = page.locator("form[action$='/kuis/mulai'] button")
    assert start.count() == 0
    left = page.locator("[data-cooldown-left]")
    first = left.inner_text()
    assert re.fullmatch(r"\d detik", first)
    shot(page, "countdown")
    page.evaluate("window.notReloaded = true")

    page.wait_for_timeout(1500)  # (wait_for_function evaluates a string: the CSP forbids it)
    assert left.inner_text() != first and start.count() == 0
    start.wait_for(state="visible", timeout=(COOLDOWN + 3) * 1000)
    assert page.evaluate("window.notReloaded") is True
    assert not page.locator("[data-cooldown-waiting]").is_visible()
    assert "Kuis bisa dicoba lagi sekarang" in main.inner_text()
    shot(page, "countdown-done")

    start.click()
    page.wait_for_url(re.compile(r".*/materi/kuis/\d+$"))
