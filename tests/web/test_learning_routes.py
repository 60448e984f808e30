"""The learning pages as a participant sees them (product §4, §8)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models import Lesson, LessonProgress, QuizAttempt
from course_app.services import quizzes
from course_app.services.clock import utcnow

from .. import factories


@pytest.fixture
def module():
    module = factories.make_module(code="gizi", lessons=2, questions=4, multiple=1,
                                   questions_per_attempt=3, pass_mark=80)
    db.session.commit()
    return module


def page(response):
    return response.get_data(as_text=True)


def text_of(response):
    """The page's visible text, tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page(response)).split())


def read_everything(user, module):
    factories.read_all_lessons(user, module)
    db.session.commit()


def start(client, module):
    response = client.post(f"/materi/{module.code}/kuis/mulai")
    assert response.status_code == 302, page(response)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def form_answers(attempt, right=None):
    return {f"q-{aq_id}": [str(o) for o in options]
            for aq_id, options in factories.answers_for(attempt, right=right).items()}


def attempt_row(attempt_id):
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt_id)


def test_learning_pages_need_a_participant(client, login, module):
    assert client.get("/materi/").status_code == 302
    assert "/masuk" in client.get("/materi/gizi").headers["Location"]
    reviewer = factories.make_user(roles=("reviewer",))
    db.session.commit()
    login(reviewer)
    assert client.get("/materi/").status_code == 403


def test_module_list_shows_each_module_with_progress_and_status(client, participant, module):
    factories.make_module(code="imunisasi", lessons=3)
    db.session.add(LessonProgress(user_id=participant.id, lesson_id=module.lessons[0].id,
                                  read_at=utcnow()))
    db.session.commit()

    response = client.get("/materi/")

    assert response.status_code == 200
    text = text_of(response)
    assert "Kemajuan: 1 dari 2 pelajaran dibaca" in text
    assert "Kemajuan: 0 dari 3 pelajaran dibaca" in text
    assert "Sedang membaca" in text and "Belum mulai" in text
    assert '<progress id="progress-gizi" max="100" value="33">' in page(response)
    assert response.headers["Cache-Control"] == "private, no-store"


def test_module_page_shows_read_ticks_and_a_locked_quiz(client, participant, module):
    first = module.lessons[0]
    db.session.add(LessonProgress(user_id=participant.id, lesson_id=first.id, read_at=utcnow()))
    db.session.commit()

    text = text_of(client.get("/materi/gizi"))

    assert "Pelajaran 1 ✓ Sudah dibaca" in text
    assert "Pelajaran 2 Belum dibaca" in text
    assert "Kuis terbuka setelah semua pelajaran ditandai sudah dibaca. Sudah dibaca: 1 dari 2." in text


def test_opening_a_lesson_records_the_open_and_shows_the_lesson(client, participant, module):
    response = client.get("/materi/gizi/pelajaran-1")

    assert response.status_code == 200
    html = page(response)
    assert "<p>Isi <strong>pelajaran</strong>.</p>" in html
    assert "Pelajaran 1 dari 2" in text_of(response)
    assert 'href="/materi/gizi/pelajaran-2"' in html
    assert 'action="/materi/gizi/pelajaran-1/selesai"' in html
    assert re.search(r'<script src="/static/[0-9a-f]{12}/js/countdown\.js" defer></script>', html)  # fingerprinted
    progress = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == participant.id))
    assert progress.lesson_id == module.lessons[0].id and progress.read_at is None


def test_pressing_read_too_early_says_how_long_to_wait(client, participant, module):
    db.session.get(Lesson, module.lessons[0].id).min_read_seconds = 120
    db.session.commit()
    lesson_page = client.get("/materi/gizi/pelajaran-1")
    assert 'data-cooldown-seconds="120"' in page(lesson_page) \
        or 'data-cooldown-seconds="119"' in page(lesson_page)

    response = client.post("/materi/gizi/pelajaran-1/selesai", follow_redirects=True)

    text = text_of(response)
    assert response.request.path == "/materi/gizi/pelajaran-1"
    assert re.search(r"sudah dibaca dalam 1[12]\d detik lagi", text), text
    assert db.session.scalar(select(LessonProgress.read_at)) is None


def test_confirming_a_lesson_read_goes_on_to_the_next_lesson(client, participant, module):
    client.get("/materi/gizi/pelajaran-1")

    response = client.post("/materi/gizi/pelajaran-1/selesai")

    assert response.headers["Location"].endswith("/materi/gizi/pelajaran-2")
    assert db.session.scalar(select(LessonProgress.read_at)) is not None
    client.get("/materi/gizi/pelajaran-2")
    last = client.post("/materi/gizi/pelajaran-2/selesai", follow_redirects=True)
    assert last.request.path == "/materi/gizi"
    assert "sudah ditandai selesai dibaca" in text_of(last)
    assert "Ke kuis" in text_of(last)


def test_unknown_module_or_lesson_answers_404(client, participant, module):
    assert client.get("/materi/tidak_ada").status_code == 404
    assert client.get("/materi/gizi/tidak-ada").status_code == 404
    assert client.post("/materi/gizi/tidak-ada/selesai").status_code == 404
    assert client.get("/materi/tidak_ada/kuis").status_code == 404


def test_quiz_cannot_start_until_every_lesson_is_read(client, participant, module):
    intro = text_of(client.get("/materi/gizi/kuis"))
    assert "Kuis ini terbuka setelah semua pelajaran" in intro
    assert "Mulai kuis" not in intro

    response = client.post("/materi/gizi/kuis/mulai", follow_redirects=True)

    assert "Kuis ini terbuka setelah Anda selesai membaca semua pelajaran" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_quiz_from_start_to_result(client, participant, module):
    read_everything(participant, module)
    intro = text_of(client.get("/materi/gizi/kuis"))
    assert "Jumlah pertanyaan: 3" in intro and "Nilai lulus: 80 dari 100." in intro
    assert "Mulai kuis" in intro

    attempt_id = start(client, module)
    form = client.get(f"/materi/kuis/{attempt_id}")
    html = page(form)
    attempt = attempt_row(attempt_id)
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
    for aq in attempt.questions:
        kind = "checkbox" if aq.question.kind == "multiple" else "radio"
        for option in aq.ordered_options:
            assert f'type="{kind}" id="o-{aq.id}-{option.id}"' in html
            assert f'name="q-{aq.id}" value="{option.id}"' in html
            assert f'<label for="o-{aq.id}-{option.id}">{option.text}</label>' in html
    multiple = sum(1 for aq in attempt.questions if aq.question.kind == "multiple")
    assert html.count("Pilih semua jawaban yang benar.") == multiple
    assert f'data-attempt="{attempt_id}"' in html
    assert re.search(r'<script src="/static/[0-9a-f]{12}/js/quiz\.js" defer></script>', html)  # fingerprinted

    response = client.post(f"/materi/kuis/{attempt_id}", data=form_answers(attempt))

    assert response.headers["Location"].endswith(f"/materi/kuis/{attempt_id}/hasil")
    result = client.get(response.headers["Location"])
    text = text_of(result)
    assert "Selamat, Anda lulus kuis ini dengan nilai 100." in text
    assert "Nilai Anda: 100" in text and "LULUS" in text and "BELUM LULUS" not in text
    assert "3 dari 3 pertanyaan dijawab benar." in text
    for aq in attempt.questions:
        assert aq.question.explanation in text
    assert text.count("Jawaban Anda") >= 3 and "Jawaban benar" in text
    assert f'data-clear-attempt="{attempt_id}"' in page(result)
    assert attempt_row(attempt_id).passed is True
    assert "Selesai" in text_of(client.get("/materi/"))


def test_failed_attempt_shows_the_wrong_questions_and_the_cooldown(app, client, participant, module,
                                                                   monkeypatch):
    monkeypatch.setitem(app.config, "QUIZ_COOLDOWN_SECONDS", 900)
    read_everything(participant, module)
    attempt_id = start(client, module)

    client.post(f"/materi/kuis/{attempt_id}", data=form_answers(attempt_row(attempt_id), right=0))

    result = text_of(client.get(f"/materi/kuis/{attempt_id}/hasil"))
    assert "Nilai Anda: 0" in result and "BELUM LULUS" in result
    assert re.search(r"Kuis bisa dicoba lagi dalam 1[45] menit", result)
    assert "Salah" in result and "Jawaban benar" not in result  # tests/web/test_quiz_review.py
    intro = text_of(client.get("/materi/gizi/kuis"))
    assert "Anda belum lulus pada percobaan terakhir" in intro and "Mulai kuis" not in intro
    assert "Riwayat percobaan" in intro
    refused = client.post("/materi/gizi/kuis/mulai", follow_redirects=True)
    assert re.search(r"kuis bisa dicoba lagi dalam 1[45] menit", text_of(refused))
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_starting_again_continues_the_open_attempt(client, participant, module):
    read_everything(participant, module)
    first = start(client, module)

    assert start(client, module) == first
    assert "Lanjutkan" in text_of(client.get("/materi/gizi/kuis"))


def test_second_submission_flashes_and_shows_the_result(client, participant, module):
    read_everything(participant, module)
    attempt_id = start(client, module)
    answers = form_answers(attempt_row(attempt_id))
    client.post(f"/materi/kuis/{attempt_id}", data=answers)

    again = client.post(f"/materi/kuis/{attempt_id}",
                        data=form_answers(attempt_row(attempt_id), right=0), follow_redirects=True)

    assert again.request.path == f"/materi/kuis/{attempt_id}/hasil"
    assert "Jawaban untuk percobaan ini sudah pernah dikirim" in text_of(again)
    assert attempt_row(attempt_id).score_percent == 100
    assert client.get(f"/materi/kuis/{attempt_id}").headers["Location"].endswith("/hasil")


def test_unanswered_question_shows_the_form_again_with_the_answers_kept(client, participant, module):
    read_everything(participant, module)
    attempt_id = start(client, module)
    attempt = attempt_row(attempt_id)
    answers = form_answers(attempt)
    skipped = attempt.questions[2]
    del answers[f"q-{skipped.id}"]

    response = client.post(f"/materi/kuis/{attempt_id}", data=answers)

    assert response.status_code == 200
    html = page(response)
    assert "Masih ada 1 pertanyaan yang belum dijawab." in text_of(response)
    assert f'<p class="error" id="missing-{skipped.id}">Pertanyaan ini belum dijawab.</p>' in html
    for name, values in answers.items():
        for value in values:
            assert re.search(rf'name="{name}" value="{value}"\s+checked', html)
    assert attempt_row(attempt_id).submitted_at is None


@pytest.mark.parametrize("tamper", ["foreign_option", "not_a_number", "unknown_question", "bad_name"])
def test_tampered_answers_are_refused_and_nothing_is_stored(client, participant, module, tamper):
    read_everything(participant, module)
    attempt_id = start(client, module)
    attempt = attempt_row(attempt_id)
    answers = form_answers(attempt)
    first, second = attempt.questions[0], attempt.questions[1]
    if tamper == "foreign_option":
        answers[f"q-{first.id}"] = [str(second.option_order[0])]
        expected = "Ada pilihan jawaban yang bukan milik pertanyaannya."
    elif tamper == "not_a_number":
        answers[f"q-{first.id}"] = ["1 OR 1=1"]
        expected = "Jawaban yang dikirim tidak dapat dibaca."
    elif tamper == "unknown_question":
        answers["q-999999"] = [str(first.option_order[0])]
        expected = "Jawaban yang dikirim tidak cocok dengan pertanyaan kuis ini."
    else:
        answers["q-abc"] = ["1"]
        expected = "Jawaban yang dikirim tidak dapat dibaca."

    response = client.post(f"/materi/kuis/{attempt_id}", data=answers, follow_redirects=True)

    assert response.status_code == 200
    assert expected in text_of(response)
    stored = attempt_row(attempt_id)
    assert stored.submitted_at is None and stored.score_percent is None
    assert all(aq.selected_option_ids is None for aq in stored.questions)


def test_another_users_attempt_answers_404(client, participant, module):
    stranger = factories.make_user()
    factories.read_all_lessons(stranger, module)
    theirs = quizzes.start_attempt(stranger, module)
    db.session.commit()

    assert client.get(f"/materi/kuis/{theirs.id}").status_code == 404
    answers = form_answers(theirs)
    assert client.post(f"/materi/kuis/{theirs.id}", data=answers).status_code == 404
    assert attempt_row(theirs.id).submitted_at is None
    quizzes.submit_attempt(stranger, attempt_row(theirs.id), factories.answers_for(theirs))
    db.session.commit()
    assert client.get(f"/materi/kuis/{theirs.id}/hasil").status_code == 404
    assert client.get("/materi/kuis/999999").status_code == 404


def test_result_of_an_open_attempt_goes_back_to_the_form(client, participant, module):
    read_everything(participant, module)
    attempt_id = start(client, module)

    response = client.get(f"/materi/kuis/{attempt_id}/hasil")

    assert response.headers["Location"].endswith(f"/materi/kuis/{attempt_id}")


def test_learning_pages_carry_no_inline_script_or_style(client, participant, module):
    read_everything(participant, module)
    attempt_id = start(client, module)
    urls = ["/materi/", "/materi/gizi", "/materi/gizi/pelajaran-1", "/materi/gizi/kuis",
            f"/materi/kuis/{attempt_id}"]
    client.post(f"/materi/kuis/{attempt_id}", data=form_answers(attempt_row(attempt_id)))
    urls.append(f"/materi/kuis/{attempt_id}/hasil")
    for url in urls:
        html = page(client.get(url))
        assert re.findall(r"<script(?![^>]*\bsrc=)", html) == [], url
        assert " style=" not in html and "<style" not in html, url
        assert re.search(r"\son[a-z]+=", html) is None, url


def test_cooldown_is_shown_with_minutes_on_the_module_page(app, client, participant, module,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "QUIZ_COOLDOWN_SECONDS", 600)
    read_everything(participant, module)
    attempt = quizzes.start_attempt(participant, module)
    quizzes.submit_attempt(participant, attempt, factories.answers_for(attempt, right=0),
                           now=utcnow() - timedelta(minutes=1))
    db.session.commit()

    text = text_of(client.get("/materi/gizi"))

    assert "Kuis bisa dicoba lagi sebentar lagi." in text
    assert "Nilai terbaik Anda: 0" in text and "Belum lulus" in text


# --- required and optional modules (issue 11 point 3) ----------------------------------------

def test_the_module_list_labels_required_and_optional_modules(client, participant, module):
    optional = factories.make_module(code="kespro", lessons=1, required=False)
    db.session.commit()

    response = client.get("/materi/")

    cards = page(response).split('class="card module-card"')[1:]
    assert len(cards) == 2
    card = {c: " ".join(re.sub(r"<[^>]+>", " ", html).split())
            for c, html in zip((module.code, optional.code), cards, strict=True)}
    assert "Wajib untuk sertifikat" in card["gizi"] and "Pilihan" not in card["gizi"]
    assert "Pilihan" in card["kespro"] and "Tidak diperlukan untuk sertifikat." in card["kespro"]
    assert "Wajib untuk sertifikat" not in card["kespro"]


def test_the_dashboard_counts_required_modules_and_marks_optional_ones(client, participant, module):
    optional = factories.make_module(code="kespro", lessons=1, questions=4, questions_per_attempt=2,
                                     multiple=0, required=False)
    read_everything(participant, optional)
    attempt = quizzes.start_attempt(participant, optional)
    quizzes.submit_attempt(participant, attempt, factories.answers_for(attempt))
    db.session.commit()

    text = text_of(client.get("/beranda"))

    assert "Materi wajib selesai: 0 dari 1" in text  # the passed optional module does not count
    assert f"{optional.title} (Pilihan)" in text


# --- a path without dead ends (issue 12 point 4) -------------------------------------------------

def next_step_link(response):
    """(code, href, label) of the page's primary "next step" button, or None."""
    match = re.search(r'<a class="button next-step" data-next-step="([a-z_]+)" href="([^"]+)">([^<]+)</a>',
                      page(response))
    return match.groups() if match else None


def pass_through_pages(client, module):
    attempt_id = start(client, module)
    response = client.post(f"/materi/kuis/{attempt_id}", data=form_answers(attempt_row(attempt_id)))
    return client.get(response.headers["Location"])


def test_a_lesson_shows_its_reading_time(client, participant, module):
    lesson = db.session.get(Lesson, module.lessons[0].id)
    lesson.body_markdown = " ".join(["kata"] * 450) + " ![Gambar piring](images/piring.svg)"
    db.session.commit()

    assert "Pelajaran 1 dari 2 · ± 3 menit baca" in text_of(client.get("/materi/gizi/pelajaran-1"))


def test_the_minimum_reading_time_counts_down_on_the_confirm_button(client, participant, module):
    db.session.get(Lesson, module.lessons[0].id).min_read_seconds = 90
    db.session.commit()

    html = page(client.get("/materi/gizi/pelajaran-1"))

    box = re.search(r'<div class="cooldown" data-cooldown-seconds="(\d+)".*?</template>\s*</div>', html, re.S)
    assert box and int(box.group(1)) in (89, 90)
    button = re.search(r'<button type="submit" id="read-button"[^>]*>(.*?)</button>', box.group(0), re.S)
    assert "data-cooldown-disable" in button.group(0)  # countdown.js disables it until then
    assert re.search(r"Saya sudah membaca<span[^>]*data-cooldown-waiting> · tunggu "
                     r"<strong data-cooldown-left>1 menit (29|30) detik</strong></span>", button.group(1))
    assert "<template data-cooldown-retry><p>Tombol sudah bisa ditekan.</p></template>" in box.group(0)
    # Without JavaScript the button works and the server says how long to wait (above).
    assert "disabled" not in button.group(0).replace("data-cooldown-disable", "")


def test_no_countdown_once_the_minimum_has_passed(client, participant, module):
    db.session.add(LessonProgress(user_id=participant.id, lesson_id=module.lessons[0].id,
                                  opened_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()

    html = page(client.get("/materi/gizi/pelajaran-1"))

    assert 'id="read-button" aria-describedby="read-hint">Saya sudah membaca</button>' in html
    assert "data-cooldown-seconds" not in html


def test_the_multiple_answer_instruction_shows_once_per_question(client, participant):
    """The content's questions end with "(Pilih semua jawaban yang benar.)" and the page adds
    the same hint: it was there twice on every multiple-answer question."""
    module = factories.make_module(lessons=1, questions=4, multiple=4, questions_per_attempt=3)
    for question in factories.questions_of(module):
        question.text = "Manakah yang benar? (Pilih semua jawaban yang benar.)"
    read_everything(participant, module)

    attempt_id = start(client, module)
    html = page(client.get(f"/materi/kuis/{attempt_id}"))

    assert html.count("Pilih semua jawaban yang benar") == 3
    assert html.count('<p class="hint" id="hint-') == 3  # the one the checkboxes point to
    assert html.count("Manakah yang benar?</legend>") == 3


def test_passing_a_quiz_leads_to_the_next_unfinished_required_module(client, participant, module):
    factories.make_module(code="pilihan", lessons=1, required=False, position=1)  # never in the way
    factories.make_module(code="imunisasi", lessons=1)
    factories.make_couple(participant)
    read_everything(participant, module)

    result = pass_through_pages(client, module)

    assert next_step_link(result) == ("module", "/materi/imunisasi", next_step_link(result)[2])
    assert next_step_link(result)[2].startswith("Mulai belajar: Modul")
    assert 'class="button secondary" href="/materi/">Kembali ke daftar materi' in page(result)


def test_passing_the_last_module_leads_to_the_letter(client, participant, module):
    factories.make_couple(participant, factories.make_user(sex="L"))
    read_everything(participant, module)

    result = pass_through_pages(client, module)

    assert next_step_link(result) == ("letter", "/surat/unggah", "Unggah SKCK")


def test_a_passed_quiz_whose_lessons_are_read_leads_to_that_quiz(client, participant, module):
    other = factories.make_module(code="imunisasi", lessons=1)
    factories.make_couple(participant)
    read_everything(participant, module)
    read_everything(participant, other)

    result = pass_through_pages(client, module)

    assert next_step_link(result)[:2] == ("quiz", "/materi/imunisasi/kuis")


def test_a_failed_quiz_shows_no_next_step(client, participant, module):
    read_everything(participant, module)
    attempt_id = start(client, module)
    client.post(f"/materi/kuis/{attempt_id}", data=form_answers(attempt_row(attempt_id), right=0))

    assert next_step_link(client.get(f"/materi/kuis/{attempt_id}/hasil")) is None
