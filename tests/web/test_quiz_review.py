"""Review as people learn best (issue 11 point 5, product §4, Moodle's review options).

After a failed attempt: which questions were wrong and which lessons to reread, never the right
options nor the explanations, not even hidden in the HTML. After passing: the right answers
with explanations. The cool-down states the time left; the retry button is there only once
the server says the cool-down is over (a reload without JavaScript; countdown.js ticks it down
and shows the button at zero, tests/browser/test_quiz_review.py).
"""
import re
from datetime import UTC, timedelta

import pytest
import time_machine

from course_app.extensions import db
from course_app.models import QuizAttempt
from course_app.services import quizzes
from course_app.services.clock import utcnow

from .. import factories

COOLDOWN = 600


@pytest.fixture
def module():
    module = factories.make_module(code="gizi", lessons=3, questions=4, multiple=1,
                                   questions_per_attempt=3, pass_mark=80)
    db.session.commit()
    return module


@pytest.fixture
def cooldown(app, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZ_COOLDOWN_SECONDS", COOLDOWN)


def html(response):
    assert response.status_code == 200
    return response.get_data(as_text=True)


def without_templates(page):
    """The page as a browser without JavaScript shows it: <template> content is never shown."""
    return re.sub(r"<template\b.*?</template>", "", page, flags=re.S)


def submitted(user, module, right, now=None):
    factories.read_all_lessons(user, module)
    attempt = quizzes.start_attempt(user, module, now=now)
    quizzes.submit_attempt(user, attempt, factories.answers_for(attempt, right=right), now=now)
    db.session.commit()
    return db.session.get(QuizAttempt, attempt.id)


def right_texts(attempt):
    return [o.text for aq in attempt.questions for o in aq.question.options if o.is_correct]


def reread_list(page):
    """The titles under "Pelajaran yang perlu dibaca lagi", in the order shown."""
    listed = re.search(r'<ul class="reread">(.*?)</ul>', page, re.S).group(1)
    return re.findall(r'<a href="/materi/gizi/[^"]+">([^<]+)</a>', listed)


def card_of(page, aq):
    return re.search(rf'<section[^>]*aria-labelledby="aq-{aq.id}".*?</section>', page, re.S).group(0)


def test_failed_attempt_lists_each_wrong_question_with_the_lesson_to_reread(client, participant,
                                                                            module):
    attempt = submitted(participant, module, right=1)
    page = html(client.get(f"/materi/kuis/{attempt.id}/hasil"))

    assert "BELUM LULUS" in page and "Pertanyaan yang dijawab salah" in page
    right, *wrong = attempt.questions  # the draw covers the 3 lessons, one question each
    assert right.is_correct and len(wrong) == 2 and not any(aq.is_correct for aq in wrong)
    assert right.question.text not in page
    lessons = {lesson.slug: lesson for lesson in module.lessons}
    for aq in wrong:
        lesson = lessons[aq.question.lesson_slug]
        card = card_of(page, aq)
        assert aq.question.text in card
        assert f'Baca lagi: <a href="/materi/gizi/{lesson.slug}">{lesson.title}</a>' in card
    assert reread_list(page) == [lesson.title for lesson in module.lessons
                                 if lesson.slug in {aq.question.lesson_slug for aq in wrong}]
    assert f'href="/materi/gizi/{right.question.lesson_slug}"' not in page


def test_untagged_wrong_questions_send_back_to_every_lesson(client, participant):
    module = factories.make_module(code="gizi", lessons=3, questions=4, multiple=1,
                                   questions_per_attempt=3, tagged=False)
    db.session.commit()
    attempt = submitted(participant, module, right=1)
    page = html(client.get(f"/materi/kuis/{attempt.id}/hasil"))

    assert reread_list(page) == [lesson.title for lesson in module.lessons]
    assert "Baca lagi:" not in page


def test_failed_attempt_page_never_shows_the_right_options_nor_explanations(client, participant,
                                                                           module):
    attempt = submitted(participant, module, right=1)
    page = html(client.get(f"/materi/kuis/{attempt.id}/hasil"))

    for text in right_texts(attempt):
        assert text not in page
    for aq in attempt.questions:
        assert aq.question.explanation not in page
    assert "Jawaban benar" not in page and "Penjelasan" not in page
    assert re.search(r'class="[^"]*\bcorrect\b', page) is None
    assert "answer-options" not in page


def test_passed_attempt_page_shows_the_right_answers_and_explanations(client, participant, module):
    attempt = submitted(participant, module, right=None)
    page = html(client.get(f"/materi/kuis/{attempt.id}/hasil"))

    assert "LULUS" in page and "Pelajaran yang perlu dibaca lagi" not in page
    for text in right_texts(attempt):
        assert text in page
    for aq in attempt.questions:
        assert aq.question.text in page and aq.question.explanation in page
    assert page.count("Jawaban benar") == len(right_texts(attempt))


@pytest.mark.parametrize("url", ["/materi/gizi/kuis", "/materi/kuis/{id}/hasil"])
def test_cooldown_page_shows_the_time_left_and_no_retry_button_until_it_ends(
        client, participant, module, cooldown, url):
    failed_at = utcnow().replace(microsecond=0)
    attempt = submitted(participant, module, right=0, now=failed_at)
    url = url.format(id=attempt.id)

    with time_machine.travel((failed_at + timedelta(seconds=COOLDOWN - 75)).astimezone(UTC),
                             tick=False):
        page = html(client.get(url))
    shown = without_templates(page)
    assert "Kuis bisa dicoba lagi dalam" in shown and "1 menit 15 detik" in shown
    assert 'data-cooldown-seconds="75"' in page
    assert "Coba lagi" not in shown and "/kuis/mulai" not in shown
    # The button JavaScript shows at zero waits, inert, in a <template>.
    assert re.search(r"<template data-cooldown-retry>.*Coba lagi.*</template>", page, re.S)

    with time_machine.travel((failed_at + timedelta(seconds=COOLDOWN + 1)).astimezone(UTC),
                             tick=False):
        page = html(client.get(url))
    assert "Kuis bisa dicoba lagi dalam" not in page and "data-cooldown-seconds" not in page
    assert "Coba lagi" in page


def test_retry_is_refused_by_the_server_during_the_cooldown(client, participant, module, cooldown):
    failed_at = utcnow().replace(microsecond=0)
    submitted(participant, module, right=0, now=failed_at)

    with time_machine.travel((failed_at + timedelta(seconds=COOLDOWN - 1)).astimezone(UTC),
                             tick=False):
        refused = client.post("/materi/gizi/kuis/mulai", follow_redirects=True)
    assert "kuis bisa dicoba lagi dalam 1 detik" in refused.get_data(as_text=True)
    with time_machine.travel((failed_at + timedelta(seconds=COOLDOWN)).astimezone(UTC),
                             tick=False):
        started = client.post("/materi/gizi/kuis/mulai")
    assert started.status_code == 302 and "/materi/kuis/" in started.headers["Location"]
